/**
 * Posts a proactive activity to the Bot Connector of a stored conversation, and reports the
 * HTTP outcome as it is. The SDK's connector client retries 429 and 5xx by itself, waiting
 * as long as Teams asks, inside one send; the reminder scheduler does its own retrying across
 * sweeps (Retry-After honoured, backoff with jitter), so this sender makes exactly one request.
 */
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
      const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
      if (response.ok) return { ok: true, status: response.status };
      return { ok: false, status: response.status, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")), error: `${response.status} ${(await response.text()).slice(0, 200)}` };
    } catch (error) {
      return { ok: false, error: `network: ${error instanceof Error ? error.message : String(error)}` };
    }
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
