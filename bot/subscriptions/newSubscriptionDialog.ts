/**
 * "New subscription", as in Partner Center: the Microsoft Customer Agreement first if the customer
 * has not attested it, then the term and billing frequency, then the catalog for the customer's
 * country and type on that term (trials apart; offers it may not buy again marked, with
 * "reactivate instead" for a suspended one), licence counts, optional reseller of record, the cart
 * with price per licence and total, submit. The order is keyed by this flow, so submitting twice
 * orders once.
 */
import { randomUUID } from "node:crypto";
import { Dialog, type DialogContext, type DialogTurnResult } from "botbuilder-dialogs";
import { z } from "zod";
import { lineTerm, monthlyPrice, termChoices, type CatalogService } from "../../src/catalog/catalogService.js";
import type { ApprovalService } from "../../src/approvals/approvalService.js";
import { askApproval } from "../approvals/approvalCommands.js";
import type { Notifier } from "../proactive.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import { InvalidInput, OfferLimitReached, type FieldIssue } from "../../src/errors.js";
import { isPartnerCenterError } from "../../src/partnerCenter/errors.js";
import type { OrderService } from "../../src/subscriptions/orderService.js";
import type { SubscriptionService } from "../../src/subscriptions/subscriptionService.js";
import { readQuantities } from "../cards/cardInputs.js";
import type { Command, CommandInput } from "../commands.js";
import { customerDetailsCard, customerDetailsCardData, customerListCard, customerListCardData, submittedCard } from "../customers/customerCards.js";
import { expectedSubmit } from "../dialogs/flowSubmit.js";
import { partnerCenterSentence, replaceCard } from "../domainErrors.js";
import { presentForm, turnInfo } from "../turn.js";
import { agreementCard, agreementCardData, offerKey, readAgreement, readTermChoice, termCard, termCardData, type TermChoice } from "./orderCards.js";
import { orderCatalogCard, orderCatalogData, orderReviewCard, orderReviewData } from "./subscriptionCards.js";
import { orderVerbs, subscriptionVerbs } from "./verbs.js";

export const NEW_SUBSCRIPTION_DIALOG = subscriptionVerbs.new;

export interface OrderingServices {
  subscriptions: SubscriptionService;
  customers: CustomerService;
  catalog: CatalogService;
  orders: OrderService;
  /** With both: orders the provider's policy says need a second person are asked for, not placed. */
  approvals?: ApprovalService;
  notifier?: Notifier;
}

/** "new subscription for <customer>", or New subscription on a customer's card. */
export function newSubscriptionCommand(services: OrderingServices): Command {
  return {
    id: subscriptionVerbs.new,
    verb: subscriptionVerbs.new,
    helpLine: "help.command.newSubscription",
    dialog: new NewSubscriptionDialog(services),
  };
}

interface OrderState extends TermChoice {
  flowId: string;
  step: "agreement" | "term" | "catalog" | "review";
  customerId: string;
  customerName: string;
  language: string;
  agreement: Record<string, string>;
  /** Licences per offer (productId:skuId). */
  quantities: Record<string, number>;
  resellerOfRecordId?: string;
  key: string;
}

const stepOfVerb: Record<string, OrderState["step"]> = {
  [orderVerbs.agreementNext]: "agreement",
  [orderVerbs.termNext]: "term",
  [orderVerbs.catalogNext]: "catalog",
  [orderVerbs.catalogTerm]: "catalog",
  [orderVerbs.reviewSubmit]: "review",
  [orderVerbs.reviewEdit]: "review",
};

export class NewSubscriptionDialog extends Dialog<CommandInput> {
  constructor(private readonly services: OrderingServices) {
    super(NEW_SUBSCRIPTION_DIALOG);
  }

  override async beginDialog(dc: DialogContext, input?: CommandInput): Promise<DialogTurnResult> {
    const { caller, t, lang, locale } = turnInfo(dc.context);
    const { customers } = this.services;
    const fromCard = z.object({ customerId: z.string().uuid() }).safeParse(input?.submit);
    let customerId = fromCard.success ? fromCard.data.customerId : undefined;
    if (!customerId && input?.text) {
      const page = await customers.list(caller, { text: input.text });
      if (page.total === 1) customerId = page.items[0].id;
    }
    if (!customerId) {
      // Not given, or not one match: the customer list (with search) to pick from.
      const query = (input?.text ?? "").slice(0, 100);
      const page = await customers.list(caller, { text: query });
      await dc.context.sendActivity({ text: t("order.whichCustomer"), attachments: [customerListCard(customerListCardData(lang, page, query))] });
      return dc.endDialog();
    }
    // A refusal (not found, not allowed) is answered by the dispatcher's table, and the flow does not start.
    const customer = await customers.get(caller, customerId);
    // "Buy the full subscription" at the end of a trial names the offer (productId:skuId) and its licences.
    const prefill = z.object({ offer: z.string().min(1).max(120), licences: z.coerce.number().int().min(1).max(1_000_000) }).safeParse(input?.submit);
    const quantities = prefill.success ? { [prefill.data.offer]: prefill.data.licences } : {};
    const state: OrderState = { flowId: randomUUID(), step: "term", customerId, customerName: customer.companyName, language: locale, agreement: {}, term: "P1Y", cycle: "monthly", quantities, key: randomUUID() };
    dc.activeDialog!.state = state;
    // Partner Center refuses a New Commerce purchase without the customer agreement: asked for first.
    if (!(await customers.hasAttested(caller, customerId))) await this.showAgreement(dc, state, []);
    else await this.showTerm(dc, state);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as OrderState;
    const submit = await expectedSubmit(dc, state, stepOfVerb);
    if (!submit) return Dialog.EndOfTurn;
    // A refusal is answered by the dispatcher's table; the flow waits at its step.
    switch (submit.verb) {
      case orderVerbs.agreementNext:
        return await this.onAgreement(dc, state, submit);
      case orderVerbs.termNext:
        Object.assign(state, readTermChoice(submit, await this.choices(dc, state), state));
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      case orderVerbs.catalogTerm:
        await this.readCatalog(dc, state, submit);
        await this.showTerm(dc, state);
        return Dialog.EndOfTurn;
      case orderVerbs.catalogNext:
        return await this.onCatalog(dc, state, submit);
      case orderVerbs.reviewEdit:
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      default:
        return await this.onSubmit(dc, state);
    }
  }

  private async onAgreement(dc: DialogContext, state: OrderState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { caller, t } = turnInfo(dc.context);
    state.agreement = readAgreement(submit);
    const checked = this.services.customers.checkAttestation(state.agreement);
    if (!checked.ok) {
      await this.showAgreement(dc, state, checked.issues);
      return Dialog.EndOfTurn;
    }
    await this.services.customers.attest(caller, { customerId: state.customerId, attestation: state.agreement, key: state.key });
    await replaceCard(dc.context, submittedCard({ title: `${t("agreement.fact")}: ${t("flow.cardSubmitted")}`, lines: [t("agreement.factValue", { name: `${checked.value.firstName} ${checked.value.lastName}`, date: checked.value.dateAgreed })] }));
    await this.showTerm(dc, state);
    return Dialog.EndOfTurn;
  }

  /** Reads the catalog card's licence counts (for the offers it showed only) and reseller of record. */
  private async readCatalog(dc: DialogContext, state: OrderState, submit: Record<string, unknown>): Promise<FieldIssue[]> {
    const { choices } = await this.catalogFor(dc, state);
    const { quantities, issues } = readQuantities(submit, new Set(choices.map((choice) => offerKey(choice.offer))));
    state.quantities = quantities;
    const reseller = typeof submit.resellerOfRecordId === "string" ? submit.resellerOfRecordId.slice(0, 60) : "none";
    state.resellerOfRecordId = reseller === "none" || reseller === "" ? undefined : reseller;
    return issues;
  }

  private async onCatalog(dc: DialogContext, state: OrderState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { t, lang } = turnInfo(dc.context);
    const issues = await this.readCatalog(dc, state, submit);
    const { choices } = await this.catalogFor(dc, state);
    const lines = this.lines(state, choices);
    issues.push(...this.services.orders.checkLines(choices.map((choice) => choice.offer), state.term, state.cycle, lines).map((issue) => ({ ...issue, field: keyOf(choices, issue.field) })));
    for (const line of lines) {
      const choice = choices.find((candidate) => candidate.offer.catalogItemId === line.catalogItemId);
      if (choice && choice.state !== "available") issues.push({ field: offerKey(choice.offer), code: "onePerCustomer" });
    }
    if (!lines.length) issues.push({ field: "lines", code: "required" });
    if (issues.length) {
      await this.showCatalog(dc, state, issues);
      return Dialog.EndOfTurn;
    }
    await replaceCard(dc.context, submittedCard({ title: `${t("order.title", { customer: state.customerName })}: ${t("flow.cardSubmitted")}`, lines: [] }));
    state.step = "review";
    const resellerName = state.resellerOfRecordId ? (await this.services.subscriptions.resellersOf(turnInfo(dc.context).caller)).find((r) => r.id === state.resellerOfRecordId)?.name : undefined;
    const chosen = lines.map((line) => ({ offer: choices.find((choice) => choice.offer.catalogItemId === line.catalogItemId)!.offer, licences: line.quantity }));
    await presentForm(dc.context, orderReviewCard(orderReviewData(lang, { flowId: state.flowId, customer: state.customerName, term: state.term, cycle: state.cycle, lines: chosen, resellerName })), t("order.formTitle"));
    return Dialog.EndOfTurn;
  }

  private async onSubmit(dc: DialogContext, state: OrderState): Promise<DialogTurnResult> {
    const { caller, t, lang } = turnInfo(dc.context);
    try {
      const { choices, customer: ordered } = await this.catalogFor(dc, state);
      const lines = this.lines(state, choices);
      const order = { customerId: state.customerId, termDuration: state.term, billingCycle: state.cycle, lines, resellerOfRecordId: state.resellerOfRecordId ?? null };
      const { approvals, notifier } = this.services;
      if (approvals && notifier && lines.length) {
        const chosen = lines.map((line) => ({ line, offer: choices.find((choice) => choice.offer.catalogItemId === line.catalogItemId)!.offer }));
        const monthlyCents = chosen.reduce((sum, { line, offer }) => sum + line.quantity * (monthlyPrice(offer, lineTerm(offer, state.term, state.cycle).term) ?? 0), 0);
        const licences = lines.reduce((sum, line) => sum + line.quantity, 0);
        const { because, limits } = await approvals.orderNeeds(caller, { licences, monthlyCents, resellerCustomer: Boolean(ordered.resellerOrgId) });
        if (because.length) {
          // The order's own key is the request's: approving runs this very order, once.
          await askApproval(dc.context, approvals, notifier, {
            requestKey: state.key,
            payload: { kind: "order", order },
            summary: { customer: state.customerName, lines: chosen.map(({ line, offer }) => ({ offer: offer.name, licences: line.quantity })), monthlyCents, currency: chosen[0].offer.currency, term: state.term, cycle: state.cycle, because, limits },
            customerId: state.customerId,
          });
          await replaceCard(dc.context, submittedCard({ title: `${t("order.review.title", { customer: state.customerName })}: ${t("flow.cardSubmitted")}`, lines: [] }));
          return dc.endDialog();
        }
      }
      const result = await this.services.orders.place(caller, { ...order, idempotencyKey: state.key });
      await replaceCard(dc.context, submittedCard({ title: `${t("order.review.title", { customer: state.customerName })}: ${t("flow.cardSubmitted")}`, lines: [] }));
      if (!result.created) await dc.context.sendActivity(t("order.already"));
      else if (result.provisioning) await dc.context.sendActivity(t("order.provisioning", { customer: state.customerName }));
      else await dc.context.sendActivity(t("order.placed", { count: result.subscriptionIds.length, customer: state.customerName }));
      const customer = await this.services.customers.get(caller, state.customerId);
      await dc.context.sendActivity({ attachments: [customerDetailsCard(customerDetailsCardData(lang, customer))] });
      return dc.endDialog();
    } catch (error) {
      if (error instanceof OfferLimitReached) {
        const offer = (await this.catalogFor(dc, state)).choices.find((choice) => choice.offer.catalogItemId === error.offerId)?.offer;
        await dc.context.sendActivity(t(error.status === "suspended" ? "sub.limitReactivate" : "sub.limitReached", { offer: offer?.name ?? error.offerId }));
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      }
      if (error instanceof InvalidInput) {
        await this.showCatalog(dc, state, error.issues);
        return Dialog.EndOfTurn;
      }
      if (isPartnerCenterError(error, "catalogItemChanged")) {
        // The catalog was read again: the same choices, on the offers as they are now.
        await dc.context.sendActivity(partnerCenterSentence(lang, error)!);
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      }
      if (isPartnerCenterError(error, "agreementRequired")) {
        await dc.context.sendActivity(partnerCenterSentence(lang, error)!);
        await this.showAgreement(dc, state, []);
        return Dialog.EndOfTurn;
      }
      throw error;
    }
  }

  /** The chosen offers as order lines, on the catalog as it is now. */
  private lines(state: OrderState, choices: Awaited<ReturnType<OrderService["catalogFor"]>>["choices"]) {
    return Object.entries(state.quantities)
      .filter(([, licences]) => licences > 0)
      .flatMap(([key, quantity]) => {
        const choice = choices.find((candidate) => offerKey(candidate.offer) === key);
        return choice ? [{ catalogItemId: choice.offer.catalogItemId, quantity }] : [];
      });
  }

  private catalogFor(dc: DialogContext, state: OrderState) {
    return this.services.orders.catalogFor(turnInfo(dc.context).caller, state.customerId, state.term, state.cycle, state.language);
  }

  private async choices(dc: DialogContext, state: OrderState) {
    const customer = await this.services.customers.get(turnInfo(dc.context).caller, state.customerId);
    return termChoices((await this.services.catalog.offers({ country: customer.country, segment: customer.segment, language: state.language })).filter((offer) => !offer.addOnOf.length));
  }

  private async showAgreement(dc: DialogContext, state: OrderState, issues: FieldIssue[]): Promise<void> {
    state.step = "agreement";
    const customer = await this.services.customers.get(turnInfo(dc.context).caller, state.customerId);
    const values = Object.keys(state.agreement).length
      ? state.agreement
      : { firstName: customer.contactFirstName, lastName: customer.contactLastName, email: customer.contactEmail, phone: customer.phone, dateAgreed: new Date().toISOString().slice(0, 10), accepted: "false" };
    await presentForm(dc.context, agreementCard(agreementCardData(turnInfo(dc.context).lang, { flowId: state.flowId, company: state.customerName, values, issues, context: "beforeOrder", nextVerb: orderVerbs.agreementNext })), turnInfo(dc.context).t("order.formTitle"));
  }

  private async showTerm(dc: DialogContext, state: OrderState): Promise<void> {
    state.step = "term";
    const { t, lang } = turnInfo(dc.context);
    await presentForm(dc.context, termCard(termCardData(lang, { flowId: state.flowId, title: t("order.title", { customer: state.customerName }), intro: t("order.termIntro", { customer: state.customerName }), choices: await this.choices(dc, state), selected: state, nextVerb: orderVerbs.termNext })), turnInfo(dc.context).t("order.formTitle"));
  }

  private async showCatalog(dc: DialogContext, state: OrderState, issues: FieldIssue[]): Promise<void> {
    state.step = "catalog";
    const { caller, lang } = turnInfo(dc.context);
    const { customer, choices } = await this.catalogFor(dc, state);
    const resellers = await this.services.subscriptions.resellersOf(caller);
    await presentForm(dc.context, orderCatalogCard(orderCatalogData(lang, { flowId: state.flowId, customer: customer.companyName, segment: customer.segment, term: state.term, cycle: state.cycle, choices, quantities: state.quantities, issues, resellers, resellerOfRecordId: state.resellerOfRecordId })), turnInfo(dc.context).t("order.formTitle"));
  }
}

/** An issue's field is an offer's catalog item id in the service; the card knows offers by productId:skuId. */
function keyOf(choices: { offer: { catalogItemId: string; productId: string; skuId: string } }[], field: string): string {
  const choice = choices.find((candidate) => candidate.offer.catalogItemId === field);
  return choice ? offerKey(choice.offer) : field;
}
