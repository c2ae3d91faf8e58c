/** The customer commands: add (a guided flow), list and search, open, and closing the confirmation card. */
import type { TurnContext } from "botbuilder";
import { z } from "zod";
import type { CatalogService } from "../../src/catalog/catalogService.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import type { PartnershipService } from "../../src/resellers/partnershipService.js";
import type { Command, CommandInput } from "../commands.js";
import { answerDomainError, replaceCard } from "../domainErrors.js";
import { turnInfo } from "../turn.js";
import { AddCustomerDialog } from "./addCustomerDialog.js";
import { NotFound } from "../../src/errors.js";
import { createdCard, createdCardData, customerDetailsCard, customerDetailsCardData, customerListCard, customerListCardData, submittedCard } from "./customerCards.js";

const listInput = z.object({ query: z.string().max(100).optional(), page: z.coerce.number().int().min(1).max(100_000).optional(), resellerOrgId: z.string().uuid().optional() });
const customerRef = z.object({ customerId: z.string().uuid() });

export function customerCommands(customers: CustomerService, catalog: CatalogService, partnerships: PartnershipService): Command[] {
  /** Runs a handler, answering NotAllowed/NotFound and malformed card data politely. */
  const guarded =
    (handler: (context: TurnContext, input: CommandInput) => Promise<void>) =>
    async (context: TurnContext, input: CommandInput): Promise<void> => {
      try {
        await handler(context, input);
      } catch (error) {
        if (error instanceof z.ZodError) {
          await context.sendActivity(turnInfo(context).t("unknown.action"));
          return;
        }
        if (!(await answerDomainError(context, error))) throw error;
      }
    };

  const list = guarded(async (context, input) => {
    const { caller, t, locale } = turnInfo(context);
    const args = input.submit ? listInput.parse(input.submit) : { query: input.text, page: 1 };
    const query = (args.query ?? "").trim().slice(0, 100);
    const resellerOrgId = "resellerOrgId" in args ? args.resellerOrgId : undefined;
    const page = await customers.list(caller, { text: query, page: args.page, resellerOrgId });
    if (!input.submit && query && page.total === 1) {
      // "customer contoso" naming exactly one customer opens it directly.
      const customer = await customers.get(caller, page.items[0].id);
      await context.sendActivity({ attachments: [customerDetailsCard(customerDetailsCardData({ t, locale }, customer))] });
      return;
    }
    await context.sendActivity({ attachments: [customerListCard(customerListCardData({ t, locale }, page, query))] });
  });

  const open = guarded(async (context, input) => {
    const { caller, t, locale } = turnInfo(context);
    const { customerId } = customerRef.parse(input.submit);
    const customer = await customers.get(caller, customerId);
    await context.sendActivity({ attachments: [customerDetailsCard(customerDetailsCardData({ t, locale }, customer))] });
  });

  /** Done on the confirmation: the creator has the password; it is erased and the card keeps only the account. */
  const closeConfirmation = guarded(async (context, input) => {
    const { caller, t } = turnInfo(context);
    const { customerId } = customerRef.parse(input.submit);
    const customer = await customers.get(caller, customerId);
    await customers.forgetPassword(caller, customerId);
    await replaceCard(context, submittedCard({ title: t("customer.created.title", { company: customer.companyName }), lines: [customer.adminAccount, t("customer.created.closed")] }));
  });

  /** "Show the temporary password": for the creator only, while it is kept. */
  const showPassword = guarded(async (context, input) => {
    const { caller, t, locale } = turnInfo(context);
    const { customerId } = customerRef.parse(input.submit);
    try {
      const shown = await customers.revealPassword(caller, customerId);
      await context.sendActivity({ attachments: [createdCard(createdCardData({ t, locale }, { company: shown.companyName, adminAccount: shown.adminAccount, password: shown.temporaryPassword, customerId }))] });
    } catch (error) {
      if (!(error instanceof NotFound) || error.what !== "customer.password") throw error;
      await context.sendActivity(t("customer.password.gone"));
    }
  });

  return [
    {
      id: "customer.new",
      verb: "customer.new",
      phrases: ["new customer", "add customer", "add a customer", "add a new customer", "create customer", "nouveau client", "ajouter un client", "ajouter un nouveau client", "creer un client"],
      menuLabel: "menu.newCustomer",
      helpLine: "help.command.newCustomer",
      dialog: new AddCustomerDialog(customers, catalog, partnerships),
    },
    {
      id: "customer.list",
      verb: "customer.list",
      phrases: ["customers", "clients", "list customers", "my customers", "liste des clients", "mes clients", "customer", "client"],
      prefixes: ["customers ", "clients ", "customer ", "client ", "find customer ", "chercher client "],
      menuLabel: "menu.customers",
      helpLine: "help.command.customers",
      handler: list,
    },
    { id: "customer.open", verb: "customer.open", phrases: [], handler: open },
    { id: "customer.created.done", verb: "customer.created.done", phrases: [], handler: closeConfirmation },
    { id: "customer.password.show", verb: "customer.password.show", phrases: [], handler: showPassword },
  ];
}
