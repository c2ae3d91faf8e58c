/**
 * Who is who, and nothing lost (issue 11, items 7, 8, 9 and 14), over real HTTP: the roster
 * decides a sender's organisation, text from one party reaches another as text, a temporary
 * password survives a confirmation that could not be delivered, and strangers leave no trace.
 */
import MarkdownIt from "markdown-it";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validAccount, validAttestation } from "./helpers/fixtures.js";
import { cardJson, HttpBot, textsOf, verbData, type HttpConversation, type Reply } from "./helpers/httpBot.js";
import { providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const markdown = new MarkdownIt();
let sequence = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${++sequence}`;

describe(`who is who, and nothing lost (${providerUnderTest})`, () => {
  let bot: HttpBot;

  beforeAll(async () => {
    bot = await HttpBot.start({ PROVIDER_TENANT_ID: PROVIDER, PROVIDER_NAME: "Contoso Distribution" });
  });
  afterAll(() => bot?.stop());

  /** A provider admin (the first provider user of this file's database is its admin). */
  const providerAdmin = async () => {
    const admin = bot.user({ tenantId: PROVIDER, aadObjectId: "aad-admin", name: "Alex Wilber" });
    await admin.say("hello");
    return admin;
  };

  /** Walks the add-customer flow up to the review card; returns the submit data. */
  const toReview = async (user: HttpConversation, domainPrefix: string, companyName = "Fabrikam Ltd") => {
    const account = cardJson((await user.say("new customer")).replies);
    const { flowId } = verbData(account, "customer.account.next");
    await user.press({ verb: "customer.account.next", flowId, ...validAccount({ domainPrefix, companyName }) });
    await user.press({ verb: "customer.agreement.next", flowId, ...validAttestation() });
    await user.press({ verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" });
    await user.press({ verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "2" });
    return { verb: "customer.review.submit", flowId };
  };

  /** An active reseller: invited by the provider admin, accepted by `user` of its tenant. */
  const activeReseller = async (admin: HttpConversation, user: HttpConversation, company: string) => {
    const form = cardJson((await admin.say("invite reseller")).replies);
    const draft = cardJson((await admin.press({ ...verbData(form, "reseller.invite.submit"), email: `${unique("r")}@reseller.example`, companyName: company })).replies);
    const mailto = decodeURIComponent(/"url":"(mailto:[^"]+)"/.exec(draft)![1]);
    const code = /accept ([A-Za-z0-9_-]{10,})/.exec(mailto)![1];
    const offer = cardJson((await user.say(`accept ${code}`)).replies);
    return user.press(verbData(offer, "partnership.accept"));
  };

  it("item 9: when the connector refuses the confirmation card, pressing Submit again shows the password; Done erases it for good", async () => {
    const admin = await providerAdmin();
    const prefix = unique("lost");
    const submit = await toReview(admin, prefix);
    let refused = 0;
    bot.connector.respond = (request) => (JSON.stringify(request.body).includes("Temporary password") && refused++ === 0 ? { status: 403, body: { error: { code: "BotDisabledByAdmin" } } } : { status: 200 });
    try {
      const first = await admin.press(submit);
      expect(first.status).toBeLessThan(500);
      expect(refused).toBe(1);
      expect(await bot.db.customer.count({ where: { domainPrefix: prefix } })).toBe(1);

      // "Try again": the same Submit finds the customer created and shows its password, once more.
      const again = await admin.press(submit);
      const card = cardJson(again.replies);
      expect(card).toContain(`admin@${prefix}.onmicrosoft.com`);
      const password = /"title":"Temporary password","value":"([^"]+)"/.exec(card)?.[1];
      expect(password).toBeTruthy();
      expect(await bot.db.customer.count({ where: { domainPrefix: prefix } })).toBe(1);
    } finally {
      bot.connector.respond = () => ({ status: 200 });
    }
    const customer = await bot.db.customer.findFirstOrThrow({ where: { domainPrefix: prefix } });
    const details = cardJson((await admin.press({ verb: "customer.open", customerId: customer.id })).replies);
    expect(details).toContain("Show the temporary password");
    expect(cardJson((await admin.press({ verb: "customer.password.show", customerId: customer.id })).replies)).toContain("Temporary password");

    await admin.press({ verb: "customer.created.done", customerId: customer.id });
    expect(await bot.db.customerCredential.count({ where: { customerId: customer.id } })).toBe(0);
    expect(textsOf((await admin.press({ verb: "customer.password.show", customerId: customer.id })).replies).join()).toContain("no longer kept");
    expect(cardJson((await admin.press({ verb: "customer.open", customerId: customer.id })).replies)).not.toContain("Show the temporary password");
  });

  it("item 9: the password is shown again to the person who created the customer only", async () => {
    const admin = await providerAdmin();
    const colleague = bot.user({ tenantId: PROVIDER, aadObjectId: unique("aad-colleague"), name: "Megan Bowen" });
    await colleague.say("hello");
    const prefix = unique("mine");
    await admin.press(await toReview(admin, prefix));
    const customer = await bot.db.customer.findFirstOrThrow({ where: { domainPrefix: prefix } });
    expect(cardJson((await colleague.press({ verb: "customer.open", customerId: customer.id })).replies)).not.toContain("Show the temporary password");
    const attempt = await colleague.press({ verb: "customer.password.show", customerId: customer.id });
    expect(JSON.stringify(attempt.replies)).not.toContain("Temporary password");
    expect(textsOf(attempt.replies).join()).toContain("no longer kept");
  });

  it("item 7: a reseller's user who is a guest in the provider's group chat acts as the reseller, not as a provider agent", async () => {
    const admin = await providerAdmin();
    const resellerTenant = crypto.randomUUID();
    const rita = bot.user({ tenantId: resellerTenant, aadObjectId: unique("aad-rita"), name: "Rita Reseller" });
    await activeReseller(admin, rita, "Northwind Traders");
    // The same person, as a guest in a group chat of the provider's tenant; the roster gives her own tenant.
    const guest = bot.user({ tenantId: resellerTenant, aadObjectId: unique("aad-guest"), name: "Gus Guest", conversationTenantId: PROVIDER, conversationType: "groupChat", conversationId: unique("19:group"), userRole: "guest" });
    const answer = await guest.say("new customer");
    expect(textsOf(answer.replies)).toEqual(["You don't have access to that."]);
    const user = await bot.db.user.findFirstOrThrow({ where: { aadObjectId: guest.user.aadObjectId }, include: { org: true } });
    expect(user.org.kind).toBe("reseller");
    expect(user.tenantId).toBe(resellerTenant);
    expect(await bot.db.user.count({ where: { aadObjectId: guest.user.aadObjectId, org: { kind: "provider" } } })).toBe(0);
  });

  it("item 7: a guest whose own tenant the roster does not give is not enrolled in the provider, and nothing is recorded", async () => {
    await providerAdmin();
    const guest = bot.user({ tenantId: PROVIDER, aadObjectId: unique("aad-anon-guest"), name: "Unknown Guest", conversationType: "groupChat", conversationId: unique("19:group"), userRole: "guest" });
    const answer = await guest.say("new customer");
    expect(cardJson(answer.replies)).toContain("This organisation is not enrolled");
    expect(await bot.db.user.count({ where: { aadObjectId: guest.user.aadObjectId } })).toBe(0);
  });

  it("item 8: a reseller user's name written as a Markdown link reaches the provider admin as plain text", async () => {
    const admin = await providerAdmin();
    const before = bot.connector.received.length;
    const name = "[Action required: re-verify](https://evil.example/verify) \u202Eexe.tnemyap";
    const mallory = bot.user({ tenantId: crypto.randomUUID(), aadObjectId: unique("aad-mallory"), name });
    await activeReseller(admin, mallory, "**Evil** <at>Alex</at> Co");
    const notice = bot.connector.received.slice(before).find((request) => request.path.includes(encodeURIComponent(admin.conversationId)) && String(request.body.text ?? "").includes("accepted your partnership request"));
    expect(notice).toBeDefined();
    const html = markdown.render(String(notice!.body.text));
    expect(html).not.toContain("<a");
    expect(html).not.toContain("<strong>");
    expect(html).toContain("[Action required: re-verify](https://evil.example/verify)");
    expect(String(notice!.body.text)).not.toContain("\u202E");
    // The reseller list shows the company name as written, not as markup.
    const list = (await admin.say("resellers")).replies;
    const rendered = markdown.render(JSON.parse(cardJson(list)).body.map((block: { items?: { text?: string }[] }) => JSON.stringify(block)).join(""));
    expect(rendered).not.toContain("<strong>Evil</strong>");
  });

  it("item 8: company names with Markdown, mentions or bidi overrides reach cards escaped", async () => {
    const admin = await providerAdmin();
    const prefix = unique("mark");
    await admin.press(await toReview(admin, prefix, "[Pay here](https://evil.example) <at>Alex</at>"));
    const list = cardJson((await admin.say(`customers ${prefix}`)).replies);
    const title = (JSON.parse(list) as { body: { text?: string }[] }).body[0].text!;
    expect(markdown.render(title)).not.toContain("<a");
    expect(markdown.render(title)).toContain("[Pay here](https://evil.example) &lt;at&gt;Alex&lt;/at&gt;");
  });

  it("item 14: 200 messages from a tenant that is not enrolled store nothing", async () => {
    await providerAdmin();
    const counts = async () => Promise.all([bot.db.processedActivity.count(), bot.db.botState.count(), bot.db.conversationRef.count(), bot.db.user.count(), bot.db.organisation.count()]);
    const before = await counts();
    const stranger = bot.user({ tenantId: crypto.randomUUID(), aadObjectId: unique("aad-stranger"), name: "Stranger" });
    for (let i = 0; i < 200; i++) {
      const answer = await (i % 2 ? stranger.say(`help ${i}`) : stranger.press({ verb: "customer.new" }));
      expect(answer.status).toBe(200);
    }
    expect(await counts()).toEqual(before);
  });

  it("item 14: card data is bounded to what the card has: thousands of qty_ fields are refused, hundreds are not stored", async () => {
    const admin = await providerAdmin();
    const account = cardJson((await admin.say("new customer")).replies);
    const { flowId } = verbData(account, "customer.account.next");
    await admin.press({ verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: unique("bound") }) });
    const huge = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`qty_bogus-offer-${i}`, "1"]));
    expect((await admin.press({ verb: "customer.subscriptions.next", flowId, ...huge })).status).toBe(400);
    const many = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`qty_bogus-${i}`, "1"]));
    await admin.press({ verb: "customer.subscriptions.back", flowId, ...many });
    const states = await bot.db.botState.findMany({ where: { key: { contains: admin.conversationId } } });
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(state.data.length).toBeLessThan(8_000);
  });
});

export type { Reply };
