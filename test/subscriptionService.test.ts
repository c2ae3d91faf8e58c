/**
 * Subscriptions under today's Partner Center rules, through the services and the embedded Partner
 * Center, with injected time: New Commerce's 168-hour windows (seats per batch, cancellation),
 * prorated refunds, changes scheduled for the renewal and dropped by a mid-term change, renewal
 * opening a new window, suspension (New Commerce vs legacy), the agreement before the first New
 * Commerce order, the reseller of record's agreement, one-per-customer offers, and access.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidInput, NotAllowed, OfferLimitReached, StaleVersion } from "../src/errors.js";
import type { Caller } from "../src/identity/identityService.js";
import { isPartnerCenterError, PartnerCenterError } from "../src/partnerCenter/errors.js";
import { DAY, HOUR } from "../src/partnerCenter/terms.js";
import { deletionDate, IllegalTransition, retentionDays, userTransitions } from "../src/subscriptions/lifecycle.js";
import { proratedCents } from "../src/subscriptions/nce.js";
import { testServices } from "./helpers/harness.js";
import { makeCaller, newCustomer, OFFERS, order } from "./helpers/fixtures.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const opened = new Date("2026-01-01T00:00:00Z");

describe("data retention of a suspended legacy subscription (the seeds' rule)", () => {
  it.each([
    [0, 90],
    [15, 105],
    [30, 120],
    [45, 120],
    [365, 120],
  ])("a %i-day gap between opening and first billing keeps data %i days", (gap, days) => {
    expect(retentionDays(opened, new Date(opened.getTime() + gap * DAY))).toBe(days);
    expect(deletionDate(new Date("2026-03-01T00:00:00Z"), { openedAt: opened, firstBillingAt: new Date(opened.getTime() + gap * DAY) })).toEqual(new Date(Date.parse("2026-03-01T00:00:00Z") + days * DAY));
  });

  it("a customer without a billing period yet keeps 90 days", () => {
    expect(retentionDays(opened, null)).toBe(90);
  });

  it("offers users only the actions a status allows (an unknown status allows none)", () => {
    expect(userTransitions("active")).toEqual(["suspend", "cancel"]);
    expect(userTransitions("suspended")).toEqual(["reactivate", "cancel"]);
    expect(userTransitions("deleted")).toEqual([]);
    expect(userTransitions("expired")).toEqual([]);
    expect(userTransitions("disabled")).toEqual([]);
  });
});

describe("refund arithmetic (daily proration over the billing period)", () => {
  const sub = (billingCycle: string) => ({ unitPriceCents: 2300, billingCycle, termStartAt: new Date("2027-01-04T10:00:00Z") });
  it.each([
    // Billed monthly: the period 4 Jan → 4 Feb has 31 days; 3 days in, 28 remain.
    ["monthly", 5, "2027-01-07T10:00:00Z", Math.round((2300 * 5 * 28) / 31)],
    // Two hours in: the whole first day is still refunded (days left are counted up).
    ["monthly", 1, "2027-01-04T12:00:00Z", 2300],
    // Billed annually: 365 days; 10 days in, 355 remain.
    ["annual", 2, "2027-01-14T10:00:00Z", Math.round((2300 * 12 * 2 * 355) / 365)],
    // The second month of a monthly-billed term: its own period (4 Feb → 4 Mar, 28 days), 14 remain.
    ["monthly", 1, "2027-02-18T10:00:00Z", Math.round((2300 * 14) / 28)],
  ])("billed %s, %i licences at %s: %i cents", (cycle, seats, at, cents) => {
    expect(proratedCents(sub(cycle), seats, new Date(at))).toBe(cents);
  });
});

describe(`subscriptions under New Commerce's rules (${providerUnderTest})`, () => {
  const T0 = new Date("2027-01-04T10:00:00Z");
  let database: TestDatabase;
  let clock: Date;
  let services: ReturnType<typeof testServices>;
  let admin: Caller;
  let reseller: Caller;
  const at = (ms: number) => (clock = new Date(T0.getTime() + ms));
  const mirror = (id: string) => database.db.subscription.findUniqueOrThrow({ where: { id } });
  const pcOf = async (id: string) => database.db.pcSubscription.findUniqueOrThrow({ where: { id: (await mirror(id)).pcSubscriptionId } });
  const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

  beforeEach(async () => {
    clock = T0;
    database = await createTestDatabase();
    services = testServices(database.db, () => clock);
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-s", name: "Contoso Distribution" });
    reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "res-s", name: "Northwind", providerOrgId: admin.organisation.id });
  });
  afterEach(() => database.drop());

  it("the catalog for a customer is its segment's, on the chosen term and billing; trials are always there, add-ons never", async () => {
    const { customerId } = await newCustomer(services, admin, { account: { segment: "education", domainPrefix: "school" } as never });
    const names = async (term: string, cycle: string) => (await services.orders.catalogFor(admin, customerId, term, cycle)).choices.map((choice) => choice.offer.name);
    expect(await names("P1Y", "annual")).toEqual(["Exchange Online (Plan 1)", "Microsoft 365 A3 for faculty", "Exchange Online (Plan 1) (legacy)"]);
    expect(await names("P1M", "monthly")).toEqual(["Exchange Online (Plan 1)", "Azure plan"]);
    const commercial = await newCustomer(services, admin);
    const monthly3y = await services.orders.catalogFor(admin, commercial.customerId, "P3Y", "monthly");
    expect(monthly3y.choices.map((choice) => choice.offer.name)).toEqual(expect.arrayContaining(["Office 365 E3", "Microsoft 365 Business Premium Trial"]));
    expect(monthly3y.choices.some((choice) => choice.offer.addOnOf.length)).toBe(false);
  });

  it("the Microsoft Customer Agreement is required before the first New Commerce order (13605), not for a legacy one", async () => {
    const { customerId } = await newCustomer(services, admin, { attested: false });
    const error = await caught(order(services, admin, customerId, { [OFFERS.e3]: 5 }));
    expect(isPartnerCenterError(error, "agreementRequired")).toBe(true);
    expect(await database.db.pcCart.count()).toBe(0);
    const legacy = await order(services, admin, customerId, { [OFFERS.e1Legacy]: 2 });
    expect((await mirror(legacy.subscriptionIds[0])).productType).toBe("OnlineServices");
    await services.customers.attest(admin, { customerId, attestation: { firstName: "Ana", lastName: "Bowman", email: "ana@fabrikam.com", dateAgreed: "2027-01-03", accepted: "true" }, key: "k" });
    expect((await order(services, admin, customerId, { [OFFERS.e3]: 5 })).subscriptionIds).toHaveLength(1);
  });

  it("an order is a cart then a checkout, once per key (the same request ids), and starts the customer's first billing period", async () => {
    const { customerId } = await newCustomer(services, admin);
    const first = await order(services, admin, customerId, { [OFFERS.e3]: 10, [OFFERS.businessPremium]: 3 }, { key: "order-1", term: "P3Y", cycle: "annual" });
    const again = await order(services, admin, customerId, { [OFFERS.e3]: 10, [OFFERS.businessPremium]: 3 }, { key: "order-1", term: "P3Y", cycle: "annual" });
    expect(again).toEqual({ ...first, created: false });
    expect(await database.db.pcOrder.count()).toBe(1);
    expect(await database.db.pcSubscription.count()).toBe(2);
    const e3 = await mirror(first.subscriptionIds[0]);
    expect(e3).toMatchObject({ termDuration: "P3Y", billingCycle: "annual", licences: 10, unitPriceCents: 2185, status: "active", autoRenew: true });
    expect(e3.termEndAt.toISOString()).toBe("2030-01-04T10:00:00.000Z");
    expect((await database.db.customer.findUniqueOrThrow({ where: { id: customerId } })).firstBillingAt).toEqual(T0);
  });

  it("a held one-per-customer offer is refused; a suspended one is offered as 'reactivate instead'; two orders at once give exactly one", async () => {
    const { customerId } = await newCustomer(services, admin);
    const results = await Promise.allSettled([order(services, admin, customerId, { [OFFERS.azurePlan]: 1 }, { term: "P1M" }), order(services, admin, customerId, { [OFFERS.azurePlan]: 1 }, { term: "P1M" })]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refusal = (results.find((result) => result.status === "rejected") as PromiseRejectedResult).reason;
    expect(refusal instanceof OfferLimitReached || isPartnerCenterError(refusal, "offerLimitReached")).toBe(true);
    expect(await database.db.pcSubscription.count({ where: { productId: "DZH318Z0BPS6" } })).toBe(1);
    await expect(order(services, admin, customerId, { [OFFERS.azurePlan]: 1 }, { term: "P1M" })).rejects.toBeInstanceOf(OfferLimitReached);
    const [azure] = await database.db.subscription.findMany({ where: { customerId } });
    await services.subscriptions.suspend(admin, { subscriptionId: azure.id, reason: "customerRequest", version: azure.version });
    const choice = (await services.orders.catalogFor(admin, customerId, "P1M", "monthly")).choices.find((candidate) => candidate.offer.name === "Azure plan");
    expect(choice).toMatchObject({ state: "reactivate", subscriptionId: azure.id });
  });

  it("seats go up at any time, as a new batch with its own 168-hour window", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    at(100 * HOUR);
    let sub = await services.subscriptions.get(admin, id);
    const preview = await services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 15, version: sub.version });
    expect(preview).toMatchObject({ from: 10, to: 15, monthlyDeltaCents: 5 * 2300, dropsScheduled: false });
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 15, version: sub.version });
    sub = await services.subscriptions.get(admin, id);
    expect(sub.seatWindows.map((window) => [window.quantity, window.until.toISOString()])).toEqual([
      [10, new Date(T0.getTime() + 168 * HOUR).toISOString()],
      [5, new Date(T0.getTime() + 268 * HOUR).toISOString()],
    ]);
    expect(sub.removableSeats).toBe(14);
    expect((await pcOf(id)).quantity).toBe(15);
  });

  it("seats come down only within 168 hours of being added: open a millisecond before, closed at the 168th hour", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    at(168 * HOUR - 1);
    let sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub.removableSeats).toBe(9);
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 7, version: sub.version });
    at(168 * HOUR);
    sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub.removableSeats).toBe(0);
    const refused = await caught(services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 6, version: sub.version }));
    expect(refused).toBeInstanceOf(PartnerCenterError);
    expect(refused).toMatchObject({ code: 800090, reason: "reductionWindowPassed", details: { removable: 0, renewsAt: "2028-01-04T10:00:00.000Z", autoRenew: 1 } });
    // Partner Center itself refuses it too, whatever the bot thinks.
    const pc = await services.pc.getSubscription((await database.db.customer.findFirstOrThrow()).pcCustomerId, sub.pcSubscriptionId);
    await expect(services.pc.updateSubscription((await database.db.customer.findFirstOrThrow()).pcCustomerId, { ...pc, quantity: 6 }, crypto.randomUUID())).rejects.toMatchObject({ code: 800090 });
    expect((await pcOf(id)).quantity).toBe(7);
    // Up is still fine.
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 8, version: sub.version });
    expect((await mirror(id)).licences).toBe(8);
  });

  it("partial batches: only the seats of a batch still in its window can go, most recent first, and the refusal says how many still can", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    at(100 * HOUR);
    let sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 15, version: sub.version });
    at(200 * HOUR); // the purchase's window has closed; the add's (until 268 h) is open
    sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub.removableSeats).toBe(5);
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 12, version: sub.version });
    sub = await services.subscriptions.get(admin, id);
    expect(sub.seatWindows.map((window) => window.quantity)).toEqual([2]);
    const refused = await caught(services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 9, version: sub.version }));
    expect(refused).toMatchObject({ code: 800090, details: { removable: 2, allowedUntil: new Date(T0.getTime() + 268 * HOUR).toISOString() } });
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 10, version: sub.version });
    expect((await mirror(id)).licences).toBe(10);
  });

  it("a seat change shows its prorated charge or refund before it is made", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    at(3 * DAY);
    const sub = await services.subscriptions.get(admin, id);
    const fewer = await services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 5, version: sub.version });
    expect(fewer.proratedCents).toBe(Math.round((2300 * 5 * 28) / 31));
    const more = await services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 12, version: sub.version });
    expect(more.proratedCents).toBe(Math.round((2300 * 2 * 28) / 31));
    await expect(services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 10, version: sub.version })).rejects.toBeInstanceOf(InvalidInput);
    await expect(services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 10_001, version: sub.version })).rejects.toMatchObject({ issues: [{ code: "outOfRange", params: { min: 1, max: 10_000 } }] });
  });

  it("cancel only within 168 hours of purchase, with the prorated refund shown first; afterwards the way out is auto-renew off", async () => {
    const first = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 4 } });
    at(2 * DAY);
    let sub = await services.subscriptions.get(admin, first.subscriptionIds[0]);
    expect(sub.canCancel).toBe(true);
    const preview = await services.subscriptions.previewCancel(admin, { subscriptionId: sub.id, version: sub.version });
    expect(preview.refundCents).toBe(Math.round((2300 * 4 * 29) / 31));
    expect(preview.until?.toISOString()).toBe(new Date(T0.getTime() + 168 * HOUR).toISOString());
    await services.subscriptions.cancel(admin, { subscriptionId: sub.id, version: sub.version });
    expect((await mirror(sub.id)).status).toBe("deleted");
    expect((await pcOf(sub.id)).status).toBe("deleted");

    const second = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 4 } });
    at(2 * DAY + 168 * HOUR);
    sub = await services.subscriptions.get(admin, second.subscriptionIds[0], { refresh: true });
    expect(sub.canCancel).toBe(false);
    const refused = await caught(services.subscriptions.cancel(admin, { subscriptionId: sub.id, version: sub.version }));
    expect(refused).toMatchObject({ code: 900117, reason: "cancellationWindowPassed", details: { endsAt: sub.termEndAt.toISOString(), autoRenew: 1 } });
    await services.subscriptions.setAutoRenew(admin, { subscriptionId: sub.id, version: sub.version, autoRenew: false });
    expect(await services.subscriptions.get(admin, sub.id)).toMatchObject({ autoRenew: false, termEnd: "ends" });
  });

  it("a legacy offer keeps the seeds' rules: seats down and cancellation at any time", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e1Legacy]: 10 } });
    at(60 * DAY);
    let sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub).toMatchObject({ isLegacy: true, isNce: false, removableSeats: 9, canCancel: true });
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 2, version: sub.version });
    sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.cancel(admin, { subscriptionId: id, version: sub.version });
    expect((await mirror(id)).status).toBe("deleted");
  });

  it("changes scheduled for the next term: shown, and dropped by a mid-term change, which says so before it is confirmed", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    at(30 * DAY);
    let sub = await services.subscriptions.get(admin, id, { refresh: true });
    await services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 6, termDuration: "P1Y", billingCycle: "annual" });
    sub = await services.subscriptions.get(admin, id);
    expect(sub.nextTerm).toEqual({ quantity: 6, termDuration: "P1Y", billingCycle: "annual" });
    expect((await pcOf(id)).scheduledNextTerm).toContain('"quantity":6');
    // Refused: a term it is not sold on, a count out of range.
    await expect(services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 6, termDuration: "P1M", billingCycle: "annual" })).rejects.toMatchObject({ issues: [{ field: "nextTerm", code: "invalidChoice" }] });
    await expect(services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 0, termDuration: "P1Y", billingCycle: "annual" })).rejects.toBeInstanceOf(InvalidInput);
    const preview = await services.subscriptions.previewQuantity(admin, { subscriptionId: id, licences: 11, version: sub.version });
    expect(preview.dropsScheduled).toBe(true);
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 11, version: sub.version });
    sub = await services.subscriptions.get(admin, id);
    expect(sub.nextTerm).toBeNull();
    expect((await pcOf(id)).scheduledNextTerm).toBeNull();
    const entry = await database.db.auditEntry.findFirstOrThrow({ where: { subscriptionId: id, action: "subscription.licencesChanged" } });
    expect(JSON.parse(entry.after!)).toEqual({ licences: 11, scheduledDropped: true });
  });

  it("scheduling needs auto-renew on; turning auto-renew off drops what was scheduled", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    let sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 8, termDuration: "P1Y", billingCycle: "monthly" });
    sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.setAutoRenew(admin, { subscriptionId: id, version: sub.version, autoRenew: false });
    sub = await services.subscriptions.get(admin, id);
    expect(sub).toMatchObject({ autoRenew: false, nextTerm: null, termEnd: "ends" });
    await expect(services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 8, termDuration: "P1Y", billingCycle: "monthly" })).rejects.toMatchObject({ code: 800024, reason: "autoRenewRequired" });
  });

  it("at the end of the term the subscription renews with the scheduled changes, and a fresh 168-hour window opens", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    at(30 * DAY);
    let sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 6, termDuration: "P1Y", billingCycle: "annual" });
    const renewal = new Date("2028-01-04T10:00:00Z");
    clock = new Date(renewal.getTime() + 2 * HOUR);
    sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub).toMatchObject({ status: "active", licences: 6, billingCycle: "annual", termDuration: "P1Y", nextTerm: null, autoRenew: true });
    expect(sub.termStartAt.toISOString()).toBe(renewal.toISOString());
    expect(sub.termEndAt.toISOString()).toBe("2029-01-04T10:00:00.000Z");
    expect(sub.seatWindows).toEqual([{ quantity: 6, until: new Date(renewal.getTime() + 168 * HOUR) }]);
    expect(sub.canCancel).toBe(true);
    expect(sub.removableSeats).toBe(5);
    const renewed = await database.db.auditEntry.findFirstOrThrow({ where: { subscriptionId: id, action: "subscription.renewed" } });
    expect(renewed.actorUserId).toBe("partner-center");
    // The new window is a real one: seats can come down again.
    await services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 4, version: sub.version });
    expect((await mirror(id)).licences).toBe(4);
  });

  it("without auto-renew the subscription ends at its term end (expired), and says so in its history", async () => {
    const { customerId, subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 2 } });
    const sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.setAutoRenew(admin, { subscriptionId: id, version: sub.version, autoRenew: false });
    clock = new Date("2028-01-05T00:00:00Z");
    expect((await services.subscriptions.get(admin, id, { refresh: true })).status).toBe("expired");
    expect((await services.subscriptions.history(admin, customerId)).entries.map((entry) => entry.action)).toContain("subscription.expired");
  });

  it("New Commerce suspension: billing continues and auto-renew turns off (scheduled changes dropped); reactivation turns it back on; a term that ends while suspended expires", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    let sub = await services.subscriptions.get(admin, id);
    await services.subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 5, termDuration: "P1Y", billingCycle: "monthly" });
    sub = await services.subscriptions.get(admin, id);
    at(10 * DAY);
    const suspended = await services.subscriptions.suspend(admin, { subscriptionId: id, reason: "nonPayment", version: sub.version });
    expect(suspended).toEqual({ nce: true, deletionAt: null, termEndAt: sub.termEndAt });
    sub = await services.subscriptions.get(admin, id);
    expect(sub).toMatchObject({ status: "suspended", autoRenew: false, nextTerm: null, deletionAt: null, suspensionReason: "nonPayment", termEnd: "ends" });
    await services.subscriptions.reactivate(admin, { subscriptionId: id, version: sub.version });
    sub = await services.subscriptions.get(admin, id);
    expect(sub).toMatchObject({ status: "active", autoRenew: true });
    // Suspended again, and left so past the term end: it expires, and cannot come back.
    await services.subscriptions.suspend(admin, { subscriptionId: id, reason: "customerRequest", version: sub.version });
    clock = new Date("2028-01-05T00:00:00Z");
    sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub.status).toBe("expired");
    await expect(services.subscriptions.reactivate(admin, { subscriptionId: id, version: sub.version })).rejects.toBeInstanceOf(IllegalTransition);
  });

  it("legacy suspension keeps the seeds' rule: deleted after the retention period unless reactivated, with the date shown", async () => {
    const { customerId, subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e1Legacy]: 3 } });
    at(DAY);
    let sub = await services.subscriptions.get(admin, id);
    const suspended = await services.subscriptions.suspend(admin, { subscriptionId: id, reason: "fraud", version: sub.version });
    // Opened and first billed the same day: 90 days.
    expect(suspended.deletionAt?.toISOString()).toBe(new Date(T0.getTime() + 91 * DAY).toISOString());
    sub = await services.subscriptions.get(admin, id);
    expect(sub).toMatchObject({ status: "suspended", autoRenew: true });
    at(91 * DAY + HOUR);
    sub = await services.subscriptions.get(admin, id, { refresh: true });
    expect(sub.status).toBe("deleted");
    expect((await services.subscriptions.history(admin, customerId)).entries.map((entry) => entry.action)).toContain("subscription.deleted");
  });

  it("a card shown before a change made in Partner Center changes nothing: the subscription is read again and the change audited as Partner Center's", async () => {
    const { customerId, subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    const shown = await services.subscriptions.get(admin, id);
    const { pcCustomerId } = await database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
    const inPortal = await services.pc.getSubscription(pcCustomerId, shown.pcSubscriptionId);
    await services.pc.updateSubscription(pcCustomerId, { ...inPortal, quantity: 12 }, crypto.randomUUID());
    await expect(services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 11, version: shown.version })).rejects.toBeInstanceOf(StaleVersion);
    expect(await mirror(id)).toMatchObject({ licences: 12, version: shown.version + 1 });
    expect((await pcOf(id)).quantity).toBe(12);
    const outside = await database.db.auditEntry.findFirstOrThrow({ where: { subscriptionId: id, action: "subscription.changedInPartnerCenter" } });
    expect([JSON.parse(outside.before!), JSON.parse(outside.after!)]).toEqual([{ licences: 10 }, { licences: 12 }]);
  });

  it("the same button twice (or a retry after a crash) changes Partner Center once", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10 } });
    const shown = await services.subscriptions.get(admin, id);
    const results = await Promise.allSettled([
      services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 14, version: shown.version }),
      services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 14, version: shown.version }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    for (const result of results) if (result.status === "rejected") expect(result.reason).toBeInstanceOf(StaleVersion);
    expect(await pcOf(id)).toMatchObject({ quantity: 14, updateCount: 1 });
    expect(await database.db.auditEntry.count({ where: { subscriptionId: id, action: "subscription.licencesChanged" } })).toBe(1);
  });

  it("add-ons attach to an active base of a product they extend, on its term", async () => {
    const { subscriptionIds: [e3Id, basicId] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 10, [OFFERS.businessBasic]: 1 } });
    const e3 = await services.subscriptions.get(admin, e3Id);
    expect(e3.addOnOffers.map((offer) => offer.name)).toEqual(["Office 365 Extra File Storage", "Microsoft Teams Audio Conferencing with dial-out to USA/CAN"]);
    const added = await services.subscriptions.addAddOn(admin, { parentId: e3Id, offer: OFFERS.extraFileStorage, licences: 50, idempotencyKey: "addon-1" });
    const addOn = await mirror(added.subscriptionIds[0]);
    expect(addOn).toMatchObject({ parentId: e3Id, licences: 50, termDuration: "P1Y", billingCycle: "monthly", unitPriceCents: 20 });
    expect((await pcOf(addOn.id)).parentSubscriptionId).toBe(e3.pcSubscriptionId);
    await expect(services.subscriptions.addAddOn(admin, { parentId: basicId, offer: OFFERS.extraFileStorage, licences: 5, idempotencyKey: "addon-2" })).rejects.toBeInstanceOf(InvalidInput);
    await services.subscriptions.suspend(admin, { subscriptionId: e3Id, reason: "fraud", version: e3.version });
    await expect(services.subscriptions.addAddOn(admin, { parentId: e3Id, offer: OFFERS.audioConferencing, licences: 5, idempotencyKey: "addon-3" })).rejects.toBeInstanceOf(InvalidInput);
  });

  it("the reseller of record is the cart line's transaction_reseller (its PartnerID); one that has not signed the partner agreement is refused (900123) and nothing is ordered", async () => {
    const { customerId } = await newCustomer(services, admin);
    const placed = await order(services, admin, customerId, { [OFFERS.e3]: 3 }, { resellerOfRecordId: reseller.organisation.id });
    const org = await database.db.organisation.findUniqueOrThrow({ where: { id: reseller.organisation.id } });
    expect(org.mpnId).toMatch(/^\d{7}$/);
    const cart = await database.db.pcCart.findFirstOrThrow();
    expect(JSON.parse(cart.lineItems)[0].participants).toEqual([{ key: "transaction_reseller", value: org.mpnId }]);
    expect((await mirror(placed.subscriptionIds[0])).resellerOfRecordId).toBe(reseller.organisation.id);
    await (services.pc as unknown as { setResellerAgreementSigned(tenantId: string, signed: boolean): Promise<void> }).setResellerAgreementSigned("res-s", false);
    const refused = await caught(order(services, admin, customerId, { [OFFERS.e5]: 3 }, { resellerOfRecordId: reseller.organisation.id }));
    expect(refused).toMatchObject({ code: 900123, reason: "resellerAgreementMissing", details: { reseller: "Northwind" } });
    expect(await database.db.pcSubscription.count()).toBe(1);
  });

  it("the reseller of record changes through Partner Center (the subscription's partnerId); the support contact is the bot's own; only the provider names them", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 3 } });
    let sub = await services.subscriptions.get(admin, id);
    await expect(services.subscriptions.assignResellers(admin, { subscriptionId: id, version: sub.version, resellerOfRecordId: admin.organisation.id, supportContactId: null })).rejects.toBeInstanceOf(InvalidInput);
    await services.subscriptions.assignResellers(admin, { subscriptionId: id, version: sub.version, resellerOfRecordId: reseller.organisation.id, supportContactId: reseller.organisation.id });
    sub = await services.subscriptions.get(admin, id);
    expect(sub).toMatchObject({ resellerOfRecordName: "Northwind", supportContactName: "Northwind" });
    expect((await pcOf(id)).partnerId).toBe((await database.db.organisation.findUniqueOrThrow({ where: { id: reseller.organisation.id } })).mpnId);
    await services.subscriptions.assignResellers(admin, { subscriptionId: id, version: sub.version, resellerOfRecordId: reseller.organisation.id, supportContactId: null });
    expect((await services.subscriptions.get(admin, id)).supportContactName).toBeNull();
    await expect(services.subscriptions.assignResellers(reseller, { subscriptionId: id, version: sub.version + 1, resellerOfRecordId: null, supportContactId: null })).rejects.toBeInstanceOf(NotAllowed);
  });

  it("nobody outside the customer's provider or reseller can touch its subscriptions", async () => {
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3]: 3 } });
    const sub = await services.subscriptions.get(admin, id);
    const stranger = await makeCaller(database.db, { kind: "provider", tenantId: "prov-other" });
    await expect(services.subscriptions.suspend(stranger, { subscriptionId: id, reason: "fraud", version: sub.version })).rejects.toBeInstanceOf(NotAllowed);
    await expect(services.subscriptions.suspend(reseller, { subscriptionId: id, reason: "fraud", version: sub.version })).rejects.toBeInstanceOf(NotAllowed);
    await expect(services.subscriptions.suspend(admin, { subscriptionId: id, reason: "because", version: sub.version })).rejects.toBeInstanceOf(InvalidInput);
    expect((await pcOf(id)).status).toBe("active");
  });

  it("provisioning that lags behind checkout: the order is recorded at once, its subscriptions once Partner Center has them", async () => {
    const lagging = testServices(database.db, () => clock, { provisioningLagMs: 10 * 60_000 });
    const { customerId } = await newCustomer(lagging, admin);
    const placed = await order(lagging, admin, customerId, { [OFFERS.e3]: 3, [OFFERS.exchange1]: 2 });
    expect(placed).toMatchObject({ created: true, provisioning: true, subscriptionIds: [] });
    expect(await lagging.orders.followUp()).toEqual([]);
    at(10 * 60_000);
    const [ready] = await lagging.orders.followUp();
    expect(ready).toMatchObject({ orderId: placed.orderId, customerId, createdById: admin.userId });
    expect(await database.db.subscription.count({ where: { customerId } })).toBe(2);
    expect((await database.db.subscription.findFirstOrThrow({ where: { customerId, offerName: "Office 365 E3" } })).unitPriceCents).toBe(2300);
    expect(await lagging.orders.followUp()).toEqual([]);
    // The same order submitted again is the same order.
    expect(await order(lagging, admin, customerId, { [OFFERS.e3]: 3, [OFFERS.exchange1]: 2 }, { key: (await database.db.order.findFirstOrThrow()).idempotencyKey })).toMatchObject({ created: false, subscriptionIds: expect.arrayContaining(ready.subscriptionIds) });
  });
});
