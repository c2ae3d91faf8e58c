/**
 * Prepared statements kept for reuse on the SQLite connection. Prisma's better-sqlite3 adapter
 * prepares every statement anew (`client.prepare(sql).bind(args)`), and preparing was the single
 * largest cost of a turn's database work after Prisma itself. better-sqlite3 cannot bind a
 * statement twice, so the connection's `prepare` hands out a light handle over a cached
 * statement that passes the arguments at each run instead. The cache is bounded (the SQL Prisma
 * writes varies with the length of IN lists), least recently used first out.
 */

import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

interface Statement {
  readonly reader: boolean;
  run(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
  columns(): unknown[];
  raw(toggle?: boolean): Statement;
}

interface Connection {
  prepare(sql: string): Statement;
}

/** A statement prepared once, with its result columns read once. */
interface Cached {
  statement: Statement;
  columns?: unknown[];
}

/** A statement bound to its arguments, for one execution, over a statement prepared once. */
class BoundStatement {
  private args: unknown[] = [];

  constructor(private readonly cached: Cached) {}

  private get statement(): Statement {
    return this.cached.statement;
  }

  get reader(): boolean {
    return this.statement.reader;
  }

  bind(args: unknown[]): this {
    this.args = args;
    return this;
  }

  run(): unknown {
    return this.statement.run(this.args);
  }

  columns(): unknown[] {
    this.cached.columns ??= this.statement.columns();
    return this.cached.columns;
  }

  raw(): { all(): unknown[] } {
    return { all: () => this.statement.raw(true).all(this.args) };
  }
}

/** Makes `connection.prepare` reuse statements (at most `size` of them); statements without arguments (BEGIN, COMMIT) included. */
export function cacheStatements(connection: Connection, size = 500): void {
  const prepare = connection.prepare.bind(connection);
  const cache = new Map<string, Cached>();
  connection.prepare = ((sql: string) => {
    let cached = cache.get(sql);
    if (cached) {
      cache.delete(sql);
    } else {
      cached = { statement: prepare(sql) };
      if (cache.size >= size) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, cached);
    return new BoundStatement(cached) as unknown as Statement;
  }) as Connection["prepare"];
}

/** The factory, each connection it makes reusing prepared statements (through the adapter's better-sqlite3 `client`). */
export function withStatementCache(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      const client = (adapter as unknown as { client?: { prepare?: unknown } }).client;
      if (client && typeof client.prepare === "function") cacheStatements(client as Connection);
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
