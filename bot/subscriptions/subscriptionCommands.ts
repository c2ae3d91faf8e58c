/**
 * One-turn subscription commands: open the card, and each action on it (licences, add-on,
 * suspend, reactivate, cancel, resellers), plus search and history. Card data is parsed with
 * zod; the service checks access from the caller and the version the card showed, so an old
 * or tampered card changes nothing. After a change the card is replaced in place by the new state.
 */
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import type { CustomerService } from "../../src/customers/customerService.js";
import { StaleVersion } from "../../src/errors.js";
import type { SubscriptionService } from "../../src/subscriptions/subscriptionService.js";
import { withSchema, type Command, type CommandInput } from "../commands.js";
import { replaceCard } from "../domainErrors.js";
import { executeTurn, presentCard, refreshing, turnInfo } from "../turn.js";
import { cancelReviewCard, cancelReviewData, formatDate, historyCard, historyData, licenceChangeCard, licenceChangeData, subscriptionCard, subscriptionCardData, subscriptionListCard, subscriptionListData } from "./subscriptionCards.js";
import { termLabel } from "./orderCards.js";
import { customerListCard, customerListCardData } from "../customers/customerCards.js";
import type { ApprovalService } from "../../src/approvals/approvalService.js";
import { askApproval } from "../approvals/approvalCommands.js";
import type { Notifier } from "../proactive.js";
import { customerVerbs } from "../customers/verbs.js";
import { subscriptionVerbs } from "./verbs.js";

const ref = z.object({ subscriptionId: z.string().uuid() });
const versioned = ref.extend({ version: z.coerce.number().int().min(0) });
const count = z.union([z.number(), z.string().trim().min(1)]).pipe(z.coerce.number());
const resellerChoice = z
  .string()
  .max(60)
  .transform((value) => (value === "none" || value === "" ? null : value));

export function subscriptionCommands(subscriptions: SubscriptionService, customers: CustomerService, approval?: { approvals: ApprovalService; notifier: Notifier }): Command[] {
  /**
   * A cancellation or a suspension that the provider's policy says needs a second person: asked
   * for (once per version of the subscription shown), not done; returns the sentence, or
   * undefined when no approval is needed.
   */
  const asked = async (context: TurnContext, kind: "cancel" | "suspend", command: { subscriptionId: string; version: number; reason?: string }): Promise<string | undefined> => {
    if (!approval) return undefined;
    const { caller, t } = turnInfo(context);
    const because = await approval.approvals.changeNeeds(caller, kind);
    if (!because.length) return undefined;
    const subscription = await subscriptions.get(caller, command.subscriptionId);
    if (kind === "cancel") await subscriptions.previewCancel(caller, command);
    else if (subscription.version !== command.version) throw new StaleVersion("subscription");
    const payload = kind === "cancel" ? { kind, subscriptionId: command.subscriptionId, version: command.version } : { kind, subscriptionId: command.subscriptionId, version: command.version, reason: command.reason ?? "" };
    await askApproval(context, approval.approvals, approval.notifier, {
      requestKey: `${kind}:${command.subscriptionId}:${command.version}`,
      payload,
      summary: { customer: subscription.customer.companyName, lines: [{ offer: subscription.offerName, licences: subscription.licences }], reason: command.reason, because },
      customerId: subscription.customerId,
      subscriptionId: subscription.id,
    });
    return t("approval.requested");
  };

  /** Sends (or, after a change, replaces in place) the subscription's card. */
  const showCard = async (context: TurnContext, subscriptionId: string, mode: { replace?: boolean; notice?: string } = {}) => {
    const { caller, lang, locale } = turnInfo(context);
    // Read again from Partner Center: the card shows the subscription as it is there now.
    const details = await subscriptions.get(caller, subscriptionId, { refresh: true, language: locale });
    const resellers = await subscriptions.resellersOf(caller);
    // Whoever opens the conversation later sees the subscription as it is then, not as it was.
    const card = await refreshing(context, subscriptionCard(subscriptionCardData(lang, details, { isProvider: caller.organisation.kind === "provider", resellers, notice: mode.notice })), { verb: subscriptionVerbs.open, data: { subscriptionId } });
    if (mode.replace && (context.activity.replyToId || executeTurn(context))) await replaceCard(context, card);
    else await presentCard(context, card);
  };

  /**
   * Runs a change, then shows the outcome. A card older than the subscription shows it as it is
   * now; every other refusal is a sentence from the dispatcher's table and changes nothing.
   */
  const change =
    (apply: (context: TurnContext, submit: Record<string, unknown>) => Promise<string>) =>
    async (context: TurnContext, input: CommandInput): Promise<void> => {
      const { subscriptionId } = ref.parse(input.submit);
      try {
        const notice = await apply(context, input.submit ?? {});
        await context.sendActivity(notice);
        await showCard(context, subscriptionId, { replace: true, notice });
      } catch (error) {
        if (!(error instanceof StaleVersion)) throw error;
        await context.sendActivity(turnInfo(context).t("sub.stale"));
        await showCard(context, subscriptionId);
      }
    };

  const search = async (context: TurnContext, input: CommandInput) => {
    const { caller, t, locale } = turnInfo(context);
    const found = await subscriptions.search(caller, input.text);
    if (found.length === 1) return showCard(context, found[0].id);
    await context.sendActivity({ attachments: [subscriptionListCard(subscriptionListData(turnInfo(context).lang, found))] });
  };

  const history = async (context: TurnContext, input: CommandInput) => {
    const { caller } = turnInfo(context);
    const customerId = input.submit ? z.object({ customerId: z.string().uuid() }).parse(input.submit).customerId : await findCustomer(context, input.text);
    if (!customerId) return;
    const customer = await customers.get(caller, customerId);
    const entries = await subscriptions.history(caller, customerId);
    await context.sendActivity({ attachments: [historyCard(historyData(turnInfo(context).lang, customer.companyName, entries))] });
  };

  /** The one customer a text names, or says why not (none named, none found, or several: the list to pick from). */
  const findCustomer = async (context: TurnContext, text: string): Promise<string | undefined> => {
    const { caller, t } = turnInfo(context);
    const query = text.trim().slice(0, 100);
    if (!query) {
      await context.sendActivity(t("history.whichCustomer"));
      return undefined;
    }
    const page = await customers.list(caller, { text: query });
    if (page.total === 1) return page.items[0].id;
    if (page.total === 0) await context.sendActivity(t("history.noMatch", { text: query }));
    else await context.sendActivity({ text: t("history.chooseCustomer", { text: query }), attachments: [customerListCard(customerListCardData(turnInfo(context).lang, page, query))] });
    return undefined;
  };

  return [
    withSchema({ id: subscriptionVerbs.open, verb: subscriptionVerbs.open, schema: ref, handler: async (context, { data }) => showCard(context, data.subscriptionId) }),
    { id: subscriptionVerbs.search, verb: subscriptionVerbs.search, helpLine: "help.command.subscription", handler: search },
    { id: customerVerbs.history, verb: customerVerbs.history, helpLine: "help.command.history", handler: history },
    {
      id: subscriptionVerbs.licencesReview,
      verb: subscriptionVerbs.licencesReview,
      phrases: [],
      handler: async (context, input) => {
        const { caller, t } = turnInfo(context);
        const { subscriptionId } = versioned.parse(input.submit);
        // A number that is not one is the field's own problem, not an unknown action.
        const licences = count.safeParse(input.submit?.licences);
        if (!licences.success) return void (await context.sendActivity(t("issue.invalid")));
        const preview = await subscriptions.previewQuantity(caller, { subscriptionId, licences: licences.data });
        await context.sendActivity({ attachments: [licenceChangeCard(licenceChangeData(turnInfo(context).lang, preview, preview.subscription.asOf))] });
      },
    },
    {
      id: subscriptionVerbs.licences,
      verb: subscriptionVerbs.licences,
      phrases: [],
      handler: change(async (context, submit) => {
        const { subscriptionId, version } = versioned.parse(submit);
        const licences = count.parse(submit.licences);
        await subscriptions.changeQuantity(turnInfo(context).caller, { subscriptionId, version, licences });
        return turnInfo(context).t("sub.done.licencesChanged", { licences });
      }),
    },
    {
      id: subscriptionVerbs.suspend,
      verb: subscriptionVerbs.suspend,
      phrases: [],
      handler: change(async (context, submit) => {
        const { subscriptionId, version } = versioned.parse(submit);
        const reason = z.string().max(40).parse(submit.reason ?? "");
        const waiting = await asked(context, "suspend", { subscriptionId, version, reason });
        if (waiting) return waiting;
        const suspended = await subscriptions.suspend(turnInfo(context).caller, { subscriptionId, version, reason });
        const { t, lang } = turnInfo(context);
        if (suspended.deletionAt) return t("sub.done.suspended", { date: formatDate(lang, suspended.deletionAt) });
        return t("sub.done.suspendedNce", { date: formatDate(lang, suspended.termEndAt) });
      }),
    },
    {
      id: subscriptionVerbs.reactivate,
      verb: subscriptionVerbs.reactivate,
      phrases: [],
      handler: change(async (context, submit) => {
        // New Commerce: the card's "turn auto-renew back on" box (on unless unticked).
        const autoRenew = submit.autoRenew === undefined ? undefined : z.enum(["true", "false"]).parse(String(submit.autoRenew)) === "true";
        await subscriptions.reactivate(turnInfo(context).caller, { ...versioned.parse(submit), autoRenew });
        return turnInfo(context).t("sub.done.reactivated");
      }),
    },
    {
      id: subscriptionVerbs.cancelReview,
      verb: subscriptionVerbs.cancelReview,
      phrases: [],
      handler: async (context, input) => {
        const { caller, lang } = turnInfo(context);
        const preview = await subscriptions.previewCancel(caller, ref.parse(input.submit));
        await context.sendActivity({ attachments: [cancelReviewCard(cancelReviewData(lang, preview))] });
      },
    },
    {
      id: subscriptionVerbs.autoRenew,
      verb: subscriptionVerbs.autoRenew,
      phrases: [],
      handler: change(async (context, submit) => {
        const { caller, t, lang } = turnInfo(context);
        const command = versioned.parse(submit);
        const autoRenew = z.enum(["true", "false"]).parse(String(submit.autoRenew)) === "true";
        await subscriptions.setAutoRenew(caller, { ...command, autoRenew });
        const after = await subscriptions.get(caller, command.subscriptionId);
        return t(autoRenew ? "sub.done.autoRenewOn" : "sub.done.autoRenewOff", { date: formatDate(lang, after.termEndAt) });
      }),
    },
    {
      id: subscriptionVerbs.nextTerm,
      verb: subscriptionVerbs.nextTerm,
      phrases: [],
      handler: change(async (context, submit) => {
        const { caller, t, lang } = turnInfo(context);
        const command = versioned.parse(submit);
        const licences = count.parse(submit.nextLicences);
        const current = await subscriptions.get(caller, command.subscriptionId);
        const [termDuration, billingCycle] = (typeof submit.nextTerm === "string" ? submit.nextTerm : `${current.termDuration}/${current.billingCycle}`).slice(0, 30).split("/");
        await subscriptions.scheduleNextTerm(caller, { ...command, licences, termDuration: termDuration ?? "", billingCycle: billingCycle ?? "" });
        const after = await subscriptions.get(caller, command.subscriptionId);
        if (!after.nextTerm) return t("sub.done.nextTermCleared", { date: formatDate(lang, after.termEndAt) });
        return t("sub.done.nextTermScheduled", { date: formatDate(lang, after.termEndAt), licences: after.nextTerm.quantity, choice: termLabel(lang, after.nextTerm.termDuration, after.nextTerm.billingCycle).toLowerCase() });
      }),
    },
    {
      id: subscriptionVerbs.nextTermClear,
      verb: subscriptionVerbs.nextTermClear,
      phrases: [],
      handler: change(async (context, submit) => {
        const { caller, t, lang } = turnInfo(context);
        const command = versioned.parse(submit);
        await subscriptions.clearNextTerm(caller, command);
        const after = await subscriptions.get(caller, command.subscriptionId);
        return t("sub.done.nextTermCleared", { date: formatDate(lang, after.termEndAt) });
      }),
    },
    {
      id: subscriptionVerbs.cancel,
      verb: subscriptionVerbs.cancel,
      phrases: [],
      handler: change(async (context, submit) => {
        const waiting = await asked(context, "cancel", versioned.parse(submit));
        if (waiting) return waiting;
        await subscriptions.cancel(turnInfo(context).caller, versioned.parse(submit));
        return turnInfo(context).t("sub.done.cancelled");
      }),
    },
    {
      id: subscriptionVerbs.addon,
      verb: subscriptionVerbs.addon,
      phrases: [],
      handler: change(async (context, submit) => {
        const { subscriptionId } = ref.parse(submit);
        // Not "key": a client's renderer (the Agents Playground's) refuses submit data with that name.
        const { addOnKey, offerId } = z.object({ addOnKey: z.string().uuid(), offerId: z.string().min(1).max(120) }).parse(submit);
        const licences = count.parse(submit.addOnLicences);
        const result = await subscriptions.addAddOn(turnInfo(context).caller, { parentId: subscriptionId, offer: offerId, licences, idempotencyKey: `addon:${addOnKey}` });
        return turnInfo(context).t(result.provisioning ? "sub.done.addOnProvisioning" : "sub.done.addOnAdded");
      }),
    },
    {
      id: subscriptionVerbs.mute,
      verb: subscriptionVerbs.mute,
      phrases: [],
      handler: change(async (context, submit) => {
        await subscriptions.setRemindersMuted(turnInfo(context).caller, { subscriptionId: ref.parse(submit).subscriptionId, muted: true });
        return turnInfo(context).t("sub.muted");
      }),
    },
    {
      id: subscriptionVerbs.unmute,
      verb: subscriptionVerbs.unmute,
      phrases: [],
      handler: change(async (context, submit) => {
        await subscriptions.setRemindersMuted(turnInfo(context).caller, { subscriptionId: ref.parse(submit).subscriptionId, muted: false });
        return turnInfo(context).t("sub.unmuted");
      }),
    },
    {
      id: subscriptionVerbs.resellers,
      verb: subscriptionVerbs.resellers,
      phrases: [],
      handler: change(async (context, submit) => {
        const { subscriptionId, version } = versioned.parse(submit);
        const { supportContactId, resellerOfRecordId } = z.object({ supportContactId: resellerChoice, resellerOfRecordId: resellerChoice }).parse(submit);
        const { caller, t } = turnInfo(context);
        await subscriptions.assignResellers(caller, { subscriptionId, version, supportContactId, resellerOfRecordId });
        return t("sub.done.resellersSaved");
      }),
    },
  ];
}

