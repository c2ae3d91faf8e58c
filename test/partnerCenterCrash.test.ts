/**
 * Exactly once across a crash, with the real process: the bot (PARTNER_CENTER=api, against the
 * fake Partner Center over HTTPS) is killed after Partner Center committed the checkout and before
 * the bot recorded the answer. Restarted, it gets Teams' redelivery of the same Submit: the outbox
 * sends the same MS-RequestIds, Partner Center answers as the first time, and the user's flow
 * shows the order, which exists once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { startBotProcess, type BotProcess } from "./helpers/botProcess.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { PROVIDER_TENANT, validAccount, validAttestation } from "./helpers/fixtures.js";
import { TEST_ENCRYPTION_KEY } from "./helpers/harness.js";
import { PC_APP_ID, startApiStack, type ApiStack } from "./helpers/partnerCenterApi.js";
import { createTestDatabase, emptyDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

describe(`killing the bot between sending checkout and recording its answer (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let pcDatabase: TestDatabase;
  let stack: ApiStack;
  let connector: FakeConnector;
  let bot: BotProcess | undefined;

  const start = async () => {
    const url = scratch.database.provider === "sqlite" ? `file:${scratch.database.file}` : scratch.database.url;
    bot = await startBotProcess({
      DATABASE_URL: url,
      PROVIDER_TENANT_ID: PROVIDER_TENANT,
      REMINDER_INTERVAL_SECONDS: "0",
      LOG_LEVEL: "warn",
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      PARTNER_CENTER: "api",
      PARTNER_CENTER_API_URL: stack.fake.url,
      ENTRA_AUTHORITY_URL: stack.entra.url,
      PARTNER_CENTER_APP_ID: PC_APP_ID,
      PARTNER_CENTER_APP_SECRET: "pc-app-secret",
      PARTNER_CENTER_TIMEOUT_SECONDS: "60",
      // The stand-ins' certificate authority, trusted as a partner's staging would trust its own.
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS!,
    });
  };
  const send = async (extra: Record<string, unknown>) => {
    const before = connector.received.length;
    const response = await fetch(`http://127.0.0.1:${bot!.port}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "message", id: crypto.randomUUID(), channelId: "msteams", serviceUrl: connector.url, locale: "en-US", from: { id: "29:alex", name: "Alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:crash", conversationType: "personal", tenantId: PROVIDER_TENANT }, ...extra }),
    });
    expect(response.status).toBe(200);
    return JSON.stringify(connector.received.slice(before).map((request) => request.body));
  };

  beforeAll(async () => {
    scratch = await emptyDatabase();
    pcDatabase = await createTestDatabase();
    stack = await startApiStack(pcDatabase.db);
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex" });
  });
  afterAll(async () => {
    await bot?.kill("SIGKILL");
    await connector.stop();
    await stack.stop();
    await pcDatabase.drop();
    await scratch.drop();
  });

  it("one customer, one order, and the redelivered Submit shows them", { timeout: 120_000 }, async () => {
    await start();
    const flowId = /"flowId":"([0-9a-f-]{36})"/.exec(await send({ text: "new customer" }))![1];
    await send({ value: { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "crashco", companyName: "Crash Co" }) } });
    await send({ value: { verb: "customer.agreement.next", flowId, ...validAttestation() } });
    await send({ value: { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" } });
    expect(await send({ value: { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8R:0001": "3" } })).toContain("Office 365 E3: 3 licences");

    // Partner Center commits the checkout and holds its answer; the bot dies waiting for it.
    stack.fake.faults.push({ method: "POST", path: /\/checkout$/, times: 1, afterCommit: { hangMs: 30_000 } });
    const submit = { type: "message", id: "submit-that-dies", value: { verb: "customer.review.submit", flowId } };
    const dying = send(submit).catch(() => "the process died");
    for (let i = 0; i < 200 && !stack.fake.requests("POST", /\/checkout$/).length; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stack.fake.requests("POST", /\/checkout$/)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await bot!.kill("SIGKILL");
    await dying;
    expect(await pcDatabase.db.pcOrder.count()).toBe(1);

    await start();
    // Teams redelivers the same activity: its first attempt never finished, so it runs again.
    const redelivered = await send(submit);
    expect(redelivered).toContain("admin@crashco.onmicrosoft.com");
    expect(redelivered).toContain("Temporary password");

    const checkouts = stack.fake.requests("POST", /\/checkout$/);
    expect(checkouts).toHaveLength(2);
    expect(checkouts[1].headers["ms-requestid"]).toBe(checkouts[0].headers["ms-requestid"]);
    expect(stack.fake.requests("POST", /^\/v1\/customers$/).map((request) => request.headers["ms-requestid"]).filter((id, i, all) => all.indexOf(id) === i)).toHaveLength(1);
    expect(await pcDatabase.db.pcOrder.count()).toBe(1);
    expect(await pcDatabase.db.pcSubscription.count()).toBe(1);
    expect(await pcDatabase.db.pcCustomer.count()).toBe(1);
    const database = openDatabase(scratch.database);
    try {
      expect(await database.db.customer.count()).toBe(1);
      expect(await database.db.subscription.count()).toBe(1);
      expect(await database.db.order.count()).toBe(1);
      expect(await database.db.pcOutbox.count({ where: { status: "pending" } })).toBe(0);
      // The customer card the user opens shows the subscription.
      const customer = await database.db.customer.findFirstOrThrow();
      expect(await send({ value: { verb: "customer.open", customerId: customer.id } })).toContain("Office 365 E3 · 3 licences · Active");
    } finally {
      await database.close();
    }
  });
});
