/**
 * The database goes away for a while (PostgreSQL: connections to it refused and cut): users are
 * told to try again shortly, /healthz says 503, the process stays up, and work resumes when
 * the database is back. Runs where DATABASE_URL points at PostgreSQL (the CI suite).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../bot/app.js";
import { testConfig } from "./helpers/harness.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { emptyDatabase, postgresUrl } from "./helpers/testDatabase.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe.skipIf(!postgresUrl)("a database outage (postgresql)", () => {
  let scratch: ScratchDatabase;
  let app: App;
  let connector: FakeConnector;
  let name = "";
  const log = memoryLogger("error");

  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const say = async (text: string) => {
    const before = connector.received.length;
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "message", id: crypto.randomUUID(), text, channelId: "msteams", serviceUrl: connector.url, locale: "en-US", from: { id: "29:alex", name: "Alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:outage", conversationType: "personal", tenantId: TENANT } }),
    });
    return { status: response.status, replies: connector.received.slice(before).map((request) => request.body) };
  };

  beforeAll(async () => {
    scratch = await emptyDatabase();
    if (scratch.database.provider !== "postgresql") throw new Error("PostgreSQL expected");
    name = new URL(scratch.database.url).pathname.slice(1);
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: TENANT, aadObjectId: "aad-alex" });
    app = await startApp({ ...testConfig({ PROVIDER_TENANT_ID: TENANT }), port: 0, database: scratch.database }, log.logger);
  });
  afterAll(async () => {
    await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await app?.close().catch(() => undefined);
    await connector.stop();
    await scratch.drop();
  });

  it("tells users to try again shortly while it is gone, and carries on when it is back", { timeout: 120_000 }, async () => {
    expect((await say("profile")).status).toBe(200);

    await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    const during = await say("profile");
    expect(during.status).toBeLessThan(500);
    expect(JSON.stringify(during.replies)).toContain("I can't reach my database right now");
    expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(503);
    // Unready, not dead: the process answers its liveness probe; three failed probes are logged once.
    expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(503);
    expect((await fetch(`http://127.0.0.1:${app.port}/livez`)).status).toBe(200);
    expect(log.lines.filter((line) => line.includes("not ready: database unavailable"))).toHaveLength(1);

    await admin(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    let healthy = false;
    for (let i = 0; i < 40 && !healthy; i++) {
      healthy = (await fetch(`http://127.0.0.1:${app.port}/healthz`)).status === 200;
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(healthy).toBe(true);
    const after = await say("profile");
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.replies)).toContain("Your profile");
  });
});
