/**
 * What the edge knows about a turn once identity is resolved, kept in the turn state:
 * the caller, the language and a logger tagged with the activity.
 */
import { TurnContext } from "botbuilder";
import { z } from "zod";
import type { Locale } from "../src/config.js";
import type { Translate } from "../src/i18n/index.js";
import type { Caller } from "../src/identity/identityService.js";
import type { Logger } from "../src/log.js";
import type { Lang } from "./cards/format.js";

export interface TurnInfo {
  caller: Caller;
  locale: Locale;
  t: Translate;
  /** What cards need to speak to this user: language, messages, time zone. */
  lang: Lang;
  log: Logger;
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
  const parsed = submitSchema.safeParse(context.activity.value);
  return parsed.success ? parsed.data : undefined;
}
