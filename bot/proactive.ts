/**
 * Proactive messages to a user, through the conversation references the bot stored for them.
 * A 403 (bot removed or blocked) or 404 (conversation gone) marks that reference inactive.
 */
import type { Activity, CloudAdapter, ConversationReference } from "botbuilder";
import type { Logger } from "../src/log.js";
import type { ConversationRefStore } from "./teams/conversationRefs.js";

/**
 * Sends one activity into a stored conversation; resolves with the error if it failed. Errors
 * are caught inside the turn: the adapter's onTurnError would otherwise swallow them.
 */
export async function sendProactive(adapter: Pick<CloudAdapter, "continueConversationAsync">, appId: string, reference: object, activity: Partial<Activity>): Promise<unknown> {
  let failure: unknown;
  await adapter.continueConversationAsync(appId, reference as Partial<ConversationReference>, async (context) => {
    try {
      await context.sendActivity(activity);
    } catch (error) {
      failure = error;
    }
  });
  return failure;
}

/** What to send to one stored conversation: the activity, or one built for that conversation (its user id, for a card's refresh). */
export type ProactiveActivity = Partial<Activity> | ((reference: { user?: { id?: string }; conversation?: { conversationType?: string } }) => Partial<Activity>);

export interface Notifier {
  /** Sends to every active conversation of the user (only personal chats if asked); resolves with how many received it. */
  notifyUser(userId: string, activity: ProactiveActivity, options?: { personalOnly?: boolean }): Promise<number>;
  /** Replaces a message the bot sent earlier (a card whose state changed) in its conversation; resolves with the error if it failed. */
  updateActivity?(reference: object, activityId: string, activity: Partial<Activity>): Promise<unknown>;
}

export class ProactiveNotifier implements Notifier {
  constructor(
    private readonly adapter: Pick<CloudAdapter, "continueConversationAsync">,
    private readonly appId: string,
    private readonly refs: ConversationRefStore,
    private readonly logger: Logger,
  ) {}

  async notifyUser(userId: string, activity: ProactiveActivity, options: { personalOnly?: boolean } = {}): Promise<number> {
    let delivered = 0;
    for (const { id, reference } of await this.refs.activeFor(userId)) {
      const conversation = reference.conversation as { conversationType?: string } | undefined;
      if (options.personalOnly && conversation?.conversationType && conversation.conversationType !== "personal") continue;
      try {
        const failure = await sendProactive(this.adapter, this.appId, reference, typeof activity === "function" ? activity(reference) : activity);
        if (failure) throw failure;
        delivered++;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 403 || status === 404) await this.refs.deactivate(id);
        this.logger.warn({ err: error, userId, status }, "proactive message not delivered");
      }
    }
    return delivered;
  }

  async updateActivity(reference: object, activityId: string, activity: Partial<Activity>): Promise<unknown> {
    let failure: unknown;
    await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (context) => {
      try {
        await context.updateActivity({ ...activity, id: activityId, type: "message" });
      } catch (error) {
        failure = error;
      }
    });
    if (failure) this.logger.info({ err: failure }, "could not update a card sent earlier");
    return failure;
  }
}
