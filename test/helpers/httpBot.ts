/**
 * The started bot driven over real HTTP, as Teams drives it: activities POSTed to
 * /api/messages, replies read from a loopback Bot Connector (which also serves the roster).
 */
import { randomUUID } from "node:crypto";
import { startApp, type App } from "../../bot/app.js";
import type { Config } from "../../src/config.js";
import type { ScratchDatabase } from "../../src/db/scratch.js";
import { FakeConnector, type ReceivedActivity } from "./fakeConnector.js";
import { testConfig } from "./harness.js";
import { memoryLogger } from "./silentLogger.js";
import { emptyDatabase } from "./testDatabase.js";

export interface HttpUser {
  tenantId: string;
  aadObjectId: string;
  name?: string;
  locale?: string;
  /** Defaults to a personal chat of this user. */
  conversationId?: string;
  conversationType?: "personal" | "groupChat" | "channel";
  /** The conversation's tenant, when it is not the user's own (a guest, an external member). */
  conversationTenantId?: string;
  /** The roster's role for this user ("user" unless said). */
  userRole?: string;
}

export type Reply = ReceivedActivity["body"];

export class HttpBot {
  private constructor(
    readonly app: App,
    readonly connector: FakeConnector,
    private readonly scratch: ScratchDatabase,
    readonly log: ReturnType<typeof memoryLogger>,
  ) {}

  static async start(env: Record<string, string>, options: { config?: (config: Config) => Config } = {}): Promise<HttpBot> {
    const scratch = await emptyDatabase();
    const connector = await new FakeConnector().start();
    const log = memoryLogger("info");
    const base = { ...testConfig(env), port: 0, database: scratch.database };
    const app = await startApp(options.config ? options.config(base) : base, log.logger);
    return new HttpBot(app, connector, scratch, log);
  }

  get db() {
    return this.app.database.db;
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.connector.stop();
    await this.scratch.drop();
  }

  /** A person in a conversation with the bot; enrolled in the roster with their own tenant. */
  user(user: HttpUser): HttpConversation {
    this.connector.enrol(`29:${user.aadObjectId}`, { tenantId: user.tenantId, aadObjectId: user.aadObjectId, name: user.name, userRole: user.userRole ?? "user" });
    return new HttpConversation(this, user);
  }
}

export class HttpConversation {
  constructor(
    private readonly bot: HttpBot,
    readonly user: HttpUser,
  ) {}

  get conversationId(): string {
    return this.user.conversationId ?? `a:personal-${this.user.aadObjectId}`;
  }

  /** Says something; in a group chat or a channel, addressed to the bot (with its @mention), as Teams delivers it. */
  say(text: string): Promise<{ status: number; replies: Reply[]; updates: Reply[] }> {
    if ((this.user.conversationType ?? "personal") === "personal") return this.send({ type: "message", text });
    const mention = "<at>CSP Partner Bot</at>";
    return this.send({ type: "message", text: `${mention} ${text}`, entities: [{ type: "mention", mentioned: { id: "28:bot", name: "CSP Partner Bot" }, text: mention }] });
  }

  /** Says something in a shared conversation without mentioning the bot. */
  chatter(text: string): Promise<{ status: number; replies: Reply[]; updates: Reply[] }> {
    return this.send({ type: "message", text });
  }

  press(value: Record<string, unknown>, replyToId = "card"): Promise<{ status: number; replies: Reply[]; updates: Reply[] }> {
    return this.send({ type: "message", value, replyToId });
  }

  /**
   * A Universal Action as Teams sends it: an `adaptiveCard/action` invoke with the action's verb
   * and data (inputs merged in); "automatic" is Teams refreshing a card. `answer` is the invoke's
   * answer: { statusCode, type, value } (value: the card shown in place, or a message).
   */
  async execute(verb: string, data: Record<string, unknown>, options: { replyToId?: string; trigger?: "manual" | "automatic" } = {}): Promise<{ status: number; answer: { statusCode: number; type: string; value: unknown }; replies: Reply[]; updates: Reply[] }> {
    const result = await this.send({ type: "invoke", name: "adaptiveCard/action", replyToId: options.replyToId ?? "card", value: { action: { type: "Action.Execute", verb, data }, trigger: options.trigger ?? "manual" } });
    return { ...result, answer: result.body as { statusCode: number; type: string; value: unknown } };
  }

  /**
   * Posts one activity (a fresh id unless given); resolves with the HTTP status, the activities
   * the bot sent meanwhile (replies) and the cards it replaced in place (updates).
   */
  async send(extra: Record<string, unknown>): Promise<{ status: number; replies: Reply[]; updates: Reply[]; body?: unknown }> {
    const connector = this.bot.connector;
    const before = connector.received.length;
    const tenantId = this.user.conversationTenantId ?? this.user.tenantId;
    const response = await fetch(`http://127.0.0.1:${this.bot.app.port}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        id: randomUUID(),
        channelId: "msteams",
        serviceUrl: connector.url,
        locale: this.user.locale ?? "en-US",
        from: { id: `29:${this.user.aadObjectId}`, name: this.user.name ?? "", aadObjectId: this.user.aadObjectId },
        recipient: { id: "28:bot", name: "CSP Partner Bot" },
        conversation: { id: this.conversationId, conversationType: this.user.conversationType ?? "personal", tenantId },
        channelData: { tenant: { id: tenantId } },
        ...extra,
      }),
    });
    const requests = connector.received.slice(before);
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, replies: requests.filter((r) => r.method === "POST").map((r) => r.body), updates: requests.filter((r) => r.method === "PUT").map((r) => r.body) };
  }
}

/** The first Adaptive Card among replies (as JSON text, for assertions), or "". */
export function cardJson(replies: Reply[]): string {
  const card = replies.flatMap((reply) => reply.attachments ?? []).find((attachment) => attachment.contentType === "application/vnd.microsoft.card.adaptive");
  return card ? JSON.stringify(card.content) : "";
}

export const textsOf = (replies: Reply[]) => replies.map((reply) => reply.text).filter((text): text is string => typeof text === "string");

/** The data of the first action with this verb in a card's JSON. */
export function verbData(json: string, verb: string): Record<string, unknown> {
  const found = new RegExp(`\\{"verb":"${verb.replaceAll(".", "\\.")}"[^{}]*\\}`).exec(json);
  if (!found) throw new Error(`no ${verb} in ${json.slice(0, 300)}`);
  return JSON.parse(found[0]) as Record<string, unknown>;
}
