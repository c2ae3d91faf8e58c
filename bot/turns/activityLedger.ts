/**
 * Each incoming activity is handled once. Teams redelivers an activity whose turn took longer
 * than about 15 s; the redelivery must do nothing if the first attempt completed. What counts is
 * completion, not start: an activity is recorded "running" when its turn starts and "done" when it
 * has completed, so a redelivery of one whose first attempt never finished (the process died)
 * runs again. Callers hold the turn lock of the activity's user and conversation, so a "running"
 * record found under the lock belongs to an attempt that is no longer running.
 */
import type { Db } from "../../src/db/database.js";
import { isUniqueViolation } from "../../src/db/errors.js";

export type Claim = "first" | "again" | "done";

export class ActivityLedger {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** "first": never seen; "again": seen, but its turn never completed; "done": handled, do nothing. */
  async begin(key: string): Promise<Claim> {
    try {
      await this.db.processedActivity.create({ data: { key, status: "running", createdAt: this.now() } });
      return "first";
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await this.db.processedActivity.findUnique({ where: { key }, select: { status: true } });
    if (!row) return this.begin(key);
    return row.status === "done" ? "done" : "again";
  }

  async complete(key: string): Promise<void> {
    await this.db.processedActivity.update({ where: { key }, data: { status: "done", completedAt: this.now() } });
  }

  /** The turn failed: a redelivery, or the user trying again, runs it anew. */
  async release(key: string): Promise<void> {
    await this.db.processedActivity.deleteMany({ where: { key } });
  }

  /** Forgets activities older than the redelivery window (kept a day, generously). */
  async prune(olderThan: Date): Promise<number> {
    const { count } = await this.db.processedActivity.deleteMany({ where: { createdAt: { lt: olderThan } } });
    return count;
  }
}
