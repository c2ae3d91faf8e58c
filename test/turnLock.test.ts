import type { Activity } from "botbuilder";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBot } from "./helpers/harness.js";
import { createBot } from "../bot/app.js";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import { parseConfig } from "../src/config.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { InProcessTurnLock } from "../bot/turns/turnLock.js";
import { cardOf, Conversation } from "./helpers/conversation.js";
import { PROVIDER_TENANT, validAccount } from "./helpers/fixtures.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, postgresUrl, type TestDatabase } from "./helpers/testDatabase.js";

describe("one turn at a time per user and conversation", () => {
  it("in one process, turns of a key run in order, other keys in parallel", async () => {
    const lock = new InProcessTurnLock();
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name}:start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name}:end`);
    };
    await Promise.all([lock.run("a", step("a1", 30), 1000), lock.run("a", step("a2", 1), 1000), lock.run("b", step("b1", 1), 1000)]);
    expect(order.indexOf("a1:end")).toBeLessThan(order.indexOf("a2:start"));
    expect(order.indexOf("b1:end")).toBeLessThan(order.indexOf("a1:end"));
  });

  describe.skipIf(!postgresUrl)("across two instances on PostgreSQL", () => {
    let database: TestDatabase;
    let second: Database;
    beforeAll(async () => {
      database = await createTestDatabase();
      await seedCatalog(database.db);
      second = openDatabase(database.config);
    });
    afterAll(async () => {
      await second.close();
      await database.drop();
    });

    it("the same Submit reaching two instances at once: one creates, the other finds the flow ended", async () => {
      const parsed = parseConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT });
      if (!parsed.ok) throw new Error(parsed.errors.join());
      const user = { tenantId: PROVIDER_TENANT, aadObjectId: "aad-two", name: "Two", conversationId: "conv-two-instances" };
      const a = new Conversation(testBot(parsed.config, database, memoryLogger("fatal").logger), user);
      const b = new Conversation(testBot(parsed.config, second, memoryLogger("fatal").logger), user);
      const flowId = (cardOf(await a.say("new customer")).actions![0].data as { flowId: string }).flowId;
      const submit = (c: Conversation, value: Record<string, unknown>) => c.send({ type: "message", value } as Partial<Activity>);
      await submit(a, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "twoinstances" }) });
      await submit(b, { verb: "customer.subscriptions.next", flowId, "qty_o365-e1": "1" });
      const results = await Promise.all([submit(a, { verb: "customer.review.submit", flowId }), submit(b, { verb: "customer.review.submit", flowId })]);
      const text = JSON.stringify(results);
      expect(text.match(/admin@twoinstances\.onmicrosoft\.com/g)).toHaveLength(1);
      expect(text).toContain("no longer active");
      expect(text).not.toContain("still working on your previous message");
      expect(await database.db.customer.count({ where: { domainPrefix: "twoinstances" } })).toBe(1);
    });
  });
});
