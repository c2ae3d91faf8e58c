/**
 * The bot on the real Partner Center's API (PARTNER_CENTER=api) against the fake Partner Center
 * and the fake Entra: start-up settings, webhooks (signature, certificate host, re-reading the
 * resource), connecting a Partner Center user from chat, the admins told of sign-in problems,
 * partnerships confirmed by Partner Center's relationships, and the scheduled refresh of the mirror.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { confirmResellers, domainFor, startApp, type App } from "../bot/app.js";
import { SignInAlerts } from "../bot/partnerCenter/partnerCenterAlerts.js";
import { partnerCenterSentence } from "../bot/domainErrors.js";
import { translator } from "../src/i18n/index.js";
import { parseConfig, type Config } from "../src/config.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import type { Caller } from "../src/identity/identityService.js";
import { PartnerCenterError } from "../src/partnerCenter/errors.js";
import { ReminderScheduler } from "../src/reminders/reminderScheduler.js";
import { cardOf, Conversation, texts } from "./helpers/conversation.js";
import { callerOf, makeCaller, newCustomer, OFFERS, PROVIDER_TENANT } from "./helpers/fixtures.js";
import { TEST_ENCRYPTION_KEY, testBot, testConfig } from "./helpers/harness.js";
import { PC_APP_ID, startApiStack, type ApiStack } from "./helpers/partnerCenterApi.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, emptyDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const apiEnv = (stack: ApiStack) => ({
  PARTNER_CENTER: "api",
  PARTNER_CENTER_API_URL: stack.fake.url,
  ENTRA_AUTHORITY_URL: stack.entra.url,
  PARTNER_CENTER_APP_ID: PC_APP_ID,
  PARTNER_CENTER_APP_SECRET: "pc-app-secret",
  PROVIDER_TENANT_ID: PROVIDER_TENANT,
});

describe("settings for the real Partner Center", () => {
  it("PARTNER_CENTER=api without its settings stops start-up with one line per field", () => {
    const parsed = parseConfig({ PARTNER_CENTER: "api", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PARTNER_CENTER_API_URL: "http://pc.example.com", ENTRA_AUTHORITY_URL: "http://login.example.com" });
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PARTNER_CENTER_APP_ID is required when PARTNER_CENTER=api/),
        expect.stringMatching(/^PROVIDER_TENANT_ID is required when PARTNER_CENTER=api/),
        expect.stringMatching(/^PARTNER_CENTER_APP_SECRET is required/),
        expect.stringMatching(/^PARTNER_CENTER_API_URL must be https/),
        expect.stringMatching(/^ENTRA_AUTHORITY_URL must be an https URL/),
      ]),
    );
    expect(parseConfig({ PARTNER_CENTER: "sandbox" })).toMatchObject({ ok: false, errors: [expect.stringMatching(/^PARTNER_CENTER must be embedded .* or api/)] });
    expect(parseConfig({})).toMatchObject({ ok: true, config: { partnerCenter: { mode: "embedded", apiUrl: "https://api.partnercenter.microsoft.com", authorityUrl: "https://login.microsoftonline.com" } } });
  });
});

describe("Partner Center's refusals in the user's words", () => {
  const table: [number, number, RegExp][] = [
    [429, 429, /busy/],
    [401, 900421, /multi-factor authentication/],
    [403, 900329, /App\+User/],
    [403, 13605, /Microsoft Customer Agreement/],
    [403, 900123, /Microsoft Partner Agreement/],
    [400, 800090, /within 7 days of being added/],
    [400, 900214, /within 7 days of being added/],
    [400, 900257, /within 7 days of being added/],
    [400, 900117, /cancelled within 7 days/],
    [400, 900213, /cancelled within 7 days/],
    [400, 2055, /changed in Partner Center meanwhile/],
    [404, 400019, /catalog changed/],
    [409, 800064, /still processing this order/],
    [409, 800060, /still processing this order/],
    [400, 800065, /already placed/],
  ];
  it.each(table)("HTTP %i, code %i: its own sentence, in English and French, never Partner Center's raw text", (status, code, english) => {
    const error = new PartnerCenterError(code, "raw description from Partner Center", status, "corr-123");
    const en = partnerCenterSentence({ t: translator("en"), locale: "en" }, error)!;
    const fr = partnerCenterSentence({ t: translator("fr"), locale: "fr" }, error)!;
    expect(en).toMatch(english);
    expect(en).not.toContain("raw description");
    expect(fr).not.toContain("raw description");
    expect(fr).not.toBe(en);
  });
  it("an unknown code shows Partner Center's own description and the correlation id, never a stack", () => {
    const sentence = partnerCenterSentence({ t: translator("en"), locale: "en" }, new PartnerCenterError(123456, "Something new went wrong", 400, "corr-456"));
    expect(sentence).toBe("Partner Center refused: Something new went wrong (code 123456 · corr-456). Nothing was changed.");
  });
});

describe(`the bot on Partner Center's API (${providerUnderTest})`, () => {
  let pcDatabase: TestDatabase;
  let stack: ApiStack;
  let scratch: ScratchDatabase;
  let app: App;
  let config: Config;
  const log = memoryLogger("info");

  beforeAll(async () => {
    pcDatabase = await createTestDatabase();
    stack = await startApiStack(pcDatabase.db);
    scratch = await emptyDatabase();
    config = { ...testConfig({ ...apiEnv(stack), PARTNER_CENTER_WEBHOOK_CERTIFICATE_HOSTS: new URL(stack.fake.url).host }), port: 0, database: scratch.database };
    app = await startApp(config, log.logger);
  });
  afterAll(async () => {
    await app?.close();
    await stack.stop();
    await scratch.drop();
    await pcDatabase.drop();
  });

  const post = (body: string, headers: Record<string, string>) => fetch(`http://127.0.0.1:${app.port}/api/partner-center/events`, { method: "POST", headers, body });

  it("starts on the API, and says so", () => {
    const line = log.lines.map((entry) => JSON.parse(entry) as { msg: string; partnerCenter?: string; url?: string }).find((entry) => entry.msg === "Partner Center adapter");
    expect(line).toMatchObject({ partnerCenter: "api", url: stack.fake.url });
  });

  it("a signed webhook makes the bot read the subscription again: a change made in the Partner Center portal shows, audited as Partner Center's", async () => {
    // The bot's own services, on its database, through the connector (the same as the app's).
    const admin = await makeCaller(app.database.db, { kind: "provider", tenantId: PROVIDER_TENANT, name: "Contoso Distribution" });
    const domain = domainFor(config, app.database, log.logger);
    const { customerId, subscriptionIds: [id] } = await newCustomer(domain, admin, { quantities: { [OFFERS.e3]: 10 } });
    const row = await app.database.db.subscription.findUniqueOrThrow({ where: { id } });
    const { pcCustomerId } = await app.database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
    const inPortal = await stack.fake.sandbox.getSubscription(pcCustomerId, row.pcSubscriptionId);
    await stack.fake.sandbox.updateSubscription(pcCustomerId, { ...inPortal, quantity: 14 }, crypto.randomUUID());
    const event = stack.fake.signedEvent({ EventName: "subscription-updated", ResourceUri: `https://api.partnercenter.microsoft.com/v1/customers/${pcCustomerId}/subscriptions/${row.pcSubscriptionId}` });
    const response = await post(event.body, event.headers);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "refreshed" });
    expect((await app.database.db.subscription.findUniqueOrThrow({ where: { id } })).licences).toBe(14);
    expect(await app.database.db.auditEntry.count({ where: { subscriptionId: id, action: "subscription.changedInPartnerCenter", actorUserId: "partner-center" } })).toBe(1);
    await domain.connection.close();
    // The app's own reading of the subscription counts in its metrics (Partner Center calls by method and status).
    const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
    expect(metrics).toMatch(/^csp_bot_partner_center_calls_total\{method="GET",status="200"\} [1-9]\d*$/m);
  });

  it("a webhook whose body was altered, whose signature is missing, or whose certificate comes from another host, is refused (401) and changes nothing", async () => {
    const event = stack.fake.signedEvent({ EventName: "subscription-updated", ResourceUri: "https://api.partnercenter.microsoft.com/v1/customers/x/subscriptions/y" });
    expect((await post(event.body.replace("subscription-updated", "subscription-renewed"), event.headers)).status).toBe(401);
    const { authorization: _signature, ...unsigned } = event.headers;
    expect((await post(event.body, unsigned)).status).toBe(401);
    expect((await post(event.body, { ...event.headers, "x-ms-certificate-url": "https://attacker.example/cert.cer" })).status).toBe(401);
    expect((await post(event.body, { ...event.headers, "x-ms-certificate-url": event.headers["x-ms-certificate-url"].replace("https:", "http:") })).status).toBe(401);
    expect((await post(event.body, event.headers)).status).toBe(200);
    expect(log.lines.join("\n")).toContain("Partner Center event refused: not signed by Partner Center");
  });
});

describe(`connecting Partner Center from chat, and what the bot does on its own (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let stack: ApiStack;
  let config: Config;
  let notifier: RecordingNotifier;
  const log = memoryLogger("warn");

  beforeEach(async () => {
    database = await createTestDatabase();
    stack = await startApiStack(database.db);
    config = testConfig({ ...apiEnv(stack) });
    notifier = new RecordingNotifier();
  });
  afterEach(async () => {
    await stack.stop();
    await database.drop();
  });

  const chat = (user: { aadObjectId: string; name: string; tenantId?: string }) =>
    new Conversation(testBot(config, database, log.logger, { notifier, domain: { ...stack.services, connection: { pc: stack.pc, tokens: stack.tokens, close: async () => {} } } as never }), { tenantId: user.tenantId ?? PROVIDER_TENANT, ...user });

  it("a provider admin connects a Partner Center user with a device code shown in chat; the bot says when it is done; agents may not", async () => {
    const alex = chat({ aadObjectId: "aad-alex", name: "Alex Wilber" });
    await alex.say("hello");
    expect(texts(await alex.say("partner center"))[0]).toContain("No Partner Center user is connected");
    const prompt = texts(await alex.say("connect partner center"))[0];
    const code = /\*\*([0-9A-F]{8})\*\*/.exec(prompt)?.[1];
    expect(prompt).toContain("https://microsoft.com/devicelogin");
    expect(code).toBeDefined();
    stack.entra.approve(code!, { userName: "admin@contoso.onmicrosoft.com", mfa: true });
    for (let i = 0; i < 100 && !notifier.sent.length; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const alexId = (await callerOf(database.db, "aad-alex")).userId;
    expect(notifier.sent).toEqual([{ userId: alexId, activity: { type: "message", text: "Partner Center is connected: calls that need a user are now made as admin@contoso.onmicrosoft.com." } }]);
    expect(texts(await alex.say("partner center"))[0]).toContain("made as admin@contoso.onmicrosoft.com (signed in with multi-factor authentication)");
    const megan = chat({ aadObjectId: "aad-megan", name: "Megan Bowen" });
    await megan.say("hello");
    expect(texts(await megan.say("connect partner center"))).toEqual(["You don't have access to that."]);
  });

  it("a sign-in problem only an admin can fix is told to the provider's admins, once an hour at most", async () => {
    await chat({ aadObjectId: "aad-alex", name: "Alex Wilber" }).say("hello");
    let now = new Date("2027-01-04T10:00:00Z");
    const alerts = new SignInAlerts(database.db, notifier, "en", log.logger, () => now);
    const mfa = new PartnerCenterError(900421, "no MFA", 401);
    await alerts.report(mfa);
    await alerts.report(mfa);
    expect(notifier.sent.map((sent) => sent.activity.text)).toEqual([expect.stringContaining("must sign in again **with multi-factor authentication**")]);
    now = new Date(now.getTime() + 61 * 60_000);
    await alerts.report(mfa);
    expect(notifier.sent).toHaveLength(2);
  });

  it("a partnership accepted in Teams is active once Partner Center lists the relationship; both sides are told, and the reseller's PartnerID is recorded", async () => {
    const alex = chat({ aadObjectId: "aad-alex", name: "Alex Wilber" });
    await alex.say("hello");
    const admin = await callerOf(database.db, "aad-alex");
    const { code } = await stack.services.partnerships.invite(admin, { email: "sales@northwind.example", companyName: "Northwind Traders" });
    const rita = chat({ aadObjectId: "aad-rita", name: "Rita Reseller", tenantId: "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" });
    const offer = cardOf(await rita.say(`accept ${code}`));
    const accept = (offer.actions as { data?: { verb?: string } }[]).find((action) => action.data?.verb === "partnership.accept")!.data!;
    expect(texts(await rita.submit(accept))[0]).toContain("It becomes active once the relationship appears in Partner Center");
    expect((await database.db.partnership.findFirstOrThrow()).status).toBe("accepted");
    expect((await stack.services.partnerships.activeResellers(admin))).toEqual([]);
    const domain = { ...stack.services } as never;
    expect(await confirmResellers(domain, database, notifier, config, log.logger)).toBe(0);
    const mpnId = await stack.fake.addReseller("5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", "Northwind Traders");
    notifier.sent.splice(0);
    expect(await confirmResellers(domain, database, notifier, config, log.logger)).toBe(1);
    expect((await database.db.partnership.findFirstOrThrow()).status).toBe("active");
    expect((await database.db.organisation.findFirstOrThrow({ where: { kind: "reseller" } })).mpnId).toBe(mpnId);
    expect(notifier.sent.map((sent) => sent.activity.text)).toEqual([
      "Northwind Traders now appears among your indirect resellers in Partner Center: the partnership is active.",
      "Partner Center confirms the partnership of Northwind Traders: it is active. Your customers will appear here as they are delegated to you.",
    ]);
    expect(await confirmResellers(domain, database, notifier, config, log.logger)).toBe(0);
  });

  it("the sweep reads again, on a schedule, subscriptions not read for a while: a change made in the portal shows without anyone opening it", async () => {
    let clock = new Date("2027-01-04T10:00:00Z");
    const timed = await startApiStack(database.db, { now: () => clock });
    try {
      const admin = await makeCaller(database.db, { kind: "provider", tenantId: PROVIDER_TENANT, name: "Contoso" });
      const { customerId, subscriptionIds: [id] } = await newCustomer(timed.services, admin, { quantities: { [OFFERS.e3]: 10 } });
      const row = await database.db.subscription.findUniqueOrThrow({ where: { id } });
      const { pcCustomerId } = await database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
      const current = await timed.fake.sandbox.getSubscription(pcCustomerId, row.pcSubscriptionId);
      await timed.fake.sandbox.updateSubscription(pcCustomerId, { ...current, autoRenewEnabled: false }, crypto.randomUUID());
      const sweeper = new ReminderScheduler(database.db, { deliver: async () => ({ outcome: "sent" }) }, log.logger, { clock: () => clock, staleAfterMs: 6 * 3_600_000 }, timed.services.sync);
      clock = new Date(clock.getTime() + 3_600_000);
      expect(await sweeper.sweep()).toMatchObject({ refreshed: 0 });
      clock = new Date(clock.getTime() + 6 * 3_600_000);
      expect(await sweeper.sweep()).toMatchObject({ refreshed: 1 });
      expect((await database.db.subscription.findUniqueOrThrow({ where: { id } })).autoRenew).toBe(false);
      expect(await database.db.auditEntry.count({ where: { subscriptionId: id, action: "subscription.changedInPartnerCenter" } })).toBe(1);
    } finally {
      await timed.stop();
    }
  });

  it("customers the partner already has in Partner Center appear in chat, with their subscriptions, and a reseller's with its reseller", async () => {
    const alex = chat({ aadObjectId: "aad-alex", name: "Alex Wilber" });
    await alex.say("hello");
    const admin = await callerOf(database.db, "aad-alex");
    const reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "8e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", name: "Eastwind", providerOrgId: admin.organisation.id });
    await stack.fake.addReseller("8e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", "Eastwind");
    // Made in the Partner Center portal, before the bot: one direct customer with a subscription, one of the reseller's.
    const profile = (name: string) => ({ email: "it@example.com", culture: "fr-FR", language: "fr", companyName: name, defaultAddress: { firstName: "Lee", lastName: "Gu", addressLine1: "1 rue de Rivoli", city: "Paris", state: "IDF", postalCode: "75001", country: "FR" } });
    const direct = await stack.fake.sandbox.createCustomer({ companyProfile: { domain: "portalco.onmicrosoft.com" }, billingProfile: profile("Portal Co") }, crypto.randomUUID());
    await stack.fake.sandbox.createCustomer({ companyProfile: { domain: "eastclient.onmicrosoft.com" }, billingProfile: profile("East Client"), associatedPartnerId: "8e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" }, crypto.randomUUID());
    await stack.fake.sandbox.createAgreement(direct.id, { templateId: await stack.fake.sandbox.customerAgreementTemplateId(), type: "MicrosoftCustomerAgreement", dateAgreed: "2026-10-01T00:00:00Z", primaryContact: { firstName: "Lee", lastName: "Gu", email: "lee@portalco.example" } }, crypto.randomUUID());
    const entries = await stack.fake.sandbox.catalog({ country: "FR", segment: "commercial", language: "fr" });
    const e3 = entries.find((entry) => entry.sku.title === "Office 365 E3")!;
    const cart = await stack.fake.sandbox.createCart(direct.id, [{ id: 0, catalogItemId: e3.availability.catalogItemId, quantity: 7, billingCycle: "Monthly", termDuration: "P1Y" }], crypto.randomUUID());
    await stack.fake.sandbox.checkout(direct.id, cart.id, crypto.randomUUID());

    expect(await stack.services.customerImport.run()).toBe(2);
    expect(await stack.services.customerImport.run()).toBe(0);
    const portal = await database.db.customer.findUniqueOrThrow({ where: { pcCustomerId: direct.id }, include: { subscriptions: true } });
    expect(portal).toMatchObject({ companyName: "Portal Co", domainPrefix: "portalco", country: "FR", createdById: "partner-center" });
    expect(portal.subscriptions.map((subscription) => [subscription.offerName, subscription.licences])).toEqual([["Office 365 E3", 7]]);
    expect(JSON.stringify(await alex.say("customers portal"))).toContain("Portal Co");
    expect((await stack.services.customers.list(reseller, {})).items.map((item) => item.companyName)).toEqual(["East Client"]);
  });
});
