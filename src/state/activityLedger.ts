/**
 * Claims each incoming activity once, so that a redelivered activity (Teams retries a turn
 * that took longer than about 15 s) does nothing the second time. A turn that fails releases
 * its claim, so a redelivery of a failed activity runs again.
 */
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";

export class ActivityLedger {
  constructor(private readonly db: Db) {}

  /** True if this call took the activity in hand; false if it was already (being) processed. */
  async claim(key: string): Promise<boolean> {
    try {
      await this.db.processedActivity.create({ data: { key } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async release(key: string): Promise<void> {
    await this.db.processedActivity.deleteMany({ where: { key } });
  }

  /** Forgets activities older than the redelivery window (kept a day, generously). */
  async prune(olderThan: Date): Promise<number> {
    const { count } = await this.db.processedActivity.deleteMany({ where: { createdAt: { lt: olderThan } } });
    return count;
  }
}
