/**
 * Opens the bot's database: embedded SQLite by default, PostgreSQL when configured.
 * Both generated clients come from one model definition, so the SQLite client's type
 * stands for both (`Db`).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { withReusedStatements } from "./sqliteStatements.js";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Config } from "../config.js";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.js";
import { PrismaClient as PostgresClient } from "../generated/postgresql/client.js";
import { applyMigrations, migrationsUpToDate, type Provider } from "./migrations.js";
import { timedQueries, type QueryObserver } from "./queryTiming.js";
import { isolatedSqlite } from "./sqliteIsolation.js";

export type Db = SqliteClient;
export type { Prisma } from "../generated/sqlite/client.js";

export interface Database {
  readonly db: Db;
  readonly provider: Provider;
  readonly config: Config["database"];
  /** Where the data lives, without credentials: for logs and /healthz. */
  readonly description: string;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A fresh driver adapter factory for the configured database. SQLite's single connection is
 * wrapped so that a statement outside a transaction never runs inside another turn's open one.
 * With an observer, each statement's own time is reported to it (the gate's wait is not).
 */
export function adapterFor(database: Config["database"], onQuery?: QueryObserver): SqlMigrationAwareDriverAdapterFactory {
  if (database.provider === "sqlite") {
    const driver = withReusedStatements(new PrismaBetterSqlite3({ url: `file:${database.file}`, timeout: 10_000 }));
    return isolatedSqlite(onQuery ? timedQueries(driver, onQuery) : driver);
  }
  const driver = new PrismaPg({ connectionString: database.url });
  return onQuery ? timedQueries(driver, onQuery) : driver;
}

export function openDatabase(database: Config["database"], options: { onQuery?: QueryObserver } = {}): Database {
  if (database.provider === "sqlite") mkdirSync(dirname(database.file), { recursive: true });
  const db =
    database.provider === "sqlite"
      ? new SqliteClient({ adapter: adapterFor(database, options.onQuery) })
      : (new PostgresClient({ adapter: adapterFor(database, options.onQuery) }) as unknown as Db);
  return {
    db,
    config: database,
    provider: database.provider,
    description: database.provider === "sqlite" ? `sqlite:${database.file}` : redactUrl(database.url),
    migrate: async () => {
      // A database that already holds every migration of this build, unchanged, needs no schema
      // engine (loading it is most of a warm start); anything else goes through the engine.
      if (await migrationsUpToDate(database.provider, db)) return [];
      const applied = await applyMigrations(database.provider, adapterFor(database));
      // Write-ahead logging lets readers go on while a turn writes; the mode stays set in the file.
      if (database.provider === "sqlite") await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
      return applied;
    },
    close: async () => {
      await db.$disconnect();
    },
  };
}

/** postgresql://user:secret@host/db → postgresql://user@host/db */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "postgresql://(unparsable url)";
  }
}
