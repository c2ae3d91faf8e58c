/**
 * Maps typed domain errors to a localized sentence for the user; anything else is a real failure.
 * Partner Center's refusals each have their own sentence (one table, by reason), saying what is
 * still possible rather than that something failed.
 */
import type { TurnContext } from "botbuilder";
import { DialogContextError } from "botbuilder-dialogs";
import { ZodError } from "zod";
import { InvalidInput, NotAllowed, NotFound, StaleVersion } from "../src/errors.js";
import { escapeMarkdown as md, type MessageKey, type Translate } from "../src/i18n/index.js";
import { IllegalTransition } from "../src/subscriptions/lifecycle.js";
import { issueText } from "./cards/issues.js";
import { statusLabel } from "./subscriptions/subscriptionCards.js";
import { isPartnerCenterError, type PartnerCenterReason } from "../src/partnerCenter/errors.js";
import { formatDate, formatDateTime, type Lang } from "./cards/format.js";
import { executeTurn, taskTurn, turnInfo } from "./turn.js";

type Details = Record<string, string | number>;

const date = (lang: Lang, value: string | number | undefined) => (value === undefined || value === "" ? "" : formatDate(lang, new Date(value)));
const moment = (lang: Lang, value: string | number | undefined) => (value === undefined || value === "" ? "" : formatDateTime(lang, new Date(value)));
const yesNo = (value: string | number | undefined) => (value === 1 || value === "1" || value === "true" ? "yes" : "no");

/** Each reason's sentence, and the facts it quotes. */
const sentences: Partial<Record<PartnerCenterReason, (lang: Lang, details: Details) => Record<string, string | number>>> = {
  throttled: (_lang, d) => ({ seconds: Number(d.retryAfterSeconds ?? 30) }),
  mfaRequired: () => ({}),
  signInExpired: () => ({}),
  appCredentialsRefused: () => ({}),
  appUserRequired: () => ({}),
  roleNotAllowed: () => ({}),
  agreementRequired: () => ({}),
  resellerAgreementMissing: (_lang, d) => ({ reseller: String(d.reseller ?? d.mpnId ?? "") }),
  reductionWindowPassed: (lang, d) => ({ removable: Number(d.removable ?? 0), until: moment(lang, d.allowedUntil), renewal: date(lang, d.renewsAt), autoRenew: yesNo(d.autoRenew ?? 1) }),
  cancellationWindowPassed: (lang, d) => ({ closed: moment(lang, d.allowedUntil), end: date(lang, d.endsAt), autoRenew: yesNo(d.autoRenew ?? 1) }),
  staleEtag: () => ({}),
  catalogItemChanged: () => ({}),
  checkoutInProgress: () => ({}),
  alreadyCheckedOut: () => ({}),
  pendingOperation: () => ({}),
  termShortening: () => ({}),
  tooManyUpdates: () => ({}),
  registrationNumberRequired: () => ({}),
  domainTaken: () => ({}),
  offerLimitReached: () => ({}),
  quantityOutOfRange: (_lang, d) => ({ min: Number(d.min ?? 1), max: Number(d.max ?? 1) }),
  autoRenewRequired: () => ({}),
  termEnded: () => ({}),
  addOnNeedsBase: () => ({}),
  notFound: () => ({}),
  unavailable: () => ({}),
};

/** Partner Center's refusal as a sentence in the reader's language (undefined for any other error). */
export function partnerCenterSentence(lang: Lang, error: unknown): string | undefined {
  if (!isPartnerCenterError(error)) return undefined;
  const params = sentences[error.reason];
  if (params) return lang.t(`pc.${error.reason}` as MessageKey, params(lang, error.details));
  return lang.t("pc.unknown", { description: error.description.slice(0, 300), code: error.code, correlation: error.correlationId ?? "none" });
}

/** Refusals that have their own sentence, by the action refused (NotAllowed) or the thing not found (NotFound). */
const notAllowedSentences: Record<string, MessageKey> = { "approval.ownRequest": "approval.ownRequest", "approval.decide": "approval.notAdmin" };
const notFoundSentences: Record<string, MessageKey> = { "customer.password": "customer.password.gone" };

/** A refused change as one sentence: "nothing changed", or what is wrong with the value. */
export function invalidSentence(t: Translate, error: InvalidInput): string {
  if (error.issues.some((issue) => issue.field === "reason" && issue.code === "required")) return t("approval.reasonMissing");
  const unchanged = error.issues.find((issue) => issue.code === "unchanged");
  if (unchanged) return typeof unchanged.params?.licences === "number" ? t("sub.unchanged", { licences: unchanged.params.licences }) : t("sub.nothingChanged");
  return t("sub.invalid", { problem: error.issues.map((issue) => issueText(t, issue)).join(" ") });
}

/**
 * The one table from a domain error to the user's sentence, applied by the dispatcher to every
 * command and flow step: card data that does not parse, not allowed, not found, a card older than
 * what it shows, a change the lifecycle refuses, invalid input, and each of Partner Center's
 * refusals. Returns false for anything else (a real failure: the turn's error handler has it).
 */
export async function answerDomainError(context: TurnContext, thrown: unknown): Promise<boolean> {
  const { t, log, lang } = turnInfo(context);
  // botbuilder-dialogs wraps what a dialog throws, with the dialog stack: the domain's error is inside.
  let error = thrown;
  while (error instanceof DialogContextError) error = error.error;
  if (error instanceof ZodError) {
    await context.sendActivity(t("unknown.action"));
    return true;
  }
  if (error instanceof NotAllowed) {
    log.warn({ action: error.action }, "refused: not allowed");
    await context.sendActivity(t(notAllowedSentences[error.action] ?? "error.notAllowed"));
    return true;
  }
  if (error instanceof NotFound) {
    await context.sendActivity(t(notFoundSentences[error.what] ?? "error.notFound"));
    return true;
  }
  if (error instanceof StaleVersion) {
    await context.sendActivity(t("sub.stale"));
    return true;
  }
  if (error instanceof IllegalTransition) {
    await context.sendActivity(t("sub.illegal", { status: statusLabel(lang, error.from).toLowerCase() }));
    return true;
  }
  if (error instanceof InvalidInput) {
    await context.sendActivity(invalidSentence(t, error));
    return true;
  }
  const sentence = partnerCenterSentence(lang, error);
  if (sentence) {
    log.info({ code: (error as { code: number }).code, reason: (error as { reason: string }).reason }, "Partner Center refused");
    await context.sendActivity(sentence);
    return true;
  }
  return false;
}

export { md };

/**
 * Replaces a pressed card in place by its new state, for everyone in the conversation (Teams:
 * the message the action came from). In a Universal Action the person who pressed also gets it
 * as the invoke's answer. A client that cannot update is not an error.
 */
export async function replaceCard(context: TurnContext, attachment: import("botbuilder").Attachment): Promise<void> {
  const execute = executeTurn(context);
  if (execute) execute.card = attachment;
  // A dialog's form was not a card in the chat: nothing to replace (its replyToId is the card that opened it).
  const id = taskTurn(context) ? undefined : context.activity.replyToId;
  if (!id) return;
  try {
    await context.updateActivity({ id, type: "message", attachments: [attachment] });
  } catch (error) {
    turnInfo(context).log.info({ err: error }, "could not update the submitted card in place");
  }
}
