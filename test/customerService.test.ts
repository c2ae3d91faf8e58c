import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testSecrets } from "./helpers/harness.js";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import { validateAccount } from "../src/customers/customerSchema.js";
import { CustomerService } from "../src/customers/customerService.js";
import { DomainTaken, InvalidInput, NotAllowed } from "../src/errors.js";
import type { Caller } from "../src/identity/identityService.js";
import { verifyPassword } from "../src/security/password.js";
import { everyStoredValue, makeCaller, validAccount } from "./helpers/fixtures.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

describe("account validation (Partner Center limits)", () => {
  it.each([
    ["companyName", "", "required"],
    ["companyName", "x".repeat(201), "tooLong"],
    ["segment", "retail", "invalidChoice"],
    ["addressLine1", "", "required"],
    ["addressLine2", "x".repeat(201), "tooLong"],
    ["city", "", "required"],
    ["country", "XX", "invalidChoice"],
    ["country", "France", "invalidChoice"],
    ["phone", "call me", "invalid"],
    ["contactFirstName", "x".repeat(51), "tooLong"],
    ["contactLastName", "", "required"],
    ["contactEmail", "ana-at-fabrikam", "invalidEmail"],
    ["culture", "xx-XX", "invalidChoice"],
    ["domainPrefix", "fabrikam.com", "invalid"],
    ["domainPrefix", "Fabrikam Ltd", "invalid"],
    ["domainPrefix", "a".repeat(28), "tooLong"],
    ["domainPrefix", "", "required"],
    // Issue 11, item 13: a NUL byte passed validation and then broke every submit on PostgreSQL.
    ["companyName", "Fabrikam\u0000 Ltd", "invalidCharacters"],
    ["city", "Redmond\u001b[31m", "invalidCharacters"],
    ["contactLastName", "Bowman\u202Egnp.exe", "invalidCharacters"],
    ["contactEmail", "ana\u0000@fabrikam.com", "invalidCharacters"],
  ])("%s = %j is refused as %s", (field, value, code) => {
    const result = validateAccount(validAccount({ [field]: value }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues).toEqual([expect.objectContaining({ field, code })]);
  });

  it("accepts a valid account, normalising case and spaces", () => {
    const result = validateAccount(validAccount({ domainPrefix: " FabriKam2 ", country: "fr", addressLine2: "" }));
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ domainPrefix: "fabrikam2", country: "FR" }) });
  });

  it("reports every bad field at once", () => {
    const result = validateAccount({});
    expect(!result.ok && result.issues.map((issue) => issue.field)).toEqual(expect.arrayContaining(["companyName", "segment", "country", "contactEmail", "domainPrefix"]));
  });
});

describe(`customer service (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let service: CustomerService;
  let admin: Caller;
  let agent: Caller;
  let otherProvider: Caller;
  let reseller: Caller;
  let n = 0;
  const key = () => `key-${++n}`;

  // Each test has its own database: the same organisations and users, and no customer yet.
  beforeEach(async () => {
    database = await createTestDatabase();
    await seedCatalog(database.db);
    service = new CustomerService(database.db, { secrets: testSecrets() });
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-1", name: "Contoso Distribution" });
    agent = await makeCaller(database.db, { kind: "provider", role: "agent", tenantId: "prov-1" });
    otherProvider = await makeCaller(database.db, { kind: "provider", tenantId: "prov-2" });
    reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "res-1", name: "Northwind", providerOrgId: admin.organisation.id });
  });
  afterEach(() => database.drop());

  it("creates the customer and its subscriptions in one go, with a one-time password stored only as a hash", async () => {
    const result = await service.create(agent, {
      account: validAccount({ domainPrefix: "fabrikamone" }),
      billingCycle: "annual",
      lines: [
        { offerId: "m365-business-standard", licences: 12 },
        { offerId: "o365-e3-trial", licences: 5 },
      ],
      creationKey: key(),
    });
    if (!result.created) throw new Error("expected a creation");
    expect(result.adminAccount).toBe("admin@fabrikamone.onmicrosoft.com");
    expect(result.temporaryPassword).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[!@#$%&*?]).{16}$/);
    const stored = await database.db.customer.findUniqueOrThrow({ where: { id: result.customer.id }, include: { subscriptions: true } });
    expect(await verifyPassword(result.temporaryPassword, stored.adminPasswordHash)).toBe(true);
    expect(await everyStoredValue(database.db, database.provider)).not.toContain(result.temporaryPassword);
    expect(stored.subscriptions.map((s) => [s.offerId, s.licences, s.status, s.billingCycle]).sort()).toEqual([
      ["m365-business-standard", 12, "active", "annual"],
      ["o365-e3-trial", 5, "active", "annual"],
    ]);
    const trial = stored.subscriptions.find((s) => s.offerId === "o365-e3-trial")!;
    expect(trial.autoRenew).toBe(false);
    expect(trial.trialEndsAt!.getTime() - stored.openedAt.getTime()).toBe(30 * 86_400_000);
    expect(stored.firstBillingAt?.getTime()).toBe(stored.openedAt.getTime());
    const audit = await database.db.auditEntry.findMany({ where: { customerId: stored.id } });
    expect(audit.map((entry) => entry.action).sort()).toEqual(["customer.created", "subscription.created", "subscription.created"]);
    expect(audit.every((entry) => entry.actorUserId === agent.userId)).toBe(true);
  });

  it("a customer with only a trial has no billing period yet", async () => {
    const result = await service.create(admin, { account: validAccount({ domainPrefix: "trialonly" }), billingCycle: "monthly", lines: [{ offerId: "o365-e3-trial", licences: 1 }], creationKey: key() });
    expect((await database.db.customer.findUniqueOrThrow({ where: { id: result.customer.id } })).firstBillingAt).toBeNull();
  });

  it("the same creation key twice creates one customer", async () => {
    const command = { account: validAccount({ domainPrefix: "twice" }), billingCycle: "monthly" as const, lines: [{ offerId: "o365-e1", licences: 3 }], creationKey: key() };
    const first = await service.create(admin, command);
    const second = await service.create(admin, command);
    expect(first.created).toBe(true);
    // The creator asking again gets the temporary password again (it is kept until they press Done).
    expect(second).toEqual({ created: false, customer: expect.objectContaining({ id: first.customer.id }), temporaryPassword: first.created ? first.temporaryPassword : "" });
    expect(await database.db.customer.count({ where: { domainPrefix: "twice" } })).toBe(1);
    expect(await database.db.subscription.count({ where: { customerId: first.customer.id } })).toBe(1);
  });

  it("the same creation key submitted twice at once creates one customer", async () => {
    const command = { account: validAccount({ domainPrefix: "racekey" }), billingCycle: "monthly" as const, lines: [{ offerId: "o365-e1", licences: 3 }], creationKey: key() };
    const results = await Promise.all([service.create(admin, command), service.create(admin, command)]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await database.db.customer.count({ where: { domainPrefix: "racekey" } })).toBe(1);
    expect(await database.db.subscription.count({ where: { customer: { domainPrefix: "racekey" } } })).toBe(1);
  });

  it("a domain that is taken is refused, and reported as unavailable beforehand", async () => {
    await service.create(admin, { account: validAccount({ domainPrefix: "taken" }), billingCycle: "monthly", lines: [], creationKey: key() });
    expect(await service.isDomainAvailable("TAKEN")).toBe(false);
    expect(await service.checkAccount(validAccount({ domainPrefix: "taken" }))).toEqual({ ok: false, issues: [expect.objectContaining({ field: "domainPrefix", code: "domainTaken" })] });
    await expect(service.create(admin, { account: validAccount({ domainPrefix: "taken" }), billingCycle: "monthly", lines: [], creationKey: key() })).rejects.toBeInstanceOf(DomainTaken);
  });

  it("of two concurrent creations of the same domain, exactly one wins; the other is told the domain is taken", async () => {
    const create = () => service.create(admin, { account: validAccount({ domainPrefix: "samedomain" }), billingCycle: "monthly", lines: [{ offerId: "o365-e1", licences: 1 }], creationKey: key() });
    const results = await Promise.allSettled([create(), create()]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(DomainTaken);
    expect(await database.db.customer.count({ where: { domainPrefix: "samedomain" } })).toBe(1);
    expect(await database.db.subscription.count({ where: { customer: { domainPrefix: "samedomain" } } })).toBe(1);
  });

  it.each([
    ["an offer of another segment", "education", "monthly", "o365-e3", 5, "notAvailable"],
    ["an offer not sold annually", "commercial", "annual", "azure-plan", 1, "notAvailable"],
    ["an add-on without its parent", "commercial", "monthly", "o365-extra-file-storage", 10, "notAvailable"],
    ["too many licences", "commercial", "monthly", "m365-business-basic", 301, "outOfRange"],
    ["zero licences", "commercial", "monthly", "m365-business-basic", 0, "outOfRange"],
    ["an unknown offer", "commercial", "monthly", "no-such-offer", 1, "notAvailable"],
  ])("refuses %s and creates nothing", async (_label, segment, billingCycle, offerId, licences, code) => {
    const before = await database.db.customer.count();
    const domainPrefix = `lines${++n}`;
    const error = await service
      .create(admin, { account: validAccount({ segment, domainPrefix }), billingCycle: billingCycle as "monthly", lines: [{ offerId, licences }], creationKey: key() })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).issues).toEqual([expect.objectContaining({ field: offerId, code })]);
    expect(await database.db.customer.count()).toBe(before);
  });

  it("resellers cannot create customers", async () => {
    await expect(service.create(reseller, { account: validAccount({ domainPrefix: "byreseller" }), billingCycle: "monthly", lines: [], creationKey: key() })).rejects.toBeInstanceOf(NotAllowed);
  });

  it("lists and searches customers by name or domain, case and accents aside, in pages", async () => {
    for (let i = 0; i < 10; i++) {
      await service.create(admin, { account: validAccount({ companyName: `Société Générale ${i}`, domainPrefix: `sgen${i}` }), billingCycle: "monthly", lines: [], creationKey: key() });
    }
    const page1 = await service.list(agent, { text: "SOCIETE gen" });
    expect(page1.total).toBe(10);
    expect(page1.items).toHaveLength(8);
    expect(page1.pageCount).toBe(2);
    const page2 = await service.list(agent, { text: "societe", page: 2 });
    expect(page2.items.map((item) => item.domainPrefix)).toEqual(["sgen8", "sgen9"]);
    expect((await service.list(agent, { text: "sgen3" })).items.map((item) => item.companyName)).toEqual(["Société Générale 3"]);
    expect((await service.list(agent, { text: "zzz-nothing" })).total).toBe(0);
  });

  it("another provider, or a reseller without delegation, sees none of them and cannot open one", async () => {
    await service.create(admin, { account: validAccount({ domainPrefix: "notyours" }), billingCycle: "monthly", lines: [], creationKey: key() });
    const [any] = (await service.list(admin, {})).items;
    expect((await service.list(otherProvider, {})).total).toBe(0);
    expect((await service.list(reseller, {})).total).toBe(0);
    await expect(service.get(otherProvider, any.id)).rejects.toBeInstanceOf(NotAllowed);
    await expect(service.get(reseller, any.id)).rejects.toBeInstanceOf(NotAllowed);
  });

  it("a reseller sees the customers delegated to it, and only those", async () => {
    const created = await service.create(admin, { account: validAccount({ companyName: "Delegated Co", domainPrefix: "delegated" }), billingCycle: "monthly", lines: [], resellerOrgId: reseller.organisation.id, creationKey: key() });
    const list = await service.list(reseller, {});
    expect(list.items.map((item) => item.id)).toEqual([created.customer.id]);
    expect(list.items[0].resellerName).toBe("Northwind");
    expect((await service.get(reseller, created.customer.id)).companyName).toBe("Delegated Co");
    expect((await service.list(admin, { resellerOrgId: reseller.organisation.id })).total).toBe(1);
  });
});
