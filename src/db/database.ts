/**
 * Opens the bot's database: embedded SQLite by default, PostgreSQL when configured.
 * Both generated clients come from one model definition, so the SQLite client's type
 * stands for both (`Db`).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { withReusedStatements, type ReusingConnection } from "./sqliteStatements.js";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import type { Config } from "../config.js";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.js";
import { PrismaClient as PostgresClient } from "../generated/postgresql/client.js";
import { applyMigrations, migrationsUpToDate, type Provider } from "./migrations.js";
import { kindOf, timedQueries, type QueryObserver } from "./queryTiming.js";
import { isolatedSqlite, type IsolatedAdapter } from "./sqliteIsolation.js";

export type Db = SqliteClient;
export type { Prisma } from "../generated/sqlite/client.js";

export interface Database {
  readonly db: Db;
  readonly provider: Provider;
  readonly config: Config["database"];
  /** Where the data lives, without credentials: for logs and /healthz. */
  readonly description: string;
  /** The hot path's own hand-written statements (a turn's first read, its state write), past the ORM's client. */
  readonly direct: DirectStatements;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

/** A value a hand-written statement takes (timestamps as the provider stores them: see rawQuery.ts). */
export type StatementArg = string | number | null;

/**
 * Hand-written statements run on the connection Prisma uses, without its query engine (which
 * costs several times what SQLite does for a one-row statement): SQLite's through the same gate
 * as Prisma's (never inside another turn's transaction) and reusing their compiled statements;
 * PostgreSQL's on the pool Prisma's adapter uses. Timed like every statement. Rows are objects whose
 * values are as the driver returns them: rawQuery.ts reads them alike on both providers.
 */
export interface DirectStatements {
  query<T>(sql: string, args: StatementArg[]): Promise<T[]>;
  /** A statement that changes rows; how many it changed. */
  execute(sql: string, args: StatementArg[]): Promise<number>;
}

/**
 * A fresh driver adapter factory for the configured database. SQLite's single connection is
 * wrapped so that a statement outside a transaction never runs inside another turn's open one.
 * With an observer, each statement's own time is reported to it (the gate's wait is not).
 */
export function adapterFor(database: Config["database"], onQuery?: QueryObserver, onConnect?: (link: SqliteLink) => void, pool?: pg.Pool): SqlMigrationAwareDriverAdapterFactory {
  if (database.provider === "sqlite") {
    let connection: ReusingConnection | undefined;
    const driver = withReusedStatements(new PrismaBetterSqlite3({ url: `file:${database.file}`, timeout: 10_000 }), (made) => (connection = made));
    return isolatedSqlite(onQuery ? timedQueries(driver, onQuery) : driver, (gate) => {
      if (connection) onConnect?.({ connection, gate });
    });
  }
  // Given a pool, Prisma's statements and the hot path's share its connections (and it ends with Prisma's).
  const driver = pool ? new PrismaPg(pool, { disposeExternalPool: true }) : new PrismaPg({ connectionString: database.url });
  return onQuery ? timedQueries(driver, onQuery) : driver;
}

/** Prisma's SQLite connection and its gate, for statements given to the driver directly. */
interface SqliteLink {
  connection: ReusingConnection;
  gate: IsolatedAdapter;
}

function sqliteStatements(db: Db, link: () => SqliteLink | undefined, onQuery?: QueryObserver): DirectStatements {
  const connected = async (): Promise<SqliteLink> => {
    // Prisma connects on its first query; the hot path may come first.
    if (!link()) await db.$connect();
    const made = link();
    if (!made) throw new Error("the SQLite driver adapter did not expose its connection");
    return made;
  };
  const run = async <T>(sql: string, work: (connection: ReusingConnection) => T): Promise<T> => {
    const { connection, gate } = await connected();
    return gate.exclusive(() => {
      const started = performance.now();
      try {
        return work(connection);
      } finally {
        onQuery?.(kindOf(sql), (performance.now() - started) / 1000);
      }
    });
  };
  return {
    query: <T>(sql: string, args: StatementArg[]) => run(sql, (connection) => connection.prepare(sql).all(...args) as T[]),
    execute: (sql, args) => run(sql, (connection) => Number((connection.prepare(sql).run(...args) as { changes: number | bigint }).changes)),
  };
}

/** Timestamps (without time zone, as Prisma's columns are) read as the UTC they hold, whatever the process's zone: pg's own parser reads them as local time. */
const utcTimestamps = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.TIMESTAMP && format !== "binary" ? (value: string) => new Date(`${value.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function postgresStatements(pool: pg.Pool, onQuery?: QueryObserver): DirectStatements {
  const run = async (sql: string, args: StatementArg[]) => {
    const started = performance.now();
    try {
      return await pool.query({ text: sql, values: args, types: utcTimestamps });
    } finally {
      onQuery?.(kindOf(sql), (performance.now() - started) / 1000);
    }
  };
  return {
    query: async <T>(sql: string, args: StatementArg[]) => (await run(sql, args)).rows as T[],
    execute: async (sql, args) => (await run(sql, args)).rowCount ?? 0,
  };
}

export function openDatabase(database: Config["database"], options: { onQuery?: QueryObserver } = {}): Database {
  if (database.provider === "sqlite") mkdirSync(dirname(database.file), { recursive: true });
  let link: SqliteLink | undefined;
  const pool = database.provider === "postgresql" ? new pg.Pool({ connectionString: database.url }) : undefined;
  // An idle connection that breaks (the server restarted) is dropped by the pool and made again when needed: not a crash.
  pool?.on("error", () => {});
  const db =
    database.provider === "sqlite"
      ? new SqliteClient({ adapter: adapterFor(database, options.onQuery, (made) => (link = made)) })
      : (new PostgresClient({ adapter: adapterFor(database, options.onQuery, undefined, pool) }) as unknown as Db);
  return {
    db,
    direct: pool ? postgresStatements(pool, options.onQuery) : sqliteStatements(db, () => link, options.onQuery),
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
      // Prisma ends the pool it was given when it had connected; the hot path may have used it alone.
      if (pool && !pool.ended) await pool.end();
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
