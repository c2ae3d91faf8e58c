/**
 * One turn at a time per key (a user in a conversation). In one process a chain of promises
 * orders the turns; on PostgreSQL a session advisory lock, held on a connection of a small
 * dedicated pool for the length of the turn, orders them across instances too.
 */
import pg from "pg";

export interface TurnLock {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class InProcessTurnLock implements TurnLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }

  async close(): Promise<void> {}
}

export class PostgresTurnLock implements TurnLock {
  private readonly local = new InProcessTurnLock();
  private readonly pool: pg.Pool;

  constructor(connectionString: string, connections = 10) {
    this.pool = new pg.Pool({ connectionString, max: connections });
    // A lost lock connection fails that turn (its query errors); the pool must not crash the process.
    this.pool.on("error", () => {});
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    // Turns of one key in this process queue here, so they don't hold a connection each while waiting.
    return this.local.run(key, async () => {
      const client = await this.pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [key]);
        try {
          return await work();
        } finally {
          await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [key]);
        }
      } finally {
        client.release();
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
