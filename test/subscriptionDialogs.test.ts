/**
 * Subscriptions in Teams under today's Partner Center: the order flow (agreement first, then term
 * and billing, catalog, cart with prices), and the subscription card's New Commerce facts and
 * actions (windows with their countdown, refund before cancelling, suspension that keeps billing,
 * changes scheduled for the renewal and dropped by a mid-term change), with injected time.
 */
import type { Activity } from "botbuilder";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../src/config.js";
import type { Caller } from "../src/identity/identityService.js";
import { IdentityService } from "../src/identity/identityService.js";
import { actionData, cardOf, Conversation, texts } from "./helpers/conversation.js";
import { newCustomer, OFFERS, order, PROVIDER_TENANT, validAttestation } from "./helpers/fixtures.js";
import { testBot, testConfig, testServices } from "./helpers/harness.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { startApiStack, type ApiStack } from "./helpers/partnerCenterApi.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

type Card = ReturnType<typeof cardOf>;
const json = (card: Card) => JSON.stringify(card);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date("2027-01-04T10:00:00Z");

describe.each(["embedded", "api"] as const)(`subscriptions in Teams, under New Commerce's rules (Partner Center: %s; ${providerUnderTest})`, (adapter) => {
  let database: TestDatabase;
  let stack: ApiStack | undefined;
  let config: Config;
  let caller: Caller;
  let clock: Date;
  let services: ReturnType<typeof testServices>;
  let customerId: string;
  const { logger } = memoryLogger("warn");
  const user = { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber" };

  // Each test has its own database: the provider's admin, and an attested customer with a trial.
  beforeEach(async () => {
    clock = T0;
    database = await createTestDatabase();
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution" });
    stack = adapter === "api" ? await startApiStack(database.db, { now: () => clock }) : undefined;
    services = stack ? stack.services : testServices(database.db, () => clock);
    const resolved = await new IdentityService(database.db, { providerTenantId: PROVIDER_TENANT, providerName: "Contoso Distribution", logger }).resolve({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", displayName: "Alex Wilber" });
    if (resolved.status !== "member") throw new Error("not a member");
    caller = resolved.caller;
    customerId = (await newCustomer(services, caller, { account: { domainPrefix: "subsdialog" }, quantities: { [OFFERS.e3Trial]: 3 }, term: "P1M" })).customerId;
  });
  afterEach(async () => {
    await stack?.stop();
    await database.drop();
  });

  /** The customer's Office 365 E3 subscription (1 year, billed monthly), bought now. */
  const e3 = async (licences = 25) => {
    const { subscriptionIds } = await order(services, caller, customerId, { [OFFERS.e3]: licences });
    return database.db.subscription.findUniqueOrThrow({ where: { id: subscriptionIds[0] } });
  };
  const chat = (conversationId: string, locale = "en-US") => new Conversation(testBot(config, database, logger, { domain: services }), { ...user, locale, conversationId });
  const press = (c: Conversation, data: Record<string, unknown>, replyToId = "card-x") => c.send({ type: "message", value: data, replyToId } as Partial<Activity>);
  const open = async (c: Conversation, id: string) => cardOf(await c.submit({ verb: "subscription.open", subscriptionId: id }));
  const audit = (action: string) => database.db.auditEntry.findMany({ where: { customerId, action } });
  const mirror = (id: string) => database.db.subscription.findUniqueOrThrow({ where: { id } });

  it("orders from the customer's card: term and billing first, then the offers sold on it (one-per-customer marked), the cart with price per licence and total, submit once", async () => {
    const c = chat("conv-order");
    const details = cardOf(await c.say("customer subsdialog"));
    const term = cardOf(await press(c, actionData(details, "subscription.new")));
    expect(json(term)).toContain("Choose how long Fabrikam Ltd commits");
    const flowId = actionData(term, "order.term.next").flowId;
    const catalog = cardOf(await press(c, { verb: "order.term.next", flowId, termCycle: "P3Y/triennial" }));
    expect(json(catalog)).toContain("Term and billing: 3 years, billed every 3 years");
    expect(json(catalog)).toContain("Office 365 E3");
    expect(json(catalog)).not.toContain("Microsoft 365 Business Basic\"");
    expect(json(catalog)).toContain("Already subscribed: limited to one per customer.");

    const refused = cardOf(await press(c, { verb: "order.catalog.next", flowId, [`qty_${OFFERS.e3}`]: "20000" }));
    expect(json(refused)).toContain("Enter a number of licences from 1 to 10,000");
    const review = cardOf(await press(c, { verb: "order.catalog.next", flowId, [`qty_${OFFERS.e3}`]: "25", [`qty_${OFFERS.businessPremium}`]: "2", resellerOfRecordId: "none" }));
    expect(json(review)).toContain("Office 365 E3: 25 licences × $21.85 per licence per month = $546.25 per month");
    expect(json(review)).toContain("Microsoft 365 Business Premium: 2 licences × $20.90 per licence per month = $41.80 per month");
    expect(json(review)).toContain("Total: $588.05 per month, billed every 3 years ($21,169.80)");
    const placed = await press(c, { verb: "order.review.submit", flowId }, "review-card");
    expect(texts(placed)).toEqual(["Order placed: 2 new subscriptions for Fabrikam Ltd."]);
    expect(json(cardOf(placed))).toContain("Office 365 E3 · 25 licences · Active");
    expect(texts(await press(c, { verb: "order.review.submit", flowId }, "review-card"))).toEqual([expect.stringContaining("no longer active")]);
    expect(await database.db.pcOrder.count()).toBe(2);
    if (stack) expect(stack.fake.requests("POST", /\/checkout$/)).toHaveLength(2);
    expect(await database.db.subscription.findFirstOrThrow({ where: { customerId, offerName: "Office 365 E3" } })).toMatchObject({ termDuration: "P3Y", billingCycle: "triennial", licences: 25 });
  });

  it("a customer without the Microsoft Customer Agreement is asked for it before the first New Commerce order, and then orders", async () => {
    const { customerId: unattested } = await newCustomer(services, caller, { account: { domainPrefix: "noagreement", companyName: "Tailspin Toys" }, attested: false });
    const c = chat("conv-mca");
    const agreement = cardOf(await c.submit({ verb: "subscription.new", customerId: unattested }));
    expect(json(agreement)).toContain("Tailspin Toys has not attested the Microsoft Customer Agreement yet");
    const flowId = actionData(agreement, "order.agreement.next").flowId;
    const again = cardOf(await press(c, { verb: "order.agreement.next", flowId, ...validAttestation({ accepted: "false" }) }));
    expect(json(again)).toContain("Tick this box");
    expect(await database.db.pcAgreement.count({ where: { customerId: (await database.db.customer.findUniqueOrThrow({ where: { id: unattested } })).pcCustomerId } })).toBe(0);
    const term = cardOf(await press(c, { verb: "order.agreement.next", flowId, ...validAttestation() }));
    expect(json(term)).toContain("Term and billing frequency");
    await press(c, { verb: "order.term.next", flowId, termCycle: "P1Y/monthly" });
    await press(c, { verb: "order.catalog.next", flowId, [`qty_${OFFERS.e3}`]: "5" });
    expect(texts(await press(c, { verb: "order.review.submit", flowId }))).toEqual(["Order placed: 1 new subscription for Tailspin Toys."]);
    expect((await database.db.customer.findUniqueOrThrow({ where: { id: unattested } })).mcaAttestedAt).not.toBeNull();
  });

  it("the card shows the seats still removable and until when, in hours under a day, and the cancellation window with its refund", async () => {
    const sub = await e3();
    clock = new Date(T0.getTime() + 150 * HOUR);
    const card = await open(chat("conv-window"), sub.id);
    expect(json(card)).toContain("New Commerce");
    expect(json(card)).toContain("24 licences can still be removed, with a refund, until Jan 11, 2027, 10:00 AM UTC (about 18 hours left).");
    expect(json(card)).toMatch(/Can be cancelled until Jan 11, 2027, 10:00 AM UTC \(about 18 hours left\), with a refund of about \$\d/);
    expect(json(card)).toContain("Renews on January 4, 2028 as it is: 25 licences, $575.00 per month.");
    clock = new Date(T0.getTime() + 2 * DAY);
    expect(json(await open(chat("conv-window"), sub.id))).toContain("(5 days left)");
  });

  it("outside the window the card says so and offers fewer licences at renewal; a reduction is refused with what is still possible", async () => {
    const sub = await e3();
    clock = new Date(T0.getTime() + 10 * DAY);
    const c = chat("conv-closed");
    const card = await open(c, sub.id);
    expect(json(card)).toContain("Licences can no longer be removed this term: schedule fewer for the renewal on January 4, 2028.");
    expect(json(card)).toContain("Can no longer be cancelled (the window closed on January 11, 2027). Turn off auto-renew to end it on January 4, 2028.");
    expect(() => actionData(card, "subscription.cancel.review")).toThrow();
    const reply = texts(await press(c, { ...actionData(card, "subscription.licences.review"), licences: "20" }))[0];
    expect(reply).toBe("Nothing was changed: under New Commerce, licences can only be removed within 7 days of being added. None can be removed now. You can schedule fewer licences for the renewal on January 4, 2028.");
    // Pressing an old Cancel: refused with its own sentence, nothing changed.
    const cancelled = texts(await press(c, { verb: "subscription.cancel.review", subscriptionId: sub.id, version: sub.version }))[0];
    expect(cancelled).toBe("Nothing was changed: under New Commerce, a subscription can only be cancelled within 7 days of its purchase or renewal, and that window closed on Jan 11, 2027, 10:00 AM UTC. Turn auto-renew off instead: the subscription then ends on January 4, 2028.");
    expect((await mirror(sub.id)).status).toBe("active");
  });

  it("a licence change shows its prorated cost or refund before it is confirmed; the same button twice changes once", async () => {
    const c = chat("conv-licences");
    const sub = await e3();
    clock = new Date(T0.getTime() + 3 * DAY);
    const card = await open(c, sub.id);
    const review = actionData(card, "subscription.licences.review");
    expect(texts(await press(c, { ...review, licences: "20000" }))).toEqual([expect.stringContaining("Enter a number of licences from 1 to 10,000")]);
    expect(texts(await press(c, { ...review, licences: "25" }))).toEqual(["Nothing changed: the subscription already has 25 licences."]);
    const fewer = cardOf(await press(c, { ...review, licences: "20" }));
    expect(json(fewer)).toContain("5 licences fewer: $115.00 less per month");
    expect(json(fewer)).toContain(`About $${(Math.round((2300 * 5 * 28) / 31) / 100).toFixed(2)} is refunded for the rest of the billing period.`);
    const more = cardOf(await press(c, { ...review, licences: "30" }));
    expect(json(more)).toContain("The added licences can be removed again until Jan 14, 2027, 10:00 AM UTC");
    const confirm = actionData(more, "subscription.licences");
    expect(texts(await press(c, confirm, "sub-card"))[0]).toBe("Licences changed to 30.");
    expect(c.adapter.updatedActivities.at(-1)?.id).toBe("sub-card");
    expect(texts(await press(c, confirm, "sub-card"))[0]).toContain("changed since that card was shown");
    expect(await database.db.pcSubscription.findUniqueOrThrow({ where: { id: sub.pcSubscriptionId } })).toMatchObject({ quantity: 30, updateCount: 1 });
    if (stack) expect(stack.fake.requests("PATCH", /\/subscriptions\//)).toHaveLength(1);
  });

  it("cancel within the window: the refund is shown first, then it is cancelled, final and audited", async () => {
    const c = chat("conv-cancel-sub");
    const sub = await e3(4);
    clock = new Date(T0.getTime() + 2 * DAY);
    const review = cardOf(await press(c, actionData(await open(c, sub.id), "subscription.cancel.review")));
    expect(json(review)).toContain(`Refund: about $${(Math.round((2300 * 4 * 29) / 31) / 100).toFixed(2)} (prorated by day).`);
    expect(json(review)).toContain("Cancelling is final");
    expect(texts(await press(c, actionData(review, "subscription.cancel")))[0]).toBe("Subscription cancelled.");
    expect((await mirror(sub.id)).status).toBe("deleted");
    const after = await open(c, sub.id);
    expect(json(after)).toContain("Status: Cancelled");
    expect(() => actionData(after, "subscription.reactivate")).toThrow();
    expect(json(cardOf(await c.say("history for subsdialog")))).toContain("Alex Wilber cancelled Office 365 E3.");
  });

  it("New Commerce suspension says plainly that billing continues and auto-renew turns off; reactivation offers to turn it back on", async () => {
    const c = chat("conv-suspend");
    const sub = await e3();
    clock = new Date(T0.getTime() + 20 * DAY);
    const card = await open(c, sub.id);
    expect(json(card)).toContain("Users won't be able to use the service, but the customer is still billed. Auto-renew turns off: unless you reactivate it, the subscription ends on January 4, 2028.");
    const suspended = await press(c, { ...actionData(card, "subscription.suspend"), reason: "nonPayment" });
    expect(texts(suspended)[0]).toBe("Subscription suspended. The customer is still billed, and auto-renew is off: it ends on January 4, 2028 unless reactivated.");
    const fresh = await open(c, sub.id);
    expect(json(fresh)).toContain("Status: Suspended (Non-payment)");
    expect(json(fresh)).toContain("The customer is still billed while the subscription is suspended");
    expect(json(fresh)).toContain("Turn auto-renew back on (renews on January 4, 2028)");
    expect(texts(await press(c, { ...actionData(fresh, "subscription.reactivate"), autoRenew: "true" }))[0]).toBe("Subscription reactivated.");
    expect(await mirror(sub.id)).toMatchObject({ status: "active", autoRenew: true });
    expect(await audit("subscription.suspended")).toHaveLength(1);
    expect(json(cardOf(await c.say("history for subsdialog")))).toContain("Alex Wilber reactivated Office 365 E3, with auto-renew on.");
  });

  it("a legacy offer keeps the seeds' suspension: the deletion date under the Suspended status (in French)", async () => {
    const c = chat("conv-legacy", "fr-FR");
    const { subscriptionIds: [id] } = await order(services, caller, customerId, { [OFFERS.e1Legacy]: 3 });
    const card = cardOf(await c.say("abonnement e1"));
    expect(json(card)).toContain("**Offre historique**");
    expect(json(card)).toContain("Toutes les données seront supprimées le");
    const suspended = await press(c, { ...actionData(card, "subscription.suspend"), reason: "nonPayment" });
    expect(texts(suspended)[0]).toMatch(/^Abonnement suspendu\. Ses données seront supprimées le \d+ \S+ \d{4}/);
    const row = await mirror(id);
    expect(row).toMatchObject({ status: "suspended", suspensionReason: "nonPayment", autoRenew: true });
    expect(row.deletionAt!.getTime() - row.suspendedAt!.getTime()).toBe(90 * DAY);
    const fresh = await open(c, id);
    expect(json(fresh)).toContain("État : Suspendu (Non-paiement)");
    expect(texts(await press(c, actionData(fresh, "subscription.reactivate")))[0]).toBe("Abonnement réactivé.");
  });

  it("renewal: fewer licences and a longer billing scheduled from the card, shown on it; a mid-term change then warns, and drops them", async () => {
    const c = chat("conv-renewal");
    const sub = await e3(25);
    clock = new Date(T0.getTime() + 30 * DAY);
    const card = await open(c, sub.id);
    const schedule = actionData(card, "subscription.nextTerm");
    expect(texts(await press(c, { ...schedule, nextLicences: "20", nextTerm: "P1Y/annual" }))[0]).toBe("Scheduled for the renewal on January 4, 2028: 20 licences, 1 year, billed annually.");
    const scheduled = await open(c, sub.id);
    expect(json(scheduled)).toContain("Renews on January 4, 2028 with the changes scheduled: 20 licences, 1 year, billed annually.");
    expect(json(scheduled)).toContain("Changing the licences now drops the changes scheduled for the renewal.");
    const review = cardOf(await press(c, { ...actionData(scheduled, "subscription.licences.review"), licences: "26" }));
    expect(json(review)).toContain("Changing the licences now drops the changes scheduled for the renewal.");
    await press(c, actionData(review, "subscription.licences"));
    const after = await open(c, sub.id);
    expect(json(after)).toContain("Renews on January 4, 2028 as it is: 26 licences");
    expect(json(cardOf(await c.say("history for subsdialog")))).toContain("The changes scheduled for the renewal were dropped.");
    // Auto-renew off from the card: it then ends.
    expect(texts(await press(c, actionData(after, "subscription.autoRenew")))[0]).toBe("Auto-renew is off: the subscription ends on January 4, 2028.");
    expect(json(await open(c, sub.id))).toContain("Ends on January 4, 2028: auto-renew is off.");
  });

  it("mutes and unmutes the subscription's reminders from its card", async () => {
    const c = chat("conv-mute");
    const sub = await e3();
    expect(texts(await c.submit({ verb: "subscription.mute", subscriptionId: sub.id }))[0]).toBe("Reminders muted for this subscription.");
    const card = await open(c, sub.id);
    expect(json(card)).toContain('"title":"Expiry reminders","value":"Muted"');
    expect(texts(await press(c, actionData(card, "subscription.unmute")))[0]).toBe("Reminders are on again for this subscription.");
    expect((await mirror(sub.id)).remindersMuted).toBe(false);
    expect(await audit("subscription.remindersMuted")).toHaveLength(1);
  });

  it("tampered submits (unknown ids, wrong types, other verbs' data) change nothing", async () => {
    const c = chat("conv-tamper");
    await e3();
    const before = await database.db.subscription.findMany({ orderBy: { id: "asc" } });
    const pcBefore = await database.db.pcSubscription.findMany({ orderBy: { id: "asc" } });
    const sub = before[0];
    for (const value of [
      { verb: "subscription.suspend", subscriptionId: "6a3c1f0e-0000-4000-8000-000000000000", version: 0, reason: "fraud" },
      { verb: "subscription.suspend", subscriptionId: sub.id, version: "x", reason: "fraud" },
      { verb: "subscription.licences", subscriptionId: sub.id, version: sub.version, licences: "many" },
      { verb: "subscription.cancel", subscriptionId: "'; DROP TABLE Subscription; --", version: 0 },
      { verb: "subscription.suspend", subscriptionId: sub.id, version: sub.version, reason: "x".repeat(10_000) },
      { verb: "subscription.nextTerm", subscriptionId: sub.id, version: sub.version, nextLicences: "5", nextTerm: "P9Y/weekly" },
      { verb: "subscription.autoRenew", subscriptionId: sub.id, version: sub.version, autoRenew: "maybe" },
    ]) {
      const replies = await c.submit(value);
      expect(replies.length).toBeGreaterThan(0);
    }
    expect((await database.db.subscription.findMany({ orderBy: { id: "asc" } })).map(({ readAt, ...row }) => row)).toEqual(before.map(({ readAt, ...row }) => row));
    expect(await database.db.pcSubscription.findMany({ orderBy: { id: "asc" } })).toEqual(pcBefore);
  });
});
