import type { Activity } from "botbuilder";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testBot, testConfig, testSecrets } from "./helpers/harness.js";
import { createBot } from "../bot/app.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import { parseConfig, type Config } from "../src/config.js";
import { CustomerService } from "../src/customers/customerService.js";
import { SubscriptionService } from "../src/subscriptions/subscriptionService.js";
import type { Caller } from "../src/identity/identityService.js";
import { IdentityService } from "../src/identity/identityService.js";
import { actionData, cardOf, Conversation, texts } from "./helpers/conversation.js";
import { PROVIDER_TENANT, validAccount } from "./helpers/fixtures.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

type Card = ReturnType<typeof cardOf>;
const json = (card: Card) => JSON.stringify(card);

describe(`subscriptions in Teams (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let config: Config;
  let caller: Caller;
  let customerId: string;
  const { logger } = memoryLogger("warn");
  const user = { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber" };

  // Each test has its own database: the provider's admin and a customer with an Azure plan.
  beforeEach(async () => {
    database = await createTestDatabase();
    await seedCatalog(database.db);
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution" });
    const resolved = await new IdentityService(database.db, { providerTenantId: PROVIDER_TENANT, providerName: "Contoso Distribution", logger }).resolve({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", displayName: "Alex Wilber" });
    if (resolved.status !== "member") throw new Error("not a member");
    caller = resolved.caller;
    const created = await new CustomerService(database.db, { secrets: testSecrets() }).create(caller, { account: validAccount({ domainPrefix: "subsdialog" }), billingCycle: "monthly", lines: [{ offerId: "azure-plan", licences: 1 }], creationKey: "subs-dialog" });
    customerId = created.customer.id;
  });
  afterEach(() => database.drop());

  /** The customer's Office 365 E3 subscription, 25 licences, ordered for the test that needs one. */
  const e3 = async () => {
    const { subscriptionIds } = await new SubscriptionService(database.db, new CustomerService(database.db, { secrets: testSecrets() })).placeOrder(caller, { customerId, billingCycle: "monthly", lines: [{ offerId: "o365-e3", licences: 25 }], idempotencyKey: crypto.randomUUID() });
    return database.db.subscription.findUniqueOrThrow({ where: { id: subscriptionIds[0] } });
  };

  const chat = (conversationId: string, locale = "en-US") => new Conversation(testBot(config, database, logger), { ...user, locale, conversationId });
  const press = (c: Conversation, data: Record<string, unknown>, replyToId = "card-x") => c.send({ type: "message", value: data, replyToId } as Partial<Activity>);
  const audit = (action: string) => database.db.auditEntry.findMany({ where: { customerId, action } });

  it("orders from the customer's card: catalog (one-per-customer offer marked), review, submit once", async () => {
    const c = chat("conv-order");
    const details = cardOf(await c.say("customer subsdialog"));
    const catalog = cardOf(await press(c, actionData(details, "subscription.new")));
    expect(json(catalog)).toContain("New subscription for Fabrikam Ltd");
    expect(json(catalog)).toContain("Already subscribed: limited to one per customer.");
    const flowId = actionData(catalog, "order.catalog.next").flowId;

    const refused = cardOf(await press(c, { verb: "order.catalog.next", flowId, "qty_o365-e3": "20000" }));
    expect(json(refused)).toContain("Enter a number of licences from 1 to 10,000");
    const review = cardOf(await press(c, { verb: "order.catalog.next", flowId, "qty_o365-e3": "25", "qty_m365-business-premium": "0", resellerOfRecordId: "none" }));
    expect(json(review)).toContain("Office 365 E3: 25 licences, $575.00 per month");
    const placed = await press(c, { verb: "order.review.submit", flowId }, "review-card");
    expect(texts(placed)).toEqual(["Order placed: 1 new subscription for Fabrikam Ltd."]);
    expect(json(cardOf(placed))).toContain("Office 365 E3 · 25 licences · Active");
    expect(texts(await press(c, { verb: "order.review.submit", flowId }, "review-card"))).toEqual([expect.stringContaining("no longer active")]);
    expect(await database.db.subscription.count({ where: { customerId, offerId: "o365-e3" } })).toBe(1);
    expect(await audit("subscription.created")).toHaveLength(2);
  });

  it("issue 12, item 6: a licence change shows its cost before it is confirmed; out-of-range values are refused with the allowed range, not capped; the same button twice changes once", async () => {
    const c = chat("conv-licences");
    const sub = await e3();
    const card = cardOf(await c.submit({ verb: "subscription.open", subscriptionId: sub.id }));
    expect(json(card)).toContain("Change licences");
    // The card's input has no client-side maximum that a client would silently apply.
    expect(json(card)).not.toMatch(/"id":"licences"[^}]*"max"/);
    const review = actionData(card, "subscription.licences.review");
    expect(texts(await press(c, { ...review, licences: "20000" }))).toEqual([expect.stringContaining("Enter a number of licences from 1 to 10,000")]);
    expect(texts(await press(c, { ...review, licences: "0" }))).toEqual([expect.stringContaining("Enter a number of licences from 1 to 10,000")]);
    expect(texts(await press(c, { ...review, licences: "25" }))).toEqual(["Nothing changed: the subscription already has 25 licences."]);
    const costs = cardOf(await press(c, { ...review, licences: "30" }));
    expect(json(costs)).toContain("5 more licences: $115.00 more per month");
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).licences).toBe(25);

    const confirm = actionData(costs, "subscription.licences");
    const done = await press(c, confirm, "sub-card");
    expect(texts(done)[0]).toBe("Licences changed to 30.");
    expect(c.adapter.updatedActivities.at(-1)?.id).toBe("sub-card");
    const again = await press(c, confirm, "sub-card");
    expect(texts(again)[0]).toContain("changed since that card was shown");
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).licences).toBe(30);
    const entries = await audit("subscription.licencesChanged");
    expect(entries.map((entry) => [JSON.parse(entry.before!), JSON.parse(entry.after!)])).toEqual([[{ licences: 25 }, { licences: 30 }]]);
  });

  it("suspend shows the deletion date, then reactivate; both audited", async () => {
    const c = chat("conv-suspend", "fr-FR");
    const sub = await e3();
    const card = cardOf(await c.say("abonnement office 365 e3"));
    expect(json(card)).toContain("Toutes les données seront supprimées le");
    const suspended = await press(c, { ...actionData(card, "subscription.suspend"), reason: "nonPayment" });
    expect(texts(suspended)[0]).toMatch(/^Abonnement suspendu\. Ses données seront supprimées le \d+ \S+ \d{4}/);
    const row = await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(row).toMatchObject({ status: "suspended", suspensionReason: "nonPayment" });
    // Its first billing period started when it was opened (the Azure plan): 90 days of retention.
    expect(row.deletionAt!.getTime() - row.suspendedAt!.getTime()).toBe(90 * 86_400_000);

    const fresh = cardOf(await c.submit({ verb: "subscription.open", subscriptionId: sub.id }));
    expect(json(fresh)).toContain("État : Suspendu (Non-paiement)");
    expect(json(fresh)).toContain("Toutes les données seront supprimées le");
    expect(() => actionData(fresh, "subscription.suspend")).toThrow();
    expect(texts(await press(c, actionData(fresh, "subscription.reactivate")))[0]).toBe("Abonnement réactivé.");
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("active");
    expect(await audit("subscription.suspended")).toHaveLength(1);
    expect(await audit("subscription.reactivated")).toHaveLength(1);
  });

  it("mutes and unmutes the subscription's reminders from its card", async () => {
    const c = chat("conv-mute");
    const sub = await e3();
    expect(texts(await c.submit({ verb: "subscription.mute", subscriptionId: sub.id }))[0]).toBe("Reminders muted for this subscription.");
    const card = cardOf(await c.submit({ verb: "subscription.open", subscriptionId: sub.id }));
    expect(json(card)).toContain('"title":"Expiry reminders","value":"Muted"');
    expect(texts(await press(c, actionData(card, "subscription.unmute")))[0]).toBe("Reminders are on again for this subscription.");
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).remindersMuted).toBe(false);
    expect(await audit("subscription.remindersMuted")).toHaveLength(1);
  });

  it("cancel asks for confirmation, is final, and is audited", async () => {
    const c = chat("conv-cancel-sub");
    const sub = await e3();
    const card = cardOf(await c.submit({ verb: "subscription.open", subscriptionId: sub.id }));
    expect(json(card)).toContain("Cancelling is final");
    expect(texts(await press(c, actionData(card, "subscription.cancel")))[0]).toBe("Subscription cancelled.");
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("cancelled");
    const after = cardOf(await c.submit({ verb: "subscription.open", subscriptionId: sub.id }));
    expect(() => actionData(after, "subscription.reactivate")).toThrow();
    expect(await audit("subscription.cancelled")).toHaveLength(1);
    const history = cardOf(await c.say("history for subsdialog"));
    expect(json(history)).toContain("Alex Wilber cancelled Office 365 E3.");
  });

  it("tampered submits (unknown ids, wrong types, other verbs' data) change nothing", async () => {
    const c = chat("conv-tamper");
    await e3();
    const before = await database.db.subscription.findMany({ orderBy: { id: "asc" } });
    const sub = before[0];
    for (const value of [
      { verb: "subscription.suspend", subscriptionId: "6a3c1f0e-0000-4000-8000-000000000000", version: 0, reason: "fraud" },
      { verb: "subscription.suspend", subscriptionId: sub.id, version: "x", reason: "fraud" },
      { verb: "subscription.licences", subscriptionId: sub.id, version: sub.version, licences: "many" },
      { verb: "subscription.cancel", subscriptionId: "'; DROP TABLE Subscription; --", version: 0 },
      { verb: "subscription.suspend", subscriptionId: sub.id, version: sub.version, reason: "x".repeat(10_000) },
    ]) {
      const replies = await c.submit(value);
      expect(replies.length).toBeGreaterThan(0);
    }
    expect(await database.db.subscription.findMany({ orderBy: { id: "asc" } })).toEqual(before);
  });
});
