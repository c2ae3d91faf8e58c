/**
 * Drives the real bot (identity, durable state, dialogs) through botbuilder's TestAdapter,
 * as a given Teams user of a given tenant, and collects what the bot sent back.
 */
import { ActivityTypes, TestAdapter, type Activity, type Attachment, type ResourceResponse, type TurnContext } from "botbuilder";
import type { PartnerBot } from "../../bot/partnerBot.js";

export interface TeamsUser {
  tenantId: string;
  aadObjectId: string;
  name: string;
  locale?: string;
  conversationId?: string;
}

/** TestAdapter that also remembers the cards the bot updated in place. */
export class RecordingAdapter extends TestAdapter {
  readonly updatedActivities: Partial<Activity>[] = [];

  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | void> {
    this.updatedActivities.push(activity);
    return super.updateActivity(context, activity);
  }
}

export class Conversation {
  readonly adapter: RecordingAdapter;

  constructor(
    bot: PartnerBot,
    readonly user: TeamsUser,
  ) {
    this.adapter = new RecordingAdapter((context) => bot.run(context));
    this.adapter.onTurnError = async (context, error) => {
      throw error;
    };
  }

  private base(): Partial<Activity> {
    const conversationId = this.user.conversationId ?? `personal-${this.user.tenantId}-${this.user.aadObjectId}`;
    return {
      channelId: "msteams",
      serviceUrl: "https://smba.example.invalid/",
      from: { id: `29:${this.user.aadObjectId}`, name: this.user.name, aadObjectId: this.user.aadObjectId },
      recipient: { id: "28:bot", name: "CSP Partner Bot" },
      conversation: { id: conversationId, conversationType: "personal", tenantId: this.user.tenantId, isGroup: false, name: "" },
      channelData: { tenant: { id: this.user.tenantId } },
      locale: this.user.locale ?? "en-US",
    };
  }

  /** Sends a typed message; resolves with the bot's replies to it. */
  say(text: string): Promise<Partial<Activity>[]> {
    return this.send({ type: ActivityTypes.Message, text });
  }

  /** Sends a card submit (Action.Submit: no text, the data in value). */
  submit(value: Record<string, unknown>): Promise<Partial<Activity>[]> {
    return this.send({ type: ActivityTypes.Message, value });
  }

  async send(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    this.adapter.activeQueue.splice(0);
    const before = this.adapter.activeQueue.length;
    await this.adapter.processActivity({ ...this.base(), id: `act-${Math.random().toString(36).slice(2)}`, ...activity });
    return this.adapter.activeQueue.splice(before);
  }
}

/** The first Adaptive Card among replies. */
export function cardOf(replies: Partial<Activity>[]): Record<string, unknown> & { body: { text?: string; facts?: { title: string; value: string }[] }[]; actions?: { title: string; data?: { verb?: string } }[] } {
  const attachment = replies.flatMap((reply) => reply.attachments ?? []).find((a: Attachment) => a.contentType === "application/vnd.microsoft.card.adaptive");
  if (!attachment) throw new Error(`no card among replies: ${JSON.stringify(replies.map((reply) => reply.text ?? reply.type))}`);
  return attachment.content;
}

/** All text of a card (TextBlocks and facts), for assertions. */
export function cardText(replies: Partial<Activity>[]): string {
  const card = cardOf(replies);
  return JSON.stringify(card.body);
}

export function texts(replies: Partial<Activity>[]): string[] {
  return replies.map((reply) => reply.text).filter((text): text is string => typeof text === "string");
}

/** The data of the first Action.Submit with this verb anywhere in a card (ShowCards included). */
export function actionData(card: unknown, verb: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown) => {
    if (found) return;
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      const data = (node as { data?: { verb?: string } }).data;
      if ((node as { type?: string }).type === "Action.Submit" && data?.verb === verb) found = data as Record<string, unknown>;
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  if (!found) throw new Error(`no ${verb} action in the card`);
  return found;
}
