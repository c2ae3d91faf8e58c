/**
 * Where each user can be reached proactively: the Bot Framework conversation reference of each
 * conversation the user had with the bot, stored as JSON. Marked inactive when Teams says the
 * bot was removed or the conversation is gone.
 */
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";

export class ConversationRefStore {
  /** userId:conversationId pairs known to be stored, so that a turn does not write each time. */
  private readonly known = new Set<string>();

  constructor(private readonly db: Db) {}

  async remember(userId: string, conversationId: string, reference: object): Promise<void> {
    const key = `${userId}:${conversationId}`;
    if (this.known.has(key)) return;
    const existing = await this.db.conversationRef.findUnique({ where: { userId_conversationId: { userId, conversationId } } });
    if (!existing) {
      try {
        await this.db.conversationRef.create({ data: { userId, conversationId, reference: JSON.stringify(reference) } });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    } else if (!existing.active) {
      await this.db.conversationRef.update({ where: { id: existing.id }, data: { active: true, reference: JSON.stringify(reference) } });
    }
    this.known.add(key);
  }

  async activeFor(userId: string): Promise<{ id: string; reference: Record<string, unknown> }[]> {
    const rows = await this.db.conversationRef.findMany({ where: { userId, active: true }, orderBy: { updatedAt: "desc" } });
    return rows.map((row) => ({ id: row.id, reference: JSON.parse(row.reference) as Record<string, unknown> }));
  }

  /** The bot was uninstalled from, or removed from, this conversation. */
  async forget(userId: string, conversationId: string): Promise<void> {
    await this.db.conversationRef.updateMany({ where: { userId, conversationId }, data: { active: false } });
    this.known.delete(`${userId}:${conversationId}`);
  }

  async deactivate(id: string): Promise<void> {
    const row = await this.db.conversationRef.update({ where: { id }, data: { active: false } });
    this.known.delete(`${row.userId}:${row.conversationId}`);
  }
}
