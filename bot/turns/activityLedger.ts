/**
 * Each incoming activity is handled once. Teams redelivers an activity whose turn took longer
 * than about 15 s; the redelivery must do nothing if the first attempt completed. What counts is
 * completion, not start: a turn that completed is recorded with the state it leaves (the ids of
 * the user's last activities in the conversation, in the same conditional write: see
 * bot/partnerBot.ts), so a redelivery of one whose first attempt never finished (the process
 * died) runs again. Callers hold the turn lock of the activity's user and conversation, so two
 * deliveries of one activity never run at once.
 *
 * This table holds the records of earlier versions, which wrote one row per completed activity:
 * read with the turn's first statement (bot/turns/turnRecords.ts) until pruned.
 */
import type { Db } from "../../src/db/database.js";

export type Claim = "first" | "again" | "done";

export class ActivityLedger {
  constructor(private readonly db: Db) {}

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
