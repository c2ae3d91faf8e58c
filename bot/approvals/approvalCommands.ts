/**
 * Approvals in chat. An action the policy says needs a second person becomes a request: the
 * requester's conversation gets the approval card (each person who opens it sees their own view:
 * Approve and Reject for an admin other than the requester), and each provider admin gets it in
 * their personal chat. A decision replaces the pressed card for everyone, updates the requester's
 * copy and tells them. "approvals" shows the policy (admins change it) and the waiting requests.
 */
import { TurnContext } from "botbuilder";
import { z } from "zod";
import type { ApprovalService, ApprovalSummary, ApprovalView, Decision } from "../../src/approvals/approvalService.js";
import type { Locale } from "../../src/config.js";
import { InvalidInput, NotAllowed } from "../../src/errors.js";
import { localeOf, translator } from "../../src/i18n/index.js";
import type { Caller } from "../../src/identity/identityService.js";
import { withRefresh } from "../cards/universal.js";
import { withSchema, type Command, type CommandInput } from "../commands.js";
import { partnerCenterSentence, replaceCard } from "../domainErrors.js";
import type { Notifier } from "../proactive.js";
import { presentCard, refreshing, turnInfo } from "../turn.js";
import { approvalCard, approvalCardData, approvalPolicyCard, approvalPolicyCardData, approvalStatus } from "./approvalCards.js";
import { approvalVerbs } from "./verbs.js";

export const APPROVAL_OPEN = approvalVerbs.open;
const ref = z.object({ approvalId: z.string().uuid() });

type Payload = Parameters<ApprovalService["request"]>[1]["payload"];

/** What Teams runs to refresh a request's card: open it again, as it is now. */
const openAction = (view: ApprovalView) => ({ verb: APPROVAL_OPEN, data: { approvalId: view.id } });

/** The card of a request for one viewer, refreshed by Teams for the people listed. */
function cardFor(locale: Locale, timeZone: string | undefined, view: ApprovalView, viewer: Caller | undefined) {
  const t = translator(locale);
  return approvalCard(approvalCardData({ t, locale, timeZone }, view, viewer));
}

/**
 * Asks for approval instead of acting: records the request (the same key again asks once), shows
 * the card here and sends it to the admins who can decide. The action runs when one approves.
 */
export async function askApproval(context: TurnContext, approvals: ApprovalService, notifier: Notifier, input: { requestKey: string; payload: Payload; summary: ApprovalSummary; customerId?: string; subscriptionId?: string }): Promise<ApprovalView> {
  const { caller, t, locale, lang } = turnInfo(context);
  const { view, created } = await approvals.request(caller, input);
  const card = await refreshing(context, cardFor(locale, lang.timeZone, view, caller), openAction(view));
  await context.sendActivity(t("approval.requested"));
  const sent = await context.sendActivity({ attachments: [card] });
  if (!created) return view;
  if (sent?.id) await approvals.attachCard(view.id, { reference: TurnContext.getConversationReference(context.activity), activityId: sent.id });
  for (const admin of await approvals.deciders(view.id)) {
    const adminLocale = localeOf(await approvals.localeOf(admin.userId), locale);
    const text = translator(adminLocale)("approval.toDecide", { name: caller.displayName });
    await notifier.notifyUser(admin.userId, (reference) => ({ type: "message", text, attachments: [withRefresh(cardFor(adminLocale, admin.timeZone, view, admin), openAction(view), reference.user?.id ? [reference.user.id] : [])] }), { personalOnly: true });
  }
  return view;
}

/** After a decision (or an expiry): the requester's copy of the card shows it, and the requester is told in their personal chat. */
export async function tellRequester(approvals: ApprovalService, notifier: Notifier, view: ApprovalView): Promise<void> {
  const requester = await approvals.callerOf(view.requester.id);
  const locale = localeOf(await approvals.localeOf(requester.userId), "en");
  const lang = { t: translator(locale), locale, timeZone: requester.timeZone };
  const card = withRefresh(cardFor(locale, requester.timeZone, view, requester), openAction(view), []);
  const where = await approvals.cardRef(view.id);
  if (where && notifier.updateActivity) await notifier.updateActivity(where.reference as object, String(where.activityId), { attachments: [card] });
  await notifier.notifyUser(requester.userId, { type: "message", text: lang.t("approval.decided", { status: approvalStatus(lang, view) }) }, { personalOnly: true });
}

/** The sweep's part: requests past their time expire (the requester is told), approved runs a crash interrupted are finished. */
export async function sweepApprovals(approvals: ApprovalService, notifier: Notifier): Promise<number> {
  const expired = await approvals.expireDue();
  const resumed = await approvals.resumeApproved();
  for (const view of [...expired, ...resumed.map((decision) => decision.view)]) await tellRequester(approvals, notifier, view);
  return expired.length + resumed.length;
}

export function approvalCommands(approvals: ApprovalService, notifier: Notifier): Command[] {
  /** The pressed card, replaced by the request's state (for everyone; as each person's own view on refresh). */
  const showDecided = async (context: TurnContext, view: ApprovalView) => {
    const { caller, locale, lang } = turnInfo(context);
    await replaceCard(context, await refreshing(context, cardFor(locale, lang.timeZone, view, caller), openAction(view)));
  };

  const decide = async (context: TurnContext, decision: Decision) => {
    const { t, lang } = turnInfo(context);
    await showDecided(context, decision.view);
    if (decision.status === "alreadyDecided") {
      await context.sendActivity(t("approval.alreadyDecided"));
      return;
    }
    if (decision.status === "failed") await context.sendActivity(partnerCenterSentence(lang, decision.error) ?? approvalStatus(lang, decision.view));
    else await context.sendActivity(approvalStatus(lang, decision.view));
    await tellRequester(approvals, notifier, decision.view);
  };

  const open = async (context: TurnContext, { data }: { data: z.output<typeof ref> }): Promise<void> => {
    const { caller, locale, lang } = turnInfo(context);
    const view = await approvals.get(caller, data.approvalId);
    await presentCard(context, await refreshing(context, cardFor(locale, lang.timeZone, view, caller), openAction(view)));
  };

  const approve = async (context: TurnContext, { data }: { data: z.output<typeof ref> }): Promise<void> => {
    await decide(context, await approvals.approve(turnInfo(context).caller, data.approvalId));
  };

  const reject = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { approvalId } = ref.parse(input.submit);
    const reason = z.string().max(2000).catch("").parse(input.submit?.reason);
    await decide(context, await approvals.reject(turnInfo(context).caller, approvalId, reason));
  };

  const isAdmin = (caller: Caller) => caller.organisation.kind === "provider" && caller.role === "admin";

  const showPolicy = async (context: TurnContext): Promise<void> => {
    const { caller, lang } = turnInfo(context);
    await context.sendActivity({ attachments: [approvalPolicyCard(approvalPolicyCardData(lang, await approvals.policy(caller), { canEdit: isAdmin(caller) }))] });
  };

  /** A limit as typed: empty for none, else a whole number of 0 or more (amounts in currency units, kept in cents). */
  const limit = (raw: unknown, scale: number): number | null => {
    const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
    if (text === "") return null;
    const value = Number(text.replace(",", "."));
    if (!Number.isFinite(value) || value < 0 || value > 1_000_000) throw new InvalidInput([{ field: "limit", code: "invalid" }]);
    return Math.round(value * scale);
  };
  const flag = (raw: unknown) => raw === true || raw === "true";

  const save = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { caller, t, lang } = turnInfo(context);
    if (!isAdmin(caller)) throw new NotAllowed("approvals.policy");
    const submit: Record<string, unknown> = input.submit ?? {};
    let policy;
    try {
      const expiry = Number(typeof submit.expiryHours === "string" || typeof submit.expiryHours === "number" ? submit.expiryHours : NaN);
      policy = await approvals.setPolicy(caller, {
        orderLicencesAbove: limit(submit.orderLicencesAbove, 1),
        orderMonthlyCentsAbove: limit(submit.orderMonthlyAbove, 100),
        resellerCustomers: flag(submit.resellerCustomers),
        cancellations: flag(submit.cancellations),
        suspensions: flag(submit.suspensions),
        expiryHours: expiry,
      });
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      await context.sendActivity({ attachments: [approvalPolicyCard(approvalPolicyCardData(lang, await approvals.policy(caller), { canEdit: true, issues: error.issues }))] });
      return;
    }
    await replaceCard(context, approvalPolicyCard(approvalPolicyCardData(lang, policy, { canEdit: true })));
    await context.sendActivity(t("approvals.saved"));
  };

  const pending = async (context: TurnContext): Promise<void> => {
    const { caller, t, locale, lang } = turnInfo(context);
    const waiting = await approvals.pending(caller);
    if (!waiting.length) return void (await context.sendActivity(t("approvals.noPending")));
    for (const view of waiting.slice(0, 10)) {
      await context.sendActivity({ attachments: [await refreshing(context, cardFor(locale, lang.timeZone, view, caller), openAction(view))] });
    }
  };

  return [
    { id: approvalVerbs.approvals, verb: approvalVerbs.approvals, menuLabel: "menu.approvals", helpLine: "help.command.approvals", allowed: (caller) => caller.organisation.kind === "provider", handler: showPolicy },
    { id: approvalVerbs.approvalsSave, verb: approvalVerbs.approvalsSave, phrases: [], handler: save },
    { id: approvalVerbs.approvalsPending, verb: approvalVerbs.approvalsPending, phrases: [], handler: pending },
    withSchema({ id: APPROVAL_OPEN, verb: APPROVAL_OPEN, schema: ref, handler: open }),
    withSchema({ id: approvalVerbs.approve, verb: approvalVerbs.approve, schema: ref, handler: approve }),
    { id: approvalVerbs.reject, verb: approvalVerbs.reject, phrases: [], handler: reject },
  ];
}
