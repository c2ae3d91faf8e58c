import type { Activity } from "botbuilder";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testBot, testConfig } from "./helpers/harness.js";
import type { Config } from "../src/config.js";
import { actionData, cardOf, Conversation, texts } from "./helpers/conversation.js";
import { PROVIDER_TENANT, validAccount, validAttestation } from "./helpers/fixtures.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const RESELLER_TENANT = "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e";
const OTHER_RESELLER_TENANT = "6f8e4b2c-3d5a-4b7c-9eaf-1a2b3c4d5e6f";
type Card = ReturnType<typeof cardOf>;
const json = (card: Card) => JSON.stringify(card);
/** The invitation code, from the email the draft card opens (plain text: the card itself shows it escaped as Markdown). */
const codeOf = (draft: Card) => {
  const mailto = decodeURIComponent(/"url":"(mailto:[^"]+)"/.exec(json(draft))![1]);
  return /accept(?:%20| )([A-Za-z0-9_-]{10,})/.exec(mailto)![1];
};

describe(`the two-tier model in Teams (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let config: Config;
  const notifier = new RecordingNotifier();
  const { logger } = memoryLogger("warn");

  // Each test has its own database, in which Alex is the provider's first user, hence its admin.
  beforeEach(async () => {
    notifier.sent.splice(0);
    database = await createTestDatabase();
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution", MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", MICROSOFT_APP_PASSWORD: "not-used-here", MICROSOFT_APP_TYPE: "MultiTenant" });
  });
  afterEach(() => database.drop());

  const chat = (user: { tenantId: string; aadObjectId: string; name: string; locale?: string }) => new Conversation(testBot(config, database, logger, { notifier }), { ...user, conversationId: `conv-${user.aadObjectId}` });
  const press = (c: Conversation, data: Record<string, unknown>, replyToId = "card") => c.send({ type: "message", value: data, replyToId } as Partial<Activity>);

  it("invite → accept from the reseller's tenant → provider told → customer for the reseller → reseller sees and suspends only its own", async () => {
    const alex = chat({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber" });
    await alex.say("hello");
    const agent = chat({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-megan", name: "Megan Bowen" });
    await agent.say("hello");
    expect(texts(await agent.say("invite reseller"))).toEqual(["You don't have access to that."]);

    // The provider's admin invites: the draft has the personalised Teams link and a mailto.
    const form = cardOf(await alex.say("invite reseller"));
    const flowId = actionData(form, "reseller.invite.submit").flowId;
    expect(json(cardOf(await press(alex, { verb: "reseller.invite.submit", flowId, email: "nope", companyName: "Northwind Traders" })))).toContain("Enter a valid email address");
    const draft = cardOf(await press(alex, { verb: "reseller.invite.submit", flowId, email: "sales@northwind.example", companyName: "Northwind Traders" }));
    const draftText = json(draft);
    expect(draftText).toContain("https://teams.microsoft.com/l/chat/0/0?users=28:0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e&message=accept%20");
    expect(draftText).toContain("mailto:sales%40northwind.example?subject=");
    const code = codeOf(draft);

    // A user of the reseller's tenant (unknown to the bot) opens the link: the partnership card.
    const rita = chat({ tenantId: RESELLER_TENANT, aadObjectId: "aad-rita", name: "Rita Reseller", locale: "fr-FR" });
    expect(cardOf(await rita.say("help")).body[0].text).toBe("Cette organisation n'est pas inscrite");
    const offer = cardOf(await rita.say(`accept ${code}`));
    expect(json(offer)).toContain("Demande de partenariat de Contoso Distribution");
    expect(json(offer)).toContain("Alex Wilber de Contoso Distribution invite Northwind Traders");
    expect(texts(await press(rita, actionData(offer, "partnership.accept"))).join()).toContain("Partenariat accepté");
    const alexUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-alex" } });
    expect(notifier.sent).toEqual([{ userId: alexUser.id, activity: expect.objectContaining({ text: expect.stringContaining("Northwind Traders accepted your partnership request") }) }]);

    // Used twice, or from a second tenant: refused.
    expect(texts(await rita.say(`accept ${code}`))).toEqual(["Cette invitation a déjà été utilisée."]);
    const eve = chat({ tenantId: OTHER_RESELLER_TENANT, aadObjectId: "aad-eve", name: "Eve" });
    expect(texts(await eve.say(`accept ${code}`))).toEqual(["This invitation was already accepted by another organisation."]);

    // The provider's reseller list: Northwind active, with "Add customer".
    const resellers = cardOf(await alex.say("resellers"));
    expect(json(resellers)).toContain("sales@northwind.example · Active");
    const addForReseller = actionData(resellers, "customer.new");
    const account = cardOf(await press(alex, addForReseller));
    expect(json(account)).toContain("For the indirect reseller Northwind Traders.");
    const addFlow = actionData(account, "customer.account.next").flowId;
    await press(alex, { verb: "customer.account.next", flowId: addFlow, ...validAccount({ domainPrefix: "northwindclient", companyName: "Northwind Client" }) });
    await press(alex, { verb: "customer.agreement.next", flowId: addFlow, ...validAttestation() });
    await press(alex, { verb: "customer.term.next", flowId: addFlow, termCycle: "P1Y/monthly" });
    await press(alex, { verb: "customer.subscriptions.next", flowId: addFlow, "qty_CFQ7TTC0LF8Q:0001": "5" });
    expect(json(cardOf(await press(alex, { verb: "customer.review.submit", flowId: addFlow })))).toContain("admin@northwindclient.onmicrosoft.com");
    // And one customer the provider keeps for itself.
    const direct = cardOf(await alex.say("new customer"));
    const directFlow = actionData(direct, "customer.account.next").flowId;
    await press(alex, { verb: "customer.account.next", flowId: directFlow, ...validAccount({ domainPrefix: "directclient", companyName: "Direct Client" }) });
    await press(alex, { verb: "customer.agreement.next", flowId: directFlow, ...validAttestation() });
    await press(alex, { verb: "customer.term.next", flowId: directFlow, termCycle: "P1Y/monthly" });
    await press(alex, { verb: "customer.subscriptions.skip", flowId: directFlow });
    await press(alex, { verb: "customer.review.submit", flowId: directFlow });

    // The reseller's user sees only its customer, and suspends its subscription.
    const list = cardOf(await rita.say("clients"));
    expect(json(list)).toContain("Northwind Client");
    expect(json(list)).not.toContain("Direct Client");
    const details = cardOf(await rita.say("client northwindclient"));
    const sub = await database.db.subscription.findFirstOrThrow({ where: { customer: { domainPrefix: "northwindclient" } } });
    expect(json(details)).toContain("Office 365 E1");
    const subCard = cardOf(await rita.submit({ verb: "subscription.open", subscriptionId: sub.id }));
    expect(() => actionData(subCard, "subscription.resellers")).toThrow();
    expect(texts(await press(rita, { ...actionData(subCard, "subscription.suspend"), reason: "customerRequest" }))[0]).toContain("Abonnement suspendu");
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("suspended");
    const audit = await database.db.auditEntry.findFirstOrThrow({ where: { subscriptionId: sub.id, action: "subscription.suspended" } });
    const ritaUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-rita" } });
    expect(audit.actorUserId).toBe(ritaUser.id);

    // Tampered submits naming the provider's own customer are refused and change nothing.
    const directCustomer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "directclient" } });
    expect(texts(await rita.submit({ verb: "customer.open", customerId: directCustomer.id }))).toEqual(["Vous n'avez pas accès à cet élément."]);
    expect(texts(await rita.submit({ verb: "subscription.new", customerId: directCustomer.id }))).toEqual(["Vous n'avez pas accès à cet élément."]);
    expect(texts(await rita.submit({ verb: "customer.history", customerId: directCustomer.id }))).toEqual(["Vous n'avez pas accès à cet élément."]);
    expect(texts(await rita.say("invite reseller"))).toEqual(["Vous n'avez pas accès à cet élément."]);
    expect(texts(await rita.say("revendeurs"))).toEqual(["Vous n'avez pas accès à cet élément."]);
    expect(await database.db.order.count({ where: { customerId: directCustomer.id } })).toBe(0);
  });

  it("a declined invitation tells the provider; a revoked one is refused", async () => {
    const alex = chat({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber" });
    await alex.say("hello");
    const invite = async (company: string) => {
      const flowId = actionData(cardOf(await alex.say("invite reseller")), "reseller.invite.submit").flowId;
      return codeOf(cardOf(await press(alex, { verb: "reseller.invite.submit", flowId, email: `it@${company.toLowerCase()}.example`, companyName: company })));
    };
    const declineCode = await invite("Tailspin");
    const tom = chat({ tenantId: "7a9f5c3d-4e6b-4c8d-afb0-2b3c4d5e6f70", aadObjectId: "aad-tom", name: "Tom" });
    const offer = cardOf(await tom.say(`accept ${declineCode}`));
    expect(texts(await press(tom, actionData(offer, "partnership.decline")))[0]).toContain("Partnership declined");
    expect(notifier.sent.at(-1)?.activity.text).toContain("Tailspin declined your partnership request");

    const revokeCode = await invite("Litware");
    const list = cardOf(await alex.say("resellers"));
    const litware = (list.body as unknown[]).find((element) => JSON.stringify(element).includes("Litware"));
    const revoke = actionData(litware, "reseller.revoke");
    expect(texts(await press(alex, revoke))[0]).toBe("Invitation withdrawn.");
    const lena = chat({ tenantId: "8b0a6d4e-5f7c-4d9e-b0c1-3c4d5e6f7081", aadObjectId: "aad-lena", name: "Lena" });
    expect(texts(await lena.say(`accept ${revokeCode}`))).toEqual(["This invitation was withdrawn by the provider."]);
  });
});
