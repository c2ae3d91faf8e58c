/**
 * Dialogs (task modules) and the message extension through the HTTP edge (issue 15): the long
 * account form opens in a dialog from the menu (task/fetch) or from the compose box (an action
 * command); a form with problems stays open showing them; a good one closes the dialog and the
 * flow carries on in the chat. The compose box's search inserts a customer's card.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OFFERS, validAccount, validAttestation } from "./helpers/fixtures.js";
import { cardJson, HttpBot, verbData } from "./helpers/httpBot.js";
import { providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
let sequence = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++sequence}`;
type TaskBody = { task?: { type: string; value: { title?: string; card?: { content: unknown } } | string } };

describe(`dialogs and the message extension (${providerUnderTest})`, () => {
  let bot: HttpBot;

  beforeAll(async () => {
    bot = await HttpBot.start({ PROVIDER_TENANT_ID: PROVIDER, PROVIDER_NAME: "Contoso Distribution" });
  });
  afterAll(() => bot?.stop());

  const admin = () => bot.user({ tenantId: PROVIDER, aadObjectId: "aad-admin", name: "Alex Wilber" });

  it("the menu's New customer opens the account form in a dialog; problems keep it open; the flow goes on in the dialog and closes with the customer created", async () => {
    const alex = admin();
    const menu = cardJson((await alex.say("menu")).replies);
    expect(menu).toContain('{"verb":"customer.new","msteams":{"type":"task/fetch"}}');

    const fetched = await alex.send({ type: "invoke", name: "task/fetch", value: { data: { verb: "customer.new", msteams: { type: "task/fetch" } }, context: { theme: "default" } } });
    const opened = fetched.body as TaskBody;
    expect(opened.task?.type).toBe("continue");
    const form = opened.task!.value as { title: string; card: { content: unknown } };
    expect(form.title).toBe("Add customer");
    const formJson = JSON.stringify(form.card.content);
    // A dialog's buttons are plain submits (task/submit), not Universal Actions.
    expect(formJson).not.toContain("Action.Execute");
    const { flowId } = verbData(formJson, "customer.account.next");
    expect(fetched.replies).toHaveLength(0);

    const bad = await alex.send({ type: "invoke", name: "task/submit", value: { data: { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "x", companyName: "" }) } } });
    const again = bad.body as TaskBody;
    expect(again.task?.type).toBe("continue");
    expect(JSON.stringify(again.task!.value)).toMatch(/Attention/);
    expect(bad.replies).toHaveLength(0);

    // A good form: the flow's next step opens in the same dialog, to the end.
    const prefix = unique("dlg");
    const submitTask = async (data: Record<string, unknown>) => {
      const answer = await alex.send({ type: "invoke", name: "task/submit", value: { data: { flowId, ...data } } });
      expect(answer.replies.filter((reply) => reply.attachments?.length)).toHaveLength(0);
      return answer.body as TaskBody;
    };
    const agreement = await submitTask({ verb: "customer.account.next", ...validAccount({ domainPrefix: prefix, companyName: "Dialog Co" }) });
    expect(agreement.task?.type).toBe("continue");
    expect(JSON.stringify(agreement.task!.value)).toContain("Microsoft Customer Agreement");
    expect((await submitTask({ verb: "customer.agreement.next", ...validAttestation() })).task?.type).toBe("continue");
    expect((await submitTask({ verb: "customer.term.next", termCycle: "P1Y/monthly" })).task?.type).toBe("continue");
    const review = await submitTask({ verb: "customer.subscriptions.next", [`qty_${OFFERS.e1}`]: "3" });
    expect(JSON.stringify(review.task!.value)).toContain("Office 365 E1: 3 licences");
    // Create: the dialog closes; the confirmation (with the password, in this personal chat) is in the chat.
    const created = await alex.send({ type: "invoke", name: "task/submit", value: { data: { verb: "customer.review.submit", flowId } } });
    expect((created.body as TaskBody).task?.type ?? "closed").not.toBe("continue");
    expect(cardJson(created.replies)).toContain(`admin@${prefix}.onmicrosoft.com`);
    expect(await bot.db.customer.findFirst({ where: { domainPrefix: prefix } })).toMatchObject({ companyName: "Dialog Co" });
  });

  it("New subscription on a customer's card opens the order in a dialog: term, catalog and review in it, then closed with the order placed", async () => {
    const alex = admin();
    const prefix = unique("ord");
    const account = cardJson((await alex.say("new customer")).replies);
    const { flowId: customerFlow } = verbData(account, "customer.account.next");
    await alex.execute("customer.account.next", { verb: "customer.account.next", flowId: customerFlow, ...validAccount({ domainPrefix: prefix, companyName: "Order Co" }) });
    await alex.execute("customer.agreement.next", { verb: "customer.agreement.next", flowId: customerFlow, ...validAttestation() });
    await alex.execute("customer.term.next", { verb: "customer.term.next", flowId: customerFlow, termCycle: "P1Y/monthly" });
    await alex.execute("customer.subscriptions.next", { verb: "customer.subscriptions.next", flowId: customerFlow, [`qty_${OFFERS.e1}`]: "1" });
    await alex.execute("customer.review.submit", { verb: "customer.review.submit", flowId: customerFlow });
    const customer = await bot.db.customer.findFirstOrThrow({ where: { domainPrefix: prefix } });

    const details = cardJson((await alex.execute("customer.open", { verb: "customer.open", customerId: customer.id })).replies);
    expect(details).toContain('"verb":"subscription.new","customerId":"' + customer.id + '","msteams":{"type":"task/fetch"}');
    const opened = (await alex.send({ type: "invoke", name: "task/fetch", value: { data: { verb: "subscription.new", customerId: customer.id, msteams: { type: "task/fetch" } } } })).body as TaskBody;
    expect(opened.task?.type).toBe("continue");
    expect((opened.task!.value as { title: string }).title).toBe("New subscription");
    const { flowId } = verbData(JSON.stringify(opened.task!.value), "order.term.next");
    const step = async (data: Record<string, unknown>) => (await alex.send({ type: "invoke", name: "task/submit", value: { data: { flowId, ...data } } })).body as TaskBody;
    const catalog = await step({ verb: "order.term.next", termCycle: "P1Y/monthly" });
    expect(JSON.stringify(catalog.task!.value)).toContain("order.catalog.next");
    const review = await step({ verb: "order.catalog.next", [`qty_${OFFERS.e3}`]: "4" });
    expect(JSON.stringify(review.task!.value)).toContain("order.review.submit");
    const placed = await step({ verb: "order.review.submit" });
    expect(placed.task).toEqual({ type: "message", value: expect.stringContaining("Order placed") });
    expect(await bot.db.subscription.count({ where: { customerId: customer.id, offerName: "Office 365 E3", licences: 4 } })).toBe(1);
  });

  it("from the compose box: the New customer action opens the same form; the search inserts the card of a customer the person may see", async () => {
    const alex = admin();
    await alex.say("hello");
    const fetched = await alex.send({ type: "invoke", name: "composeExtension/fetchTask", value: { commandId: "newCustomer", commandContext: "compose", context: { theme: "default" } } });
    expect((fetched.body as TaskBody).task?.type).toBe("continue");
    expect(JSON.stringify((fetched.body as TaskBody).task!.value)).toContain("customer.account.next");
    const unknown = await alex.send({ type: "invoke", name: "composeExtension/fetchTask", value: { commandId: "somethingElse" } });
    expect(unknown.status).toBe(200);

    const prefix = unique("srch");
    const account = cardJson((await alex.say("new customer")).replies);
    const { flowId } = verbData(account, "customer.account.next");
    await alex.execute("customer.account.next", { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: prefix, companyName: `Searchable ${prefix}` }) });
    await alex.execute("customer.agreement.next", { verb: "customer.agreement.next", flowId, ...validAttestation() });
    await alex.execute("customer.term.next", { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" });
    await alex.execute("customer.subscriptions.next", { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.e1}`]: "2" });
    await alex.execute("customer.review.submit", { verb: "customer.review.submit", flowId });

    const search = await alex.send({ type: "invoke", name: "composeExtension/query", value: { commandId: "searchCustomers", parameters: [{ name: "query", value: prefix }], queryOptions: { skip: 0, count: 25 } } });
    const result = (search.body as { composeExtension: { type: string; attachments: { contentType: string; content: unknown; preview: { content: { title: string } } }[] } }).composeExtension;
    expect(result.type).toBe("result");
    // The customer, then its subscriptions (found by the customer's name too).
    expect(result.attachments.map((attachment) => attachment.preview.content.title)).toEqual([`Searchable ${prefix}`, "Office 365 E1"]);
    expect(result.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(JSON.stringify(result.attachments[0].content)).toContain(`${prefix}.onmicrosoft.com`);

    // A stranger to this provider finds nothing (not enrolled: the invoke is answered, empty).
    const stranger = bot.user({ tenantId: "11111111-2222-4333-8444-555555555555", aadObjectId: "aad-stranger", name: "Eve" });
    const theirs = await stranger.send({ type: "invoke", name: "composeExtension/query", value: { commandId: "searchCustomers", parameters: [{ name: "query", value: prefix }] } });
    expect(JSON.stringify(theirs.body ?? {})).not.toContain(prefix);
  });
});
