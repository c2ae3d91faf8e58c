/**
 * "New subscription", as in Partner Center: billing frequency and the catalog for the
 * customer's type (trials apart; offers it may not buy again marked, with "reactivate instead"
 * for a suspended one), licence counts, optional reseller of record, review, submit. The order
 * is keyed by this flow, so submitting twice orders once.
 */
import { randomUUID } from "node:crypto";
import { Dialog, type DialogContext, type DialogTurnResult } from "botbuilder-dialogs";
import { z } from "zod";
import { billingCycles, type BillingCycle } from "../../src/catalog/catalogSeed.js";
import type { CatalogService } from "../../src/catalog/catalogService.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import { InvalidInput, OfferLimitReached, type FieldIssue } from "../../src/errors.js";
import type { SubscriptionService } from "../../src/subscriptions/subscriptionService.js";
import type { Command, CommandInput } from "../commands.js";
import { customerDetailsCard, customerDetailsCardData, customerListCard, customerListCardData, submittedCard } from "../customers/customerCards.js";
import { answerDomainError, replaceCard } from "../domainErrors.js";
import { readQuantities } from "../cards/cardInputs.js";
import { expectedSubmit } from "../dialogs/flowSubmit.js";
import { turnInfo } from "../turn.js";
import { orderCatalogCard, orderCatalogData, orderReviewCard, orderReviewData } from "./subscriptionCards.js";

export const NEW_SUBSCRIPTION_DIALOG = "subscription.new";

/** "new subscription for <customer>", or New subscription on a customer's card. */
export function newSubscriptionCommand(subscriptions: SubscriptionService, customers: CustomerService, catalog: CatalogService): Command {
  return {
    id: "subscription.new",
    verb: "subscription.new",
    phrases: ["new subscription", "nouvel abonnement", "order", "commander"],
    prefixes: ["new subscription for ", "new subscription ", "nouvel abonnement pour ", "nouvel abonnement "],
    helpLine: "help.command.newSubscription",
    dialog: new NewSubscriptionDialog(subscriptions, customers, catalog),
  };
}

interface OrderState {
  flowId: string;
  step: "catalog" | "review";
  customerId: string;
  customerName: string;
  cycle: BillingCycle;
  quantities: Record<string, number>;
  resellerOfRecordId?: string;
  key: string;
}

const stepOfVerb: Record<string, OrderState["step"]> = { "order.catalog.next": "catalog", "order.catalog.cycle": "catalog", "order.review.submit": "review", "order.review.edit": "review" };

export class NewSubscriptionDialog extends Dialog<CommandInput> {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly customers: CustomerService,
    private readonly catalog: CatalogService,
  ) {
    super(NEW_SUBSCRIPTION_DIALOG);
  }

  override async beginDialog(dc: DialogContext, input?: CommandInput): Promise<DialogTurnResult> {
    const { caller, t } = turnInfo(dc.context);
    const fromCard = z.object({ customerId: z.string().uuid() }).safeParse(input?.submit);
    let customerId = fromCard.success ? fromCard.data.customerId : undefined;
    if (!customerId && input?.text) {
      const page = await this.customers.list(caller, { text: input.text });
      if (page.total === 1) customerId = page.items[0].id;
    }
    if (!customerId) {
      // Not given, or not one match: the customer list (with search) to pick from.
      const query = (input?.text ?? "").slice(0, 100);
      const page = await this.customers.list(caller, { text: query });
      await dc.context.sendActivity({ text: t("order.whichCustomer"), attachments: [customerListCard(customerListCardData({ t, locale: turnInfo(dc.context).locale }, page, query))] });
      return dc.endDialog();
    }
    try {
      const customer = await this.customers.get(caller, customerId);
      // "Buy the full subscription" at the end of a trial names the offer and its licences.
      const prefill = z.object({ offerId: z.string().min(1).max(80), licences: z.coerce.number().int().min(1).max(1_000_000) }).safeParse(input?.submit);
      const quantities = prefill.success ? { [prefill.data.offerId]: prefill.data.licences } : {};
      const state: OrderState = { flowId: randomUUID(), step: "catalog", customerId, customerName: customer.companyName, cycle: "monthly", quantities, key: randomUUID() };
      dc.activeDialog!.state = state;
      await this.showCatalog(dc, state, []);
      return Dialog.EndOfTurn;
    } catch (error) {
      if (await answerDomainError(dc.context, error)) return dc.endDialog();
      throw error;
    }
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as OrderState;
    const submit = await expectedSubmit(dc, state, stepOfVerb);
    if (!submit) return Dialog.EndOfTurn;
    switch (submit.verb) {
      case "order.catalog.cycle":
        await this.readCatalog(dc, state, submit);
        state.cycle = z.enum(billingCycles).catch(state.cycle).parse(submit.cycle);
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      case "order.catalog.next":
        return this.onCatalog(dc, state, submit);
      case "order.review.edit":
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      default:
        return this.onSubmit(dc, state);
    }
  }

  private async readCatalog(dc: DialogContext, state: OrderState, submit: Record<string, unknown>): Promise<FieldIssue[]> {
    const { choices } = await this.subscriptions.catalogFor(turnInfo(dc.context).caller, state.customerId, state.cycle);
    const { quantities, issues } = readQuantities(submit, new Set(choices.map((choice) => choice.offer.id)));
    state.quantities = quantities;
    const reseller = typeof submit.resellerOfRecordId === "string" ? submit.resellerOfRecordId.slice(0, 60) : "none";
    state.resellerOfRecordId = reseller === "none" || reseller === "" ? undefined : reseller;
    return issues;
  }

  private lines(state: OrderState) {
    return Object.entries(state.quantities)
      .filter(([, licences]) => licences > 0)
      .map(([offerId, licences]) => ({ offerId, licences }));
  }

  private async onCatalog(dc: DialogContext, state: OrderState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { caller, t, locale } = turnInfo(dc.context);
    const issues = await this.readCatalog(dc, state, submit);
    const lines = this.lines(state);
    const { customer, choices } = await this.subscriptions.catalogFor(caller, state.customerId, state.cycle);
    issues.push(...(await this.customers.checkLines(customer.segment, state.cycle, lines)));
    for (const line of lines) {
      const choice = choices.find((candidate) => candidate.offer.id === line.offerId);
      if (choice && choice.state !== "available") issues.push({ field: line.offerId, code: "onePerCustomer" });
    }
    if (!lines.length) issues.push({ field: "lines", code: "required" });
    if (issues.length) {
      await this.showCatalog(dc, state, issues);
      return Dialog.EndOfTurn;
    }
    await replaceCard(dc.context, submittedCard({ title: `${t("order.title", { customer: state.customerName })}: ${t("flow.cardSubmitted")}`, lines: [] }));
    state.step = "review";
    const offers = await this.catalog.offersByIds(lines.map((line) => line.offerId));
    const resellerName = state.resellerOfRecordId ? (await this.subscriptions.resellersOf(caller)).find((r) => r.id === state.resellerOfRecordId)?.name : undefined;
    await dc.context.sendActivity({
      attachments: [orderReviewCard(orderReviewData(turnInfo(dc.context).lang, { flowId: state.flowId, customer: state.customerName, cycle: state.cycle, lines: lines.map((line) => ({ offer: offers.get(line.offerId)!, licences: line.licences })), resellerName }))],
    });
    return Dialog.EndOfTurn;
  }

  private async onSubmit(dc: DialogContext, state: OrderState): Promise<DialogTurnResult> {
    const { caller, t, locale } = turnInfo(dc.context);
    try {
      const result = await this.subscriptions.placeOrder(caller, { customerId: state.customerId, billingCycle: state.cycle, lines: this.lines(state), resellerOfRecordId: state.resellerOfRecordId ?? null, idempotencyKey: state.key });
      await replaceCard(dc.context, submittedCard({ title: `${t("order.review.title", { customer: state.customerName })}: ${t("flow.cardSubmitted")}`, lines: [] }));
      await dc.context.sendActivity(result.created ? t("order.placed", { count: result.subscriptionIds.length, customer: state.customerName }) : t("order.already"));
      const customer = await this.customers.get(caller, state.customerId);
      await dc.context.sendActivity({ attachments: [customerDetailsCard(customerDetailsCardData(turnInfo(dc.context).lang, customer))] });
      return dc.endDialog();
    } catch (error) {
      if (error instanceof OfferLimitReached) {
        const offer = (await this.catalog.offersByIds([error.offerId])).get(error.offerId);
        await dc.context.sendActivity(t(error.status === "suspended" ? "sub.limitReactivate" : "sub.limitReached", { offer: offer?.name ?? error.offerId }));
        await this.showCatalog(dc, state, []);
        return Dialog.EndOfTurn;
      }
      if (error instanceof InvalidInput) {
        await this.showCatalog(dc, state, error.issues);
        return Dialog.EndOfTurn;
      }
      if (await answerDomainError(dc.context, error)) return dc.endDialog();
      throw error;
    }
  }

  private async showCatalog(dc: DialogContext, state: OrderState, issues: FieldIssue[]): Promise<void> {
    state.step = "catalog";
    const { caller, t, locale } = turnInfo(dc.context);
    const { customer, choices } = await this.subscriptions.catalogFor(caller, state.customerId, state.cycle);
    const resellers = await this.subscriptions.resellersOf(caller);
    await dc.context.sendActivity({
      attachments: [
        orderCatalogCard(orderCatalogData(turnInfo(dc.context).lang, { flowId: state.flowId, customer: customer.companyName, segment: customer.segment, cycle: state.cycle, choices, quantities: state.quantities, issues, resellers, resellerOfRecordId: state.resellerOfRecordId })),
      ],
    });
  }
}
