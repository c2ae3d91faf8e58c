/** The audit log: who changed what, when, with the values before and after. */
import type { Db } from "../db/database.js";
import type { Caller } from "../identity/identityService.js";

/** A Prisma client or an interactive transaction on it. */
export type DbOrTx = Pick<Db, "auditEntry">;

export interface AuditRecord {
  action: string;
  customerId?: string;
  subscriptionId?: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export async function audit(db: DbOrTx, caller: Caller, record: AuditRecord, at = new Date()): Promise<void> {
  await db.auditEntry.create({
    data: {
      at,
      actorUserId: caller.userId,
      actorOrgId: caller.organisation.id,
      action: record.action,
      customerId: record.customerId,
      subscriptionId: record.subscriptionId,
      before: record.before ? JSON.stringify(record.before) : null,
      after: record.after ? JSON.stringify(record.after) : null,
    },
  });
}
