import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { providers, renderSchema, schemaPath } from "../prisma/tools/schemas.js";
import { adapterFor } from "../src/db/database.js";
import { applyMigrations, diffSchemas, lastMigratedSchema, migrationsUpToDate, providerSchema, readMigrations } from "../src/db/migrations.js";
import { scryptHash, verifyPassword } from "../src/security/password.js";
import { callerOf, PROVIDER_TENANT } from "./helpers/fixtures.js";
import { testServices } from "./helpers/harness.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

describe(`a warm start skips the schema engine only when nothing has changed (${providerUnderTest})`, () => {
  it("up to date after migrating; not before, nor once a recorded checksum differs from its file, nor with one migration missing", async () => {
    const database = await createTestDatabase({ migrate: false });
    try {
      expect(await migrationsUpToDate(database.provider, database.db)).toBe(false);
      await database.migrate();
      expect(await migrationsUpToDate(database.provider, database.db)).toBe(true);
      expect(await database.migrate()).toEqual([]);
      const [first, last] = [readMigrations(database.provider).migrationDirectories[0].path, readMigrations(database.provider).migrationDirectories.at(-1)!.path];
      await database.db.$executeRawUnsafe(`UPDATE _prisma_migrations SET checksum = 'edited' WHERE migration_name = '${first}'`);
      expect(await migrationsUpToDate(database.provider, database.db)).toBe(false);
      await database.db.$executeRawUnsafe(`DELETE FROM _prisma_migrations WHERE migration_name = '${last}'`);
      expect(await migrationsUpToDate(database.provider, database.db)).toBe(false);
    } finally {
      await database.drop();
    }
  });
});

describe("one model, two providers", () => {
  it.each(providers)("the committed %s schema is the one generated from prisma/models.prisma", (provider) => {
    expect(readFileSync(schemaPath(provider), "utf8")).toBe(renderSchema(provider));
  });

  it.each(providers)("the %s migrations produce exactly the current schema (no model change without a migration)", async (provider) => {
    expect(await diffSchemas(lastMigratedSchema(provider), providerSchema(provider))).toBe("");
  });

  it("a model change that has no migration yet is detected", async () => {
    const schema = providerSchema("sqlite");
    const changed = { ...schema, content: schema.content.replace("model AppSetting {", "model AppSetting {\n  note String?") };
    expect(await diffSchemas(lastMigratedSchema("sqlite"), changed)).toMatch(/ALTER TABLE|CREATE TABLE|RedefineTables/);
  });

  it.each(providers)("%s: every migration folder keeps the schema snapshot it produces", (provider) => {
    const { baseDir, migrationDirectories, lockfile } = readMigrations(provider);
    expect(migrationDirectories.length).toBeGreaterThan(0);
    expect(lockfile.content).toContain(`provider = "${provider}"`);
    for (const dir of migrationDirectories) expect(readFileSync(join(baseDir, dir.path, "schema.prisma"), "utf8")).toContain("model ");
  });
});

describe(`migrations on a real ${providerUnderTest} database`, () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterEach(() => database.drop());

  it("are applied once: the first run applies all, a second applies nothing", async () => {
    const all = readMigrations(database.provider).migrationDirectories.map((dir) => dir.path);
    expect(await database.migrate()).toEqual(all);
    expect(await database.migrate()).toEqual([]);
    const recorded = await database.db.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name');
    expect(recorded.map((row) => row.migration_name)).toEqual(all);
  });

  it("leave tables the generated client can use", async () => {
    await database.migrate();
    await database.db.appSetting.create({ data: { key: "k", value: "v" } });
    expect(await database.db.appSetting.findUnique({ where: { key: "k" } })).toMatchObject({ value: "v" });
  });

  it("upgrade from version 1: customers and subscriptions move into the embedded Partner Center under the same ids, as legacy offers, and keep working", async () => {
    const v1 = "20261122204829_users_time_zone_offer_translations";
    await applyMigrations(database.provider, adapterFor(database.config), { upTo: v1 });
    // Version 1's rows, written as version 1 wrote them ($n placeholders: ? on SQLite).
    const exec = (sql: string, ...values: unknown[]) => {
      if (database.provider !== "sqlite") return database.db.$executeRawUnsafe(sql, ...values);
      const ordered: unknown[] = [];
      return database.db.$executeRawUnsafe(sql.replace(/\$(\d+)/g, (_, n: string) => (ordered.push(values[Number(n) - 1]), "?")), ...ordered);
    };
    const opened = new Date("2026-09-01T10:00:00Z");
    const password = "Old#Passw0rd!234";
    await exec(`INSERT INTO "Organisation" ("id", "tenantId", "kind", "name", "updatedAt") VALUES ($1, $2, 'provider', 'Contoso Distribution', $3)`, "org-p", PROVIDER_TENANT, opened);
    await exec(`INSERT INTO "User" ("id", "orgId", "tenantId", "aadObjectId", "displayName", "role", "updatedAt") VALUES ('u-1', 'org-p', $1, 'aad-alex', 'Alex Wilber', 'admin', $2)`, PROVIDER_TENANT, opened);
    await exec(`INSERT INTO "Offer" ("id", "name", "description", "unitPriceCents", "currency", "minLicences", "maxLicences", "updatedAt") VALUES ('o365-e1', 'Office 365 E1', 'Web apps.', 800, 'USD', 1, 300, $1)`, opened);
    await exec(
      `INSERT INTO "Customer" ("id", "providerOrgId", "companyName", "searchName", "segment", "addressLine1", "city", "region", "postalCode", "country", "contactFirstName", "contactLastName", "contactEmail", "culture", "language", "domainPrefix", "adminAccount", "adminPasswordHash", "openedAt", "firstBillingAt", "creationKey", "createdById", "updatedAt")
       VALUES ('c-1', 'org-p', 'Old Co', 'old co', 'commercial', '1 Main St', 'Redmond', 'WA', '98052', 'US', 'Ana', 'Bowman', 'ana@oldco.example', 'en-US', 'en', 'oldco', 'admin@oldco.onmicrosoft.com', $1, $2, $2, 'k-1', 'u-1', $2)`,
      await scryptHash(password),
      opened,
    );
    await exec(`INSERT INTO "Order" ("id", "customerId", "billingCycle", "idempotencyKey", "createdById") VALUES ('o-1', 'c-1', 'annual', 'key-1', 'u-1')`);
    const termEnd = new Date("2027-09-01T10:00:00Z");
    const subscription = (id: string, status: string, extra: string, ...values: unknown[]) =>
      exec(`INSERT INTO "Subscription" ("id", "customerId", "offerId", "orderId", "licences", "billingCycle", "status", "termEndAt", "createdById", "createdAt", "updatedAt"${extra ? `, ${extra}` : ""}) VALUES ('${id}', 'c-1', 'o365-e1', 'o-1', 5, 'annual', '${status}', $1, 'u-1', $2, $2${values.map((_, i) => `, $${i + 3}`).join("")})`, termEnd, opened, ...values);
    await subscription("s-active", "active", "");
    await subscription("s-cancelled", "cancelled", "");
    await subscription("s-suspended", "suspended", `"suspensionReason", "suspendedAt", "deletionAt"`, "nonPayment", new Date("2026-10-01T10:00:00Z"), new Date("2026-12-30T10:00:00Z"));

    expect(await database.migrate()).toEqual(readMigrations(database.provider).migrationDirectories.map((dir) => dir.path).filter((name) => name > v1));

    const inPartnerCenter = await database.db.pcCustomer.findUniqueOrThrow({ where: { id: "c-1" } });
    expect(inPartnerCenter).toMatchObject({ domain: "oldco.onmicrosoft.com", adminUserName: "admin@oldco.onmicrosoft.com" });
    expect(JSON.parse(inPartnerCenter.billingProfile)).toMatchObject({ email: "ana@oldco.example", defaultAddress: { country: "US", postalCode: "98052" } });
    expect(await verifyPassword(password, inPartnerCenter.adminPasswordHash)).toBe(true);
    expect(await database.db.customer.findUniqueOrThrow({ where: { id: "c-1" } })).toMatchObject({ pcCustomerId: "c-1", mcaAttestedAt: null });
    const mirrored = await database.db.subscription.findUniqueOrThrow({ where: { id: "s-active" } });
    const pc = await database.db.pcSubscription.findUniqueOrThrow({ where: { id: "s-active" } });
    expect(mirrored).toMatchObject({ pcSubscriptionId: "s-active", offerName: "Office 365 E1", productType: "OnlineServices", termDuration: "P1Y", unitPriceCents: 800, etag: pc.etag });
    expect(pc).toMatchObject({ productType: "OnlineServices", quantity: 5, billingCycle: "Annual", status: "active" });
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: "s-cancelled" } })).status).toBe("deleted");
    expect((await database.db.pcSubscription.findUniqueOrThrow({ where: { id: "s-suspended" } })).suspensionReasons).toBe('["NonPayment"]');

    // And they work: read from Partner Center (nothing to audit: the same etag), changed under the legacy rules, reactivated.
    const services = testServices(database.db, () => new Date("2026-11-02T10:00:00Z"));
    const alex = await callerOf(database.db, "aad-alex");
    const active = await services.subscriptions.get(alex, "s-active", { refresh: true });
    expect(active).toMatchObject({ status: "active", licences: 5, isLegacy: true, removableSeats: 4 });
    expect(await database.db.auditEntry.count()).toBe(0);
    await services.subscriptions.changeQuantity(alex, { subscriptionId: "s-active", licences: 2, version: active.version });
    const suspended = await services.subscriptions.get(alex, "s-suspended");
    await services.subscriptions.reactivate(alex, { subscriptionId: "s-suspended", version: suspended.version });
    expect(await database.db.pcSubscription.findMany({ where: { id: { in: ["s-active", "s-suspended"] } }, orderBy: { id: "asc" }, select: { quantity: true, status: true } })).toEqual([
      { quantity: 2, status: "active" },
      { quantity: 5, status: "active" },
    ]);
  });
});
