/**
 * botbuilder `Storage` over the database (bot/turns/stateStore.ts), with eTags checked on write:
 * an item written with the eTag it was read with fails if someone wrote it in between.
 * After a successful write the item's `eTag` is updated in place, so that a second save in
 * the same turn carries the new eTag.
 */
import type { Storage, StoreItems } from "botbuilder";
import { ANY_ETAG, type StateStore } from "./turns/stateStore.js";

export class PrismaStorage implements Storage {
  constructor(private readonly store: StateStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.store.read(keys);
    const items: StoreItems = {};
    for (const [key, document] of found) items[key] = { ...document.data, eTag: document.eTag };
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
