/**
 * A budget of calls under rate limits expressed as sliding windows (at most `limit` calls in any
 * `ms` milliseconds), per key. A caller reserves the earliest slot at which one more call fits
 * every window of every key it touches, waits until then, and calls. Reservations are recorded,
 * so concurrent callers are packed, not collided. In one process the reservations live in
 * memory; instances sharing PostgreSQL share them in a table ("SendBudget"), one row per key,
 * locked while a slot is chosen, so several instances together stay within the limits. Used for
 * Teams' limits (bot/teams/sendBudget.ts) and Partner Center's (src/partnerCenter/rest/).
 */
import pg from "pg";

export interface Window {
  limit: number;
  ms: number;
  /** Room kept under this window for the jitter between choosing a slot and the call arriving (SAFETY_MS unless said). */
  marginMs?: number;
}

export interface BudgetKey {
  key: string;
  windows: Window[];
}

export interface SendBudget {
  /** Waits until one more call fits every window of every key, and counts it. */
  acquire(keys: BudgetKey[]): Promise<void>;
  /**
   * Reserves one slot for each call, in order (each call with its own keys), in one step, none
   * sooner than `aheadMs` from now; returns when each may be made (ms since the epoch, this
   * process's clock); the caller waits for each with `waitUntil`.
   */
  reserve(calls: BudgetKey[][], aheadMs?: number): Promise<number[]>;
  /** Waits until a reserved slot's time (on the budget's clock). */
  waitUntil(slot: number): Promise<void>;
  close(): Promise<void>;
}

/** A little room kept under each limit for the network's jitter between here and Teams. */
const SAFETY_MS = 30;

/** The index of the first of the sorted `times` at or after `from`. */
function firstAtOrAfter(times: number[], from: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle] < from) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** How many of the sorted `times` fall in [from, to). */
function countIn(times: number[], from: number, to: number): number {
  return firstAtOrAfter(times, to) - firstAtOrAfter(times, from);
}

/** Whether one more send at `t` keeps every window of length W that contains t within its limit. */
function fits(times: number[], window: Window, t: number): boolean {
  const width = window.ms + (window.marginMs ?? SAFETY_MS);
  // The busiest window containing t starts at t - width (just after) or just after an event enters on its right.
  if (countIn(times, t - width + 1, t + 1) >= window.limit) return false;
  let i = firstAtOrAfter(times, t);
  while (i < times.length && times[i] <= t) i++;
  for (; i < times.length && times[i] < t + width; i++) {
    const start = times[i] - width + 1;
    if (countIn(times, start, start + width) >= window.limit) return false;
  }
  return true;
}

/**
 * The earliest time ≥ now at which one more send fits every window of every key, given the sends
 * already made or reserved (`history`, sorted times per key).
 */
export function earliestSlot(now: number, keys: BudgetKey[], history: Map<string, number[]>): number {
  // A send fits either now or just as an earlier send leaves one of the windows.
  const candidates = new Set<number>([now]);
  for (const { key, windows } of keys) for (const time of history.get(key) ?? []) for (const window of windows) {
      const leaves = time + window.ms + (window.marginMs ?? SAFETY_MS);
      if (leaves >= now) candidates.add(leaves);
    }
  for (const t of [...candidates].sort((a, b) => a - b)) {
    if (keys.every(({ key, windows }) => windows.every((window) => fits(history.get(key) ?? [], window, t)))) return t;
  }
  throw new Error("no slot fits: a window's limit is below 1");
}

/** Adds a send at `t` to each key's history, forgetting what no window can see any more. */
function record(history: Map<string, number[]>, keys: BudgetKey[], t: number, now: number): void {
  for (const { key, windows } of keys) {
    const horizon = now - Math.max(...windows.map((window) => window.ms + (window.marginMs ?? SAFETY_MS)));
    const times = (history.get(key) ?? []).filter((time) => time > horizon);
    times.push(t);
    times.sort((a, b) => a - b);
    history.set(key, times);
  }
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The budget of one process (SQLite: the bot is the only process). */
export class LocalSendBudget implements SendBudget {
  private readonly history = new Map<string, number[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {}

  async acquire(keys: BudgetKey[]): Promise<void> {
    const [slot] = await this.reserve([keys]);
    await this.waitUntil(slot);
  }

  async waitUntil(slot: number): Promise<void> {
    const now = this.now();
    if (slot > now) await this.sleep(slot - now);
  }

  async reserve(calls: BudgetKey[][], aheadMs = 0): Promise<number[]> {
    const now = this.now();
    return calls.map((keys) => {
      const slot = earliestSlot(now + aheadMs, keys, this.history);
      record(this.history, keys, slot, now);
      return slot;
    });
  }

  async close(): Promise<void> {}
}

/**
 * How far another clock (the database's) is from this one, estimated as NTP does: a reading of it
 * taken during a round trip is assumed to be from the round trip's middle, and of the recent
 * readings the one with the shortest round trip is trusted (a round trip that waited for a lock,
 * or for this process's busy event loop, says little about when the clock was read). Instances
 * on different machines then agree on when a slot is, to within a few milliseconds.
 */
export class ClockOffset {
  private readonly samples: { offset: number; roundTrip: number }[] = [];

  constructor(private readonly keep = 16) {}

  /** A reading `remote` of the other clock, taken between `sentAt` and `answeredAt` on this one. */
  sample(remote: number, sentAt: number, answeredAt: number): void {
    this.samples.push({ offset: remote - (sentAt + answeredAt) / 2, roundTrip: answeredAt - sentAt });
    if (this.samples.length > this.keep) this.samples.shift();
  }

  /** A time on the other clock, on this one. */
  toLocal(remote: number): number {
    let best = this.samples[0];
    for (const sample of this.samples) if (sample.roundTrip < best.roundTrip) best = sample;
    return Math.round(remote - (best?.offset ?? 0));
  }
}

/** The budget shared by every instance on one PostgreSQL database (table "SendBudget"). */
export class SharedSendBudget implements SendBudget {
  private readonly pool: pg.Pool;
  private readonly clock = new ClockOffset();

  constructor(
    connectionString: string,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {
    this.pool = new pg.Pool({ connectionString, max: 4 });
    this.pool.on("error", () => {});
  }

  async acquire(keys: BudgetKey[]): Promise<void> {
    const [slot] = await this.reserve([keys]);
    await this.waitUntil(slot);
  }

  async waitUntil(slot: number): Promise<void> {
    const wait = slot - Date.now();
    if (wait > 0) await this.sleep(wait);
  }

  /**
   * One transaction for all the calls, in two round trips: the keys' rows made if new, locked in
   * key order (no deadlock between instances) and read, with the database's clock once they are
   * locked; then every slot chosen here, and the rows written back with the commit. Statements go
   * as one text each way (values quoted by pg): a budget is consulted every few hundred sends at
   * a sweep's pace, and each round trip costs as much as the work.
   */
  async reserve(calls: BudgetKey[][], aheadMs = 0): Promise<number[]> {
    const names = [...new Set(calls.flat().map((key) => key.key))].sort();
    if (!names.length) return [];
    const client = await this.pool.connect();
    try {
      const list = (values: string[]) => `ARRAY[${values.map((value) => client.escapeLiteral(value)).join(",")}]::text[]`;
      const sentAt = Date.now();
      const results = (await client.query(
        `BEGIN; INSERT INTO "SendBudget" ("key", "times") SELECT unnest(${list(names)}), '[]' ON CONFLICT ("key") DO NOTHING; ` +
          `SELECT "key", "times" FROM "SendBudget" WHERE "key" = ANY(${list(names)}) ORDER BY "key" FOR UPDATE; ` +
          `SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS "now"`,
      )) as unknown as pg.QueryResult[];
      const answeredAt = Date.now();
      const rows = results[2].rows as { key: string; times: string }[];
      // The database's clock is everyone's clock: slots are chosen on it, from the moment the rows
      // are locked, and waited for on this one.
      const now = Math.round((results[3].rows[0] as { now: number }).now);
      this.clock.sample(now, sentAt, answeredAt);
      const history = new Map(rows.map((row) => [row.key, JSON.parse(row.times) as number[]]));
      const slots = calls.map((keys) => {
        const slot = earliestSlot(now + aheadMs, keys, history);
        record(history, keys, slot, now);
        return slot;
      });
      await client.query(
        `UPDATE "SendBudget" AS b SET "times" = v."times" FROM unnest(${list(names)}, ${list(names.map((name) => JSON.stringify(history.get(name) ?? [])))}) AS v("key", "times") WHERE b."key" = v."key"; COMMIT`,
      );
      return slots.map((slot) => this.clock.toLocal(slot));
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
