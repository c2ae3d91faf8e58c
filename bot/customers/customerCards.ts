/** Data builders of the customer cards (cards/customer*.json). */
import type { Attachment } from "botbuilder";
import { cultures, accountFields, type AccountInput } from "../../src/customers/customerSchema.js";
import type { CustomerPage } from "../../src/customers/customerService.js";
import { countryChoices, countryName as countryNameIn } from "../../src/countries.js";
import { segments, type Offer } from "../../src/catalog/catalogService.js";
import { issueText } from "../cards/issues.js";
import { cartLines, offerDetail, offerKey, termLabel } from "../subscriptions/orderCards.js";
import { statusLabel } from "../subscriptions/subscriptionCards.js";
import type { FieldIssue } from "../../src/errors.js";
import type { Locale } from "../../src/config.js";
import { escapeMarkdown as md, type MessageKey, type Translate } from "../../src/i18n/index.js";
import { renderCard } from "../cards/render.js";
import { azurePortalUrl, relationshipRequestUrl } from "../../src/customers/relationshipRequest.js";
import { formatDate, languageNames, money, type Lang } from "../cards/format.js";

export type { Lang };

export { issueText };

export { money };

export interface AccountCardData {
  title: string;
  resellerNote: string;
  errorSummary: string;
  companyDetailsTitle: string;
  primaryContactTitle: string;
  flowId: string;
  fields: Record<string, { label: string; value: string; error: string }>;
  segments: { title: string; value: string }[];
  countries: readonly { title: string; value: string }[];
  cultures: { title: string; value: string }[];
  domainSuffix: string;
  domainHint: string;
  nextLabel: string;
  cancelLabel: string;
}

const countryChoiceSets = new Map<string, readonly { title: string; value: string }[]>();

/**
 * The country choices of a language, made once: the card's template inserts the list whole
 * (`"choices": "${countries}"`) rather than expanding a template for each of some 250 entries,
 * which was most of the cost of showing the account card.
 */
function countryChoicesOf(locale: string): readonly { title: string; value: string }[] {
  let choices = countryChoiceSets.get(locale);
  if (!choices) {
    choices = Object.freeze(countryChoices(locale).map((country) => Object.freeze({ title: country.name, value: country.code })));
    countryChoiceSets.set(locale, choices);
  }
  return choices;
}

export function accountCardData({ t, locale }: Lang, flowId: string, values: AccountInput, issues: FieldIssue[], resellerName?: string): AccountCardData {
  const fields: AccountCardData["fields"] = {};
  for (const field of accountFields) {
    const issue = issues.find((candidate) => candidate.field === field);
    fields[field] = { label: t(`field.${field}` as MessageKey), value: values[field] ?? "", error: issue ? issueText(t, issue) : "" };
  }
  const cultureNames = languageNames(locale);
  return {
    title: t("customer.account.title"),
    resellerNote: resellerName ? t("customer.account.forReseller", { reseller: resellerName }) : "",
    errorSummary: issues.length ? t("customer.account.fixErrors") : "",
    companyDetailsTitle: t("customer.account.companyDetails"),
    primaryContactTitle: t("customer.account.primaryContact"),
    flowId,
    fields,
    segments: segments.map((segment) => ({ title: t(`segment.${segment}`), value: segment })),
    countries: countryChoicesOf(locale),
    cultures: cultures.map((culture) => ({ title: `${cultureNames.of(culture) ?? culture} (${culture})`, value: culture })),
    domainSuffix: t("customer.account.domainSuffix"),
    domainHint: t("customer.account.domainHint"),
    nextLabel: t("customer.account.next"),
    cancelLabel: t("cancel.button"),
  };
}

export interface OfferLine {
  id: string;
  name: string;
  detail: string;
  quantityLabel: string;
  quantity: number;
  max: number;
  error: string;
}

export function subscriptionsCardData(
  lang: Lang,
  input: { flowId: string; company: string; segment: string; term: string; cycle: string; offers: Offer[]; quantities: Record<string, number>; issues: FieldIssue[] },
) {
  const { t } = lang;
  const line = (offer: Offer): OfferLine => {
    const issue = input.issues.find((candidate) => candidate.field === offerKey(offer));
    return {
      id: offerKey(offer),
      name: offer.name,
      detail: offerDetail(lang, offer, input.term),
      quantityLabel: t("field.licences"),
      quantity: input.quantities[offerKey(offer)] ?? 0,
      max: offer.maxLicences,
      error: issue ? issueText(t, issue) : "",
    };
  };
  return {
    title: t("customer.subs.title"),
    intro: t("customer.subs.intro", { company: input.company, segment: t(`segment.${input.segment}` as MessageKey) }),
    termText: t("order.termText", { choice: termLabel(lang, input.term, input.cycle) }),
    errorSummary: input.issues.length ? t("customer.account.fixErrors") : "",
    noneText: t("customer.subs.none", { choice: termLabel(lang, input.term, input.cycle).toLowerCase() }),
    offers: input.offers.filter((offer) => !offer.isTrial).map(line),
    trials: input.offers.filter((offer) => offer.isTrial).map(line),
    trialsTitle: t("customer.subs.trials"),
    flowId: input.flowId,
    nextLabel: t("customer.subs.next"),
    termChangeLabel: t("order.termChange"),
    skipLabel: t("customer.subs.skip"),
    backLabel: t("customer.subs.back"),
  };
}

export function reviewCardData(
  lang: Lang,
  input: { flowId: string; account: Record<string, string>; agreement: Record<string, string>; term: string; cycle: string; lines: { offer: Offer; licences: number }[]; resellerName?: string },
) {
  const { t, locale } = lang;
  const a = input.account;
  const countryName = countryNameIn(locale, a.country);
  const facts = [
    { label: t("field.companyName"), value: md(a.companyName) },
    { label: t("field.segment"), value: t(`segment.${a.segment}` as MessageKey) },
    { label: t("customer.details.address"), value: md([a.addressLine1, a.addressLine2, `${a.postalCode} ${a.city}`, a.region, countryName].filter(Boolean).join(", ")) },
    ...(a.phone ? [{ label: t("field.phone"), value: md(a.phone) }] : []),
    { label: t("customer.details.contact"), value: md(`${a.contactFirstName} ${a.contactLastName} <${a.contactEmail}>`) },
    { label: t("field.culture"), value: a.culture },
    { label: t("customer.details.domain"), value: `${a.domainPrefix}.onmicrosoft.com` },
    ...(input.resellerName ? [{ label: t("field.reseller"), value: md(input.resellerName) }] : []),
    { label: t("agreement.fact"), value: t("agreement.factValue", { name: `${input.agreement.firstName ?? ""} ${input.agreement.lastName ?? ""}`.trim(), date: input.agreement.dateAgreed ?? "" }) },
    ...(input.lines.length ? [{ label: t("order.termLabel"), value: termLabel(lang, input.term, input.cycle) }] : []),
  ];
  const cart = cartLines(lang, input.lines, input.term, input.cycle);
  return {
    title: t("customer.review.title"),
    intro: t("customer.review.intro"),
    facts,
    subscriptionsTitle: t("customer.review.subscriptions"),
    lines: input.lines.length ? cart.lines : [t("customer.review.noSubscriptions")],
    total: cart.total,
    flowId: input.flowId,
    submitLabel: t("customer.review.submit"),
    editAccountLabel: t("customer.review.editAccount"),
    editSubscriptionsLabel: t("customer.review.editSubscriptions"),
    cancelLabel: t("cancel.button"),
  };
}

export interface CreatedCardData {
  title: string;
  setupInfoTitle: string;
  adminAccountLabel: string;
  adminAccount: string;
  passwordLabel: string;
  password: string;
  warning: string;
  doneLabel: string;
  openLabel: string;
  customerId: string;
}

export function createdCardData({ t }: Lang, input: { company: string; adminAccount: string; password: string; customerId: string }): CreatedCardData {
  return {
    title: t("customer.created.title", { company: input.company }),
    setupInfoTitle: t("customer.created.setupInfo"),
    adminAccountLabel: t("customer.created.adminAccount"),
    adminAccount: md(input.adminAccount),
    passwordLabel: t("customer.created.password"),
    // Shown as text, not Markdown: a password with * or _ must read exactly as it is.
    password: md(input.password),
    warning: t("customer.created.warning"),
    doneLabel: t("customer.created.done"),
    openLabel: t("customer.open"),
    customerId: input.customerId,
  };
}

export interface CreatedSharedCardData {
  title: string;
  adminAccountLabel: string;
  adminAccount: string;
  createdBy: string;
  openLabel: string;
  customerId: string;
}

/** What everyone in a group chat or channel sees of a new customer: no secret, and who has it. */
export function createdSharedCardData({ t }: Lang, input: { company: string; adminAccount: string; createdBy: string; customerId: string }): CreatedSharedCardData {
  return {
    title: t("customer.created.title", { company: input.company }),
    adminAccountLabel: t("customer.created.adminAccount"),
    adminAccount: md(input.adminAccount),
    createdBy: t("customer.created.sharedBy", { name: input.createdBy }),
    openLabel: t("customer.open"),
    customerId: input.customerId,
  };
}

export interface SubmittedCardData {
  title: string;
  lines: string[];
}

export interface CustomerListCardData {
  title: string;
  canFilter: boolean;
  resellerChoices: { title: string; value: string }[];
  resellerOrgId: string;
  searchPlaceholder: string;
  searchLabel: string;
  query: string;
  summary: string;
  emptyText: string;
  items: { id: string; name: string; detail: string }[];
  openLabel: string;
  hasPrevious: boolean;
  hasNext: boolean;
  previousPage: number;
  nextPage: number;
  previousLabel: string;
  nextLabel: string;
}

/** The reseller filter of the list: shown to the provider only, and kept across searches and pages. */
export interface CustomerListFilter {
  resellers: { id: string; name: string }[];
  /** "all", "none" (the provider's own), or a reseller's organisation id. */
  resellerOrgId: string;
}

export function customerListCardData({ t }: Lang, page: CustomerPage, query: string, filter?: CustomerListFilter): CustomerListCardData {
  const counts = { total: page.total, page: page.page, pages: page.pageCount, query };
  const selected = filter?.resellerOrgId || "all";
  const resellerName = selected === "none" ? t("customer.list.providerOnly") : filter?.resellers.find((reseller) => reseller.id === selected)?.name;
  const summary = query ? t("customer.list.summaryFiltered", counts) : t("customer.list.summary", counts);
  return {
    title: t("customer.list.title"),
    canFilter: Boolean(filter && filter.resellers.length),
    resellerChoices: [{ title: t("customer.list.allResellers"), value: "all" }, { title: t("customer.list.providerOnly"), value: "none" }, ...(filter?.resellers ?? []).map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    resellerOrgId: selected,
    searchPlaceholder: t("customer.list.searchPlaceholder"),
    searchLabel: t("customer.list.search"),
    query,
    summary: resellerName ? `${summary} · ${t("customer.list.filteredBy", { reseller: resellerName })}` : summary,
    emptyText: t("customer.list.empty"),
    items: page.items.map((item) => ({
      id: item.id,
      name: md(item.companyName),
      detail: item.resellerName
        ? t("customer.list.itemReseller", { domain: `${item.domainPrefix}.onmicrosoft.com`, count: item.subscriptionCount, reseller: item.resellerName })
        : t("customer.list.item", { domain: `${item.domainPrefix}.onmicrosoft.com`, count: item.subscriptionCount }),
    })),
    openLabel: t("customer.list.open"),
    hasPrevious: page.page > 1,
    hasNext: page.page < page.pageCount,
    previousPage: page.page - 1,
    nextPage: page.page + 1,
    previousLabel: t("customer.list.previous"),
    nextLabel: t("customer.list.next"),
  };
}

export interface CustomerDetailsCardData {
  title: string;
  facts: { label: string; value: string }[];
  subscriptionsTitle: string;
  noSubscriptionsText: string;
  subscriptions: { id: string; name: string; detail: string }[];
  openLabel: string;
  newSubscriptionLabel: string;
  customerId: string;
  canShowPassword: boolean;
  showPasswordLabel: string;
  historyLabel: string;
  azurePortalLabel: string;
  azurePortalUrl: string;
  canSetReseller: boolean;
  resellerLabel: string;
  resellerIntro: string;
  resellerChoices: { title: string; value: string }[];
  resellerOrgId: string;
  saveLabel: string;
}

export interface CustomerDetails {
  id: string;
  companyName: string;
  segment: string;
  addressLine1: string;
  addressLine2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
  contactFirstName: string;
  contactLastName: string;
  contactEmail: string;
  domainPrefix: string;
  openedAt: Date;
  reseller: { name: string } | null;
  resellerOrgId?: string | null;
  subscriptions: { id: string; licences: number; status: string; offerName: string }[];
  /** When the Microsoft Customer Agreement was attested (null: not yet). */
  mcaAttestedAt?: Date | null;
  /** The caller created this customer and its temporary password is still kept for them. */
  passwordKeptForCaller?: boolean;
}

/** `resellers`: the provider's active resellers it may delegate the customer to (none for a reseller's user). */
export function customerDetailsCardData(lang: Lang, customer: CustomerDetails, resellers: { id: string; name: string }[] = []): CustomerDetailsCardData {
  const { t, locale } = lang;
  const countryName = countryNameIn(locale, customer.country);
  return {
    title: md(customer.companyName),
    facts: [
      { label: t("customer.details.domain"), value: `${customer.domainPrefix}.onmicrosoft.com` },
      { label: t("customer.details.segment"), value: t(`segment.${customer.segment}` as MessageKey) },
      { label: t("customer.details.contact"), value: md(`${customer.contactFirstName} ${customer.contactLastName} <${customer.contactEmail}>`) },
      { label: t("customer.details.address"), value: md([customer.addressLine1, customer.addressLine2, `${customer.postalCode} ${customer.city}`, customer.region, countryName].filter(Boolean).join(", ")) },
      { label: t("customer.details.reseller"), value: customer.reseller ? md(customer.reseller.name) : t("customer.details.noReseller") },
      { label: t("customer.details.opened"), value: formatDate(lang, customer.openedAt) },
      { label: t("agreement.fact"), value: customer.mcaAttestedAt ? t("customer.details.agreementOn", { date: formatDate(lang, customer.mcaAttestedAt) }) : t("customer.details.agreementMissing") },
    ],
    subscriptionsTitle: t("customer.details.subscriptions"),
    noSubscriptionsText: t("customer.details.noSubscriptions"),
    subscriptions: customer.subscriptions.map((subscription) => ({
      id: subscription.id,
      name: subscription.offerName,
      detail: t("customer.details.subscriptionLine", { offer: subscription.offerName, licences: subscription.licences, status: statusLabel(lang, subscription.status) }),
    })),
    openLabel: t("customer.list.open"),
    newSubscriptionLabel: t("customer.details.newSubscription"),
    customerId: customer.id,
    canShowPassword: Boolean(customer.passwordKeptForCaller),
    showPasswordLabel: t("customer.details.showPassword"),
    historyLabel: t("customer.details.history"),
    azurePortalLabel: t("customer.details.azurePortal"),
    azurePortalUrl: azurePortalUrl(`${customer.domainPrefix}.onmicrosoft.com`),
    canSetReseller: resellers.length > 0,
    resellerLabel: t("customer.details.setReseller"),
    resellerIntro: t("customer.details.setResellerIntro"),
    resellerChoices: [{ title: t("customer.details.noReseller"), value: "none" }, ...resellers.map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    resellerOrgId: customer.resellerOrgId ?? "none",
    saveLabel: t("customer.details.save"),
  };
}

/** "Request a relationship": the link to send, for the provider's own customer or a reseller's. */
export function relationshipRequestData(
  lang: Lang,
  input: { provider: string; providerTenantId: string; resellers: { id: string; name: string; tenantId: string | null }[]; reseller?: { id: string; name: string; tenantId: string | null } },
) {
  const { t } = lang;
  const link = relationshipRequestUrl({ providerTenantId: input.providerTenantId, resellerTenantId: input.reseller?.tenantId });
  const partner = input.reseller?.name ?? input.provider;
  const subject = t.plain("relationship.subject", { provider: partner });
  const body = t.plain("relationship.body", { partner, link });
  return {
    title: t("relationship.title"),
    intro: t("relationship.intro"),
    forText: input.reseller ? t("relationship.forReseller", { reseller: input.reseller.name, provider: input.provider }) : t("relationship.forProvider", { provider: input.provider }),
    link,
    after: t("relationship.after"),
    forLabel: t("relationship.forLabel"),
    resellerOrgId: input.reseller?.id ?? "direct",
    resellerChoices: [{ title: t("relationship.direct"), value: "direct" }, ...input.resellers.filter((reseller) => reseller.tenantId).map((reseller) => ({ title: reseller.name, value: reseller.id }))],
    showLabel: t("relationship.show"),
    openEmailLabel: t("relationship.openEmail"),
    mailto: `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`,
  };
}

export const relationshipRequestCard = (data: ReturnType<typeof relationshipRequestData>): Attachment => renderCard("relationshipRequest", data);
export const accountCard = (data: AccountCardData): Attachment => renderCard("customerAccount", data);
export const subscriptionsCard = (data: ReturnType<typeof subscriptionsCardData>): Attachment => renderCard("customerSubscriptions", data);
export const reviewCard = (data: ReturnType<typeof reviewCardData>): Attachment => renderCard("customerReview", data);
export const createdCard = (data: CreatedCardData): Attachment => renderCard("customerCreated", data);
export const submittedCard = (data: SubmittedCardData): Attachment => renderCard("submitted", data);
export const createdSharedCard = (data: CreatedSharedCardData): Attachment => renderCard("customerCreatedShared", data);
export const customerListCard = (data: CustomerListCardData): Attachment => renderCard("customerList", data);
export const customerDetailsCard = (data: CustomerDetailsCardData): Attachment => renderCard("customerDetails", data);
