/**
 * What the edge knows about a turn once identity is resolved, kept in the turn state:
 * the caller, the language and a logger tagged with the activity.
 */
import { ActionTypes, TurnContext, type Activity, type Attachment, type InvokeResponse } from "botbuilder";
import { z } from "zod";
import type { Locale } from "../src/config.js";
import type { MessageKey, Translate } from "../src/i18n/index.js";
import type { Caller } from "../src/identity/identityService.js";
import type { Logger } from "../src/log.js";
import type { Lang } from "./cards/format.js";
import { executeValue, submitsOnly, withRefresh } from "./cards/universal.js";
import { customerVerbs } from "./customers/verbs.js";

export interface TurnInfo {
  caller: Caller;
  locale: Locale;
  t: Translate;
  /** What cards need to speak to this user: language, messages, time zone. */
  lang: Lang;
  log: Logger;
  /** Who sees this conversation's cards, as Teams user ids, for a card's automatic refresh (more than 60: nobody listed). */
  audience: () => Promise<string[]>;
}

const TURN_INFO = Symbol("turnInfo");

export function setTurnInfo(context: TurnContext, info: TurnInfo): void {
  context.turnState.set(TURN_INFO, info);
}

export function turnInfo(context: TurnContext): TurnInfo {
  const info = context.turnState.get(TURN_INFO) as TurnInfo | undefined;
  if (!info) throw new Error("turn info is set by PartnerBot before any dialog runs");
  return info;
}

const READ_ONLY = Symbol("readOnly");

/**
 * The turn only answered (a menu, help, a list): it changed nothing anywhere. Such a turn needs no
 * durable record that it was handled; answering it again on a redelivery is harmless.
 */
export function markReadOnly(context: TurnContext): void {
  context.turnState.set(READ_ONLY, true);
}

export function isReadOnly(context: TurnContext): boolean {
  return context.turnState.get(READ_ONLY) === true;
}

/** Text as typed, without the bot's @mention; "" for card submits, which carry no text. */
export function messageText(context: TurnContext): string {
  if (context.activity.type !== "message" || typeof context.activity.text !== "string") return "";
  const text = context.activity.entities?.some((entity) => entity.type === "mention") ? TurnContext.removeRecipientMention(context.activity) : context.activity.text;
  return (text ?? "").trim();
}

/** Lower case, no accents, single spaces, no trailing punctuation: "Aide !" → "aide". */
export function normalize(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/(?<=[^\s.!?…])[\s.!?…]+$/u, "")
    .trim();
}

const submitSchema = z.object({ verb: z.string().min(1).max(100) }).passthrough();
export type CardSubmit = z.output<typeof submitSchema>;

/** The card action of a submit (Action.Submit's data arrives as activity.value), if any. */
export function cardSubmit(context: TurnContext): CardSubmit | undefined {
  const value: unknown = context.activity.value;
  if (!value || typeof value !== "object") return undefined;
  const parsed = submitSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * An `adaptiveCard/action` invoke (a Universal Action): its trigger, and the card the turn
 * answers with. "automatic" is Teams refreshing a card for one user; "manual" a button press.
 */
export interface ExecuteTurn {
  trigger: "manual" | "automatic";
  card?: Attachment;
  text?: string;
}

const EXECUTE = Symbol("execute");

/**
 * Reads an Action.Execute invoke as the submit it replaces: the activity's value becomes the
 * action's data with its verb, so commands and flow steps handle both alike. Returns the
 * execute state (undefined for any other activity).
 */
export function beginExecute(context: TurnContext): ExecuteTurn | undefined {
  const activity = context.activity;
  if (activity.type !== "invoke" || activity.name !== "adaptiveCard/action") return undefined;
  const value = executeValue(activity.value);
  if (!value) return undefined;
  const trigger = (activity.value as { trigger?: unknown }).trigger === "automatic" ? "automatic" : "manual";
  activity.value = value;
  const execute: ExecuteTurn = { trigger };
  context.turnState.set(EXECUTE, execute);
  keepLastSentence(context, execute);
  return execute;
}

/** The last sentence said during an invoke's turn: its short answer when no card is. */
function keepLastSentence(context: TurnContext, into: { text?: string }): void {
  context.onSendActivities(async (_context, activities, next) => {
    for (const sent of activities) if (typeof sent.text === "string" && sent.text) into.text = sent.text.slice(0, 1000);
    return next();
  });
}

export function executeTurn(context: TurnContext): ExecuteTurn | undefined {
  return context.turnState.get(EXECUTE) as ExecuteTurn | undefined;
}

/** The invoke's answer: the card the turn settled on (shown in place, to this user), or a short message. */
export function executeAnswer(context: TurnContext): InvokeResponse {
  const execute = executeTurn(context);
  if (execute?.card) return { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.card.adaptive", value: execute.card.content } };
  return { status: 200, body: { statusCode: 200, type: "application/vnd.microsoft.activity.message", value: execute?.text ?? "" } };
}

/**
 * Shows a card. When Teams refreshes a card for one user (an automatic Universal Action), it is
 * the invoke's answer: only that user sees it, in place. Otherwise a new message, as always.
 */
export async function presentCard(context: TurnContext, card: Attachment): Promise<void> {
  const execute = executeTurn(context);
  if (execute?.trigger === "automatic") execute.card = card;
  else await context.sendActivity({ attachments: [card] });
}

/** The answer to the person acting only (a Universal Action's invoke answer), never sent to the conversation; false where the client cannot take one. */
export function answerPrivately(context: TurnContext, card: Attachment): boolean {
  const execute = executeTurn(context);
  if (!execute) return false;
  execute.card = card;
  return true;
}

/** A card that Teams refreshes by running `action` for each person of the conversation who opens it. */
export async function refreshing(context: TurnContext, card: Attachment, action: { verb: string; data: Record<string, unknown> }): Promise<Attachment> {
  return withRefresh(card, action, await turnInfo(context).audience());
}

/** A group chat or a channel: what is sent there is seen by everyone in it. */
export function isSharedConversation(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === "groupChat" || type === "channel";
}

/**
 * A dialog (task module) turn: Teams asking for a dialog's content (task/fetch, or a message
 * extension's action command) or sending its form (task/submit, submitAction). The form's data
 * reaches the flows as a submit would; a form the flow shows again (with its problems) stays
 * open in the dialog, and anything else closes it.
 */
export interface TaskTurn {
  form?: { card: Attachment; title: string };
  text?: string;
}

const TASK = Symbol("task");
const TASK_INVOKES = new Set(["task/fetch", "task/submit", "composeExtension/fetchTask", "composeExtension/submitAction"]);

/** The verbs a message extension's action commands start (manifest command id → verb). */
export const ACTION_COMMANDS: Record<string, string> = { newCustomer: customerVerbs.new };

export function beginTask(context: TurnContext): TaskTurn | undefined {
  const activity = context.activity;
  if (activity.type !== "invoke" || !TASK_INVOKES.has(activity.name ?? "")) return undefined;
  const value = (activity.value ?? {}) as { data?: unknown; commandId?: unknown };
  const data = value.data && typeof value.data === "object" && !Array.isArray(value.data) ? { ...(value.data as Record<string, unknown>) } : {};
  delete data.msteams;
  if (activity.name === "composeExtension/fetchTask") {
    const verb = typeof value.commandId === "string" ? ACTION_COMMANDS[value.commandId] : undefined;
    if (!verb) return undefined;
    data.verb = verb;
  }
  if (typeof data.verb !== "string") return undefined;
  activity.value = data;
  const task: TaskTurn = {};
  context.turnState.set(TASK, task);
  keepLastSentence(context, task);
  return task;
}

export function taskTurn(context: TurnContext): TaskTurn | undefined {
  return context.turnState.get(TASK) as TaskTurn | undefined;
}

/** The dialog's answer: its form (open, or open again with the problems), or closed with the last sentence said. */
export function taskAnswer(context: TurnContext): InvokeResponse {
  const task = taskTurn(context);
  if (task?.form) return { status: 200, body: { task: { type: "continue", value: { title: task.form.title, card: task.form.card, width: "large", height: "large" } } } };
  if (task?.text) return { status: 200, body: { task: { type: "message", value: task.text } } };
  return { status: 200, body: {} };
}

/** A long form: in a dialog when asked from one (its buttons plain submits, as dialogs take them), otherwise a card in the chat. */
export async function presentForm(context: TurnContext, card: Attachment, title: string): Promise<void> {
  const task = taskTurn(context);
  if (task) task.form = { card: { ...card, content: submitsOnly(card.content) }, title };
  else await context.sendActivity({ attachments: [card] });
}

/**
 * Suggested next steps under a reply (Teams shows them in personal chats only): each sends its
 * text as if typed. None in a group chat or a channel.
 */
export function suggested(context: TurnContext, items: { title: string; text: string }[]): Partial<Activity> {
  if (isSharedConversation(context) || items.length === 0) return {};
  return { suggestedActions: { to: [context.activity.from.id], actions: items.slice(0, 6).map((item) => ({ type: ActionTypes.ImBack, title: item.title.slice(0, 50), value: item.text.slice(0, 200) })) } };
}

/** What a person types to run a command, in their language: the first of the catalog's words for it. */
export function typed(context: TurnContext, commandId: string, kind?: "prefixes"): string {
  const words = turnInfo(context).t.plain(`words.${commandId}${kind ? `.${kind}` : ""}` as MessageKey);
  return words.split("|")[0] ?? commandId;
}
