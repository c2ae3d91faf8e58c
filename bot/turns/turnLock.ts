/**
 * One turn at a time per key (a user in a conversation), so that a second submit sees the
 * state the first one left. In one process a queue per key orders the turns. On PostgreSQL a
 * lease row orders them across instances too: taken with one conditional upsert, renewed while
 * the turn runs, deleted at its end. No database connection is held while a turn runs (a turn
 * waiting on a slow connector holds only its own lease), and waiting for a lease gives up after
 * a while with TurnLockTimeout, which the bot answers with "still working on your previous message".
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

export class TurnLockTimeout extends Error {
  constructor(readonly key: string) {
    super(`another turn of ${key} is still running`);
    this.name = "TurnLockTimeout";
  }
}

export interface TurnLock {
  run<T>(key: string, work: () => Promise<T>, waitMs: number): Promise<T>;
  close(): Promise<void>;
}

const settleWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });

export class InProcessTurnLock implements TurnLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>, waitMs: number): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    // The next turn of this key waits for the previous one and for this one, whether this one runs or gives up.
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      if (!(await settleWithin(previous, waitMs))) throw new TurnLockTimeout(key);
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  async close(): Promise<void> {}
}

export interface LeaseOptions {
  /** How long a lease lasts without renewal (a crashed instance's turns are taken over after it). */
  leaseMs: number;
  /** First delay between two attempts to take a busy lease; it grows to 200 ms. */
  pollMs: number;
}

export class PostgresTurnLock implements TurnLock {
  private readonly local = new InProcessTurnLock();
  private readonly pool: pg.Pool;
  private readonly holder = randomUUID();
  private readonly options: LeaseOptions;

  constructor(connectionString: string, options: Partial<LeaseOptions> & { connections?: number } = {}) {
    this.options = { leaseMs: options.leaseMs ?? 10_000, pollMs: options.pollMs ?? 20 };
    // Each statement borrows a connection for its own duration only.
    this.pool = new pg.Pool({ connectionString, max: options.connections ?? 4 });
    this.pool.on("error", () => {});
  }

  run<T>(key: string, work: () => Promise<T>, waitMs: number): Promise<T> {
    const deadline = Date.now() + waitMs;
    // Turns of one key in this process queue here first, so they don't poll the database against each other.
    return this.local.run(
      key,
      async () => {
        await this.acquire(key, deadline);
        const renewal = setInterval(() => void this.renew(key).catch(() => {}), Math.max(1_000, this.options.leaseMs / 3));
        renewal.unref();
        try {
          return await work();
        } finally {
          clearInterval(renewal);
          await this.pool.query(`DELETE FROM "TurnLease" WHERE "key" = $1 AND "holder" = $2`, [key, this.holder]).catch(() => {});
        }
      },
      waitMs,
    );
  }

  private async acquire(key: string, deadline: number): Promise<void> {
    for (let delay = this.options.pollMs; ; delay = Math.min(delay * 2, 200)) {
      const { rowCount } = await this.pool.query(
        `INSERT INTO "TurnLease" ("key", "holder", "expiresAt") VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT ("key") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
         WHERE "TurnLease"."expiresAt" < now()`,
        [key, this.holder, this.options.leaseMs / 1000],
      );
      if (rowCount === 1) return;
      if (Date.now() + delay > deadline) throw new TurnLockTimeout(key);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async renew(key: string): Promise<void> {
    await this.pool.query(`UPDATE "TurnLease" SET "expiresAt" = now() + make_interval(secs => $3) WHERE "key" = $1 AND "holder" = $2`, [key, this.holder, this.options.leaseMs / 1000]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
