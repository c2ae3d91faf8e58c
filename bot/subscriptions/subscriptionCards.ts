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
import { azureSubscriptionsUrl } from "../../src/customers/relationshipRequest.js";
import { isAzureOffer } from "../../src/catalog/catalogService.js";
import { issueText, offerDetail } from "../customers/customerCards.js";
import { formatDate, formatDateTime, money, type Lang } from "../cards/format.js";

export type SubscriptionDetails = Awaited<ReturnType<SubscriptionService["get"]>>;

export { formatDate };

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
    isAzure: isAzureOffer(s.offerId),
    azureSteps: [t("sub.azureStep1"), t("sub.azureStep2"), t("sub.azureStep3")],
    azurePortalUrl: azureSubscriptionsUrl(`${s.customer.domainPrefix}.onmicrosoft.com`),
    resellerChoices: [{ title: none, value: "none" }, ...options.resellers.map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    supportContactId: s.supportContactId ?? "none",
    resellerOfRecordId: s.resellerOfRecordId ?? "none",
    labels: {
      changeLicences: t("sub.changeLicences"),
      licences: t("sub.licences"),
      licenceRange: t("sub.licenceRange", { min: s.offer.minLicences, max: s.offer.maxLicences }),
      reviewLicences: t("sub.reviewLicences"),
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
      azureAccess: t("sub.azureAccess"),
      azureAccessIntro: t("sub.azureAccessIntro"),
      azurePortal: t("sub.azurePortal"),
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

export interface HistoryEntry {
  at: Date;
  action: string;
  actorUserId: string;
  actorName: string | null;
  offerName: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** One change, as a sentence in the reader's language: names, not ids; words, not field names. */
export function historySentence(lang: Lang, entry: HistoryEntry, organisations: Map<string, string>): string {
  const { t } = lang;
  const actor = entry.actorUserId === "system" ? t("history.system") : (entry.actorName ?? "?");
  const offer = entry.offerName;
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const count = (value: unknown) => (typeof value === "number" ? value : Number(value) || 0);
  const org = (value: unknown) => (typeof value === "string" && value ? (organisations.get(value) ?? "?") : t("history.nobody"));
  switch (entry.action) {
    case "customer.created":
      return t("history.customer.created", { actor, company: text(after.companyName), domain: text(after.domain) });
    case "customer.resellerChanged":
      return after.resellerOrgId ? t("history.customer.delegated", { actor, reseller: org(after.resellerOrgId) }) : t("history.customer.undelegated", { actor, reseller: org(before.resellerOrgId) });
    case "subscription.created":
      return t("history.subscription.created", { actor, offer, licences: count(after.licences), cycle: t(`cycle.${text(after.billingCycle) || "monthly"}` as MessageKey).toLowerCase() });
    case "subscription.addOnAdded":
      return t("history.subscription.addOnAdded", { actor, offer, licences: count(after.licences) });
    case "subscription.licencesChanged":
      return t("history.subscription.licencesChanged", { actor, offer, from: count(before.licences), to: count(after.licences) });
    case "subscription.suspended": {
      const reason = t(`reason.${text(after.reason) || "customerRequest"}` as MessageKey).toLowerCase();
      const deletion = typeof after.deletionAt === "string" ? new Date(after.deletionAt) : undefined;
      return deletion ? t("history.subscription.suspendedUntil", { actor, offer, reason, date: formatDate(lang, deletion) }) : t("history.subscription.suspended", { actor, offer, reason });
    }
    case "subscription.reactivated":
      return t("history.subscription.reactivated", { actor, offer });
    case "subscription.cancelled":
      return t("history.subscription.cancelled", { actor, offer });
    case "subscription.deleted":
      return t("history.subscription.deleted", { offer });
    case "subscription.resellersSet":
      return t("history.subscription.resellers", { actor, offer, ror: org(after.resellerOfRecordId), support: org(after.supportContactId) });
    case "subscription.resellerOfRecordSet":
      return t("history.subscription.resellerOfRecord", { actor, offer, ror: org(after.resellerOfRecordId) });
    case "subscription.supportContactSet":
      return t("history.subscription.supportContact", { actor, offer, support: org(after.supportContactId) });
    case "subscription.remindersMuted":
      return t("history.subscription.remindersMuted", { actor, offer });
    case "subscription.remindersUnmuted":
      return t("history.subscription.remindersUnmuted", { actor, offer });
    default:
      return offer ? t("history.other", { actor, offer }) : t("history.otherCustomer", { actor });
  }
}

export function historyData(lang: Lang, customer: string, history: { entries: HistoryEntry[]; organisations: Map<string, string> }) {
  const { t } = lang;
  return {
    title: t("history.title", { customer }),
    emptyText: t("history.empty"),
    entries: history.entries.map((entry) => ({ sentence: historySentence(lang, entry, history.organisations), when: formatDateTime(lang, entry.at) })),
  };
}

/** "Change the licences": what the change is and what it costs, before it is confirmed. */
export function licenceChangeData(
  lang: Lang,
  preview: { subscription: { id: string; version: number; offer: { name: string }; customer: { companyName: string; domainPrefix: string } }; from: number; to: number; unitPriceCents: number; currency: string; monthlyDeltaCents: number },
) {
  const { t, locale } = lang;
  const s = preview.subscription;
  const difference = Math.abs(preview.to - preview.from);
  const amount = money(locale, Math.abs(preview.monthlyDeltaCents), preview.currency);
  return {
    title: t("sub.licenceReview.title", { offer: s.offer.name }),
    subtitle: t("sub.subtitle", { customer: s.customer.companyName, domain: `${s.customer.domainPrefix}.onmicrosoft.com` }),
    facts: [
      { label: t("sub.licenceReview.current"), value: String(preview.from) },
      { label: t("sub.licenceReview.new"), value: String(preview.to) },
      { label: t("sub.licenceReview.unitPrice"), value: t("sub.licenceReview.unitPriceValue", { price: money(locale, preview.unitPriceCents, preview.currency) }) },
    ],
    costLine: preview.to > preview.from ? t("sub.licenceReview.more", { count: difference, amount }) : t("sub.licenceReview.fewer", { count: difference, amount }),
    note: t("sub.licenceReview.note"),
    subscriptionId: s.id,
    version: s.version,
    licences: preview.to,
    confirmLabel: t("sub.licenceReview.confirm"),
    backLabel: t("sub.licenceReview.back"),
  };
}

export const licenceChangeCard = (data: ReturnType<typeof licenceChangeData>): Attachment => renderCard("licenceChange", data);
export const subscriptionCard = (data: ReturnType<typeof subscriptionCardData>): Attachment => renderCard("subscription", data);
export const orderCatalogCard = (data: ReturnType<typeof orderCatalogData>): Attachment => renderCard("orderCatalog", data);
export const orderReviewCard = (data: ReturnType<typeof orderReviewData>): Attachment => renderCard("orderReview", data);
export const subscriptionListCard = (data: ReturnType<typeof subscriptionListData>): Attachment => renderCard("subscriptionList", data);
export const historyCard = (data: ReturnType<typeof historyData>): Attachment => renderCard("history", data);
