/**
 * Posts a proactive activity to the Bot Connector of a stored conversation, and reports the
 * HTTP outcome as it is. The SDK's connector client retries 429 and 5xx by itself, waiting
 * as long as Teams asks, inside one send; the reminder scheduler does its own retrying across
 * sweeps (Retry-After honoured, backoff with jitter), so this sender makes exactly one request.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface ConnectorOutcome {
  ok: boolean;
  status?: number;
  retryAfterMs?: number;
  error?: string;
}

export interface TokenSource {
  getToken(): Promise<string>;
}

interface Reference {
  serviceUrl?: string;
  channelId?: string;
  conversation?: { id?: string };
  bot?: object;
  user?: object;
}

/** Connections to the Bot Connector kept open between sends (one host per region; a sweep sends hundreds a second). */
const agents = { "http:": new HttpAgent({ keepAlive: true, maxSockets: 64 }), "https:": new HttpsAgent({ keepAlive: true, maxSockets: 64 }) };

interface Answer {
  status: number;
  retryAfter: string | undefined;
  /** The body, read only when the send was refused (for the error). */
  text: string;
}

export class ConnectorSender {
  constructor(
    private readonly credentials?: TokenSource,
    private readonly timeoutMs = 15_000,
  ) {}

  async send(reference: Reference, activity: object): Promise<ConnectorOutcome> {
    if (!reference.serviceUrl || !reference.conversation?.id) return { ok: false, status: 404, error: "incomplete conversation reference" };
    const url = `${reference.serviceUrl.replace(/\/+$/, "")}/v3/conversations/${encodeURIComponent(reference.conversation.id)}/activities`;
    const body = { type: "message", ...activity, channelId: reference.channelId, serviceUrl: reference.serviceUrl, conversation: reference.conversation, from: reference.bot, recipient: reference.user };
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (this.credentials) headers.authorization = `Bearer ${await this.credentials.getToken()}`;
      const answer = await this.post(new URL(url), headers, JSON.stringify(body));
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
      return { ok: false, status: answer.status, retryAfterMs: parseRetryAfter(answer.retryAfter ?? null), error: `${answer.status} ${answer.text.slice(0, 200)}` };
    } catch (error) {
      return { ok: false, error: `network: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /**
   * One POST over node:http(s) with kept-alive connections: fetch (undici) builds web streams for
   * every request and response, several times the CPU of the send itself at a sweep's pace.
   */
  private post(url: URL, headers: Record<string, string>, body: string): Promise<Answer> {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return Promise.reject(new Error(`unsupported service URL scheme ${url.protocol}`));
    return new Promise((resolve, reject) => {
      const request = send(url, { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (response) => {
        const status = response.statusCode ?? 0;
        const retryAfter = response.headers["retry-after"];
        if (status >= 200 && status < 300) {
          response.resume();
          response.once("end", () => resolve({ status, retryAfter, text: "" }));
        } else {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            if (text.length < 1_000) text += chunk;
          });
          response.once("end", () => resolve({ status, retryAfter, text }));
        }
        response.once("error", reject);
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      request.once("close", () => clearTimeout(timer));
      request.once("error", reject);
      request.end(body);
    });
  }
}

/** Retry-After in seconds or as an HTTP date, in ms. */
export function parseRetryAfter(raw: string | null, now = Date.now()): number | undefined {
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
