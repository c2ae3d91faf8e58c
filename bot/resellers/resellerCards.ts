/** Data builders of the reseller cards: invitation form and draft, partnership offer, reseller list. */
import type { Attachment } from "botbuilder";
import type { FieldIssue } from "../../src/errors.js";
import { escapeMarkdown as md, type MessageKey } from "../../src/i18n/index.js";
import type { PartnershipState } from "../../src/resellers/partnershipService.js";
import { renderCard } from "../cards/render.js";
import { issueText, type Lang } from "../customers/customerCards.js";
import { formatDate } from "../subscriptions/subscriptionCards.js";

export function inviteCardData({ t }: Lang, input: { flowId: string; days: number; email?: string; companyName?: string; issues?: FieldIssue[] }) {
  const error = (field: string) => {
    const issue = input.issues?.find((candidate) => candidate.field === field);
    return issue ? issueText(t, issue) : "";
  };
  return {
    title: t("reseller.invite.title"),
    intro: t("reseller.invite.intro", { days: input.days }),
    emailLabel: t("reseller.invite.email"),
    companyLabel: t("reseller.invite.company"),
    email: input.email ?? "",
    companyName: input.companyName ?? "",
    emailError: error("email"),
    companyError: error("companyName"),
    flowId: input.flowId,
    nextLabel: t("reseller.invite.next"),
    cancelLabel: t("cancel.button"),
  };
}

/** The Teams deep link that opens a chat with the bot with "accept <code>" prefilled. */
export function acceptLink(appId: string | undefined, code: string): string | undefined {
  return appId ? `https://teams.microsoft.com/l/chat/0/0?users=28:${appId}&message=${encodeURIComponent(`accept ${code}`)}` : undefined;
}

export function invitationDraftData(lang: Lang, input: { partnershipId: string; email: string; company: string; provider: string; code: string; expiresAt: Date; appId?: string }) {
  const { t } = lang;
  const link = acceptLink(input.appId, input.code);
  const date = formatDate(lang, input.expiresAt);
  const params = { provider: input.provider, company: input.company, link: link ?? `accept ${input.code}`, code: input.code, date };
  // Shown on the card (Markdown, escaped) and put in the email (plain text, as written).
  const subject = t("reseller.draft.subject", params);
  const body = t("reseller.draft.body", params);
  const mailSubject = t.plain("reseller.draft.subject", params);
  const mailBody = t.plain("reseller.draft.body", params);
  return {
    title: t("reseller.draft.title", { company: input.company }),
    intro: t("reseller.draft.intro", { email: input.email, date }),
    copyHint: t("reseller.draft.copyHint"),
    subject,
    body,
    note: link ? "" : t("reseller.draft.noAppId"),
    mailto: `mailto:${encodeURIComponent(input.email)}?subject=${encodeURIComponent(mailSubject)}&body=${encodeURIComponent(mailBody)}`,
    openEmailLabel: t("reseller.draft.openEmail"),
    copyLabel: t("reseller.draft.copy"),
    copyIntro: t("reseller.draft.copyIntro"),
    plainText: `${mailSubject}\n\n${mailBody}`,
    doneLabel: t("reseller.draft.done"),
    partnershipId: input.partnershipId,
  };
}

export function partnershipOfferData(lang: Lang, input: { provider: string; inviter: string; company: string; code: string; expiresAt: Date }) {
  const { t } = lang;
  return {
    title: t("partnership.title", { provider: input.provider }),
    body: t("partnership.body", { provider: input.provider, inviter: input.inviter, company: input.company }),
    expires: t("partnership.expires", { date: formatDate(lang, input.expiresAt) }),
    acceptLabel: t("partnership.accept"),
    declineLabel: t("partnership.decline"),
    code: input.code,
  };
}

export function resellerListData({ t }: Lang, rows: { id: string; companyName: string; email: string; state: PartnershipState; resellerOrgId: string | null }[], isAdmin: boolean) {
  return {
    title: t("reseller.list.title"),
    emptyText: t("reseller.list.empty"),
    items: rows.map((row) => ({
      id: row.id,
      name: md(row.companyName),
      detail: t("reseller.list.item", { email: row.email, state: t(`partnershipState.${row.state}` as MessageKey) }),
      state: row.state,
      resellerOrgId: row.resellerOrgId ?? "",
      canRevoke: isAdmin && row.state === "invited",
      revokeQuestion: t("reseller.list.revokeConfirm", { company: row.companyName }),
    })),
    revokeYesLabel: t("reseller.list.revokeYes"),
    customersLabel: t("reseller.list.customers"),
    addCustomerLabel: t("reseller.list.addCustomer"),
    revokeLabel: t("reseller.list.revoke"),
    inviteLabel: t("reseller.list.invite"),
    canInvite: isAdmin,
  };
}

export const inviteCard = (data: ReturnType<typeof inviteCardData>): Attachment => renderCard("inviteReseller", data);
export const invitationDraftCard = (data: ReturnType<typeof invitationDraftData>): Attachment => renderCard("invitationDraft", data);
export const partnershipOfferCard = (data: ReturnType<typeof partnershipOfferData>): Attachment => renderCard("partnershipOffer", data);
export const resellerListCard = (data: ReturnType<typeof resellerListData>): Attachment => renderCard("resellerList", data);
