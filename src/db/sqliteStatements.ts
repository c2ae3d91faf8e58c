/**
 * SQLite statements prepared once per connection. Prisma's better-sqlite3 adapter prepares every
 * statement it runs (`client.prepare(sql).bind(args)`), and compiling the SQL was a tenth of a
 * chat turn's CPU (bench:profile: `prepare` 6% self time, most of `performIO`'s); the SQL of a
 * Prisma query is the same each time, only its arguments change. The connection's `prepare` is
 * wrapped so that it hands out one compiled statement per SQL text, with arguments given at each
 * run instead of bound for good (better-sqlite3 binds a statement once).
 */
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/** At most this many distinct SQL texts are kept compiled; past it the oldest is dropped. */
const CACHED_STATEMENTS = 500;

type Args = unknown[];

/** The parts of a better-sqlite3 statement and connection used here. */
interface Statement {
  readonly reader: boolean;
  run(...args: Args): unknown;
  all(...args: Args): unknown[];
  get(...args: Args): unknown;
  columns(): unknown[];
  raw(on?: boolean): Statement;
}
interface Connection {
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
}

/** What the adapter does with a prepared statement: bind its arguments, then run it or read it. */
interface Bound {
  readonly reader: boolean;
  run(): unknown;
  columns(): unknown[];
  raw(): { all(): unknown[] };
}

export interface Reusable {
  readonly reader: boolean;
  bind(args: Args): Bound;
  run(...args: Args): unknown;
  all(...args: Args): unknown[];
  get(...args: Args): unknown;
}

function reusable(statement: Statement): Reusable {
  const reader = statement.reader;
  // A statement's columns are fixed once it is compiled (a schema change recompiles nothing here:
  // migrations run on a connection of their own), and better-sqlite3 builds them anew at each call.
  let columns: unknown[] | undefined;
  return {
    reader,
    bind: (args) => ({
      reader,
      run: () => statement.run(args),
      columns: () => (columns ??= statement.columns()),
      raw: () => ({ all: () => statement.raw(true).all(args) }),
    }),
    run: (...args) => statement.run(...args),
    all: (...args) => (reader ? statement.raw(false).all(...args) : statement.all(...args)),
    get: (...args) => (reader ? statement.raw(false).get(...args) : statement.get(...args)),
  };
}

/** Makes `database.prepare` hand out one compiled statement per SQL text. */
export function reusePreparedStatements(database: Pick<Connection, "prepare">): void {
  const prepare = database.prepare.bind(database);
  const statements = new Map<string, Reusable>();
  (database as unknown as { prepare: (sql: string) => Reusable }).prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement) {
      // Most recently used last: the Map's order is the eviction order.
      statements.delete(sql);
    } else {
      statement = reusable(prepare(sql));
      if (statements.size >= CACHED_STATEMENTS) statements.delete(statements.keys().next().value!);
    }
    statements.set(sql, statement);
    return statement;
  };
}

/**
 * The better-sqlite3 connection of one of Prisma's SQLite adapters (a field of the adapter's
 * class, not of its types), or undefined if this version of the adapter keeps it elsewhere.
 */
export function connectionOf(adapter: object): Connection | undefined {
  const client = (adapter as { client?: unknown }).client;
  return client && typeof (client as { prepare?: unknown }).prepare === "function" && typeof (client as { exec?: unknown }).exec === "function" ? (client as Connection) : undefined;
}

/** A connection whose statements are reused: `prepare` hands out the one compiled statement of a SQL text. */
export type ReusingConnection = { prepare(sql: string): Reusable };

/** Wraps a better-sqlite3 adapter factory so that each connection it makes reuses its prepared statements; `onConnect` is given each connection (not shadow databases'). */
export function withReusedStatements(factory: SqlMigrationAwareDriverAdapterFactory, onConnect?: (connection: ReusingConnection) => void): SqlMigrationAwareDriverAdapterFactory {
  const reusing = <T extends object>(adapter: T): T => {
    const connection = connectionOf(adapter);
    if (connection) reusePreparedStatements(connection);
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = reusing(await factory.connect());
      const connection = connectionOf(adapter);
      if (connection) onConnect?.(connection as unknown as ReusingConnection);
      return adapter;
    },
    connectToShadowDb: async () => reusing(await factory.connectToShadowDb()),
  };
}
