/**
 * The outbox of Partner Center calls that change something. Before such a call is sent, its
 * operation and its MS-RequestId are recorded; every retry after a timeout, a 5xx, a network
 * error or a restart of the process sends the same id (Partner Center answers a repeated id with
 * the first answer: exactly once). Any HTTP answer closes the row. A later attempt of the same
 * operation after a refusal (a business error) gets a new request id, as Partner Center's rule
 * asks; after a success it keeps the id, so a repeat is answered as the first was.
 */
import type { Db } from "../../db/database.js";
import { isUniqueViolation } from "../../db/errors.js";
import { requestIdFor } from "../requestIds.js";

export interface OutboxEntry {
  key: string;
  requestId: string;
  attempt: number;
}

export class Outbox {
  constructor(private readonly db: Db) {}

  /** The request id to send for an operation: recorded before it is sent. */
  async begin(key: string, operation: string): Promise<OutboxEntry> {
    for (;;) {
      const row = await this.db.pcOutbox.findUnique({ where: { key } });
      if (!row) {
        try {
          const created = await this.db.pcOutbox.create({ data: { key, operation, requestId: key, status: "pending" } });
          return { key, requestId: created.requestId, attempt: 0 };
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
          continue;
        }
      }
      if (row.status === "pending" || (row.httpStatus !== null && row.httpStatus < 400)) return { key, requestId: row.requestId, attempt: row.attempt };
      // Answered with a refusal: this is a new attempt, with a new id.
      const attempt = row.attempt + 1;
      const requestId = requestIdFor(key, "attempt", attempt);
      const { count } = await this.db.pcOutbox.updateMany({ where: { key, attempt: row.attempt }, data: { requestId, attempt, status: "pending", httpStatus: null } });
      if (count === 1) return { key, requestId, attempt };
    }
  }

  /** An HTTP answer came back for this request id: the operation is no longer in flight. */
  async answered(entry: OutboxEntry, httpStatus: number): Promise<void> {
    await this.db.pcOutbox.updateMany({ where: { key: entry.key, requestId: entry.requestId }, data: { status: "answered", httpStatus } });
  }

  /** Operations sent without an answer yet (in flight, or cut short by a crash), oldest first. */
  async pending(olderThan: Date, take = 100) {
    return this.db.pcOutbox.findMany({ where: { status: "pending", updatedAt: { lt: olderThan } }, orderBy: { updatedAt: "asc" }, take });
  }
}
