/**
 * Each incoming activity is handled once. Teams redelivers an activity whose turn took longer
 * than about 15 s; the redelivery must do nothing if the first attempt completed. What counts is
 * completion, not start: an activity is recorded "done" once its turn has completed, so a
 * redelivery of one whose first attempt never finished (the process died) runs again. Callers
 * hold the turn lock of the activity's user and conversation, so two deliveries of one activity
 * never run at once.
 */
import type { Db } from "../../src/db/database.js";
import { isUniqueViolation } from "../../src/db/errors.js";

export type Claim = "first" | "again" | "done";

export class ActivityLedger {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The turn completed: recorded "done" (one insert; a row left "running" by an older version, or
   * by a turn that died, is updated). Whether an activity was handled is read with the turn's
   * first statement (bot/turns/turnRecords.ts); an attempt that never finished left nothing, so a
   * redelivery runs it again.
   */
  async complete(key: string): Promise<void> {
    const at = this.now();
    try {
      await this.db.processedActivity.create({ data: { key, status: "done", createdAt: at, completedAt: at } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await this.db.processedActivity.update({ where: { key }, data: { status: "done", completedAt: at } });
    }
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
