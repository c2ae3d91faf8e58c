/**
 * "Add a new customer", as in Partner Center: account info → subscriptions → review →
 * confirmation with the admin account and a temporary password shown once. Each card carries
 * this flow's id, so a card from another or an ended flow does nothing; a submitted card is
 * replaced in place by a read-only summary.
 */
import { randomUUID } from "node:crypto";
import { Dialog, type DialogContext, type DialogTurnResult } from "botbuilder-dialogs";
import { z } from "zod";
import { billingCycles, type BillingCycle } from "../../src/catalog/catalogSeed.js";
import type { CatalogService } from "../../src/catalog/catalogService.js";
import { accountFields, type AccountInfo, type AccountInput } from "../../src/customers/customerSchema.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import type { PartnershipService } from "../../src/resellers/partnershipService.js";
import { DomainTaken, InvalidInput, type FieldIssue } from "../../src/errors.js";
import type { CommandInput } from "../commands.js";
import { answerDomainError, replaceCard } from "../domainErrors.js";
import { readQuantities } from "../cards/cardInputs.js";
import { expectedSubmit } from "../dialogs/flowSubmit.js";
import { turnInfo } from "../turn.js";
import { accountCard, accountCardData, createdCard, createdCardData, reviewCard, reviewCardData, submittedCard, subscriptionsCard, subscriptionsCardData } from "./customerCards.js";

export const ADD_CUSTOMER_DIALOG = "customer.add";

type Step = "account" | "subscriptions" | "review";

interface FlowState {
  flowId: string;
  step: Step;
  account: AccountInput;
  cycle: BillingCycle;
  quantities: Record<string, number>;
  creationKey: string;
  resellerOrgId?: string;
  resellerName?: string;
}

export type AddCustomerOptions = Partial<CommandInput>;

const stepOfVerb: Record<string, Step> = {
  "customer.account.next": "account",
  "customer.subscriptions.next": "subscriptions",
  "customer.subscriptions.cycle": "subscriptions",
  "customer.subscriptions.skip": "subscriptions",
  "customer.subscriptions.back": "subscriptions",
  "customer.review.submit": "review",
  "customer.review.editAccount": "review",
  "customer.review.editSubscriptions": "review",
};

export class AddCustomerDialog extends Dialog<AddCustomerOptions> {
  constructor(
    private readonly customers: CustomerService,
    private readonly catalog: CatalogService,
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
      try {
        const partnership = await this.partnerships.activeReseller(caller, forReseller.data.resellerOrgId);
        reseller = { id: forReseller.data.resellerOrgId, name: partnership.companyName };
      } catch (error) {
        if (await answerDomainError(dc.context, error)) return dc.endDialog();
        throw error;
      }
    }
    const state: FlowState = {
      flowId: randomUUID(),
      step: "account",
      account: {},
      cycle: "monthly",
      quantities: {},
      creationKey: randomUUID(),
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
      case "customer.account.next":
        return this.onAccount(dc, state, submit);
      case "customer.subscriptions.next":
        return this.onSubscriptions(dc, state, submit);
      case "customer.subscriptions.cycle":
        state.quantities = readQuantities(submit, await this.shownOffers(state)).quantities;
        state.cycle = z.enum(billingCycles).catch(state.cycle).parse(submit.cycle);
        await this.showSubscriptions(dc, state, []);
        return Dialog.EndOfTurn;
      case "customer.subscriptions.skip":
        state.quantities = {};
        return this.toReview(dc, state);
      case "customer.subscriptions.back":
        state.quantities = readQuantities(submit, await this.shownOffers(state)).quantities;
        await this.showAccount(dc, state, []);
        return Dialog.EndOfTurn;
      case "customer.review.editAccount":
        await this.showAccount(dc, state, []);
        return Dialog.EndOfTurn;
      case "customer.review.editSubscriptions":
        await this.showSubscriptions(dc, state, []);
        return Dialog.EndOfTurn;
      default:
        return this.onSubmit(dc, state);
    }
  }

  private async onAccount(dc: DialogContext, state: FlowState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    state.account = Object.fromEntries(accountFields.map((field) => [field, typeof submit[field] === "string" ? (submit[field] as string).slice(0, 300) : ""]));
    const checked = await this.customers.checkAccount(state.account);
    if (!checked.ok) {
      await this.showAccount(dc, state, checked.issues);
      return Dialog.EndOfTurn;
    }
    state.account = { ...checked.value };
    await replaceCard(dc.context, submittedCard({ title: `${turnInfo(dc.context).t("customer.account.title")}: ${turnInfo(dc.context).t("flow.cardSubmitted")}`, lines: [checked.value.companyName, `${checked.value.domainPrefix}.onmicrosoft.com`] }));
    await this.showSubscriptions(dc, state, []);
    return Dialog.EndOfTurn;
  }

  private async onSubscriptions(dc: DialogContext, state: FlowState, submit: Record<string, unknown>): Promise<DialogTurnResult> {
    const { quantities, issues: numberIssues } = readQuantities(submit, await this.shownOffers(state));
    state.quantities = quantities;
    const account = state.account as AccountInfo;
    const lines = Object.entries(quantities)
      .filter(([, licences]) => licences > 0)
      .map(([offerId, licences]) => ({ offerId, licences }));
    const issues = [...numberIssues, ...(await this.customers.checkLines(account.segment, state.cycle, lines))];
    if (issues.length) {
      await this.showSubscriptions(dc, state, issues);
      return Dialog.EndOfTurn;
    }
    await replaceCard(dc.context, submittedCard({ title: `${turnInfo(dc.context).t("customer.subs.title")}: ${turnInfo(dc.context).t("flow.cardSubmitted")}`, lines: [] }));
    return this.toReview(dc, state);
  }

  private async toReview(dc: DialogContext, state: FlowState): Promise<DialogTurnResult> {
    state.step = "review";
    const { t, locale } = turnInfo(dc.context);
    const lines = await this.chosenLines(state);
    await dc.context.sendActivity({
      attachments: [reviewCard(reviewCardData(turnInfo(dc.context).lang, { flowId: state.flowId, account: state.account as Record<string, string>, cycle: state.cycle, lines, resellerName: state.resellerName }))],
    });
    return Dialog.EndOfTurn;
  }

  private async onSubmit(dc: DialogContext, state: FlowState): Promise<DialogTurnResult> {
    const { t, locale, caller } = turnInfo(dc.context);
    const lines = Object.entries(state.quantities)
      .filter(([, licences]) => licences > 0)
      .map(([offerId, licences]) => ({ offerId, licences }));
    try {
      const result = await this.customers.create(caller, { account: state.account, billingCycle: state.cycle, lines, resellerOrgId: state.resellerOrgId, creationKey: state.creationKey });
      await replaceCard(dc.context, submittedCard({ title: `${t("customer.review.title")}: ${t("flow.cardSubmitted")}`, lines: [result.customer.companyName] }));
      // Created now, or earlier by this same submit (the confirmation could not be delivered): the password, while kept.
      if (result.temporaryPassword) {
        await dc.context.sendActivity({
          attachments: [createdCard(createdCardData(turnInfo(dc.context).lang, { company: result.customer.companyName, adminAccount: result.customer.adminAccount, password: result.temporaryPassword, customerId: result.customer.id }))],
        });
      } else {
        await dc.context.sendActivity(t("customer.created.already", { company: result.customer.companyName, domain: `${result.customer.domainPrefix}.onmicrosoft.com` }));
      }
      return dc.endDialog(result.customer.id);
    } catch (error) {
      if (error instanceof DomainTaken) {
        await this.showAccount(dc, state, error.issues);
        return Dialog.EndOfTurn;
      }
      if (error instanceof InvalidInput) {
        const accountIssues = error.issues.filter((issue) => (accountFields as string[]).includes(issue.field));
        if (accountIssues.length) await this.showAccount(dc, state, accountIssues);
        else await this.showSubscriptions(dc, state, error.issues);
        return Dialog.EndOfTurn;
      }
      if (await answerDomainError(dc.context, error)) return dc.endDialog();
      throw error;
    }
  }

  private async showAccount(dc: DialogContext, state: FlowState, issues: FieldIssue[]): Promise<void> {
    state.step = "account";
    const { t, locale } = turnInfo(dc.context);
    await dc.context.sendActivity({ attachments: [accountCard(accountCardData(turnInfo(dc.context).lang, state.flowId, state.account, issues, state.resellerName))] });
  }

  private async showSubscriptions(dc: DialogContext, state: FlowState, issues: FieldIssue[]): Promise<void> {
    state.step = "subscriptions";
    const { t, locale } = turnInfo(dc.context);
    const account = state.account as AccountInfo;
    const offers = await this.catalog.baseOffers(account.segment, state.cycle);
    await dc.context.sendActivity({
      attachments: [subscriptionsCard(subscriptionsCardData(turnInfo(dc.context).lang, { flowId: state.flowId, company: account.companyName, segment: account.segment, cycle: state.cycle, offers, quantities: state.quantities, issues }))],
    });
  }

  /** The offers the subscriptions card shows for this customer type and billing cycle. */
  private async shownOffers(state: FlowState): Promise<Set<string>> {
    return new Set((await this.catalog.baseOffers((state.account as AccountInfo).segment, state.cycle)).map((offer) => offer.id));
  }

  private async chosenLines(state: FlowState) {
    const ids = Object.entries(state.quantities).filter(([, licences]) => licences > 0);
    const offers = await this.catalog.offersByIds(ids.map(([id]) => id));
    return ids.flatMap(([id, licences]) => {
      const offer = offers.get(id);
      return offer ? [{ offer, licences }] : [];
    });
  }
}
