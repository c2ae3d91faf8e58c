/**
 * Kill the bot process (SIGKILL) between two steps of a flow and start it again: the user carries on at the
 * same step with what they had entered, and nothing half-written is in the domain tables.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { TEST_ENCRYPTION_KEY } from "./helpers/harness.js";
import { startBotProcess, type BotProcess } from "./helpers/botProcess.js";
import { validAccount, validAttestation } from "./helpers/fixtures.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe(`killing the bot between two steps of a flow (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let connector: FakeConnector;
  let bot: BotProcess | undefined;

  const start = async () => {
    const url = scratch.database.provider === "sqlite" ? `file:${scratch.database.file}` : scratch.database.url;
    // No typing indicator: one sent late in a turn can reach the connector after that turn's answer, counted with the next.
    bot = await startBotProcess({ DATABASE_URL: url, PROVIDER_TENANT_ID: TENANT, REMINDER_INTERVAL_SECONDS: "0", LOG_LEVEL: "warn", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, TYPING_DELAY_MS: "0" });
  };
  const send = async (extra: Record<string, unknown>, conversationId = "a:restart") => {
    const before = connector.received.length;
    const response = await fetch(`http://127.0.0.1:${bot!.port}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "message", id: crypto.randomUUID(), channelId: "msteams", serviceUrl: connector.url, locale: "en-US", from: { id: "29:alex", name: "Alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: conversationId, conversationType: "personal", tenantId: TENANT }, ...extra }),
    });
    expect(response.status).toBe(200);
    return JSON.stringify(connector.received.slice(before).map((request) => request.body));
  };
  const stop = async () => {
    await bot?.kill("SIGKILL");
  };

  beforeAll(async () => {
    scratch = await emptyDatabase();
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: TENANT, aadObjectId: "aad-alex" });
  });
  afterAll(async () => {
    await stop();
    await connector.stop();
    await scratch.drop();
  });

  it("continues at the same step after SIGKILL and a restart, and creates the customer once", async () => {
    await start();
    const flowId = /"flowId":"([0-9a-f-]{36})"/.exec(await send({ text: "new customer" }))![1];
    expect(await send({ value: { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "survivor", companyName: "Survivor Ltd" }) } })).toContain("Microsoft Customer Agreement: Survivor Ltd");
    await stop();

    await start();
    await send({ value: { verb: "customer.agreement.next", flowId, ...validAttestation() } });
    expect(await send({ value: { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" } })).toContain("Add a new customer: Subscriptions");
    const review = await send({ value: { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "3" } });
    expect(review).toContain("Survivor Ltd");
    expect(review).toContain("Office 365 E1: 3 licences");
    expect(await send({ value: { verb: "customer.review.submit", flowId } })).toContain("admin@survivor.onmicrosoft.com");
    await stop();

    const database = openDatabase(scratch.database);
    try {
      expect(await database.db.customer.count({ where: { domainPrefix: "survivor" } })).toBe(1);
      expect(await database.db.subscription.count({ where: { customer: { domainPrefix: "survivor" } } })).toBe(1);
    } finally {
      await database.close();
    }
  });

  it("item 10 and 9: killed after the customer is committed and before its card is delivered, the redelivered Submit is processed and shows the password", async () => {
    await start();
    const conversation = "a:killed-mid-turn";
    const flowId = /"flowId":"([0-9a-f-]{36})"/.exec(await send({ text: "new customer" }, conversation))![1];
    await send({ value: { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "midturn", companyName: "Mid Turn Ltd" }) } }, conversation);
    await send({ value: { verb: "customer.agreement.next", flowId, ...validAttestation() } }, conversation);
    await send({ value: { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" } }, conversation);
    await send({ value: { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "2" } }, conversation);

    // The connector holds the confirmation card; the process dies while the turn waits for it.
    let held!: () => void;
    const cardArrived = new Promise<void>((resolve) => (held = resolve));
    connector.respond = (request) => {
      if (!JSON.stringify(request.body).includes("Temporary password")) return { status: 200 };
      held();
      return new Promise(() => undefined);
    };
    const submit = { type: "message", id: "submit-that-dies", value: { verb: "customer.review.submit", flowId } };
    const dying = send(submit, conversation).catch(() => "the process died");
    await cardArrived;
    await stop();
    await dying;
    connector.respond = () => ({ status: 200 });

    await start();
    // Teams redelivers the same activity (same id): the first attempt never finished, so it runs.
    const redelivered = await send(submit, conversation);
    expect(redelivered).toContain("admin@midturn.onmicrosoft.com");
    expect(redelivered).toContain("Temporary password");
    // A second redelivery, after the completed one, does nothing.
    expect(await send(submit, conversation)).toBe("[]");
    await stop();

    const database = openDatabase(scratch.database);
    try {
      expect(await database.db.customer.count({ where: { domainPrefix: "midturn" } })).toBe(1);
    } finally {
      await database.close();
    }
  });
});
