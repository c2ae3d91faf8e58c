/**
 * Database time, measured where the driver runs each statement: a driver adapter factory whose
 * connections report how long each statement took (`read` for a SELECT, `write` for anything else:
 * Prisma runs most writes as queries that return rows), inside transactions too. Waiting for a pooled connection or for the
 * SQLite gate is not counted: what is reported is the database's own time, as the driver saw it.
 */
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

export type QueryObserver = (kind: "read" | "write", seconds: number) => void;

/** A statement's kind as /metrics counts it: "read" for a SELECT (or WITH), "write" for anything else. */
export const kindOf = (sql: string): "read" | "write" => (/^\s*(SELECT|WITH)\b/i.test(sql) ? "read" : "write");

async function timed<T>(observe: QueryObserver, kind: "read" | "write", work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    observe(kind, (performance.now() - started) / 1000);
  }
}

// Explicit delegation (not a prototype trick): the drivers keep private class fields.
function timedTransaction(transaction: Transaction, observe: QueryObserver): Transaction {
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query: SqlQuery) => timed(observe, kindOf(query.sql), () => transaction.queryRaw(query)),
    executeRaw: (query: SqlQuery) => timed(observe, "write", () => transaction.executeRaw(query)),
    commit: () => timed(observe, "write", () => transaction.commit()),
    rollback: () => transaction.rollback(),
    createSavepoint: transaction.createSavepoint && ((name) => transaction.createSavepoint!(name)),
    rollbackToSavepoint: transaction.rollbackToSavepoint && ((name) => transaction.rollbackToSavepoint!(name)),
    releaseSavepoint: transaction.releaseSavepoint && ((name) => transaction.releaseSavepoint!(name)),
  };
}

function timedAdapter(adapter: SqlDriverAdapter, observe: QueryObserver): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo && (() => adapter.getConnectionInfo!()),
    queryRaw: (query: SqlQuery) => timed(observe, kindOf(query.sql), () => adapter.queryRaw(query)),
    executeRaw: (query: SqlQuery) => timed(observe, "write", () => adapter.executeRaw(query)),
    executeScript: (script: string) => adapter.executeScript(script),
    startTransaction: async (isolationLevel) => timedTransaction(await adapter.startTransaction(isolationLevel), observe),
    dispose: () => adapter.dispose(),
  };
}

/** The factory, its connections reporting each statement's time to `observe`. */
export function timedQueries(factory: SqlMigrationAwareDriverAdapterFactory, observe: QueryObserver): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => timedAdapter(await factory.connect(), observe),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
