/**
 * Applies the committed migrations of one provider (prisma/<provider>/migrations) to a database,
 * recording them in `_prisma_migrations` exactly as `prisma migrate deploy` does.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { MigrationList } from "@prisma/schema-engine-wasm";
import { noFilters, withSchemaEngine } from "./schemaEngine.js";
import { projectRoot } from "../util/projectRoot.js";

export type Provider = "sqlite" | "postgresql";

const prismaDir = join(projectRoot, "prisma");

export function providerSchema(provider: Provider): { path: string; content: string } {
  const path = join(prismaDir, provider, "schema.prisma");
  return { path, content: readFileSync(path, "utf8") };
}

/** The migration folders of a provider, oldest first, as the schema engine expects them (up to `upTo`, when given: tests of upgrades). */
export function readMigrations(provider: Provider, upTo?: string): MigrationList {
  const baseDir = join(prismaDir, provider, "migrations");
  const lockPath = join(baseDir, "migration_lock.toml");
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .filter((name) => upTo === undefined || name <= upTo)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: "migration.sql", content: { tag: "ok" as const, value: readFileSync(join(baseDir, name, "migration.sql"), "utf8") } },
    })),
  };
}

/** Applies pending migrations; returns the names of those it applied (none on a second run). */
export async function applyMigrations(provider: Provider, adapterFactory: SqlMigrationAwareDriverAdapterFactory, options: { upTo?: string } = {}): Promise<string[]> {
  return withSchemaEngine(providerSchema(provider), adapterFactory, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrations(provider, options.upTo), filters: noFilters });
    return appliedMigrationNames;
  });
}

/**
 * Whether the database already holds every migration of this build, finished, not rolled back,
 * each with the checksum of its file as committed (Prisma's: the SHA-256 of migration.sql). False
 * on any doubt (no migrations table yet, a query that fails): the schema engine then decides.
 */
export async function migrationsUpToDate(provider: Provider, db: { $queryRawUnsafe<T>(query: string): Promise<T> }): Promise<boolean> {
  try {
    const rows = await db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>("SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL");
    const applied = new Map(rows.map((row) => [row.migration_name, row.checksum]));
    return readMigrations(provider).migrationDirectories.every((migration) => {
      const sql = migration.migrationFile.content;
      return sql.tag === "ok" && applied.get(migration.path) === createHash("sha256").update(sql.value).digest("hex");
    });
  } catch {
    return false;
  }
}

/** The schema the newest committed migration produces (its snapshot), or null before the first. */
export function lastMigratedSchema(provider: Provider): string | null {
  const { baseDir, migrationDirectories } = readMigrations(provider);
  const last = migrationDirectories.at(-1);
  return last ? readFileSync(join(baseDir, last.path, "schema.prisma"), "utf8") : null;
}

/**
 * The SQL that takes a database from one schema (null: an empty database) to another.
 * Comparing two datamodels needs no database: the engine runs on an in-memory SQLite adapter.
 */
export async function diffSchemas(from: string | null, to: { path: string; content: string }): Promise<string> {
  return withSchemaEngine(to, new PrismaBetterSqlite3({ url: ":memory:" }), async (engine) => {
    const { stdout } = await engine.diff({
      from: from === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: to.path, content: from }] },
      to: { tag: "schemaDatamodel", files: [to] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    const sql = (stdout ?? "").trim();
    return sql === "-- This is an empty migration." ? "" : sql;
  });
}
