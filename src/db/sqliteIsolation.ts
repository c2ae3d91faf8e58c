/**
 * SQLite through Prisma's better-sqlite3 adapter has one connection. The adapter orders
 * transactions among themselves, but a statement issued outside any transaction while one is
 * open runs on that same connection, inside it, and disappears if it rolls back. This wrapper
 * gives the connection one gate: a transaction holds it from BEGIN to COMMIT or ROLLBACK, and
 * every other statement waits for it, so each turn's writes are isolated from every other's.
 */
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, Transaction } from "@prisma/driver-adapter-utils";

/** A FIFO async mutex. */
class Gate {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return turn;
  }
}

export class IsolatedAdapter implements SqlDriverAdapter {
  private readonly gate = new Gate();
  readonly provider;
  readonly adapterName;

  constructor(private readonly inner: SqlDriverAdapter) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
    if (inner.getConnectionInfo) this.getConnectionInfo = () => inner.getConnectionInfo!();
  }

  getConnectionInfo?: SqlDriverAdapter["getConnectionInfo"];

  queryRaw(query: SqlQuery) {
    return this.outside(() => this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery) {
    return this.outside(() => this.inner.executeRaw(query));
  }

  executeScript(script: string) {
    return this.outside(() => this.inner.executeScript(script));
  }

  async startTransaction(isolationLevel?: Parameters<SqlDriverAdapter["startTransaction"]>[0]): Promise<Transaction> {
    const release = await this.gate.acquire();
    let transaction: Transaction;
    try {
      transaction = await this.inner.startTransaction(isolationLevel);
    } catch (error) {
      release();
      throw error;
    }
    let open = true;
    const end = () => {
      if (!open) return;
      open = false;
      release();
    };
    return {
      provider: transaction.provider,
      adapterName: transaction.adapterName,
      options: transaction.options,
      queryRaw: (query) => transaction.queryRaw(query),
      executeRaw: (query) => transaction.executeRaw(query),
      commit: () => transaction.commit().finally(end),
      rollback: () => transaction.rollback().finally(end),
      createSavepoint: transaction.createSavepoint && ((name) => transaction.createSavepoint!(name)),
      rollbackToSavepoint: transaction.rollbackToSavepoint && ((name) => transaction.rollbackToSavepoint!(name)),
      releaseSavepoint: transaction.releaseSavepoint && ((name) => transaction.releaseSavepoint!(name)),
    };
  }

  dispose() {
    return this.inner.dispose();
  }

  /** Runs work on the connection outside any transaction: what the driver is given directly (the hot path's own statements) waits for the gate as Prisma's do. */
  exclusive<T>(work: () => T | Promise<T>): Promise<T> {
    return this.outside(async () => work());
  }

  private async outside<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.gate.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/** Wraps a SQLite adapter factory so that every connection it makes isolates its transactions; `onConnect` is told of each (not of shadow databases'). */
export function isolatedSqlite(factory: SqlMigrationAwareDriverAdapterFactory, onConnect?: (adapter: IsolatedAdapter) => void): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = new IsolatedAdapter(await factory.connect());
      onConnect?.(adapter);
      return adapter;
    },
    connectToShadowDb: async () => new IsolatedAdapter(await factory.connectToShadowDb()),
  };
}

