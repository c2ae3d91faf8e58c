import { TurnContext, TestAdapter, type Activity } from "botbuilder";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserConversationState } from "../bot/durableState.js";
import { PrismaStorage } from "../bot/prismaStorage.js";
import { ANY_ETAG, ETagConflict, NEW_ETAG, StateStore } from "../bot/turns/stateStore.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

describe(`durable bot state with eTags (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let store: StateStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = new StateStore(database.db);
  });
  afterAll(() => database.drop());

  it("writes with the eTag it read; a stale eTag fails and leaves the stored value", async () => {
    const first = await store.write("doc-1", { step: 1 }, NEW_ETAG);
    const second = await store.write("doc-1", { step: 2 }, first);
    expect(second).not.toBe(first);
    await expect(store.write("doc-1", { step: 99 }, first)).rejects.toBeInstanceOf(ETagConflict);
    expect((await store.read(["doc-1"])).get("doc-1")).toEqual({ data: { step: 2 }, eTag: second });
  });

  it("creating a key that exists is a conflict; '*' overwrites whatever is there", async () => {
    await store.write("doc-2", { a: 1 }, NEW_ETAG);
    await expect(store.write("doc-2", { a: 2 }, NEW_ETAG)).rejects.toBeInstanceOf(ETagConflict);
    await store.write("doc-2", { a: 3 }, ANY_ETAG);
    expect((await store.read(["doc-2"])).get("doc-2")?.data).toEqual({ a: 3 });
  });

  it("of two concurrent writers holding the same eTag, exactly one wins", async () => {
    const etag = await store.write("doc-3", { n: 0 }, NEW_ETAG);
    const results = await Promise.allSettled([store.write("doc-3", { n: 1 }, etag), store.write("doc-3", { n: 2 }, etag)]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((result) => result.status === "rejected" && result.reason instanceof ETagConflict)).toHaveLength(1);
  });

  it("is a botbuilder Storage: read returns eTags, a write with a stale one rejects", async () => {
    const storage = new PrismaStorage(store);
    await storage.write({ "conv/1": { value: "a" } });
    const read = await storage.read(["conv/1", "missing"]);
    expect(Object.keys(read)).toEqual(["conv/1"]);
    const stale = { ...read["conv/1"] };
    await storage.write({ "conv/1": { ...read["conv/1"], value: "b" } });
    await expect(storage.write({ "conv/1": { ...stale, value: "c" } })).rejects.toBeInstanceOf(ETagConflict);
    expect((await storage.read(["conv/1"]))["conv/1"]).toMatchObject({ value: "b" });
    await storage.delete(["conv/1"]);
    expect(await storage.read(["conv/1"])).toEqual({});
  });

  it("two turns that load the same user state and both change it: the second save fails instead of overwriting", async () => {
    const state = new UserConversationState(new PrismaStorage(store));
    const counter = state.createProperty<number>("counter");
    const activity: Partial<Activity> = {
      type: "message",
      channelId: "msteams",
      conversation: { id: "conv-race", isGroup: false, conversationType: "personal", name: "" },
      from: { id: "29:u", name: "U", aadObjectId: "aad-u" },
      recipient: { id: "28:bot", name: "bot" },
    };
    const adapter = new TestAdapter(async () => {});
    const turnA = new TurnContext(adapter, activity);
    await counter.set(turnA, 1);
    await state.saveChanges(turnA);

    const readerA = new TurnContext(adapter, activity);
    const readerB = new TurnContext(adapter, activity);
    expect(await counter.get(readerA)).toBe(1);
    expect(await counter.get(readerB)).toBe(1);
    await counter.set(readerA, 2);
    await counter.set(readerB, 3);
    await state.saveChanges(readerA);
    await expect(state.saveChanges(readerB)).rejects.toBeInstanceOf(ETagConflict);
    // The same turn can save twice: the eTag it holds follows its own writes.
    await counter.set(readerA, 4);
    await state.saveChanges(readerA);
    expect(await counter.get(new TurnContext(adapter, activity))).toBe(4);
  });
});

describe(`isolation between turns (${providerUnderTest})`, () => {
  it("item 15: a write made by one turn while another turn's transaction is open survives that transaction's rollback", async () => {
    const database = await createTestDatabase();
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const inside = new Promise<void>((resolve) => (started = resolve));
      const first = database.db
        .$transaction(async (tx) => {
          await tx.appSetting.create({ data: { key: "turn-1", value: "written in a transaction that fails" } });
          started();
          await held;
          throw new Error("turn 1 fails and rolls back");
        })
        .catch((error: Error) => error.message);
      await inside;
      // Turn 2 writes on its own while turn 1's transaction is open; turn 1 fails a little later.
      setTimeout(release, 50);
      await database.db.appSetting.create({ data: { key: "turn-2", value: "written outside any transaction" } });
      expect(await first).toBe("turn 1 fails and rolls back");
      expect(await database.db.appSetting.count({ where: { key: "turn-2" } })).toBe(1);
      expect(await database.db.appSetting.count({ where: { key: "turn-1" } })).toBe(0);
    } finally {
      await database.drop();
    }
  });
});

describe(`idle dialog state (${providerUnderTest})`, () => {
  it("item 14: state idle longer than its time to live reads as empty and is pruned", async () => {
    const database = await createTestDatabase();
    try {
      let now = new Date();
      const store = new StateStore(database.db, { ttlMs: 7 * 86_400_000, now: () => now });
      await store.write("conv/user", { dialogState: { step: 2 } }, NEW_ETAG);
      expect((await store.read(["conv/user"])).get("conv/user")?.data).toEqual({ dialogState: { step: 2 } });
      now = new Date(Date.now() + 8 * 86_400_000);
      expect((await store.read(["conv/user"])).get("conv/user")?.data).toEqual({});
      expect(await store.pruneExpired()).toBe(1);
      expect(await database.db.botState.count()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
