/**
 * Per-user conversation state that keeps its eTag. botbuilder's BotState saves with eTag "*"
 * (last writer wins); this one saves with the eTag it loaded, so two turns that raced on the
 * same state cannot silently overwrite each other: the later save fails with ETagConflict.
 */
import { BotState, calculateChangeHash, type Storage, type TurnContext } from "botbuilder";
import { NEW_ETAG } from "./turns/stateStore.js";

interface CachedState {
  state: Record<string, unknown> & { eTag?: string };
  hash: string;
}

export class UserConversationState extends BotState {
  constructor(storage: Storage) {
    super(storage, async (context) => {
      const activity = context.activity;
      const user = activity.from?.aadObjectId ?? activity.from?.id;
      if (!activity.channelId || !activity.conversation?.id || !user) throw new Error("state needs a channel, a conversation and a user");
      return `${activity.channelId}/conversations/${activity.conversation.id}/users/${user}`;
    });
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const cached = context.turnState.get((this as unknown as { stateKey: symbol }).stateKey) as CachedState | undefined;
    if (!cached?.state) return;
    if (!force && cached.hash === calculateChangeHash(cached.state)) return;
    const item = { ...cached.state, eTag: cached.state.eTag ?? NEW_ETAG };
    await this.storage.write({ [await this.storageKey(context)]: item });
    cached.state.eTag = item.eTag;
    cached.hash = calculateChangeHash(cached.state);
  }
}
