/**
 * Data builders of the subscription cards: the subscription itself (with New Commerce's facts: the
 * seats still removable and until when, the cancellation window and its refund, what happens at
 * the end of the term, changes scheduled for the renewal), the licence and cancellation reviews,
 * the order catalog and cart, search and history.
 */
import { randomUUID } from "node:crypto";
import type { Attachment } from "botbuilder";
import { monthlyPrice, type Offer } from "../../src/catalog/catalogService.js";
import { azureSubscriptionsUrl } from "../../src/customers/relationshipRequest.js";
import type { FieldIssue } from "../../src/errors.js";
import { escapeMarkdown as md, type MessageKey } from "../../src/i18n/index.js";
import { DAY, HOUR } from "../../src/partnerCenter/terms.js";
import { suspensionReasons, userTransitions } from "../../src/subscriptions/lifecycle.js";
import type { OfferChoice } from "../../src/subscriptions/orderService.js";
import type { SubscriptionDetails } from "../../src/subscriptions/subscriptionService.js";
import { PARTNER_CENTER_ACTOR } from "../../src/subscriptions/subscriptionMirror.js";
import { formatDate, formatDateTime, money, type Lang } from "../cards/format.js";
import { issueText } from "../cards/issues.js";
import { renderCard } from "../cards/render.js";
import { cartLines, offerDetail, offerKey, termLabel } from "./orderCards.js";

export type { SubscriptionDetails };
export { formatDate };

/** "about 20 hours left" under a day, "3 days left" otherwise. */
export function timeLeft({ t }: Lang, until: Date, now: Date): string {
  const ms = until.getTime() - now.getTime();
  return ms < DAY ? t("time.hoursLeft", { hours: Math.max(1, Math.ceil(ms / HOUR)) }) : t("time.daysLeft", { days: Math.floor(ms / DAY) });
}

/** The 7-day windows as sentences: seats still removable (batch by batch), and the cancellation's. */
export function windowLines(lang: Lang, s: SubscriptionDetails): string[] {
  const { t, locale } = lang;
  if (!s.isNce || s.status !== "active" || s.isTrial) return [];
  // At least the minimum stays: a batch as large as the subscription can't all go (that is cancelling).
  const lines = s.seatWindows.map((window) => t("sub.window.seats", { count: Math.min(window.quantity, s.removableSeats), until: formatDateTime(lang, window.until), left: timeLeft(lang, window.until, s.asOf) }));
  if (!lines.length) lines.push(t("sub.window.seatsClosed", { date: formatDate(lang, s.termEndAt) }));
  if (s.canCancel && s.cancellableUntil) lines.push(t("sub.window.cancel", { until: formatDateTime(lang, s.cancellableUntil), left: timeLeft(lang, s.cancellableUntil, s.asOf), refund: money(locale, s.cancelRefundCents, s.currency) }));
  else lines.push(t("sub.window.cancelClosed", { closed: s.cancellableUntil ? formatDate(lang, s.cancellableUntil) : "", end: formatDate(lang, s.termEndAt), autoRenew: s.autoRenew ? "yes" : "no" }));
  return lines;
}

/** What happens at the end of the term, in one sentence. */
export function renewalLine(lang: Lang, s: SubscriptionDetails): string {
  const { t, locale } = lang;
  const date = formatDate(lang, s.termEndAt);
  if (s.status !== "active" && s.status !== "suspended") return "";
  if (s.isTrial) return t("sub.renewal.trialEnds", { date });
  if (s.termEnd === "ends") return t("sub.renewal.ends", { date });
  if (s.nextTerm) return t("sub.renewal.renewsChanged", { date, licences: s.nextTerm.quantity, choice: termLabel(lang, s.nextTerm.termDuration, s.nextTerm.billingCycle) });
  return t("sub.renewal.renews", { date, licences: s.licences, price: money(locale, s.unitPriceCents * s.licences, s.currency) });
}

export function subscriptionCardData(lang: Lang, s: SubscriptionDetails, options: { isProvider: boolean; resellers: { id: string; name: string }[]; notice?: string }) {
  const { t, locale } = lang;
  const transitions = userTransitions(s.status);
  const none = t("sub.none");
  const termEnd = formatDate(lang, s.termEndAt);
  const statusNotice =
    s.status === "suspended" && s.isNce ? t("sub.suspendedNce", { date: termEnd }) : s.status === "suspended" && s.deletionAt ? t("sub.deletionNotice", { date: formatDate(lang, s.deletionAt) }) : s.status === "expired" ? t("sub.expiredNotice", { date: termEnd }) : "";
  const canSchedule = s.isNce && s.status === "active" && s.autoRenew && !s.isTrial && s.nextTermChoices.length > 0;
  const next = s.nextTerm;
  return {
    title: s.offerName,
    subtitle: t("sub.subtitle", { customer: s.customer.companyName, domain: `${s.customer.domainPrefix}.onmicrosoft.com` }),
    kindText: s.isNce ? t("sub.kind.nce") : s.isLegacy ? `${t("offer.legacyBadge")} · ${t("sub.kind.legacyRules")}` : t("sub.kind.other", { type: s.productType }),
    statusText: s.status === "suspended" && s.suspensionReason ? t("sub.statusSuspended", { reason: t(`reason.${s.suspensionReason}` as MessageKey) }) : t("sub.status", { status: statusLabel(lang, s.status) }),
    statusColor: s.status === "active" ? "Good" : s.status === "suspended" ? "Warning" : "Attention",
    statusNotice,
    staleNotice: s.stale ? t("sub.staleRead", { time: formatDateTime(lang, s.readAt) }) : "",
    facts: [
      { label: t("sub.licences"), value: String(s.licences) },
      { label: t("sub.term"), value: termLabel(lang, s.termDuration, s.billingCycle) },
      s.isTrial ? { label: t("sub.trialEnd"), value: formatDate(lang, s.trialEndsAt ?? s.termEndAt) } : { label: t("sub.termEnd"), value: termEnd },
      { label: t("sub.autoRenew"), value: s.autoRenew ? t("sub.yes") : t("sub.no") },
      ...(s.unitPriceCents ? [{ label: t("sub.price"), value: t("sub.licenceReview.unitPriceValue", { price: money(locale, s.unitPriceCents, s.currency) }) }] : []),
      { label: t("sub.resellerOfRecord"), value: s.resellerOfRecordName ? md(s.resellerOfRecordName) : none },
      { label: t("sub.supportContact"), value: s.supportContactName ? md(s.supportContactName) : none },
      ...(s.parent ? [{ label: t("sub.parent"), value: md(s.parent.offerName) }] : []),
      { label: t("sub.created"), value: formatDate(lang, s.createdAt) },
      { label: t("sub.reminders"), value: s.remindersMuted ? t("sub.remindersOff") : t("sub.remindersOn") },
    ],
    windowTitle: t("sub.window.title"),
    windowLines: windowLines(lang, s),
    renewalTitle: t("sub.renewal.title"),
    renewalLine: renewalLine(lang, s),
    addOnsTitle: t("sub.addOns"),
    addOns: s.addOns.map((addOn) => t("sub.addOnLine", { offer: addOn.offerName, licences: addOn.licences, status: statusLabel(lang, addOn.status) })),
    notice: options.notice ?? "",
    subscriptionId: s.id,
    version: s.version,
    licences: s.licences,
    minLicences: s.minLicences,
    maxLicences: s.maxLicences,
    remindersMuted: s.remindersMuted,
    isNce: s.isNce,
    canChangeLicences: s.status === "active",
    canAddAddOn: s.status === "active" && s.addOnOffers.length > 0,
    canReactivate: transitions.includes("reactivate"),
    canSuspend: transitions.includes("suspend"),
    canCancel: transitions.includes("cancel") && s.canCancel,
    canDesignate: options.isProvider && (s.status === "active" || s.status === "suspended") && options.resellers.length > 0,
    renewal: {
      show: s.status === "active" && !s.isTrial,
      summary: renewalLine(lang, s),
      canSchedule,
      licences: next?.quantity ?? s.licences,
      termChoices: s.nextTermChoices.map((choice) => ({ title: termLabel(lang, choice.term, choice.cycle), value: `${choice.term}/${choice.cycle}` })),
      termValue: `${next?.termDuration ?? s.termDuration}/${next?.billingCycle ?? s.billingCycle}`,
      hasScheduled: Boolean(next),
      canToggle: s.status === "active" && !s.isTrial,
      toggleLabel: s.autoRenew ? t("sub.autoRenewOff") : t("sub.autoRenewOn"),
      toggleTo: s.autoRenew ? "false" : "true",
    },
    firstAddOn: s.addOnOffers[0] ? offerKey(s.addOnOffers[0]) : "",
    addOnChoices: s.addOnOffers.map((offer) => ({ title: `${offer.name} (${t("sub.licenceReview.unitPriceValue", { price: money(locale, monthlyPrice(offer, s.termDuration) ?? 0, offer.currency) })})`, value: offerKey(offer) })),
    addOnKey: randomUUID(),
    reasons: suspensionReasons.map((reason) => ({ title: t(`reason.${reason}`), value: reason })),
    isAzure: s.productType === "Azure",
    azureSteps: [t("sub.azureStep1"), t("sub.azureStep2"), t("sub.azureStep3")],
    azurePortalUrl: azureSubscriptionsUrl(`${s.customer.domainPrefix}.onmicrosoft.com`),
    resellerChoices: [{ title: none, value: "none" }, ...options.resellers.map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    supportContactId: s.supportContactId ?? "none",
    resellerOfRecordId: s.resellerOfRecordId ?? "none",
    labels: {
      changeLicences: t("sub.changeLicences"),
      licences: t("sub.licences"),
      licenceRange: t("sub.licenceRange", { min: s.minLicences, max: s.maxLicences }),
      removableHint: s.isNce && s.status === "active" && !s.isTrial ? (s.removableSeats > 0 ? t("sub.removableHint", { count: s.removableSeats, until: formatDateTime(lang, s.seatWindows.at(-1)!.until) }) : t("sub.removableNone", { date: termEnd })) : "",
      dropsScheduled: next ? t("sub.dropsScheduled") : "",
      reviewLicences: t("sub.reviewLicences"),
      addAddOn: t("sub.addAddOn"),
      addOn: t("sub.addOn"),
      addAddOnConfirm: t("sub.addAddOnConfirm"),
      renewal: t("sub.renewal.button"),
      nextLicences: t("sub.renewal.licences"),
      nextTerm: t("sub.renewal.term"),
      scheduleNote: t("sub.renewal.note", { date: termEnd }),
      schedule: t("sub.renewal.schedule"),
      clearScheduled: t("sub.renewal.clear"),
      reactivate: t("sub.reactivate"),
      reactivateNote: t("sub.reactivateNote"),
      autoRenewBackOn: t("sub.autoRenewBackOn", { date: termEnd }),
      reactivateConfirm: t("sub.reactivate"),
      suspend: t("sub.suspend"),
      reason: t("sub.reason"),
      suspendWarning: s.isNce ? t("sub.suspendWarningNce", { date: termEnd, scheduled: next ? "yes" : "no" }) : t("sub.suspendWarning", { date: formatDate(lang, s.deletionIfSuspendedNow) }),
      suspendConfirm: t("sub.suspendConfirm"),
      cancel: t("sub.cancel"),
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

/** A status in words; an unknown one (Partner Center adds values) as Partner Center says it. */
export function statusLabel({ t }: Lang, status: string): string {
  const known = ["active", "suspended", "deleted", "expired", "disabled", "pending", "cancelled"];
  return known.includes(status) ? t(`status.${status}` as MessageKey) : status;
}

export function orderCatalogData(
  lang: Lang,
  input: { flowId: string; customer: string; segment: string; term: string; cycle: string; choices: OfferChoice[]; quantities: Record<string, number>; issues: FieldIssue[]; resellers: { id: string; name: string }[]; resellerOfRecordId?: string },
) {
  const { t } = lang;
  const line = (choice: OfferChoice) => {
    const { offer } = choice;
    const key = offerKey(offer);
    const issue = input.issues.find((candidate) => candidate.field === key);
    return {
      id: key,
      name: offer.name,
      detail: offerDetail(lang, offer, input.term),
      state: choice.state,
      stateText: choice.state === "held" ? t("order.held") : choice.state === "reactivate" ? t("order.reactivateInstead") : "",
      subscriptionId: choice.subscriptionId ?? "",
      quantity: input.quantities[key] ?? 0,
      max: offer.maxLicences,
      error: issue ? issueText(t, issue) : "",
    };
  };
  const choice = termLabel(lang, input.term, input.cycle);
  return {
    title: t("order.title", { customer: input.customer }),
    intro: t("order.intro", { segment: t(`segment.${input.segment}` as MessageKey).toLowerCase() }),
    termText: t("order.termText", { choice }),
    errorSummary: input.issues.length ? (input.issues.map((issue) => (issue.field === "lines" ? t("order.nothingChosen") : "")).filter(Boolean)[0] ?? t("customer.account.fixErrors")) : "",
    noneText: t("customer.subs.none", { choice: choice.toLowerCase() }),
    quantityLabel: t("field.licences"),
    reactivateLabel: t("order.reactivate"),
    offers: input.choices.filter((candidate) => !candidate.offer.isTrial).map(line),
    trials: input.choices.filter((candidate) => candidate.offer.isTrial).map(line),
    trialsTitle: t("customer.subs.trials"),
    resellerLabel: t("order.resellerOfRecord"),
    resellers: [{ title: t("order.noReseller"), value: "none" }, ...input.resellers.map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    resellerOfRecordId: input.resellerOfRecordId ?? "none",
    flowId: input.flowId,
    nextLabel: t("customer.subs.next"),
    termChangeLabel: t("order.termChange"),
    cancelLabel: t("cancel.button"),
  };
}

export function orderReviewData(lang: Lang, input: { flowId: string; customer: string; term: string; cycle: string; lines: { offer: Offer; licences: number }[]; resellerName?: string }) {
  const { t } = lang;
  const cart = cartLines(lang, input.lines, input.term, input.cycle);
  return {
    title: t("order.review.title", { customer: input.customer }),
    facts: [
      { label: t("order.termLabel"), value: termLabel(lang, input.term, input.cycle) },
      { label: t("sub.resellerOfRecord"), value: input.resellerName ? md(input.resellerName) : t("sub.none") },
    ],
    lines: cart.lines,
    total: cart.total,
    flowId: input.flowId,
    submitLabel: t("customer.review.submit"),
    editLabel: t("order.review.edit"),
    cancelLabel: t("cancel.button"),
  };
}

export function subscriptionListData(lang: Lang, items: { id: string; licences: number; status: string; offerName: string; customer: { companyName: string } }[]) {
  const { t } = lang;
  return {
    title: t("sub.search.title"),
    emptyText: t("sub.search.empty"),
    openLabel: t("customer.list.open"),
    items: items.map((item) => ({ id: item.id, name: item.offerName, detail: t("sub.search.item", { customer: item.customer.companyName, licences: item.licences, status: statusLabel(lang, item.status) }) })),
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
  const actor = entry.actorUserId === "system" ? t("history.system") : entry.actorUserId === PARTNER_CENTER_ACTOR ? t("history.partnerCenter") : (entry.actorName ?? "?");
  const offer = entry.offerName;
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const count = (value: unknown) => (typeof value === "number" ? value : Number(value) || 0);
  const org = (value: unknown) => (typeof value === "string" && value ? (organisations.get(value) ?? "?") : t("history.nobody"));
  const dropped = after.scheduledDropped ? ` ${t("history.scheduledDropped")}` : "";
  switch (entry.action) {
    case "customer.created":
      return t("history.customer.created", { actor, company: text(after.companyName), domain: text(after.domain) });
    case "customer.resellerChanged":
      return after.resellerOrgId ? t("history.customer.delegated", { actor, reseller: org(after.resellerOrgId) }) : t("history.customer.undelegated", { actor, reseller: org(before.resellerOrgId) });
    case "customer.agreementAttested":
      return t("history.customer.agreementAttested", { actor, contact: text(after.contact), date: text(after.dateAgreed) });
    case "subscription.created":
      return t("history.subscription.created", { actor, offer, licences: count(after.licences), choice: termLabel(lang, text(after.termDuration) || "P1M", text(after.billingCycle) || "monthly").toLowerCase() });
    case "subscription.addOnAdded":
      return t("history.subscription.addOnAdded", { actor, offer, licences: count(after.licences) });
    case "subscription.licencesChanged":
      return t("history.subscription.licencesChanged", { actor, offer, from: count(before.licences), to: count(after.licences) }) + dropped;
    case "subscription.suspended": {
      const reason = t(`reason.${text(after.reason) || "customerRequest"}` as MessageKey).toLowerCase();
      const deletion = typeof after.deletionAt === "string" ? new Date(after.deletionAt) : undefined;
      if (deletion) return t("history.subscription.suspendedUntil", { actor, offer, reason, date: formatDate(lang, deletion) });
      return t(after.autoRenew === false ? "history.subscription.suspendedNce" : "history.subscription.suspended", { actor, offer, reason });
    }
    case "subscription.reactivated":
      return t(after.autoRenew === true ? "history.subscription.reactivatedRenews" : "history.subscription.reactivated", { actor, offer });
    case "subscription.cancelled":
      return t("history.subscription.cancelled", { actor, offer });
    case "subscription.deleted":
      return t("history.subscription.deleted", { offer });
    case "subscription.expired":
      return t("history.subscription.expired", { offer });
    case "subscription.renewed":
      return t("history.subscription.renewed", { offer, date: typeof after.termEndAt === "string" ? formatDate(lang, new Date(after.termEndAt)) : "" });
    case "subscription.autoRenewChanged":
      return t(after.autoRenew ? "history.subscription.autoRenewOn" : "history.subscription.autoRenewOff", { actor, offer }) + dropped;
    case "subscription.nextTermScheduled":
      return t("history.subscription.nextTermScheduled", { actor, offer, licences: count(after.licences), choice: termLabel(lang, text(after.termDuration), text(after.billingCycle)).toLowerCase() });
    case "subscription.nextTermCleared":
      return t("history.subscription.nextTermCleared", { actor, offer });
    case "subscription.changedInPartnerCenter":
      return t("history.subscription.changedInPartnerCenter", { offer, changes: describeChanges(lang, before, after, org) });
    case "subscription.resellersSet":
      return t("history.subscription.resellers", { actor, offer, ror: org(after.resellerOfRecordId), support: org(after.supportContactId) });
    case "subscription.remindersMuted":
      return t("history.subscription.remindersMuted", { actor, offer });
    case "subscription.remindersUnmuted":
      return t("history.subscription.remindersUnmuted", { actor, offer });
    default:
      return offer ? t("history.other", { actor, offer }) : t("history.otherCustomer", { actor });
  }
}

/** "licences 5 → 3, status active → suspended", in the reader's words. */
function describeChanges(lang: Lang, before: Record<string, unknown>, after: Record<string, unknown>, org: (value: unknown) => string): string {
  const { t } = lang;
  const value = (key: string, raw: unknown) => {
    if (key === "status") return statusLabel(lang, String(raw));
    if (key === "autoRenew") return raw ? t("sub.yes") : t("sub.no");
    if (key === "resellerOfRecordId") return org(raw);
    if (key === "billingCycle") return t(`cycle.${String(raw)}` as MessageKey);
    if (key === "termDuration") return t(`term.${String(raw)}` as MessageKey);
    return String(raw ?? "");
  };
  const names: Record<string, MessageKey> = { status: "history.field.status", licences: "sub.licences", autoRenew: "sub.autoRenew", termDuration: "sub.term", billingCycle: "sub.billing", resellerOfRecordId: "sub.resellerOfRecord" };
  return Object.keys(after)
    .filter((key) => names[key])
    .map((key) => `${t(names[key]).toLowerCase()} ${value(key, before[key])} → ${value(key, after[key])}`)
    .join(", ");
}

export function historyData(lang: Lang, customer: string, history: { entries: HistoryEntry[]; organisations: Map<string, string> }) {
  const { t } = lang;
  return {
    title: t("history.title", { customer }),
    emptyText: t("history.empty"),
    entries: history.entries.map((entry) => ({ sentence: historySentence(lang, entry, history.organisations), when: formatDateTime(lang, entry.at) })),
  };
}

/** "Change the licences": the change, its cost or refund (prorated by day for New Commerce), and what it drops, before it is confirmed. */
export function licenceChangeData(
  lang: Lang,
  preview: {
    subscription: { id: string; version: number; offerName: string; isNce: boolean; customer: { companyName: string; domainPrefix: string } };
    from: number;
    to: number;
    unitPriceCents: number;
    currency: string;
    monthlyDeltaCents: number;
    proratedCents: number;
    dropsScheduled: boolean;
  },
  now: Date,
) {
  const { t, locale } = lang;
  const s = preview.subscription;
  const difference = Math.abs(preview.to - preview.from);
  const amount = money(locale, Math.abs(preview.monthlyDeltaCents), preview.currency);
  const adding = preview.to > preview.from;
  const prorated = money(locale, preview.proratedCents, preview.currency);
  const warnings = [
    ...(s.isNce && adding ? [t("sub.licenceReview.addWindow", { until: formatDateTime(lang, new Date(now.getTime() + 168 * HOUR)) })] : []),
    ...(preview.dropsScheduled ? [t("sub.dropsScheduled")] : []),
  ];
  return {
    title: t("sub.licenceReview.title", { offer: s.offerName }),
    subtitle: t("sub.subtitle", { customer: s.customer.companyName, domain: `${s.customer.domainPrefix}.onmicrosoft.com` }),
    facts: [
      { label: t("sub.licenceReview.current"), value: String(preview.from) },
      { label: t("sub.licenceReview.new"), value: String(preview.to) },
      { label: t("sub.licenceReview.unitPrice"), value: t("sub.licenceReview.unitPriceValue", { price: money(locale, preview.unitPriceCents, preview.currency) }) },
    ],
    costLine: adding ? t("sub.licenceReview.more", { count: difference, amount }) : t("sub.licenceReview.fewer", { count: difference, amount }),
    prorationLine: s.isNce && preview.proratedCents > 0 ? t(adding ? "sub.licenceReview.charge" : "sub.licenceReview.refund", { amount: prorated }) : "",
    warning: warnings.join(" "),
    note: t("sub.licenceReview.note"),
    subscriptionId: s.id,
    version: s.version,
    licences: preview.to,
    confirmLabel: t("sub.licenceReview.confirm"),
    backLabel: t("sub.licenceReview.back"),
  };
}

/** "Cancel the subscription": the refund (New Commerce, prorated by day) and that it is final, before it is confirmed. */
export function cancelReviewData(lang: Lang, preview: { subscription: SubscriptionDetails; refundCents: number; currency: string; until: Date | null }) {
  const { t, locale } = lang;
  const s = preview.subscription;
  return {
    title: t("sub.cancelReview.title", { offer: s.offerName }),
    subtitle: t("sub.subtitle", { customer: s.customer.companyName, domain: `${s.customer.domainPrefix}.onmicrosoft.com` }),
    facts: [
      { label: t("sub.licences"), value: String(s.licences) },
      { label: t("sub.term"), value: termLabel(lang, s.termDuration, s.billingCycle) },
      ...(preview.until ? [{ label: t("sub.cancelReview.until"), value: `${formatDateTime(lang, preview.until)} (${timeLeft(lang, preview.until, s.asOf)})` }] : []),
    ],
    refundLine: s.isNce ? t("sub.cancelReview.refund", { amount: money(locale, preview.refundCents, preview.currency) }) : t("sub.cancelReview.legacy"),
    warning: t("sub.cancelWarning"),
    subscriptionId: s.id,
    version: s.version,
    confirmLabel: t("sub.cancelConfirm"),
    backLabel: t("sub.licenceReview.back"),
  };
}

export const licenceChangeCard = (data: ReturnType<typeof licenceChangeData>): Attachment => renderCard("licenceChange", data);
export const cancelReviewCard = (data: ReturnType<typeof cancelReviewData>): Attachment => renderCard("cancelReview", data);
export const subscriptionCard = (data: ReturnType<typeof subscriptionCardData>): Attachment => renderCard("subscription", data);
export const orderCatalogCard = (data: ReturnType<typeof orderCatalogData>): Attachment => renderCard("orderCatalog", data);
export const orderReviewCard = (data: ReturnType<typeof orderReviewData>): Attachment => renderCard("orderReview", data);
export const subscriptionListCard = (data: ReturnType<typeof subscriptionListData>): Attachment => renderCard("subscriptionList", data);
export const historyCard = (data: ReturnType<typeof historyData>): Attachment => renderCard("history", data);
