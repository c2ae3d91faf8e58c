import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSecrets } from "./helpers/harness.js";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import { CustomerService } from "../src/customers/customerService.js";
import { InvalidInput, NotAllowed, OfferLimitReached, StaleVersion } from "../src/errors.js";
import type { Caller } from "../src/identity/identityService.js";
import { deletionDate, IllegalTransition, nextStatus, retentionDays, userTransitions, type Transition } from "../src/subscriptions/lifecycle.js";
import { SubscriptionService } from "../src/subscriptions/subscriptionService.js";
import { makeCaller, validAccount } from "./helpers/fixtures.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const DAY = 86_400_000;
const opened = new Date("2026-01-01T00:00:00Z");

describe("data retention of a suspended subscription", () => {
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
});

describe("status transitions", () => {
  it.each([
    ["active", "suspend", "suspended"],
    ["suspended", "reactivate", "active"],
    ["active", "cancel", "cancelled"],
    ["suspended", "cancel", "cancelled"],
    ["suspended", "delete", "deleted"],
  ] as const)("%s → %s is allowed (→ %s)", (from, transition, to) => {
    expect(nextStatus(from, transition)).toBe(to);
  });

  it.each([
    ["active", "reactivate"],
    ["active", "delete"],
    ["suspended", "suspend"],
    ["cancelled", "reactivate"],
    ["cancelled", "suspend"],
    ["cancelled", "cancel"],
    ["deleted", "reactivate"],
    ["deleted", "cancel"],
    ["deleted", "suspend"],
    ["cancelled", "delete"],
  ] as [string, Transition][])("%s → %s is refused", (from, transition) => {
    expect(() => nextStatus(from, transition)).toThrow(IllegalTransition);
  });

  it("offers users only the legal actions", () => {
    expect(userTransitions("active")).toEqual(["suspend", "cancel"]);
    expect(userTransitions("suspended")).toEqual(["reactivate", "cancel"]);
    expect(userTransitions("cancelled")).toEqual([]);
  });
});

describe(`subscription service (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let customers: CustomerService;
  let service: SubscriptionService;
  let admin: Caller;
  let reseller: Caller;
  let clock = new Date("2026-06-01T12:00:00Z");
  let n = 0;

  const newCustomer = async (overrides: Record<string, string> = {}, lines: { offerId: string; licences: number }[] = []) => {
    const result = await customers.create(admin, { account: validAccount({ domainPrefix: `sub${++n}`, ...overrides }), billingCycle: "monthly", lines, creationKey: `c-${n}` });
    return result.customer.id;
  };
  const subscriptionOf = async (customerId: string, offerId: string) => database.db.subscription.findFirstOrThrow({ where: { customerId, offerId } });

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCatalog(database.db);
    customers = new CustomerService(database.db, { secrets: testSecrets(), now: () => clock });
    service = new SubscriptionService(database.db, customers, () => clock);
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-s" });
    reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "res-s", name: "Northwind", providerOrgId: admin.organisation.id });
  });
  afterAll(() => database.drop());

  it("offers what the segment and billing cycle allow", async () => {
    const education = await newCustomer({ segment: "education" });
    const annual = (await service.catalogFor(admin, education, "annual")).choices.map((c) => c.offer.id);
    expect(annual).toContain("m365-a3");
    expect(annual).not.toContain("o365-e3");
    expect(annual).not.toContain("azure-plan");
    expect((await service.catalogFor(admin, education, "monthly")).choices.map((c) => c.offer.id)).toContain("azure-plan");
  });

  it("a held one-per-customer offer is unavailable; a suspended one is offered as 'reactivate instead'", async () => {
    const customerId = await newCustomer({}, [{ offerId: "azure-plan", licences: 1 }]);
    const held = (await service.catalogFor(admin, customerId, "monthly")).choices.find((c) => c.offer.id === "azure-plan");
    expect(held?.state).toBe("held");
    await expect(service.placeOrder(admin, { customerId, billingCycle: "monthly", lines: [{ offerId: "azure-plan", licences: 1 }], idempotencyKey: `o-${++n}` })).rejects.toBeInstanceOf(OfferLimitReached);
    const azure = await subscriptionOf(customerId, "azure-plan");
    await service.suspend(admin, { subscriptionId: azure.id, reason: "nonPayment", version: azure.version });
    expect((await service.catalogFor(admin, customerId, "monthly")).choices.find((c) => c.offer.id === "azure-plan")).toMatchObject({ state: "reactivate", subscriptionId: azure.id });
    const suspended = await subscriptionOf(customerId, "azure-plan");
    await service.cancel(admin, { subscriptionId: azure.id, version: suspended.version });
    expect((await service.catalogFor(admin, customerId, "monthly")).choices.find((c) => c.offer.id === "azure-plan")?.state).toBe("available");
    await service.placeOrder(admin, { customerId, billingCycle: "monthly", lines: [{ offerId: "azure-plan", licences: 1 }], idempotencyKey: `o-${++n}` });
    expect(await database.db.subscription.count({ where: { customerId, offerId: "azure-plan", status: "active" } })).toBe(1);
  });

  it("two orders of the same one-per-customer offer at the same time give exactly one subscription", async () => {
    const customerId = await newCustomer();
    const order = () => service.placeOrder(admin, { customerId, billingCycle: "monthly", lines: [{ offerId: "azure-plan", licences: 1 }], idempotencyKey: `o-${++n}` });
    const results = await Promise.allSettled([order(), order(), order()]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected" && r.reason instanceof OfferLimitReached)).toHaveLength(2);
    expect(await database.db.subscription.count({ where: { customerId, offerId: "azure-plan" } })).toBe(1);
  });

  it("an order is placed once per key, and starts the customer's first billing period", async () => {
    const customerId = await newCustomer();
    expect((await database.db.customer.findUniqueOrThrow({ where: { id: customerId } })).firstBillingAt).toBeNull();
    clock = new Date(clock.getTime() + 15 * DAY);
    const command = { customerId, billingCycle: "annual" as const, lines: [{ offerId: "o365-e3", licences: 20 }], resellerOfRecordId: null, idempotencyKey: `o-${++n}` };
    const first = await service.placeOrder(admin, command);
    const again = await service.placeOrder(admin, command);
    expect(again).toEqual({ ...first, created: false });
    expect(await database.db.subscription.count({ where: { customerId } })).toBe(1);
    const customer = await database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
    expect(customer.firstBillingAt!.getTime() - customer.openedAt.getTime()).toBe(15 * DAY);

    // That 15-day gap gives a suspended subscription 105 days before its data is deleted.
    const e3 = await subscriptionOf(customerId, "o365-e3");
    const deletion = await service.suspend(admin, { subscriptionId: e3.id, reason: "customerRequest", version: e3.version });
    expect(deletion.getTime() - clock.getTime()).toBe(105 * DAY);
    expect((await subscriptionOf(customerId, "o365-e3")).deletionAt).toEqual(deletion);
  });

  it("licence changes stay within the offer's minimum and maximum", async () => {
    const customerId = await newCustomer({}, [{ offerId: "m365-business-basic", licences: 5 }]);
    const basic = await subscriptionOf(customerId, "m365-business-basic");
    for (const licences of [0, 301, 2.5]) {
      await expect(service.changeLicences(admin, { subscriptionId: basic.id, licences, version: basic.version })).rejects.toBeInstanceOf(InvalidInput);
    }
    await service.changeLicences(admin, { subscriptionId: basic.id, licences: 300, version: basic.version });
    const changed = await subscriptionOf(customerId, "m365-business-basic");
    expect(changed).toMatchObject({ licences: 300, version: basic.version + 1 });
    // A card showing the old version changes nothing.
    await expect(service.changeLicences(admin, { subscriptionId: basic.id, licences: 7, version: basic.version })).rejects.toBeInstanceOf(StaleVersion);
    expect((await subscriptionOf(customerId, "m365-business-basic")).licences).toBe(300);
    const audit = await database.db.auditEntry.findFirstOrThrow({ where: { subscriptionId: basic.id, action: "subscription.licencesChanged" } });
    expect(JSON.parse(audit.before!)).toEqual({ licences: 5 });
    expect(JSON.parse(audit.after!)).toEqual({ licences: 300 });
  });

  it("add-ons attach to an active parent of the right offer", async () => {
    const customerId = await newCustomer({}, [{ offerId: "o365-e3", licences: 10 }, { offerId: "m365-business-basic", licences: 1 }]);
    const e3 = await subscriptionOf(customerId, "o365-e3");
    const basic = await subscriptionOf(customerId, "m365-business-basic");
    const added = await service.addAddOn(admin, { parentId: e3.id, offerId: "o365-extra-file-storage", licences: 50, idempotencyKey: `a-${++n}` });
    expect(await database.db.subscription.findUniqueOrThrow({ where: { id: added.subscriptionId } })).toMatchObject({ parentId: e3.id, licences: 50, offerId: "o365-extra-file-storage" });
    await expect(service.addAddOn(admin, { parentId: basic.id, offerId: "o365-extra-file-storage", licences: 5, idempotencyKey: `a-${++n}` })).rejects.toBeInstanceOf(InvalidInput);
    await service.suspend(admin, { subscriptionId: e3.id, reason: "fraud", version: e3.version });
    await expect(service.addAddOn(admin, { parentId: e3.id, offerId: "audio-conferencing-e3", licences: 5, idempotencyKey: `a-${++n}` })).rejects.toBeInstanceOf(InvalidInput);
  });

  it("suspend → reactivate → cancel, each audited; a cancelled subscription cannot come back", async () => {
    const customerId = await newCustomer({}, [{ offerId: "o365-e1", licences: 3 }]);
    let sub = await subscriptionOf(customerId, "o365-e1");
    await expect(service.suspend(admin, { subscriptionId: sub.id, reason: "because", version: sub.version })).rejects.toBeInstanceOf(InvalidInput);
    const tick = () => (clock = new Date(clock.getTime() + 60_000));
    tick();
    await service.suspend(admin, { subscriptionId: sub.id, reason: "nonPayment", version: sub.version });
    sub = await subscriptionOf(customerId, "o365-e1");
    expect(sub).toMatchObject({ status: "suspended", suspensionReason: "nonPayment" });
    tick();
    await service.reactivate(admin, { subscriptionId: sub.id, version: sub.version });
    sub = await subscriptionOf(customerId, "o365-e1");
    expect(sub).toMatchObject({ status: "active", deletionAt: null, suspensionReason: null });
    tick();
    await service.cancel(admin, { subscriptionId: sub.id, version: sub.version });
    sub = await subscriptionOf(customerId, "o365-e1");
    expect(sub.status).toBe("cancelled");
    await expect(service.reactivate(admin, { subscriptionId: sub.id, version: sub.version })).rejects.toBeInstanceOf(IllegalTransition);
    const actions = (await service.history(admin, customerId)).entries.map((entry) => entry.action);
    expect(actions.slice(0, 3)).toEqual(["subscription.cancelled", "subscription.reactivated", "subscription.suspended"]);
  });

  it("only the provider names a reseller of record or support contact, and only one of its resellers", async () => {
    const customerId = await newCustomer({}, [{ offerId: "o365-e1", licences: 3 }]);
    const sub = await subscriptionOf(customerId, "o365-e1");
    await expect(service.designateSupportContact(admin, { subscriptionId: sub.id, resellerOrgId: admin.organisation.id, version: sub.version })).rejects.toBeInstanceOf(InvalidInput);
    await service.designateSupportContact(admin, { subscriptionId: sub.id, resellerOrgId: reseller.organisation.id, version: sub.version });
    const after = await subscriptionOf(customerId, "o365-e1");
    expect(after.supportContactId).toBe(reseller.organisation.id);
    await service.setResellerOfRecord(admin, { subscriptionId: sub.id, resellerOrgId: reseller.organisation.id, version: after.version });
    expect((await service.get(admin, sub.id)).resellerOfRecordName).toBe("Northwind");
    await expect(service.setResellerOfRecord(reseller, { subscriptionId: sub.id, resellerOrgId: null, version: after.version + 1 })).rejects.toBeInstanceOf(NotAllowed);
  });

  it("nobody outside the customer's provider or reseller can touch its subscriptions", async () => {
    const customerId = await newCustomer({}, [{ offerId: "o365-e1", licences: 3 }]);
    const sub = await subscriptionOf(customerId, "o365-e1");
    const stranger = await makeCaller(database.db, { kind: "provider", tenantId: "prov-other" });
    await expect(service.suspend(stranger, { subscriptionId: sub.id, reason: "fraud", version: sub.version })).rejects.toBeInstanceOf(NotAllowed);
    await expect(service.suspend(reseller, { subscriptionId: sub.id, reason: "fraud", version: sub.version })).rejects.toBeInstanceOf(NotAllowed);
    expect((await subscriptionOf(customerId, "o365-e1")).status).toBe("active");
  });
});
