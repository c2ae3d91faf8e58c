/** The approval card (one request, as each person sees it) and the approvals policy card. */
import type { Attachment } from "botbuilder";
import type { ApprovalPolicyView, ApprovalView } from "../../src/approvals/approvalService.js";
import type { FieldIssue } from "../../src/errors.js";
import type { Caller } from "../../src/identity/identityService.js";
import { escapeMarkdown as md, type MessageKey } from "../../src/i18n/index.js";
import { formatDateTime, money, type Lang } from "../cards/format.js";
import { renderCard } from "../cards/render.js";
import { termLabel } from "../subscriptions/orderCards.js";

export interface ApprovalCardData {
  title: string;
  status: string;
  statusColor: string;
  facts: { title: string; value: string }[];
  note: string;
  canDecide: boolean;
  approveLabel: string;
  rejectLabel: string;
  reasonLabel: string;
  reasonRequired: string;
  rejectSendLabel: string;
  approvalId: string;
}

/** The request's state in one sentence. */
export function approvalStatus(lang: Lang, view: ApprovalView): string {
  const { t } = lang;
  const name = md(view.decider?.name ?? "");
  switch (view.status) {
    case "pending":
      return t("approval.status.pending", { date: formatDateTime(lang, view.expiresAt) });
    case "approved":
      return t("approval.status.approved", { name });
    case "done":
      return t(`approval.status.done.${view.kind}` as MessageKey, { name });
    case "failed":
      return t("approval.status.failed", { name, code: String(view.outcome?.code ?? "?") });
    case "rejected":
      return t("approval.status.rejected", { name, reason: md(view.reason ?? "") });
    case "expired":
      return t("approval.status.expired", { date: formatDateTime(lang, view.expiresAt) });
  }
}

const colors: Record<ApprovalView["status"], string> = { pending: "Warning", approved: "Accent", done: "Good", failed: "Attention", rejected: "Attention", expired: "Default" };

/** The request as `viewer` sees it: an admin other than the requester gets Approve and Reject while it waits. */
export function approvalCardData(lang: Lang, view: ApprovalView, viewer: Caller | undefined): ApprovalCardData {
  const { t, locale } = lang;
  const { summary } = view;
  const offer = summary.lines[0]?.offer ?? "";
  const canDecide = view.status === "pending" && viewer?.organisation.kind === "provider" && viewer.role === "admin" && viewer.userId !== view.requester.id;
  const because = summary.because.map((reason) => {
    if (reason === "licences") return t("approval.because.licences", { count: summary.limits?.licences ?? 0 });
    if (reason === "amount") return t("approval.because.amount", { amount: money(locale, summary.limits?.monthlyCents ?? 0, summary.currency ?? "USD") });
    return t(`approval.because.${reason}` as MessageKey);
  });
  const facts = [
    { title: t("approval.fact.requestedBy"), value: md(view.requester.name) },
    { title: t("approval.fact.customer"), value: md(summary.customer) },
    { title: t("approval.fact.licences"), value: summary.lines.map((line) => t("approval.fact.line", { licences: line.licences, offer: md(line.offer) })).join(", ") },
    ...(summary.monthlyCents !== undefined ? [{ title: t("approval.fact.amount"), value: money(locale, summary.monthlyCents, summary.currency ?? "USD") }] : []),
    ...(summary.term && summary.cycle ? [{ title: t("approval.fact.term"), value: termLabel(lang, summary.term, summary.cycle) }] : []),
    ...(summary.reason ? [{ title: t("approval.fact.reason"), value: t(`reason.${summary.reason}` as MessageKey) }] : []),
    { title: t("approval.fact.because"), value: because.join(", ") },
  ];
  const note = view.status !== "pending" || canDecide ? "" : viewer?.userId === view.requester.id ? t("approval.note.requester") : t("approval.note.others");
  return {
    title: view.kind === "order" ? t("approval.title.order", { customer: md(summary.customer) }) : t(`approval.title.${view.kind}`, { customer: md(summary.customer), offer: md(offer) }),
    status: approvalStatus(lang, view),
    statusColor: colors[view.status],
    facts,
    note,
    canDecide,
    approveLabel: t("approval.approve"),
    rejectLabel: t("approval.reject"),
    reasonLabel: t("approval.reasonLabel"),
    reasonRequired: t("approval.reasonRequired"),
    rejectSendLabel: t("approval.rejectSend"),
    approvalId: view.id,
  };
}

export interface ApprovalPolicyCardData {
  title: string;
  intro: string;
  issues: string[];
  canEdit: boolean;
  facts: { title: string; value: string }[];
  licencesLabel: string;
  amountLabel: string;
  noLimit: string;
  resellerCustomersLabel: string;
  cancellationsLabel: string;
  suspensionsLabel: string;
  expiryLabel: string;
  expiryRequired: string;
  /** Numbers (an Input.Number's value is a number), absent for no limit. */
  orderLicencesAbove?: number;
  orderMonthlyAbove?: number;
  resellerCustomers: string;
  cancellations: string;
  suspensions: string;
  expiryHours: number;
  saveLabel: string;
  pendingLabel: string;
}

export function approvalPolicyCardData(lang: Lang, policy: ApprovalPolicyView, options: { canEdit: boolean; issues?: FieldIssue[] }): ApprovalPolicyCardData {
  const { t } = lang;
  const yesNo = (value: boolean) => t(value ? "approvals.yes" : "approvals.no");
  const limit = (value: number | null, unit: (value: number) => string) => (value === null ? t("approvals.noLimit") : unit(value));
  return {
    title: t("approvals.title"),
    intro: t(options.canEdit ? "approvals.intro.admin" : "approvals.intro.read"),
    issues: options.issues?.length ? [t("approvals.invalid")] : [],
    canEdit: options.canEdit,
    facts: [
      { title: t("approvals.licences"), value: limit(policy.orderLicencesAbove, String) },
      { title: t("approvals.amount"), value: limit(policy.orderMonthlyCentsAbove, (cents) => String(cents / 100)) },
      { title: t("approvals.resellerCustomers"), value: yesNo(policy.resellerCustomers) },
      { title: t("approvals.cancellations"), value: yesNo(policy.cancellations) },
      { title: t("approvals.suspensions"), value: yesNo(policy.suspensions) },
      { title: t("approvals.expiry"), value: String(policy.expiryHours) },
    ],
    licencesLabel: t("approvals.licences"),
    amountLabel: t("approvals.amount"),
    noLimit: t("approvals.noLimit"),
    resellerCustomersLabel: t("approvals.resellerCustomers"),
    cancellationsLabel: t("approvals.cancellations"),
    suspensionsLabel: t("approvals.suspensions"),
    expiryLabel: t("approvals.expiry"),
    expiryRequired: t("approvals.invalid"),
    orderLicencesAbove: policy.orderLicencesAbove ?? undefined,
    orderMonthlyAbove: policy.orderMonthlyCentsAbove === null ? undefined : policy.orderMonthlyCentsAbove / 100,
    resellerCustomers: String(policy.resellerCustomers),
    cancellations: String(policy.cancellations),
    suspensions: String(policy.suspensions),
    expiryHours: policy.expiryHours,
    saveLabel: t("approvals.save"),
    pendingLabel: t("approvals.pending"),
  };
}

export const approvalCard = (data: ApprovalCardData): Attachment => renderCard("approval", data);
export const approvalPolicyCard = (data: ApprovalPolicyCardData): Attachment => renderCard("approvalPolicy", data);
