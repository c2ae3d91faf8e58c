/**
 * A key-value store of JSON documents with optimistic concurrency, over the BotState table.
 * Every write of a document carries the eTag its writer read: a write whose eTag no longer
 * matches the stored one fails with {@link ETagConflict} instead of overwriting.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../src/db/database.js";
import { isUniqueViolation } from "../../src/db/errors.js";

/** eTag meaning "write whatever is stored" (last writer wins). */
export const ANY_ETAG = "*";
/** eTag meaning "create: fail if the key already exists". */
export const NEW_ETAG = "new";

export class ETagConflict extends Error {
  constructor(readonly key: string) {
    super(`state "${key}" was changed by another writer since it was read`);
    this.name = "ETagConflict";
  }
}

export interface StoredDocument {
  data: Record<string, unknown>;
  eTag: string;
}

export interface StateStoreOptions {
  /** State not written for this long is forgotten (an abandoned flow does not live forever). */
  ttlMs: number;
  now: () => Date;
}

export class StateStore {
  private readonly options: StateStoreOptions;

  constructor(
    private readonly db: Db,
    options: Partial<StateStoreOptions> = {},
  ) {
    this.options = { ttlMs: options.ttlMs ?? 7 * 86_400_000, now: options.now ?? (() => new Date()) };
  }

  /** The documents of these keys; an expired one reads as empty (its eTag kept, so writing it again is still checked). */
  async read(keys: string[]): Promise<Map<string, StoredDocument>> {
    const rows = keys.length ? await this.db.botState.findMany({ where: { key: { in: keys } } }) : [];
    return new Map(rows.map((row) => [row.key, this.documentOf(row)]));
  }

  /** A stored row as the document it holds; an expired one reads as empty (its eTag kept). */
  documentOf(row: { data: string; etag: string; updatedAt: Date }): StoredDocument {
    const oldest = this.options.now().getTime() - this.options.ttlMs;
    return { data: row.updatedAt.getTime() < oldest ? {} : (JSON.parse(row.data) as Record<string, unknown>), eTag: row.etag };
  }

  /** Deletes state that has expired; returns how many documents. */
  async pruneExpired(): Promise<number> {
    const { count } = await this.db.botState.deleteMany({ where: { updatedAt: { lt: new Date(this.options.now().getTime() - this.options.ttlMs) } } });
    return count;
  }

  /**
   * Writes one document. `expectedETag` is the eTag read before (or {@link NEW_ETAG} for a
   * document that did not exist, or {@link ANY_ETAG}); returns the new eTag.
   */
  async write(key: string, data: Record<string, unknown>, expectedETag: string | undefined): Promise<string> {
    const etag = randomUUID();
    const json = JSON.stringify(data);
    if (expectedETag === undefined || expectedETag === ANY_ETAG) {
      await this.db.botState.upsert({ where: { key }, create: { key, data: json, etag }, update: { data: json, etag } });
      return etag;
    }
    if (expectedETag === NEW_ETAG) {
      try {
        await this.db.botState.create({ data: { key, data: json, etag } });
        return etag;
      } catch (error) {
        if (isUniqueViolation(error)) throw new ETagConflict(key);
        throw error;
      }
    }
    const { count } = await this.db.botState.updateMany({ where: { key, etag: expectedETag }, data: { data: json, etag } });
    if (count !== 1) throw new ETagConflict(key);
    return etag;
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length) await this.db.botState.deleteMany({ where: { key: { in: keys } } });
  }
}
