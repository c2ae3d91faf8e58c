/**
 * What the two ordering flows ("add a new customer" and "new subscription") show alike: the term
 * and billing frequency step, an offer's line in the catalog (price per licence on that term,
 * licence range, legacy badge), the cart's lines with price per seat and total, and the Microsoft
 * Customer Agreement attestation step.
 */
import type { Attachment } from "botbuilder";
import type { Offer } from "../../src/catalog/catalogService.js";
import { monthlyPrice } from "../../src/catalog/catalogService.js";
import type { FieldIssue } from "../../src/errors.js";
import type { MessageKey } from "../../src/i18n/index.js";
import { cycleMonths, type BillingCycle, type Term } from "../../src/partnerCenter/terms.js";
import { renderCard } from "../cards/render.js";
import { money, type Lang } from "../cards/format.js";
import { issueText } from "../cards/issues.js";

/** The Microsoft Customer Agreement, for the partner to show the customer. */
export const MCA_URL = "https://www.microsoft.com/licensing/docs/customeragreement";

/** "1 year, billed monthly". */
export const termLabel = ({ t }: Lang, term: string, cycle: string) => t("order.termChoice", { term: t(`term.${term}` as MessageKey), billing: t(`billing.${cycle}` as MessageKey) });

/** The term and billing frequency an order is for. */
export interface TermChoice {
  term: Term;
  cycle: BillingCycle;
}

/** The term card's choice ("P1Y/monthly"), if it is one of those offered; otherwise the current one. */
export function readTermChoice(submit: Record<string, unknown>, choices: TermChoice[], current: TermChoice): TermChoice {
  const [term, cycle] = typeof submit.termCycle === "string" ? submit.termCycle.split("/") : [];
  return choices.find((choice) => choice.term === term && choice.cycle === cycle) ?? choices.find((choice) => choice.term === current.term && choice.cycle === current.cycle) ?? choices[0] ?? current;
}

/** The key of an offer on a card: its product and sku (stable when Partner Center renews availability ids). */
export const offerKey = (offer: Pick<Offer, "productId" | "skuId">) => `${offer.productId}:${offer.skuId}`;

/** An offer's line on a catalog card: price per licence on the term, licence range (or the trial's length), legacy badge, description. */
export function offerDetail(lang: Lang, offer: Offer, term: string): string {
  const { t, locale } = lang;
  const badge = offer.isLegacy ? `${t("offer.legacyBadge")} · ` : "";
  if (offer.isTrial) return `${badge}${t("customer.subs.trialInfo", { days: offer.trialDays ?? 30 })} ${offer.description}`;
  const price = t("customer.subs.price", { price: money(locale, monthlyPrice(offer, term) ?? 0, offer.currency), min: offer.minLicences, max: offer.maxLicences });
  return `${badge}${price}. ${offer.description}`;
}

/** The cart: one line per offer with its price per seat, and the total per month and per billing period. */
export function cartLines(lang: Lang, lines: { offer: Offer; licences: number }[], term: string, cycle: string): { lines: string[]; total: string } {
  const { t, locale } = lang;
  const currency = lines[0]?.offer.currency ?? "USD";
  let monthlyCents = 0;
  const text = lines.map(({ offer, licences }) => {
    const unit = monthlyPrice(offer, term) ?? 0;
    monthlyCents += unit * licences;
    return t("order.cartLine", { offer: offer.name, licences, price: money(locale, unit, offer.currency), total: money(locale, unit * licences, offer.currency) });
  });
  const billed = money(locale, monthlyCents * cycleMonths(cycle), currency);
  return { lines: text, total: lines.length ? t("order.cartTotal", { monthly: money(locale, monthlyCents, currency), billed, cycle }) : "" };
}

export interface TermCardInput {
  flowId: string;
  title: string;
  intro: string;
  choices: { term: Term; cycle: BillingCycle }[];
  selected?: { term: string; cycle: string };
  /** Verb of Next, and of Back (none: no Back button). */
  nextVerb: string;
  backVerb?: string;
}

export function termCardData(lang: Lang, input: TermCardInput) {
  const { t } = lang;
  const value = input.selected && input.choices.some((choice) => choice.term === input.selected!.term && choice.cycle === input.selected!.cycle) ? `${input.selected.term}/${input.selected.cycle}` : input.choices[0] ? `${input.choices[0].term}/${input.choices[0].cycle}` : "";
  return {
    title: input.title,
    intro: input.intro,
    termLabel: t("order.termLabel"),
    rules: t("order.termRules"),
    choices: input.choices.map((choice) => ({ title: termLabel(lang, choice.term, choice.cycle), value: `${choice.term}/${choice.cycle}` })),
    value,
    emptyText: input.choices.length ? "" : t("order.noTerms"),
    flowId: input.flowId,
    nextVerb: input.nextVerb,
    backVerb: input.backVerb ?? "",
    nextLabel: t("order.termNext"),
    backLabel: t("customer.subs.back"),
    cancelLabel: t("cancel.button"),
  };
}

export interface AgreementCardInput {
  flowId: string;
  company: string;
  values: Record<string, string>;
  issues: FieldIssue[];
  /** Why it is asked: while adding the customer, or before its first New Commerce order. */
  context: "newCustomer" | "beforeOrder";
  nextVerb: string;
  backVerb?: string;
}

export function agreementCardData(lang: Lang, input: AgreementCardInput) {
  const { t } = lang;
  const field = (name: string, label: MessageKey) => {
    const issue = input.issues.find((candidate) => candidate.field === name);
    return { label: t(label), value: input.values[name] ?? "", error: issue ? (issue.code === "future" ? t("agreement.future") : issueText(t, issue)) : "" };
  };
  return {
    title: t("agreement.title", { company: input.company }),
    intro: t(input.context === "newCustomer" ? "agreement.introNew" : "agreement.introBeforeOrder", { company: input.company }),
    errorSummary: input.issues.length ? t("customer.account.fixErrors") : "",
    contactTitle: t("agreement.contact"),
    fields: {
      firstName: field("firstName", "field.contactFirstName"),
      lastName: field("lastName", "field.contactLastName"),
      email: field("email", "field.contactEmail"),
      phone: field("phone", "field.phone"),
      dateAgreed: field("dateAgreed", "agreement.date"),
    },
    accepted: input.values.accepted === "true" ? "true" : "false",
    acceptedTitle: t("agreement.accepted"),
    acceptedError: input.issues.some((issue) => issue.field === "accepted") ? t("agreement.acceptRequired") : "",
    readLabel: t("agreement.read"),
    url: MCA_URL,
    flowId: input.flowId,
    nextVerb: input.nextVerb,
    backVerb: input.backVerb ?? "",
    nextLabel: t("agreement.next"),
    backLabel: t("customer.subs.back"),
    cancelLabel: t("cancel.button"),
  };
}

/** The agreement's fields from a submitted card (strings only, bounded). */
export function readAgreement(submit: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of ["firstName", "lastName", "email", "phone", "dateAgreed", "accepted"]) {
    const value = submit[name];
    values[name] = typeof value === "string" ? value.slice(0, 300) : typeof value === "boolean" ? String(value) : "";
  }
  return values;
}

export const termCard = (data: ReturnType<typeof termCardData>): Attachment => renderCard("orderTerm", data);
export const agreementCard = (data: ReturnType<typeof agreementCardData>): Attachment => renderCard("agreement", data);
