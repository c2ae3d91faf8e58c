/**
 * Universal Actions. Every button that talks to the bot is an `Action.Execute` (Teams sends it
 * as an `adaptiveCard/action` invoke and shows the card the bot answers with), carrying the
 * original `Action.Submit` as its fallback for clients older than Adaptive Cards 1.4. Cards that
 * show something others can change carry a `refresh`, so that whoever opens the conversation
 * sees the current state (Teams refreshes automatically for at most 60 listed users; beyond,
 * on demand from the card's menu).
 */
import type { Attachment } from "botbuilder";

/** Teams' limit for automatic refresh. */
export const REFRESH_USER_LIMIT = 60;

type Json = Record<string, unknown>;

/**
 * Turns every verb-carrying Action.Submit of a card (ShowCards and selectActions included) into an
 * Action.Execute with the Submit as fallback. Only the nodes on the way to a changed button are
 * copied; the rest is shared with the input (a card is rendered for every reminder of a sweep).
 */
export function universalActions<T>(node: T): T {
  if (Array.isArray(node)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const value = universalActions(node[i]);
      if (value !== node[i]) (copy ??= node.slice())[i] = value;
    }
    return (copy ?? node) as T;
  }
  if (!node || typeof node !== "object") return node;
  const object = node as Json;
  let copy: Json | undefined;
  for (const key in object) {
    const value = universalActions(object[key]);
    if (value !== object[key]) (copy ??= { ...object })[key] = value;
  }
  const result = copy ?? object;
  const data = result.data as { verb?: unknown } | undefined;
  // A button that opens a dialog (task/fetch) stays a Submit: Teams opens dialogs from those.
  if (result.type === "Action.Submit" && data && typeof data.verb === "string" && !(data as { msteams?: unknown }).msteams) {
    const { type: _type, ...rest } = result;
    return { ...rest, type: "Action.Execute", verb: data.verb, data, fallback: result } as T;
  }
  return result as T;
}

/** The card with its Action.Execute buttons back to their Action.Submit fallbacks (a dialog's form submits with task/submit). */
export function submitsOnly<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item) => submitsOnly(item)) as T;
  if (!node || typeof node !== "object") return node;
  const object = node as Json;
  if (object.type === "Action.Execute" && object.fallback && typeof object.fallback === "object") return submitsOnly(object.fallback) as T;
  const copy: Json = {};
  for (const [key, value] of Object.entries(object)) copy[key] = submitsOnly(value);
  return copy as T;
}

/** The card of an attachment with a refresh action: the verb re-reads what the card shows. */
export function withRefresh(attachment: Attachment, action: { verb: string; data: Json }, userIds: string[]): Attachment {
  const refresh: Json = { action: { type: "Action.Execute", verb: action.verb, data: { ...action.data, verb: action.verb } } };
  if (userIds.length > 0 && userIds.length <= REFRESH_USER_LIMIT) refresh.userIds = userIds;
  return { ...attachment, content: { ...(attachment.content as Json), refresh } };
}

/** The Action.Execute data a Teams invoke carries, as the value a Submit would have had (with its verb). */
export function executeValue(value: unknown): Json | undefined {
  const action = (value as { action?: { type?: unknown; verb?: unknown; data?: unknown } } | undefined)?.action;
  if (!action || action.type !== "Action.Execute" || typeof action.verb !== "string") return undefined;
  const data = action.data && typeof action.data === "object" && !Array.isArray(action.data) ? (action.data as Json) : {};
  return { ...data, verb: action.verb };
}
