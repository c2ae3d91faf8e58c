/**
 * Where each user can be reached proactively: the Bot Framework conversation reference of each
 * conversation the user had with the bot, stored as JSON. Marked inactive when Teams says the
 * bot was removed or the conversation is gone.
 */
import type { Db } from "../../src/db/database.js";
import { isUniqueViolation } from "../../src/db/errors.js";
import { NO_CONVERSATION } from "../../src/reminders/reminderScheduler.js";

export class ConversationRefStore {
  constructor(private readonly db: Db) {}

  /**
   * Stores where a user talked to the bot, or makes it active again (reinstall, or a user who
   * writes after a 403/404 retired it). One read a turn; a write only when something changed.
   * No in-memory cache: another instance may have retired the reference meanwhile.
   */
  async remember(userId: string, conversationId: string, reference: object): Promise<void> {
    const existing = await this.db.conversationRef.findUnique({ where: { userId_conversationId: { userId, conversationId } } });
    if (!existing) {
      try {
        await this.db.conversationRef.create({ data: { userId, conversationId, reference: JSON.stringify(reference) } });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        return;
      }
    } else if (!existing.active) {
      await this.db.conversationRef.update({ where: { id: existing.id }, data: { active: true, reference: JSON.stringify(reference) } });
    } else {
      return;
    }
    // The user can be reached now: reminders that failed for want of a conversation go out again.
    await this.db.reminder.updateMany({ where: { recipientUserId: userId, status: "failed", lastError: NO_CONVERSATION }, data: { status: "pending", nextAttemptAt: new Date(), lastError: null } });
  }

  async activeFor(userId: string): Promise<{ id: string; reference: Record<string, unknown> }[]> {
    const rows = await this.db.conversationRef.findMany({ where: { userId, active: true }, orderBy: { updatedAt: "desc" } });
    return rows.map((row) => ({ id: row.id, reference: JSON.parse(row.reference) as Record<string, unknown> }));
  }

  /** The active references of several users at once (newest first for each). */
  async activeForMany(userIds: string[]): Promise<Map<string, { id: string; reference: Record<string, unknown> }[]>> {
    const rows = userIds.length ? await this.db.conversationRef.findMany({ where: { userId: { in: userIds }, active: true }, orderBy: { updatedAt: "desc" } }) : [];
    const byUser = new Map<string, { id: string; reference: Record<string, unknown> }[]>();
    for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), { id: row.id, reference: JSON.parse(row.reference) as Record<string, unknown> }]);
    return byUser;
  }

  /** The channel ids (Teams: MRIs) of the users known in a conversation, at most `limit` of them. */
  async membersOf(conversationId: string, limit: number): Promise<string[]> {
    const rows = await this.db.conversationRef.findMany({ where: { conversationId, active: true }, select: { reference: true }, orderBy: { updatedAt: "desc" }, take: limit });
    return rows.flatMap((row) => {
      const id = (JSON.parse(row.reference) as { user?: { id?: unknown } }).user?.id;
      return typeof id === "string" ? [id] : [];
    });
  }

  /** The bot was uninstalled from, or removed from, this conversation. */
  async forget(userId: string, conversationId: string): Promise<void> {
    await this.db.conversationRef.updateMany({ where: { userId, conversationId }, data: { active: false } });
  }

  async deactivate(id: string): Promise<void> {
    await this.db.conversationRef.update({ where: { id }, data: { active: false } });
  }
}
