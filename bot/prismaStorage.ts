/**
 * botbuilder `Storage` over the database (bot/turns/stateStore.ts), with eTags checked on write:
 * an item written with the eTag it was read with fails if someone wrote it in between.
 * After a successful write the item's `eTag` is updated in place, so that a second save in
 * the same turn carries the new eTag.
 */
import type { Storage, StoreItems } from "botbuilder";
import { ANY_ETAG, type StateStore, type StoredDocument } from "./turns/stateStore.js";

export class PrismaStorage implements Storage {
  /** Documents already read with the turn's first statement (bot/turns/turnRecords.ts), by key; null: none stored. Used once. */
  private readonly primed = new Map<string, StoredDocument | null>();

  constructor(readonly store: StateStore) {}

  /** The document of a key as the turn's first read found it, so that loading the state costs no second read. */
  prime(key: string, document: StoredDocument | null): void {
    this.primed.set(key, document);
  }

  /** Forgets a primed document the turn did not use. */
  unprime(key: string): void {
    this.primed.delete(key);
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    const rest: string[] = [];
    for (const key of keys) {
      if (!this.primed.has(key)) {
        rest.push(key);
        continue;
      }
      const document = this.primed.get(key);
      this.primed.delete(key);
      if (document) items[key] = { ...document.data, eTag: document.eTag };
    }
    if (rest.length) for (const [key, document] of await this.store.read(rest)) items[key] = { ...document.data, eTag: document.eTag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...data } = (item ?? {}) as Record<string, unknown> & { eTag?: string };
      const next = await this.store.write(key, data, eTag ?? ANY_ETAG);
      if (item && typeof item === "object") (item as { eTag?: string }).eTag = next;
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}
