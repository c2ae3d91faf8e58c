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

/** Where the state of an activity's user in its conversation is kept; undefined when the activity lacks one of them. */
export function conversationStateKey(activity: Pick<TurnContext["activity"], "channelId" | "conversation" | "from">): string | undefined {
  const user = activity.from?.aadObjectId ?? activity.from?.id;
  if (!activity.channelId || !activity.conversation?.id || !user) return undefined;
  return `${activity.channelId}/conversations/${activity.conversation.id}/users/${user}`;
}

const WRITTEN = Symbol("stateWritten");

export class UserConversationState extends BotState {
  constructor(storage: Storage) {
    super(storage, async (context) => {
      const key = conversationStateKey(context.activity);
      if (!key) throw new Error("state needs a channel, a conversation and a user");
      return key;
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
    context.turnState.set(WRITTEN, true);
  }

  /** Whether the turn changed the state it loaded (what saveChanges would write). */
  changed(context: TurnContext): boolean {
    const cached = context.turnState.get((this as unknown as { stateKey: symbol }).stateKey) as CachedState | undefined;
    return Boolean(cached?.state) && cached!.hash !== calculateChangeHash(cached!.state);
  }

  /** Whether this turn wrote the state. */
  written(context: TurnContext): boolean {
    return context.turnState.get(WRITTEN) === true;
  }
}
