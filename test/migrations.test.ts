import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { providers, renderSchema, schemaPath } from "../prisma/tools/schemas.js";
import { diffSchemas, lastMigratedSchema, providerSchema, readMigrations } from "../src/db/migrations.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

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
});
