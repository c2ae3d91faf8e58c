/**
 * Proactive messages to a user, through the conversation references the bot stored for them.
 * A 403 (bot removed or blocked) or 404 (conversation gone) marks that reference inactive.
 */
import type { Activity, CloudAdapter, ConversationReference } from "botbuilder";
import type { Logger } from "../src/log.js";
import type { ConversationRefStore } from "../src/proactive/conversationRefs.js";

export interface Notifier {
  /** Sends to every active conversation of the user; resolves with how many received it. */
  notifyUser(userId: string, activity: Partial<Activity>): Promise<number>;
}

export class ProactiveNotifier implements Notifier {
  constructor(
    private readonly adapter: Pick<CloudAdapter, "continueConversationAsync">,
    private readonly appId: string,
    private readonly refs: ConversationRefStore,
    private readonly logger: Logger,
  ) {}

  async notifyUser(userId: string, activity: Partial<Activity>): Promise<number> {
    let delivered = 0;
    for (const { id, reference } of await this.refs.activeFor(userId)) {
      try {
        // Errors are caught inside the turn: the adapter's onTurnError would otherwise swallow them.
        let failure: unknown;
        await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (context) => {
          try {
            await context.sendActivity(activity);
          } catch (error) {
            failure = error;
          }
        });
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
}
