/**
 * "Add a new customer", as in Partner Center: account info → Microsoft Customer Agreement →
 * term and billing frequency → subscriptions → review → confirmation with the admin account and
 * a temporary password shown once. Each card carries this flow's id, so a card from another or
 * an ended flow does nothing; a submitted card is replaced in place by a read-only summary.
 */
import { randomUUID } from "node:crypto";
import { Dialog, type DialogContext, type DialogTurnResult } from "botbuilder-dialogs";
import { z } from "zod";
import { orderable, termChoices, type CatalogService, type Offer } from "../../src/catalog/catalogService.js";
import { accountFields, type AccountInfo, type AccountInput } from "../../src/customers/customerSchema.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import { onboardCustomer } from "../../src/customers/onboarding.js";
import { DomainTaken, InvalidInput, type FieldIssue } from "../../src/errors.js";
import type { PartnershipService } from "../../src/resellers/partnershipService.js";
import type { OrderService } from "../../src/subscriptions/orderService.js";
import { readQuantities } from "../cards/cardInputs.js";
import type { CommandInput } from "../commands.js";
import { expectedSubmit } from "../dialogs/flowSubmit.js";
import { partnerCenterSentence, replaceCard } from "../domainErrors.js";
import { agreementCard, agreementCardData, offerKey, readAgreement, readTermChoice, termCard, termCardData, type TermChoice } from "../subscriptions/orderCards.js";
import { presentForm, turnInfo } from "../turn.js";
import { sendCreated } from "./passwordView.js";
import { accountCard, accountCardData, reviewCard, reviewCardData, submittedCard, subscriptionsCard, subscriptionsCardData } from "./customerCards.js";
import { customerVerbs } from "./verbs.js";

export const ADD_CUSTOMER_DIALOG = "customer.add";

type Step = "account" | "agreement" | "term" | "subscriptions" | "review";

interface FlowState extends TermChoice {
  flowId: string;
  step: Step;
  account: AccountInput;
  agreement: Record<string, string>;
  /** Licences per offer (productId:skuId). */
  quantities: Record<string, number>;
  creationKey: string;
  /** The language offers are described in. */
  language: string;
  resellerOrgId?: string;
  resellerName?: string;
}

export type AddCustomerOptions = Partial<CommandInput>;

const stepOfVerb: Record<string, Step> = {
  [customerVerbs.accountNext]: "account",
  [customerVerbs.agreementNext]: "agreement",
  [customerVerbs.agreementBack]: "agreement",
  [customerVerbs.termNext]: "term",
  [customerVerbs.termBack]: "term",
  [customerVerbs.subscriptionsNext]: "subscriptions",
  [customerVerbs.subscriptionsTerm]: "subscriptions",
  [customerVerbs.subscriptionsSkip]: "subscriptions",
  [customerVerbs.subscriptionsBack]: "subscriptions",
  [customerVerbs.reviewSubmit]: "review",
  [customerVerbs.reviewEditAccount]: "review",
  [customerVerbs.reviewEditSubscriptions]: "review",
};

export class AddCustomerDialog extends Dialog<AddCustomerOptions> {
  constructor(
    private readonly customers: CustomerService,
    private readonly catalog: CatalogService,
    private readonly orders: OrderService,
    private readonly partnerships: PartnershipService,
  ) {
    super(ADD_CUSTOMER_DIALOG);
  }

  override async beginDialog(dc: DialogContext, options?: AddCustomerOptions): Promise<DialogTurnResult> {
    const { caller, t } = turnInfo(dc.context);
    if (caller.organisation.kind !== "provider") {
      await dc.context.sendActivity(t("error.notAllowed"));
      return dc.endDialog();
    }
    // "Add customer" on a reseller's entry: that reseller preselected, if it is an active partner of this provider.
    const forReseller = z.object({ resellerOrgId: z.string().uuid() }).safeParse(options?.submit);
    let reseller: { id: string; name: string } | undefined;
    if (forReseller.success) {
      // A reseller that is not (or no longer) active: refused by the dispatcher's table, and the flow does not start.
      const partnership = await this.partnerships.activeReseller(caller, forReseller.data.resellerOrgId);
      reseller = { id: forReseller.data.resellerOrgId, name: partnership.companyName };
    }
    const state: FlowState = {
      flowId: randomUUID(),
      step: "account",
      account: {},
      agreement: {},
      term: "P1Y",
      cycle: "monthly",
      quantities: {},
      creationKey: randomUUID(),
      language: turnInfo(dc.context).locale,
      resellerOrgId: reseller?.id,
      resellerName: reseller?.name,
    };
    dc.activeDialog!.state = state;
    await this.showAccount(dc, state, []);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as FlowState;
    const submit = await expectedSubmit(dc, state, stepOfVerb);
    if (!submit) return Dialog.EndOfTurn;
    switch (submit.verb) {
      case customerVerbs.accountNext:
        return this.onAccount(dc, state, submit);
      case customerVerbs.agreementNext:
        return this.onAgreement(dc, state, submit);
      case customerVerbs.agreementBack:
      case customerVerbs.reviewEditAccount:
        await this.showAccount(dc, state, []);
        return Dialog.EndOfTurn;
      case customerVerbs.termNext:
        Object.assign(state, readTermChoice(submit, await this.choices(state), state));
        await this.showSubscriptions(dc, state, []);
        return Dialog.EndOfTurn;
      case customerVerbs.termBack:
        await this.showAgreement(dc, state, []);
        return Dialog.EndOfTurn;
      case customerVerbs.subscriptionsNext:
        return this.onSubscriptions(dc, state, submit);
      case customerVerbs.subscriptionsTerm:
      case customerVerbs.subscriptionsBack:
        state.quantities = { ...state.quantities, ...readQuantities(submit, await this.shownOffers(state)).quantities };
        await this.showTerm(dc, state);
        return Dialog.EndOfTurn;
      case customerVerbs.subscriptionsSkip:
        state.quantities = {};
        return this.toReview(dc, state);
      case customerVerbs.reviewEditSubscriptions:
        await this.showSubscriptions(dc, state, []);
        return Dialog.EndOfTurn;
      default:
        return this.onSubmit(dc, state);
    }
  }

  private async onAccount(dc: DialogContext, state: FlowState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { t } = turnInfo(dc.context);
    state.account = Object.fromEntries(accountFields.map((field) => [field, typeof submit[field] === "string" ? (submit[field] as string).slice(0, 300) : ""]));
    const checked = await this.customers.checkAccount(state.account);
    if (!checked.ok) {
      await this.showAccount(dc, state, checked.issues);
      return Dialog.EndOfTurn;
    }
    state.account = { ...checked.value };
    await replaceCard(dc.context, submittedCard({ title: `${t("customer.account.title")}: ${t("flow.cardSubmitted")}`, lines: [checked.value.companyName, `${checked.value.domainPrefix}.onmicrosoft.com`] }));
    await this.showAgreement(dc, state, []);
    return Dialog.EndOfTurn;
  }

  private async onAgreement(dc: DialogContext, state: FlowState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { t } = turnInfo(dc.context);
    state.agreement = readAgreement(submit);
    const checked = this.customers.checkAttestation(state.agreement);
    if (!checked.ok) {
      await this.showAgreement(dc, state, checked.issues);
      return Dialog.EndOfTurn;
    }
    await replaceCard(dc.context, submittedCard({ title: `${t("agreement.fact")}: ${t("flow.cardSubmitted")}`, lines: [t("agreement.factValue", { name: `${checked.value.firstName} ${checked.value.lastName}`, date: checked.value.dateAgreed })] }));
    await this.showTerm(dc, state);
    return Dialog.EndOfTurn;
  }

  private async onSubscriptions(dc: DialogContext, state: FlowState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { t } = turnInfo(dc.context);
    const offers = await this.offers(state);
    const { quantities, issues } = readQuantities(submit, new Set(offers.map(offerKey)));
    state.quantities = quantities;
    for (const [key, licences] of Object.entries(quantities)) {
      const offer = offers.find((candidate) => offerKey(candidate) === key)!;
      if (licences > 0 && (licences < offer.minLicences || licences > offer.maxLicences)) issues.push({ field: key, code: "outOfRange", params: { min: offer.minLicences, max: offer.maxLicences } });
    }
    if (issues.length) {
      await this.showSubscriptions(dc, state, issues);
      return Dialog.EndOfTurn;
    }
    await replaceCard(dc.context, submittedCard({ title: `${t("customer.subs.title")}: ${t("flow.cardSubmitted")}`, lines: [] }));
    return this.toReview(dc, state);
  }

  private async toReview(dc: DialogContext, state: FlowState): Promise<DialogTurnResult> {
    state.step = "review";
    const offers = await this.offers(state);
    const lines = Object.entries(state.quantities)
      .filter(([, licences]) => licences > 0)
      .flatMap(([key, licences]) => {
        const offer = offers.find((candidate) => offerKey(candidate) === key);
        return offer ? [{ offer, licences }] : [];
      });
    await presentForm(dc.context, reviewCard(reviewCardData(turnInfo(dc.context).lang, { flowId: state.flowId, account: state.account as Record<string, string>, agreement: state.agreement, term: state.term, cycle: state.cycle, lines, resellerName: state.resellerName })), turnInfo(dc.context).t("menu.newCustomer"));
    return Dialog.EndOfTurn;
  }

  private async onSubmit(dc: DialogContext, state: FlowState): Promise<DialogTurnResult> {
    const { t, caller, lang } = turnInfo(dc.context);
    try {
      const result = await onboardCustomer({ customers: this.customers, orders: this.orders, catalog: this.catalog }, caller, {
        account: state.account,
        attestation: state.agreement,
        resellerOrgId: state.resellerOrgId,
        creationKey: state.creationKey,
        order: { termDuration: state.term, billingCycle: state.cycle, quantities: state.quantities },
      });
      const { customer } = result.customer;
      await replaceCard(dc.context, submittedCard({ title: `${t("customer.review.title")}: ${t("flow.cardSubmitted")}`, lines: [customer.companyName] }));
      // Created now, or earlier by this same submit (the confirmation could not be delivered): the password, while kept.
      if (result.customer.temporaryPassword) {
        await sendCreated(dc.context, { company: customer.companyName, adminAccount: customer.adminAccount, password: result.customer.temporaryPassword, customerId: customer.id, domainPrefix: customer.domainPrefix });
      } else {
        await dc.context.sendActivity(t("customer.created.already", { company: customer.companyName, domain: `${customer.domainPrefix}.onmicrosoft.com` }));
      }
      if (result.order?.provisioning) await dc.context.sendActivity(t("order.provisioning", { customer: customer.companyName }));
      if (result.failed) {
        const reason = partnerCenterSentence(lang, result.failed.error) ?? t("error.apology");
        await dc.context.sendActivity(t(result.failed.step === "order" ? "customer.created.orderFailed" : "customer.created.attestationFailed", { company: customer.companyName, reason }));
        if (!partnerCenterSentence(lang, result.failed.error)) turnInfo(dc.context).log.error({ err: result.failed.error }, `customer created, but its ${result.failed.step} failed`);
      }
      return dc.endDialog(customer.id);
    } catch (error) {
      if (error instanceof DomainTaken) {
        await this.showAccount(dc, state, error.issues);
        return Dialog.EndOfTurn;
      }
      if (error instanceof InvalidInput) {
        const accountIssues = error.issues.filter((issue) => (accountFields as string[]).includes(issue.field));
        if (accountIssues.length) await this.showAccount(dc, state, accountIssues);
        else await this.showAgreement(dc, state, error.issues);
        return Dialog.EndOfTurn;
      }
      throw error;
    }
  }

  private async showAccount(dc: DialogContext, state: FlowState, issues: FieldIssue[]): Promise<void> {
    state.step = "account";
    const { lang, t } = turnInfo(dc.context);
    await presentForm(dc.context, accountCard(accountCardData(lang, state.flowId, state.account, issues, state.resellerName)), t("menu.newCustomer"));
  }

  private async showAgreement(dc: DialogContext, state: FlowState, issues: FieldIssue[]): Promise<void> {
    state.step = "agreement";
    const account = state.account as AccountInfo;
    // The account's primary contact and today, unless already entered.
    const values = Object.keys(state.agreement).length
      ? state.agreement
      : { firstName: account.contactFirstName, lastName: account.contactLastName, email: account.contactEmail, phone: account.phone ?? "", dateAgreed: new Date().toISOString().slice(0, 10), accepted: "false" };
    await presentForm(dc.context, agreementCard(agreementCardData(turnInfo(dc.context).lang, { flowId: state.flowId, company: account.companyName, values, issues, context: "newCustomer", nextVerb: customerVerbs.agreementNext, backVerb: customerVerbs.agreementBack })), turnInfo(dc.context).t("menu.newCustomer"));
  }

  private async showTerm(dc: DialogContext, state: FlowState): Promise<void> {
    state.step = "term";
    const { t, lang } = turnInfo(dc.context);
    const account = state.account as AccountInfo;
    await presentForm(dc.context, termCard(termCardData(lang, { flowId: state.flowId, title: t("customer.term.title"), intro: t("order.termIntro", { customer: account.companyName }), choices: await this.choices(state), selected: state, nextVerb: customerVerbs.termNext, backVerb: customerVerbs.termBack })), turnInfo(dc.context).t("menu.newCustomer"));
  }

  private async showSubscriptions(dc: DialogContext, state: FlowState, issues: FieldIssue[]): Promise<void> {
    state.step = "subscriptions";
    const account = state.account as AccountInfo;
    await presentForm(dc.context, subscriptionsCard(subscriptionsCardData(turnInfo(dc.context).lang, { flowId: state.flowId, company: account.companyName, segment: account.segment, term: state.term, cycle: state.cycle, offers: await this.offers(state), quantities: state.quantities, issues })), turnInfo(dc.context).t("menu.newCustomer"));
  }

  /** Every base offer and trial for this customer's country and type, in the reader's language. */
  private async catalogOffers(state: FlowState): Promise<Offer[]> {
    const account = state.account as AccountInfo;
    return (await this.catalog.offers({ country: account.country, segment: account.segment, language: state.language })).filter((offer) => !offer.addOnOf.length);
  }

  private async choices(state: FlowState) {
    return termChoices(await this.catalogOffers(state));
  }

  /** The offers the subscriptions card shows: those sold on the chosen term and billing frequency. */
  private async offers(state: FlowState): Promise<Offer[]> {
    return (await this.catalogOffers(state)).filter((offer) => orderable(offer, state.term, state.cycle));
  }

  private async shownOffers(state: FlowState): Promise<Set<string>> {
    return new Set((await this.offers(state)).map(offerKey));
  }
}
