import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testServices } from "./helpers/harness.js";
import { validateAccount } from "../src/customers/customerSchema.js";
import { CustomerService } from "../src/customers/customerService.js";
import { DomainTaken, InvalidInput, NotAllowed } from "../src/errors.js";
import type { Caller } from "../src/identity/identityService.js";
import { verifyPassword } from "../src/security/password.js";
import { everyStoredValue, makeCaller, validAccount, validAttestation } from "./helpers/fixtures.js";
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

describe(`customer service, through the embedded Partner Center (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let services: ReturnType<typeof testServices>;
  let service: CustomerService;
  let admin: Caller;
  let agent: Caller;
  let otherProvider: Caller;
  let reseller: Caller;
  let n = 0;
  const key = () => `key-${++n}-${crypto.randomUUID()}`;
  const create = (caller: Caller, account: Record<string, string>, extra: { resellerOrgId?: string; creationKey?: string } = {}) => service.create(caller, { account: validAccount(account), creationKey: extra.creationKey ?? key(), resellerOrgId: extra.resellerOrgId });

  // Each test has its own database: the same organisations and users, and no customer yet.
  beforeEach(async () => {
    database = await createTestDatabase();
    services = testServices(database.db);
    service = services.customers;
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-1", name: "Contoso Distribution" });
    agent = await makeCaller(database.db, { kind: "provider", role: "agent", tenantId: "prov-1" });
    otherProvider = await makeCaller(database.db, { kind: "provider", tenantId: "prov-2" });
    reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "res-1", name: "Northwind", providerOrgId: admin.organisation.id });
  });
  afterEach(() => database.drop());

  it("creates the customer in Partner Center, which generates the admin account and a temporary password shown once; the bot keeps it only sealed", async () => {
    const result = await create(agent, { domainPrefix: "fabrikamone" });
    if (!result.created) throw new Error("expected a creation");
    expect(result.adminAccount).toBe("admin@fabrikamone.onmicrosoft.com");
    expect(result.temporaryPassword).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)(?=.*[!@#$%&*?]).{16}$/);
    const inPartnerCenter = await database.db.pcCustomer.findUniqueOrThrow({ where: { id: result.customer.pcCustomerId } });
    expect(inPartnerCenter).toMatchObject({ domain: "fabrikamone.onmicrosoft.com", companyName: "Fabrikam Ltd", adminUserName: "admin@fabrikamone.onmicrosoft.com" });
    expect(JSON.parse(inPartnerCenter.billingProfile)).toMatchObject({ email: "ana@fabrikam.com", culture: "en-US", defaultAddress: { country: "US", postalCode: "98052", state: "WA" } });
    expect(await verifyPassword(result.temporaryPassword, inPartnerCenter.adminPasswordHash)).toBe(true);
    // A salted SHA-256 of the generated password (about 95 bits): another password does not match it.
    expect(inPartnerCenter.adminPasswordHash).toMatch(/^sha256\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword(`${result.temporaryPassword.slice(1)}x`, inPartnerCenter.adminPasswordHash)).toBe(false);
    expect(await everyStoredValue(database.db, database.provider)).not.toContain(result.temporaryPassword);
    const audit = await database.db.auditEntry.findMany({ where: { customerId: result.customer.id } });
    expect(audit.map((entry) => [entry.action, entry.actorUserId])).toEqual([["customer.created", agent.userId]]);
  });

  it("the same creation key twice creates one customer in Partner Center (the same request id), and gives its creator the password again", async () => {
    const creationKey = key();
    const first = await create(admin, { domainPrefix: "twice" }, { creationKey });
    const second = await create(admin, { domainPrefix: "twice" }, { creationKey });
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, customer: expect.objectContaining({ id: first.customer.id }), temporaryPassword: first.created ? first.temporaryPassword : "" });
    expect(await database.db.customer.count({ where: { domainPrefix: "twice" } })).toBe(1);
    expect(await database.db.pcCustomer.count({ where: { domain: "twice.onmicrosoft.com" } })).toBe(1);
    expect(await database.db.pcRequest.count({ where: { operation: "createCustomer" } })).toBe(1);
  });

  it("a crash after Partner Center created the customer and before the bot recorded it: the same submit again finds the same customer and password", async () => {
    const creationKey = key();
    const first = await create(admin, { domainPrefix: "crashed" }, { creationKey });
    if (!first.created) throw new Error("expected a creation");
    // As if the bot's transaction never committed: only Partner Center's side remains.
    await database.db.customerCredential.deleteMany({});
    await database.db.auditEntry.deleteMany({});
    await database.db.customer.deleteMany({});
    const again = await create(admin, { domainPrefix: "crashed" }, { creationKey });
    expect(again).toMatchObject({ created: true, temporaryPassword: first.temporaryPassword, customer: { pcCustomerId: first.customer.pcCustomerId } });
    expect(await database.db.pcCustomer.count()).toBe(1);
  });

  it("the same creation key submitted twice at once creates one customer", async () => {
    const creationKey = key();
    const results = await Promise.all([create(admin, { domainPrefix: "racekey" }, { creationKey }), create(admin, { domainPrefix: "racekey" }, { creationKey })]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await database.db.customer.count({ where: { domainPrefix: "racekey" } })).toBe(1);
    expect(await database.db.pcCustomer.count()).toBe(1);
  });

  it("a domain taken here or in Partner Center is refused, and reported as unavailable beforehand", async () => {
    await create(admin, { domainPrefix: "taken" });
    expect(await service.isDomainAvailable("TAKEN")).toBe(false);
    expect(await service.checkAccount(validAccount({ domainPrefix: "taken" }))).toEqual({ ok: false, issues: [expect.objectContaining({ field: "domainPrefix", code: "domainTaken" })] });
    await expect(create(admin, { domainPrefix: "taken" })).rejects.toBeInstanceOf(DomainTaken);
    // Taken in Partner Center by a customer the bot never made.
    await services.pc.createCustomer({ companyProfile: { domain: "elsewhere.onmicrosoft.com" }, billingProfile: { email: "x@example.com", culture: "en-US", language: "en", companyName: "Elsewhere", defaultAddress: { addressLine1: "1 Main St", city: "Redmond", state: "WA", postalCode: "98052", country: "US" } } }, crypto.randomUUID());
    expect(await service.isDomainAvailable("elsewhere")).toBe(false);
    await expect(create(admin, { domainPrefix: "elsewhere" })).rejects.toBeInstanceOf(DomainTaken);
  });

  it("of two concurrent creations of the same domain, exactly one wins; the other is told the domain is taken", async () => {
    const results = await Promise.allSettled([create(admin, { domainPrefix: "samedomain" }), create(admin, { domainPrefix: "samedomain" })]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(DomainTaken);
    expect(await database.db.customer.count({ where: { domainPrefix: "samedomain" } })).toBe(1);
    expect(await database.db.pcCustomer.count()).toBe(1);
  });

  it("checks the address as Partner Center validates it: a postal code that is not one of the country's is refused", async () => {
    expect(await service.checkAccount(validAccount({ domainPrefix: "addr", postalCode: "ABCDE" }))).toEqual({ ok: false, issues: [expect.objectContaining({ field: "postalCode", code: "invalid" })] });
    expect(await service.checkAccount(validAccount({ domainPrefix: "addr", country: "FR", postalCode: "75007", culture: "fr-FR" }))).toMatchObject({ ok: true });
  });

  it("resellers cannot create customers", async () => {
    await expect(create(reseller, { domainPrefix: "byreseller" })).rejects.toBeInstanceOf(NotAllowed);
    expect(await database.db.pcCustomer.count()).toBe(0);
  });

  it("lists and searches customers by name or domain, case and accents aside, in pages", async () => {
    for (let i = 0; i < 10; i++) await create(admin, { companyName: `Société Générale ${i}`, domainPrefix: `sgen${i}` });
    const page1 = await service.list(agent, { text: "SOCIETE gen" });
    expect(page1.total).toBe(10);
    expect(page1.items).toHaveLength(8);
    expect(page1.pageCount).toBe(2);
    const page2 = await service.list(agent, { text: "societe", page: 2 });
    expect(page2.items.map((item) => item.domainPrefix)).toEqual(["sgen8", "sgen9"]);
    expect((await service.list(agent, { text: "sgen3" })).items.map((item) => item.companyName)).toEqual(["Société Générale 3"]);
    expect((await service.list(agent, { text: "zzz-nothing" })).total).toBe(0);
  });

  it("the list searches what is typed as text (LIKE's wildcards too), shows the last page for one past it, and gives each customer as Prisma does", async () => {
    for (let i = 0; i < 9; i++) await create(admin, { companyName: `Alpha ${i}`, domainPrefix: `alpha${i}` });
    await create(admin, { companyName: "Hundred % Co", domainPrefix: "hundredpct" });
    expect((await service.list(agent, { text: "%" })).items.map((item) => item.companyName)).toEqual(["Hundred % Co"]);
    expect((await service.list(agent, { text: "_" })).total).toBe(0);
    const past = await service.list(agent, { text: "alpha", page: 5 });
    expect({ page: past.page, pageCount: past.pageCount, total: past.total, names: past.items.map((item) => item.companyName) }).toEqual({ page: 2, pageCount: 2, total: 9, names: ["Alpha 8"] });
    expect((await service.list(agent, { text: "nobody", page: 3 })).page).toBe(1);
    const [first] = (await service.list(agent, { text: "alpha 0" })).items;
    const row = await database.db.customer.findUniqueOrThrow({ where: { id: first.id } });
    expect(first).toMatchObject({ ...row, resellerName: null, subscriptionCount: 0 });
    expect((first as unknown as { openedAt: unknown }).openedAt).toBeInstanceOf(Date);
    expect((await service.list(admin, { resellerOrgId: "none", text: "alpha" })).total).toBe(9);
  });

  it("another provider, or a reseller without delegation, sees none of them and cannot open one", async () => {
    await create(admin, { domainPrefix: "notyours" });
    const [any] = (await service.list(admin, {})).items;
    expect((await service.list(otherProvider, {})).total).toBe(0);
    expect((await service.list(reseller, {})).total).toBe(0);
    await expect(service.get(otherProvider, any.id)).rejects.toBeInstanceOf(NotAllowed);
    await expect(service.get(reseller, any.id)).rejects.toBeInstanceOf(NotAllowed);
  });

  it("a reseller sees the customers delegated to it, and only those; Partner Center has the customer associated with it", async () => {
    const created = await create(admin, { companyName: "Delegated Co", domainPrefix: "delegated" }, { resellerOrgId: reseller.organisation.id });
    const list = await service.list(reseller, {});
    expect(list.items.map((item) => item.id)).toEqual([created.customer.id]);
    expect(list.items[0].resellerName).toBe("Northwind");
    expect((await service.get(reseller, created.customer.id)).companyName).toBe("Delegated Co");
    expect((await service.list(admin, { resellerOrgId: reseller.organisation.id })).total).toBe(1);
    expect((await database.db.pcCustomer.findUniqueOrThrow({ where: { id: created.customer.pcCustomerId } })).associatedPartnerId).toBe("res-1");
  });

  it.each([
    ["the box unticked", { accepted: "false" }, "accepted", "required"],
    ["a date in the future", { dateAgreed: "2099-01-01" }, "dateAgreed", "future"],
    ["no date", { dateAgreed: "" }, "dateAgreed", "required"],
    ["a bad email", { email: "ana-at-fabrikam" }, "email", "invalidEmail"],
    ["no last name", { lastName: " " }, "lastName", "required"],
  ])("refuses an attestation with %s, and records nothing", async (_label, overrides, field, code) => {
    const created = await create(admin, { domainPrefix: `att${++n}` });
    const error = await service.attest(admin, { customerId: created.customer.id, attestation: validAttestation(overrides), key: key() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).issues).toEqual([expect.objectContaining({ field, code })]);
    expect(await database.db.pcAgreement.count()).toBe(0);
    expect(await service.hasAttested(admin, created.customer.id)).toBe(false);
  });

  it("attests the Microsoft Customer Agreement in Partner Center (primary contact, date), once per key, and audits it", async () => {
    const created = await create(admin, { domainPrefix: "attested" });
    expect(await service.hasAttested(admin, created.customer.id)).toBe(false);
    await expect(service.requireAttestation(admin, created.customer.id)).rejects.toMatchObject({ code: 13605, reason: "agreementRequired" });
    const attestationKey = key();
    await service.attest(admin, { customerId: created.customer.id, attestation: validAttestation(), key: attestationKey });
    await service.attest(admin, { customerId: created.customer.id, attestation: validAttestation(), key: attestationKey });
    const agreements = await services.pc.listAgreements(created.customer.pcCustomerId);
    expect(agreements).toEqual([{ templateId: await services.pc.customerAgreementTemplateId(), type: "MicrosoftCustomerAgreement", dateAgreed: "2026-11-01T00:00:00Z", primaryContact: { firstName: "Ana", lastName: "Bowman", email: "ana@fabrikam.com" } }]);
    expect((await service.get(admin, created.customer.id)).mcaAttestedAt?.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(await database.db.auditEntry.count({ where: { action: "customer.agreementAttested" } })).toBe(1);
    await expect(service.requireAttestation(admin, created.customer.id)).resolves.toBeUndefined();
  });

  it("an attestation made in Partner Center's portal counts, and is remembered", async () => {
    const created = await create(admin, { domainPrefix: "portal" });
    await services.pc.createAgreement(created.customer.pcCustomerId, { templateId: await services.pc.customerAgreementTemplateId(), type: "MicrosoftCustomerAgreement", dateAgreed: "2026-10-01T00:00:00Z", primaryContact: { firstName: "Lee", lastName: "Gu", email: "lee@fabrikam.com" } }, crypto.randomUUID());
    expect(await service.hasAttested(admin, created.customer.id)).toBe(true);
    expect((await database.db.customer.findUniqueOrThrow({ where: { id: created.customer.id } })).mcaAttestedAt?.toISOString()).toBe("2026-10-01T00:00:00.000Z");
  });
});
