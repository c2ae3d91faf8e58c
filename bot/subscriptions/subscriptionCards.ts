/** Data builders of the subscription cards: the subscription itself, the order catalog and review, search and history. */
import { randomUUID } from "node:crypto";
import type { Attachment } from "botbuilder";
import type { BillingCycle } from "../../src/catalog/catalogSeed.js";
import type { OfferView } from "../../src/catalog/catalogService.js";
import type { FieldIssue } from "../../src/errors.js";
import { escapeMarkdown as md, type MessageKey } from "../../src/i18n/index.js";
import { suspensionReasons, userTransitions } from "../../src/subscriptions/lifecycle.js";
import type { OfferChoice, SubscriptionService } from "../../src/subscriptions/subscriptionService.js";
import { renderCard } from "../cards/render.js";
import { issueText, money, offerDetail, type Lang } from "../customers/customerCards.js";

export type SubscriptionDetails = Awaited<ReturnType<SubscriptionService["get"]>>;

export const formatDate = ({ locale }: Lang, date: Date) => date.toLocaleDateString(locale === "fr" ? "fr-FR" : "en-US", { dateStyle: "long", timeZone: "UTC" });

export function subscriptionCardData(lang: Lang, s: SubscriptionDetails, options: { isProvider: boolean; resellers: { id: string; name: string }[]; notice?: string }) {
  const { t } = lang;
  const transitions = userTransitions(s.status);
  const status = t(`status.${s.status}` as MessageKey);
  const none = t("sub.none");
  return {
    title: s.offer.name,
    subtitle: t("sub.subtitle", { customer: s.customer.companyName, domain: `${s.customer.domainPrefix}.onmicrosoft.com` }),
    statusText: s.status === "suspended" && s.suspensionReason ? t("sub.statusSuspended", { reason: t(`reason.${s.suspensionReason}` as MessageKey) }) : t("sub.status", { status }),
    statusColor: s.status === "active" ? "Good" : s.status === "suspended" ? "Warning" : "Attention",
    deletionNotice: s.status === "suspended" && s.deletionAt ? t("sub.deletionNotice", { date: formatDate(lang, s.deletionAt) }) : "",
    facts: [
      { label: t("sub.licences"), value: String(s.licences) },
      { label: t("sub.billing"), value: t(`cycle.${s.billingCycle}` as MessageKey) },
      s.trialEndsAt ? { label: t("sub.trialEnd"), value: formatDate(lang, s.trialEndsAt) } : { label: t("sub.termEnd"), value: formatDate(lang, s.termEndAt) },
      { label: t("sub.autoRenew"), value: s.autoRenew ? t("sub.yes") : t("sub.no") },
      { label: t("sub.resellerOfRecord"), value: s.resellerOfRecordName ? md(s.resellerOfRecordName) : none },
      { label: t("sub.supportContact"), value: s.supportContactName ? md(s.supportContactName) : none },
      ...(s.parent ? [{ label: t("sub.parent"), value: s.parent.offer.name }] : []),
      { label: t("sub.created"), value: formatDate(lang, s.createdAt) },
      { label: t("sub.reminders"), value: s.remindersMuted ? t("sub.remindersOff") : t("sub.remindersOn") },
    ],
    addOnsTitle: t("sub.addOns"),
    addOns: s.addOns.map((addOn) => t("sub.addOnLine", { offer: addOn.offer.name, licences: addOn.licences, status: t(`status.${addOn.status}` as MessageKey) })),
    notice: options.notice ?? "",
    subscriptionId: s.id,
    version: s.version,
    licences: s.licences,
    minLicences: s.offer.minLicences,
    maxLicences: s.offer.maxLicences,
    remindersMuted: s.remindersMuted,
    canChangeLicences: s.status === "active",
    canAddAddOn: s.status === "active" && s.addOnOffers.length > 0,
    canReactivate: transitions.includes("reactivate"),
    canSuspend: transitions.includes("suspend"),
    canCancel: transitions.includes("cancel"),
    canDesignate: options.isProvider && (s.status === "active" || s.status === "suspended") && options.resellers.length > 0,
    firstAddOn: s.addOnOffers[0]?.id ?? "",
    addOnChoices: s.addOnOffers.map((offer) => ({ title: `${offer.name} (${money(lang.locale, offer.unitPriceCents, offer.currency)})`, value: offer.id })),
    addOnKey: randomUUID(),
    reasons: suspensionReasons.map((reason) => ({ title: t(`reason.${reason}`), value: reason })),
    resellerChoices: [{ title: none, value: "none" }, ...options.resellers.map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    supportContactId: s.supportContactId ?? "none",
    resellerOfRecordId: s.resellerOfRecordId ?? "none",
    labels: {
      changeLicences: t("sub.changeLicences"),
      licences: t("sub.licences"),
      licenceRange: t("sub.licenceRange", { min: s.offer.minLicences, max: s.offer.maxLicences }),
      saveLicences: t("sub.saveLicences"),
      addAddOn: t("sub.addAddOn"),
      addOn: t("sub.addOn"),
      addAddOnConfirm: t("sub.addAddOnConfirm"),
      reactivate: t("sub.reactivate"),
      suspend: t("sub.suspend"),
      reason: t("sub.reason"),
      suspendWarning: t("sub.suspendWarning", { date: formatDate(lang, s.deletionIfSuspendedNow) }),
      suspendConfirm: t("sub.suspendConfirm"),
      cancel: t("sub.cancel"),
      cancelWarning: t("sub.cancelWarning"),
      cancelConfirm: t("sub.cancelConfirm"),
      resellers: t("sub.resellers"),
      supportContact: t("sub.supportContact"),
      resellerOfRecord: t("sub.resellerOfRecord"),
      saveResellers: t("sub.saveResellers"),
      unmute: t("sub.unmute"),
    },
  };
}

export function orderCatalogData(
  lang: Lang,
  input: { flowId: string; customer: string; segment: string; cycle: BillingCycle; choices: OfferChoice[]; quantities: Record<string, number>; issues: FieldIssue[]; resellers: { id: string; name: string }[]; resellerOfRecordId?: string },
) {
  const { t, locale } = lang;
  const line = (choice: OfferChoice) => {
    const { offer } = choice;
    const issue = input.issues.find((candidate) => candidate.field === offer.id);
    return {
      id: offer.id,
      name: offer.name,
      detail: offerDetail(lang, offer),
      state: choice.state,
      stateText: choice.state === "held" ? t("order.held") : choice.state === "reactivate" ? t("order.reactivateInstead") : "",
      subscriptionId: choice.subscriptionId ?? "",
      quantity: input.quantities[offer.id] ?? 0,
      max: offer.maxLicences,
      error: issue ? issueText(t, issue) : "",
    };
  };
  const otherCycle: BillingCycle = input.cycle === "monthly" ? "annual" : "monthly";
  return {
    title: t("order.title", { customer: input.customer }),
    intro: t("order.intro", { segment: t(`segment.${input.segment}` as MessageKey).toLowerCase() }),
    billingLabel: t("customer.subs.billing", { cycle: t(`cycle.${input.cycle}`) }),
    errorSummary: input.issues.length ? input.issues.map((issue) => (issue.field === "lines" ? t("order.nothingChosen") : "")).filter(Boolean)[0] ?? t("customer.account.fixErrors") : "",
    noneText: t("customer.subs.none", { cycle: t(`cycle.${input.cycle}`).toLowerCase() }),
    quantityLabel: t("field.licences"),
    reactivateLabel: t("order.reactivate"),
    offers: input.choices.filter((choice) => !choice.offer.isTrial).map(line),
    trials: input.choices.filter((choice) => choice.offer.isTrial).map(line),
    trialsTitle: t("customer.subs.trials"),
    resellerLabel: t("order.resellerOfRecord"),
    resellers: [{ title: t("order.noReseller"), value: "none" }, ...input.resellers.map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    resellerOfRecordId: input.resellerOfRecordId ?? "none",
    flowId: input.flowId,
    otherCycle,
    nextLabel: t("customer.subs.next"),
    switchLabel: t("customer.subs.switchTo", { cycle: t(`cycle.${otherCycle}`).toLowerCase() }),
    cancelLabel: t("cancel.button"),
  };
}

export function orderReviewData(lang: Lang, input: { flowId: string; customer: string; cycle: BillingCycle; lines: { offer: OfferView; licences: number }[]; resellerName?: string }) {
  const { t, locale } = lang;
  const totalCents = input.lines.reduce((sum, line) => sum + line.offer.unitPriceCents * line.licences, 0);
  return {
    title: t("order.review.title", { customer: input.customer }),
    facts: [{ label: t("field.billingCycle"), value: t(`cycle.${input.cycle}`) }, { label: t("sub.resellerOfRecord"), value: input.resellerName ? md(input.resellerName) : t("sub.none") }],
    lines: input.lines.map((line) => t("customer.review.line", { offer: line.offer.name, licences: line.licences, total: money(locale, line.offer.unitPriceCents * line.licences, line.offer.currency) })),
    total: t("customer.review.total", { total: money(locale, totalCents, input.lines[0]?.offer.currency ?? "USD") }),
    flowId: input.flowId,
    submitLabel: t("customer.review.submit"),
    editLabel: t("order.review.edit"),
    cancelLabel: t("cancel.button"),
  };
}

export function subscriptionListData(lang: Lang, items: { id: string; licences: number; status: string; offer: { name: string }; customer: { companyName: string } }[]) {
  const { t } = lang;
  return {
    title: t("sub.search.title"),
    emptyText: t("sub.search.empty"),
    openLabel: t("customer.list.open"),
    items: items.map((item) => ({ id: item.id, name: item.offer.name, detail: t("sub.search.item", { customer: item.customer.companyName, licences: item.licences, status: t(`status.${item.status}` as MessageKey) }) })),
  };
}

export function historyData(
  lang: Lang,
  customer: string,
  entries: { at: Date; action: string; actorName: string; offerName: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }[],
) {
  const { t } = lang;
  const show = (value: unknown) => (value === null || value === undefined ? "-" : typeof value === "object" ? JSON.stringify(value) : String(value));
  /** "licences: 25 → 30, reason: nonPayment": each changed field, before → after. */
  const describe = (before: Record<string, unknown> | null, after: Record<string, unknown> | null) =>
    [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])]
      .filter((key) => key !== "offer" && !(before === null && after?.[key] === null))
      .map((key) => (before && key in before ? `${key}: ${show(before[key])} → ${show(after?.[key])}` : `${key}: ${show(after?.[key])}`))
      .join(", ");
  return {
    title: t("history.title", { customer }),
    emptyText: t("history.empty"),
    entries: entries.map((entry) => {
      const key = `audit.${entry.action}` as MessageKey;
      const offer = entry.offerName;
      const what = t(key) === key ? t("audit.other", { action: entry.action }) : t(key, { offer });
      return {
        what,
        who: t("history.who", { date: entry.at.toLocaleString(lang.locale === "fr" ? "fr-FR" : "en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC", actor: entry.actorName }),
        change: md(describe(entry.before, entry.after)),
      };
    }),
  };
}

export const subscriptionCard = (data: ReturnType<typeof subscriptionCardData>): Attachment => renderCard("subscription", data);
export const orderCatalogCard = (data: ReturnType<typeof orderCatalogData>): Attachment => renderCard("orderCatalog", data);
export const orderReviewCard = (data: ReturnType<typeof orderReviewData>): Attachment => renderCard("orderReview", data);
export const subscriptionListCard = (data: ReturnType<typeof subscriptionListData>): Attachment => renderCard("subscriptionList", data);
export const historyCard = (data: ReturnType<typeof historyData>): Attachment => renderCard("history", data);
