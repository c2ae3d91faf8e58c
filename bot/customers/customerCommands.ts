/** The customer commands: add (a guided flow), list and search, open, and closing the confirmation card. */
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import type { CatalogService } from "../../src/catalog/catalogService.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import type { PartnershipService } from "../../src/resellers/partnershipService.js";
import type { OrderService } from "../../src/subscriptions/orderService.js";
import { withSchema, type Command, type CommandInput } from "../commands.js";
import { replaceCard } from "../domainErrors.js";
import { presentCard, refreshing, turnInfo } from "../turn.js";
import { AddCustomerDialog } from "./addCustomerDialog.js";
import { CREATED_VIEW_VERB, refreshCreated, revealTo } from "./passwordView.js";
import { InvalidInput } from "../../src/errors.js";
import { customerDetailsCard, customerDetailsCardData, customerListCard, customerListCardData, relationshipRequestCard, relationshipRequestData, submittedCard } from "./customerCards.js";
import { customerVerbs } from "./verbs.js";

/** "all", "none" (the provider's own customers) or a reseller's organisation id. */
const resellerFilter = z.union([z.literal("all"), z.literal("none"), z.string().uuid()]);
const listInput = z.object({ query: z.string().max(100).optional(), page: z.coerce.number().int().min(1).max(100_000).optional(), resellerOrgId: resellerFilter.optional().catch(undefined) });
const customerRef = z.object({ customerId: z.string().uuid() });

export function customerCommands(customers: CustomerService, catalog: CatalogService, orders: OrderService, partnerships: PartnershipService): Command[] {
  /** A customer's card, with the provider's resellers it may be delegated to. */
  const showDetails = async (context: TurnContext, customerId: string) => {
    const { caller, lang } = turnInfo(context);
    const customer = await customers.get(caller, customerId);
    const resellers = await partnerships.activeResellers(caller);
    // Whoever opens the conversation later sees the customer as it is then (Teams' refresh).
    await presentCard(context, await refreshing(context, customerDetailsCard(customerDetailsCardData(lang, customer, resellers)), { verb: customerVerbs.open, data: { customerId } }));
  };

  const list = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { caller, lang } = turnInfo(context);
    const args = input.submit ? listInput.parse(input.submit) : { query: input.text, page: 1, resellerOrgId: undefined };
    const query = (args.query ?? "").trim().slice(0, 100);
    const resellerOrgId = args.resellerOrgId === "all" ? undefined : args.resellerOrgId;
    const page = await customers.list(caller, { text: query, page: args.page, resellerOrgId });
    if (!input.submit && query && page.total === 1) {
      // "customer contoso" naming exactly one customer opens it directly.
      await showDetails(context, page.items[0].id);
      return;
    }
    const resellers = await partnerships.activeResellers(caller);
    await context.sendActivity({ attachments: [customerListCard(customerListCardData(lang, page, query, caller.organisation.kind === "provider" ? { resellers, resellerOrgId: resellerOrgId ?? "all" } : undefined))] });
  };

  /** Delegates the customer to a reseller, or takes it back ("none"). */
  const setReseller = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { caller, t } = turnInfo(context);
    const { customerId, resellerOrgId } = customerRef.extend({ resellerOrgId: z.union([z.literal("none"), z.string().uuid()]) }).parse(input.submit);
    try {
      await customers.setReseller(caller, { customerId, resellerOrgId: resellerOrgId === "none" ? null : resellerOrgId });
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      await context.sendActivity(t(error.issues.some((issue) => issue.code === "unchanged") ? "sub.nothingChanged" : "issue.invalidChoice"));
      return;
    }
    const customer = await customers.get(caller, customerId);
    await context.sendActivity(customer.reseller ? t("customer.reseller.set", { company: customer.companyName, reseller: customer.reseller.name }) : t("customer.reseller.cleared", { company: customer.companyName }));
    await showDetails(context, customerId);
  };

  /** "Request a relationship": the invitation link for a customer of the provider, or of one of its resellers. */
  const requestRelationship = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { caller, lang } = turnInfo(context);
    const resellers = await partnerships.activeResellers(caller);
    const chosen = z.object({ resellerOrgId: z.string().uuid() }).safeParse(input.submit);
    const reseller = chosen.success ? resellers.find((candidate) => candidate.id === chosen.data.resellerOrgId) : undefined;
    await context.sendActivity({ attachments: [relationshipRequestCard(relationshipRequestData(lang, { provider: caller.organisation.name, providerTenantId: caller.tenantId, resellers, reseller }))] });
  };

  /** Done on the confirmation: the creator has the password; it is erased and the card keeps only the account. */
  const closeConfirmation = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { caller, t } = turnInfo(context);
    const { customerId } = customerRef.parse(input.submit);
    const customer = await customers.get(caller, customerId);
    await customers.forgetPassword(caller, customerId);
    await replaceCard(context, submittedCard({ title: t("customer.created.title", { company: customer.companyName }), lines: [customer.adminAccount, t("customer.created.closed")] }));
  };

  /** "Show the temporary password": for the creator only, while it is kept, and never to a shared conversation. */
  const showPassword = async (context: TurnContext, input: CommandInput): Promise<void> => {
    const { customerId } = customerRef.parse(input.submit);
    if (!(await revealTo(context, customers, customerId))) await context.sendActivity(turnInfo(context).t("customer.password.gone"));
  };

  /** Teams refreshing a "customer created" card for one person of a shared conversation. */
  const createdView = async (context: TurnContext, input: CommandInput): Promise<void> => {
    await refreshCreated(context, customers, customerRef.parse(input.submit).customerId);
  };

  return [
    {
      id: customerVerbs.new,
      verb: customerVerbs.new,
      menuLabel: "menu.newCustomer",
      helpLine: "help.command.newCustomer",
      allowed: (caller) => caller.organisation.kind === "provider",
      opensDialog: true,
      dialog: new AddCustomerDialog(customers, catalog, orders, partnerships),
    },
    {
      id: customerVerbs.list,
      verb: customerVerbs.list,
      menuLabel: "menu.customers",
      helpLine: "help.command.customers",
      handler: list,
      readOnly: true,
    },
    withSchema({ id: customerVerbs.open, verb: customerVerbs.open, schema: customerRef, handler: async (context, { data }) => showDetails(context, data.customerId) }),
    { id: customerVerbs.createdDone, verb: customerVerbs.createdDone, phrases: [], handler: closeConfirmation },
    { id: customerVerbs.resellerSet, verb: customerVerbs.resellerSet, phrases: [], allowed: (caller) => caller.organisation.kind === "provider", handler: setReseller },
    {
      id: customerVerbs.relationshipRequest,
      verb: customerVerbs.relationshipRequest,
      helpLine: "help.command.relationship",
      allowed: (caller) => caller.organisation.kind === "provider",
      handler: async (context, input) => {
        if (turnInfo(context).caller.organisation.kind !== "provider") return void (await context.sendActivity(turnInfo(context).t("error.notAllowed")));
        await requestRelationship(context, input);
      },
    },
    { id: customerVerbs.passwordShow, verb: customerVerbs.passwordShow, phrases: [], handler: showPassword },
    { id: CREATED_VIEW_VERB, verb: CREATED_VIEW_VERB, phrases: [], handler: createdView },
  ];
}
