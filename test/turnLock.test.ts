import type { Activity } from "botbuilder";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConfig } from "./helpers/harness.js";
import { testBot } from "./helpers/harness.js";
import { createBot } from "../bot/app.js";
import { parseConfig } from "../src/config.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { InProcessTurnLock } from "../bot/turns/turnLock.js";
import { cardOf, Conversation } from "./helpers/conversation.js";
import { PROVIDER_TENANT, validAccount, validAttestation } from "./helpers/fixtures.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, postgresUrl, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";
import { cardJson, HttpBot, textsOf } from "./helpers/httpBot.js";

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
      second = openDatabase(database.config);
    });
    afterAll(async () => {
      await second.close();
      await database.drop();
    });

    it("the same Submit reaching two instances at once: one creates, the other finds the flow ended", async () => {
      const config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT });
      const user = { tenantId: PROVIDER_TENANT, aadObjectId: "aad-two", name: "Two", conversationId: "conv-two-instances" };
      const a = new Conversation(testBot(config, database, memoryLogger("fatal").logger), user);
      const b = new Conversation(testBot(config, second, memoryLogger("fatal").logger), user);
      const flowId = (cardOf(await a.say("new customer")).actions![0].data as { flowId: string }).flowId;
      const submit = (c: Conversation, value: Record<string, unknown>) => c.send({ type: "message", value } as Partial<Activity>);
      await submit(a, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "twoinstances" }) });
      await submit(b, { verb: "customer.agreement.next", flowId, ...validAttestation() });
      await submit(b, { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" });
      await submit(b, { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "1" });
      const results = await Promise.all([submit(a, { verb: "customer.review.submit", flowId }), submit(b, { verb: "customer.review.submit", flowId })]);
      const text = JSON.stringify(results);
      expect(text.match(/admin@twoinstances\.onmicrosoft\.com/g)).toHaveLength(1);
      expect(text).toContain("no longer active");
      expect(text).not.toContain("still working on your previous message");
      expect(await database.db.customer.count({ where: { domainPrefix: "twoinstances" } })).toBe(1);
    });
  });
});

describe(`a slow connector (${providerUnderTest})`, () => {
  let bot: HttpBot;
  beforeAll(async () => {
    bot = await HttpBot.start({ PROVIDER_TENANT_ID: PROVIDER_TENANT, TURN_LOCK_WAIT_SECONDS: "1" });
  });
  afterAll(() => bot?.stop());

  it("item 12: twelve conversations waiting 5 s on their connector do not hold up an unrelated user", { timeout: 60_000 }, async () => {
    bot.connector.respond = (request) => (request.path.includes("slow-") ? { status: 200, delayMs: 5_000 } : { status: 200 });
    try {
      const slow = Array.from({ length: 12 }, (_, i) => bot.user({ tenantId: PROVIDER_TENANT, aadObjectId: `aad-slow-${i}`, conversationId: `a:slow-${i}` }).say("help"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      const answer = await bot.user({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-unrelated" }).say("help");
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(cardJson(answer.replies)).toContain("Help");
      await Promise.all(slow);
    } finally {
      bot.connector.respond = () => ({ status: 200 });
    }
  });

  it("item 12: a second message while the first still waits on the connector is answered \"still working\" after a bounded wait", { timeout: 60_000 }, async () => {
    const user = bot.user({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-impatient", conversationId: "a:slow-impatient" });
    bot.connector.respond = (request) => (request.path.includes("slow-impatient") && JSON.stringify(request.body).includes("Help") ? { status: 200, delayMs: 4_000 } : { status: 200 });
    try {
      const first = user.say("help");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      const second = await user.say("profile");
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(textsOf(second.replies).join()).toContain("I'm still working on your previous message");
      await first;
    } finally {
      bot.connector.respond = () => ({ status: 200 });
    }
  });
});
