import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../bot/app.js";
import type { Config } from "../src/config.js";
import { testConfig } from "./helpers/harness.js";
import { ProactiveNotifier } from "../bot/proactive.js";
import { ConversationRefStore } from "../bot/teams/conversationRefs.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";
import type { ScratchDatabase } from "../src/db/scratch.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe(`the bot over HTTP (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let config: Config;
  let app: App;
  let connector: FakeConnector;
  const log = memoryLogger("info");

  beforeAll(async () => {
    scratch = await emptyDatabase();
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: PROVIDER, aadObjectId: "aad-alex" });
    config = { ...testConfig({ PROVIDER_TENANT_ID: PROVIDER }), port: 0, database: scratch.database };
    app = await startApp(config, log.logger);
  });
  afterAll(async () => {
    await app?.close();
    await connector.stop();
    await scratch.drop();
  });

  const base = () => `http://127.0.0.1:${app.port}`;

  it("migrates on start, says which Partner Center it speaks to, then reports healthy with the database in use", async () => {
    expect(log.lines.join("\n")).toContain("applied database migrations");
    expect(log.lines.map((line) => JSON.parse(line) as { msg: string; partnerCenter?: string }).find((line) => line.msg === "Partner Center adapter")).toMatchObject({ partnerCenter: "embedded" });
    const response = await fetch(`${base()}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", database: providerUnderTest });
  });

  it("liveness and readiness apart: /livez answers while the process runs; /readyz is 503 while a migration of this build is missing (logged once), 200 again once it is there", async () => {
    const own = await emptyDatabase();
    const probeLog = memoryLogger("info");
    const probed = await startApp({ ...config, database: own.database, port: 0 }, probeLog.logger);
    const url = (path: string) => `http://127.0.0.1:${probed.port}${path}`;
    try {
      expect((await fetch(url("/livez"))).status).toBe(200);
      expect((await fetch(url("/readyz"))).status).toBe(200);
      const db = probed.database.db;
      const [last] = await db.$queryRawUnsafe<{ id: string; migration_name: string }[]>("SELECT id, migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1");
      await db.$executeRawUnsafe(`UPDATE _prisma_migrations SET migration_name = 'renamed_${last.id.slice(0, 8)}' WHERE id = '${last.id}'`);
      const unready = await fetch(url("/readyz"));
      expect(unready.status).toBe(503);
      expect(await unready.json()).toMatchObject({ status: "unavailable", reason: "migrations", missing: [last.migration_name] });
      expect((await fetch(url("/readyz"))).status).toBe(503);
      expect((await fetch(url("/livez"))).status).toBe(200);
      expect(probeLog.lines.filter((line) => line.includes("lacks migrations of this build"))).toHaveLength(1);
      await db.$executeRawUnsafe(`UPDATE _prisma_migrations SET migration_name = '${last.migration_name}' WHERE id = '${last.id}'`);
      expect((await fetch(url("/readyz"))).status).toBe(200);
      expect(probeLog.lines.filter((line) => line.includes("ready: the database answers again"))).toHaveLength(1);

      // One access log line per request, with its id, status, time, and the activity and tenant.
      const activityId = crypto.randomUUID();
      const posted = await fetch(url("/api/messages"), { method: "POST", headers: { "content-type": "application/json", "MS-CV": "cv-123.1" }, body: JSON.stringify({ type: "message", id: activityId, text: "help", channelId: "msteams", serviceUrl: connector.url, from: { id: "29:alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:access", conversationType: "personal", tenantId: PROVIDER } }) });
      expect(posted.status).toBe(200);
      expect((await fetch(url("/api/messages"), { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" })).status).toBe(400);
      const requests = probeLog.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "request");
      // The same turns in the metrics, with the process's own.
      const metrics = await (await fetch(url("/metrics"))).text();
      expect(metrics).toMatch(/^csp_bot_turns_total\{activity_type="message",status="200"\} 1$/m);
      expect(metrics).toMatch(/^csp_bot_turns_total\{activity_type="other",status="400"\} 1$/m);
      expect(metrics).toMatch(/^csp_bot_turn_duration_seconds_count\{activity_type="message"\} 1$/m);
      expect(metrics).toContain("csp_bot_process_resident_memory_bytes");
      // Database time: every statement the turn and the probes made, reads and writes apart.
      const statements = (kind: string) => Number(new RegExp(`^csp_bot_database_statement_duration_seconds_count\\{kind="${kind}"\\} (\\d+)$`, "m").exec(metrics)?.[1] ?? 0);
      expect(statements("read")).toBeGreaterThan(3);
      expect(statements("write")).toBeGreaterThan(0);
      expect(Number(/^csp_bot_database_statement_duration_seconds_sum\{kind="read"\} ([\d.e-]+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(requests).toEqual([
        expect.objectContaining({ level: 30, requestId: "cv-123.1", method: "POST", path: "/api/messages", status: 200, activityId, activityType: "message", tenantId: PROVIDER, ms: expect.any(Number) }),
        expect.objectContaining({ level: 30, method: "POST", path: "/api/messages", status: 400, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
      ]);
    } finally {
      await probed.close();
      await own.drop();
    }
  });

  it("answers a Teams message posted to /api/messages through the connector at the activity's serviceUrl", async () => {
    const before = connector.received.length;
    const response = await fetch(`${base()}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "message",
        id: "http-1",
        text: "help",
        locale: "fr-FR",
        channelId: "msteams",
        serviceUrl: connector.url,
        from: { id: "29:alex", name: "Alex", aadObjectId: "aad-alex" },
        recipient: { id: "28:bot", name: "bot" },
        conversation: { id: "a:conv-http", conversationType: "personal", tenantId: PROVIDER },
        channelData: { tenant: { id: PROVIDER } },
      }),
    });
    expect(response.status).toBe(200);
    const reply = connector.received.slice(before).find((request) => request.path.includes("/v3/conversations/a%3Aconv-http/activities"));
    const card = reply?.body.attachments?.[0].content as { type: string; body: { text: string }[] };
    expect(card.type).toBe("AdaptiveCard");
    expect(card.body[0].text).toBe("Aide");
  });

  const sayHelp = (id: string) =>
    fetch(`${base()}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "message", id, text: "help", channelId: "msteams", serviceUrl: connector.url, from: { id: "29:alex", name: "Alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot", name: "bot" }, conversation: { id: "a:conv-http", conversationType: "personal", tenantId: PROVIDER } }),
    });

  it("reaches a user proactively through the stored conversation reference; a 404 retires that reference", async () => {
    expect((await sayHelp(crypto.randomUUID())).status).toBe(200);
    const user = await app.database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-alex" } });
    const refs = new ConversationRefStore(app.database.db);
    const notifier = new ProactiveNotifier(app.adapter, "", refs, log.logger);
    expect(await notifier.notifyUser(user.id, { type: "message", text: "Northwind accepted" })).toBe(1);
    expect(connector.received.at(-1)?.body.text).toBe("Northwind accepted");
    connector.respond = () => ({ status: 404, body: { error: { code: "ConversationNotFound" } } });
    expect(await notifier.notifyUser(user.id, { type: "message", text: "again" })).toBe(0);
    connector.respond = () => ({ status: 200 });
    expect(await refs.activeFor(user.id)).toEqual([]);
    // The user writes again (to this instance, whose bot did not retire the reference itself): reachable again.
    expect((await sayHelp(crypto.randomUUID())).status).toBe(200);
    expect(await refs.activeFor(user.id)).toHaveLength(1);
  });

  it("with an app id configured, a request without a Bot Framework token is refused with 401 and changes nothing", async () => {
    const own = await emptyDatabase();
    const secured = await startApp({ ...config, database: own.database, port: 0, host: "127.0.0.1", microsoftApp: { id: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", password: "secret", type: "MultiTenant" } }, memoryLogger("fatal").logger);
    // (No key endpoint is contacted: a request without a token is refused before.)
    try {
      const users = await secured.database.db.user.count();
      const response = await fetch(`http://127.0.0.1:${secured.port}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "message", id: "x", text: "help", channelId: "msteams", serviceUrl: connector.url, from: { id: "29:mallory", aadObjectId: "aad-mallory" }, recipient: { id: "28:bot" }, conversation: { id: "a:mallory", tenantId: PROVIDER } }),
      });
      expect(response.status).toBe(401);
      expect(await secured.database.db.user.count()).toBe(users);
    } finally {
      await secured.close();
      await own.drop();
    }
  });

  it("a second start on the same database applies no migration", async () => {
    await app.close();
    const second = memoryLogger("info");
    app = await startApp(config, second.logger);
    const lines = second.lines.map((line) => JSON.parse(line) as { msg: string; applied?: string[]; created?: number; unchanged?: number });
    expect(lines.find((line) => line.msg === "database schema is up to date")?.applied).toEqual([]);
  });

  it("refuses a body that is not JSON without a stack trace", async () => {
    const response = await fetch(`${base()}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
