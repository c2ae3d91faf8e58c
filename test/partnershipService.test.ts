import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testServices } from "./helpers/harness.js";
import { InvalidInput, NotAllowed } from "../src/errors.js";
import { IdentityService, type Caller } from "../src/identity/identityService.js";
import { hashCode, InvitationRefused, PartnershipService } from "../src/resellers/partnershipService.js";
import { everyStoredValue, makeCaller, newCustomer, OFFERS, order, validAccount } from "./helpers/fixtures.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const DAY = 86_400_000;

describe(`partnerships with indirect resellers (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let service: PartnershipService;
  let admin: Caller;
  let agent: Caller;
  let clock = new Date("2026-11-01T00:00:00Z");
  const prospect = (tenantId: string, n = 1) => ({ tenantId, aadObjectId: `aad-${tenantId}-${n}`, displayName: `Reseller user ${n}` });

  // Each test has its own database with the provider's admin and agent, and no reseller yet.
  beforeEach(async () => {
    clock = new Date("2026-11-01T00:00:00Z");
    database = await createTestDatabase();
    service = new PartnershipService(database.db, { now: () => clock });
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-p", name: "Contoso Distribution" });
    agent = await makeCaller(database.db, { kind: "provider", role: "agent", tenantId: "prov-p" });
  });
  afterEach(() => database.drop());

  /** Northwind Traders, invited by the admin and accepted by a user of tenant ten-north. */
  const northwind = async () => {
    const { code } = await service.invite(admin, { email: "sales@northwind.example", companyName: "Northwind Traders" });
    return service.accept(code, prospect("ten-north"));
  };

  it("only provider admins invite; bad email or name is refused", async () => {
    await expect(service.invite(agent, { email: "a@b.com", companyName: "X" })).rejects.toBeInstanceOf(NotAllowed);
    await expect(service.invite(admin, { email: "not-an-email", companyName: "" })).rejects.toBeInstanceOf(InvalidInput);
  });

  it("stores only a hash of the code; the code is unguessable and works once", async () => {
    const { code, partnership } = await service.invite(admin, { email: "Sales@Northwind.example", companyName: "Northwind Traders" });
    expect(code.length).toBeGreaterThanOrEqual(24);
    expect(partnership.tokenHash).toBe(hashCode(code));
    expect(await everyStoredValue(database.db, database.provider)).not.toContain(code);
    expect((await service.peek(code, prospect("ten-north"))).providerName).toBe("Contoso Distribution");
    const accepted = await service.accept(code, prospect("ten-north"));
    const org = await database.db.organisation.findUniqueOrThrow({ where: { id: accepted.resellerOrgId } });
    expect(org).toMatchObject({ kind: "reseller", tenantId: "ten-north", name: "Northwind Traders" });
    expect(await database.db.user.findUniqueOrThrow({ where: { id: accepted.userId } })).toMatchObject({ role: "admin", orgId: org.id });
    await expect(service.accept(code, prospect("ten-north", 2))).rejects.toMatchObject({ reason: "used" });
    await expect(service.accept(code, prospect("ten-other"))).rejects.toMatchObject({ reason: "otherTenant" });
  });

  it("an accepted reseller's users are enrolled; the first is its admin, the next agents", async () => {
    await northwind();
    const identity = new IdentityService(database.db, { providerTenantId: "prov-p", providerName: "x", logger: memoryLogger().logger });
    expect(await identity.resolve({ ...prospect("ten-north"), displayName: "R1" })).toMatchObject({ status: "member", caller: { role: "admin", organisation: { kind: "reseller" } } });
    expect(await identity.resolve({ ...prospect("ten-north", 3), displayName: "R3" })).toMatchObject({ status: "member", caller: { role: "agent", organisation: { kind: "reseller" } } });
  });

  it("an expired, revoked or declined invitation is refused; an unknown code too", async () => {
    const expiring = await service.invite(admin, { email: "e@x.example", companyName: "Expiring" });
    clock = new Date(clock.getTime() + 14 * DAY + 1);
    await expect(service.accept(expiring.code, prospect("ten-exp"))).rejects.toMatchObject({ reason: "expired" });
    expect((await service.list(admin)).find((p) => p.id === expiring.partnership.id)?.state).toBe("expired");

    const revoked = await service.invite(admin, { email: "r@x.example", companyName: "Revoked" });
    await expect(service.revoke(agent, revoked.partnership.id)).rejects.toBeInstanceOf(NotAllowed);
    await service.revoke(admin, revoked.partnership.id);
    await expect(service.accept(revoked.code, prospect("ten-rev"))).rejects.toMatchObject({ reason: "revoked" });

    const declined = await service.invite(admin, { email: "d@x.example", companyName: "Declined" });
    await service.decline(declined.code, prospect("ten-dec"));
    await expect(service.accept(declined.code, prospect("ten-dec"))).rejects.toMatchObject({ reason: "declined" });
    await expect(service.accept("no-such-code", prospect("ten-x"))).rejects.toBeInstanceOf(InvitationRefused);
    expect(await database.db.organisation.count({ where: { tenantId: { in: ["ten-exp", "ten-rev", "ten-dec"] } } })).toBe(0);
  });

  it("the provider's own tenant cannot accept its invitation", async () => {
    const { code } = await service.invite(admin, { email: "self@x.example", companyName: "Self" });
    await expect(service.accept(code, prospect("prov-p"))).rejects.toMatchObject({ reason: "ownTenant" });
  });

  it("two users accepting the same code at once: one wins", async () => {
    const { code } = await service.invite(admin, { email: "race@x.example", companyName: "Race" });
    const results = await Promise.allSettled([service.accept(code, prospect("ten-race", 1)), service.accept(code, prospect("ten-race", 2))]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await database.db.user.count({ where: { tenantId: "ten-race" } })).toBe(1);
  });

  it("lists resellers with their state", async () => {
    await northwind();
    const expiring = await service.invite(admin, { email: "e@x.example", companyName: "Expiring" });
    const revoked = await service.invite(admin, { email: "r@x.example", companyName: "Revoked" });
    await service.revoke(admin, revoked.partnership.id);
    const declined = await service.invite(admin, { email: "d@x.example", companyName: "Declined" });
    await service.decline(declined.code, prospect("ten-dec"));
    clock = new Date(expiring.partnership.expiresAt.getTime() + 1);
    const states = Object.fromEntries((await service.list(admin)).map((p) => [p.companyName, p.state]));
    expect(states).toMatchObject({ "Northwind Traders": "active", Expiring: "expired", Revoked: "revoked", Declined: "declined" });
    await expect(service.list(await makeCaller(database.db, { kind: "reseller", tenantId: "ten-north" }))).rejects.toBeInstanceOf(NotAllowed);
  });

  describe("access matrix for customers and subscriptions", () => {
    let services: ReturnType<typeof testServices>;
    let northwindAdmin: Caller;
    let fabrikamReseller: Caller;
    let delegatedId: string;
    let directId: string;

    beforeEach(async () => {
      await northwind();
      services = testServices(database.db, () => clock);
      const north = await database.db.organisation.findUniqueOrThrow({ where: { tenantId: "ten-north" } });
      const northUser = await database.db.user.findFirstOrThrow({ where: { orgId: north.id, role: "admin" } });
      northwindAdmin = { userId: northUser.id, tenantId: "ten-north", aadObjectId: northUser.aadObjectId, displayName: northUser.displayName, role: "admin", organisation: { id: north.id, kind: "reseller", name: north.name } };
      fabrikamReseller = await makeCaller(database.db, { kind: "reseller", tenantId: "ten-fab", name: "Fabrikam Partners", providerOrgId: admin.organisation.id });
      delegatedId = (await newCustomer(services, admin, { account: { domainPrefix: "matrixdeleg" }, quantities: { [OFFERS.e1]: 2 }, resellerOrgId: north.id })).customerId;
      directId = (await newCustomer(services, agent, { account: { domainPrefix: "matrixdirect" }, quantities: { [OFFERS.e1]: 2 } })).customerId;
    });

    const subOf = (customerId: string) => database.db.subscription.findFirstOrThrow({ where: { customerId, offerName: "Office 365 E1" } });
    type Who = "providerAdmin" | "providerAgent" | "rightReseller" | "otherReseller";
    const who = (name: Who) => ({ providerAdmin: admin, providerAgent: agent, rightReseller: northwindAdmin, otherReseller: fabrikamReseller })[name];

    it.each([
      ["providerAdmin", "delegated", true],
      ["providerAgent", "delegated", true],
      ["rightReseller", "delegated", true],
      ["otherReseller", "delegated", false],
      ["providerAdmin", "direct", true],
      ["providerAgent", "direct", true],
      ["rightReseller", "direct", false],
      ["otherReseller", "direct", false],
    ] as [Who, "delegated" | "direct", boolean][])("%s on the %s customer: allowed = %s for read, licences, suspend, reactivate, order", async (name, which, allowed) => {
      const caller = who(name);
      const customerId = which === "delegated" ? delegatedId : directId;
      const outcome = async (run: () => Promise<unknown>) => run().then(() => true, (error: unknown) => (error instanceof NotAllowed ? false : Promise.reject(error)));
      const { customers, subscriptions } = services;
      expect(await outcome(() => customers.get(caller, customerId))).toBe(allowed);
      expect((await customers.list(caller, {})).items.some((item) => item.id === customerId)).toBe(allowed);
      let sub = await subOf(customerId);
      expect(await outcome(() => subscriptions.changeQuantity(caller, { subscriptionId: sub.id, licences: sub.licences + 1, version: sub.version }))).toBe(allowed);
      sub = await subOf(customerId);
      expect(await outcome(() => subscriptions.suspend(caller, { subscriptionId: sub.id, reason: "customerRequest", version: sub.version }))).toBe(allowed);
      sub = await subOf(customerId);
      if (allowed) await subscriptions.reactivate(caller, { subscriptionId: sub.id, version: sub.version });
      expect(await outcome(() => subscriptions.history(caller, customerId))).toBe(allowed);
      expect(await outcome(() => order(services, caller, customerId, { [OFFERS.exchange1]: 1 }, { key: `order-${name}-${which}` }))).toBe(allowed);
    });

    it("only the provider creates customers or names resellers on subscriptions; only active resellers can be named", async () => {
      const { customers, subscriptions } = services;
      await expect(customers.create(northwindAdmin, { account: validAccount({ domainPrefix: "byres" }), creationKey: "m3" })).rejects.toBeInstanceOf(NotAllowed);
      const sub = await subOf(delegatedId);
      await expect(subscriptions.assignResellers(northwindAdmin, { subscriptionId: sub.id, resellerOfRecordId: null, supportContactId: null, version: sub.version })).rejects.toBeInstanceOf(NotAllowed);
      const declinedOrg = await database.db.organisation.create({ data: { tenantId: "ten-never", kind: "reseller", name: "Never partnered" } });
      await expect(customers.create(admin, { account: validAccount({ domainPrefix: "toinactive" }), resellerOrgId: declinedOrg.id, creationKey: "m4" })).rejects.toBeInstanceOf(InvalidInput);
      await expect(subscriptions.assignResellers(admin, { subscriptionId: sub.id, resellerOfRecordId: declinedOrg.id, supportContactId: null, version: sub.version })).rejects.toBeInstanceOf(InvalidInput);
    });
  });
});
