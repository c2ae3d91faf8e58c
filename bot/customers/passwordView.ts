/**
 * A new customer's temporary password is a secret of the person who created the customer. In
 * their personal chat with the bot it is shown on the card; in a group chat or a channel the
 * conversation gets a card without it ("created by X"), which Teams refreshes for the creator
 * alone into the view that has it (a user-specific view: the invoke's answer goes to that one
 * client and is never posted to the conversation).
 */
import type { TurnContext } from "botbuilder";
import { NotFound } from "../../src/errors.js";
import type { CustomerService } from "../../src/customers/customerService.js";
import { withRefresh } from "../cards/universal.js";
import { answerPrivately, isSharedConversation, suggested, turnInfo, typed } from "../turn.js";
import { createdCard, createdCardData, createdSharedCard, createdSharedCardData } from "./customerCards.js";
import { customerVerbs } from "./verbs.js";
import { subscriptionVerbs } from "../subscriptions/verbs.js";

export const CREATED_VIEW_VERB = customerVerbs.createdView;

interface Created {
  company: string;
  adminAccount: string;
  password: string;
  customerId: string;
  /** Its onmicrosoft.com prefix, which a typed command names it by. */
  domainPrefix: string;
}

/** Right after creation: the password to its creator, in the way the conversation allows. */
export async function sendCreated(context: TurnContext, created: Created): Promise<void> {
  const { lang, caller, t } = turnInfo(context);
  if (!isSharedConversation(context)) {
    // The obvious next steps: order for this customer, or back to the customers.
    const next = suggested(context, [
      { title: t("order.formTitle"), text: `${typed(context, subscriptionVerbs.new, "prefixes")}${created.domainPrefix}` },
      { title: t("menu.customers"), text: typed(context, customerVerbs.list) },
    ]);
    await context.sendActivity({ attachments: [createdCard(createdCardData(lang, created))], ...next });
    return;
  }
  const shared = createdSharedCard(createdSharedCardData(lang, { ...created, createdBy: caller.displayName || caller.userId }));
  await context.sendActivity({ attachments: [withRefresh(shared, { verb: CREATED_VIEW_VERB, data: { customerId: created.customerId } }, [context.activity.from.id])] });
}

/**
 * The password again, for its creator while it is kept: in a shared conversation only as a
 * private answer (a Universal Action), otherwise a sentence that says where to see it.
 * Returns false when no password is kept.
 */
export async function revealTo(context: TurnContext, customers: CustomerService, customerId: string): Promise<boolean> {
  const { caller, lang, t } = turnInfo(context);
  let shown: Awaited<ReturnType<CustomerService["revealPassword"]>>;
  try {
    shown = await customers.revealPassword(caller, customerId);
  } catch (error) {
    if (!(error instanceof NotFound) || error.what !== "customer.password") throw error;
    return false;
  }
  const secret = createdCard(createdCardData(lang, { company: shown.companyName, adminAccount: shown.adminAccount, password: shown.temporaryPassword, customerId }));
  if (!isSharedConversation(context)) await context.sendActivity({ attachments: [secret] });
  else if (!answerPrivately(context, secret)) await context.sendActivity(t("customer.password.privateOnly", { company: shown.companyName }));
  return true;
}

/** Teams refreshing the shared "created" card for one person: the creator gets the password view while it is kept, anyone else the shared view. */
export async function refreshCreated(context: TurnContext, customers: CustomerService, customerId: string): Promise<void> {
  const { caller, lang, t } = turnInfo(context);
  const customer = await customers.get(caller, customerId);
  if (isSharedConversation(context) && (await revealTo(context, customers, customerId))) return;
  const shared = createdSharedCard(createdSharedCardData(lang, { company: customer.companyName, adminAccount: customer.adminAccount, createdBy: caller.displayName, customerId }));
  if (!answerPrivately(context, shared)) await context.sendActivity(t("customer.password.gone"));
}
