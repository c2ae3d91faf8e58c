/**
 * Fuzzing the HTTP edge: 20,000 malformed, random and tampered activities and card payloads,
 * from enrolled and unknown tenants, sent as JSON, compressed, multipart, chunked or slowly.
 * No 5xx, no unhandled rejection, the domain tables unchanged, memory flat, no temp files.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync, deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type App } from "../bot/app.js";
import { testConfig } from "./helpers/harness.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const VERBS = ["menu", "help", "cancel", "profile", "customer.new", "customer.list", "customer.open", "customer.created.done", "customer.account.next", "customer.review.submit", "subscription.new", "subscription.open", "subscription.suspend", "subscription.reactivate", "subscription.cancel", "subscription.licences", "subscription.addon", "subscription.resellers", "subscription.mute", "order.catalog.next", "order.review.submit", "reseller.invite", "reseller.invite.submit", "reseller.revoke", "partnership.accept", "partnership.decline", "staff.setRole", "customer.history", "nonsense"];

/** A small deterministic generator, so that a failure can be replayed. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  return { next, pick };
}

describe(`fuzzing /api/messages (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let app: App;
  let connector: FakeConnector;
  let temp: string;
  let previousTmp: string | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    scratch = await emptyDatabase();
    // Anything written to the temp folder while the bot runs would land here.
    temp = mkdtempSync(join(tmpdir(), "fuzz-tmp-"));
    previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    connector = await new FakeConnector().start();
    // The stand-in keeps only its last requests: its own log must not count as the bot's memory.
    connector.maxRecorded = 50;
    connector.enrol("29:admin", { tenantId: PROVIDER, aadObjectId: "aad-admin" });
    app = await startApp({ ...testConfig({ PROVIDER_TENANT_ID: PROVIDER }), port: 0, database: scratch.database }, memoryLogger("fatal").logger);
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    await app?.close();
    await connector.stop();
    await scratch.drop();
  });

  /** Sends raw bytes, as a whole, chunked, or trickled; resolves with the status (0 if the bot closed the connection). */
  const send = (headers: Record<string, string>, bytes: Buffer, mode: "whole" | "chunked" | "slow" = "whole"): Promise<number> =>
    new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port: app.port, path: "/api/messages", method: "POST", headers: mode === "whole" ? { ...headers, "content-length": String(bytes.length) } : headers }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", () => resolve(0));
      if (mode === "whole") return req.end(bytes);
      const parts = mode === "slow" ? 6 : 4;
      const size = Math.ceil(bytes.length / parts);
      let i = 0;
      const next = () => {
        if (i >= parts) return req.end();
        req.write(bytes.subarray(i * size, (i + 1) * size));
        i++;
        if (mode === "slow") setTimeout(next, 40);
        else next();
      };
      next();
    });
  const post = (body: string, contentType = "application/json") => send({ "content-type": contentType }, Buffer.from(body));

  const snapshot = async () => {
    const db = app.database.db;
    const [customers, subscriptions, orders, partnerships, organisations, users, audit] = await Promise.all([
      db.customer.findMany({ orderBy: { id: "asc" } }),
      db.subscription.findMany({ orderBy: { id: "asc" } }),
      db.order.count(),
      db.partnership.count(),
      db.organisation.count(),
      db.user.findMany({ orderBy: { id: "asc" }, select: { id: true, role: true } }),
      db.auditEntry.count(),
    ]);
    return JSON.stringify({ customers, subscriptions, orders, partnerships, organisations, users, audit });
  };
  const rssAfterGc = () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error("run with --expose-gc (vitest.config.ts sets it)");
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage().rss;
  };

  it("item 13: answers 20,000 malformed, random, compressed, multipart, chunked and slow requests without a 5xx; domain data unchanged, memory flat, no temp files", { timeout: 600_000 }, async () => {
    // One enrolled admin, so that tampered submits reach the real handlers.
    const base = { channelId: "msteams", serviceUrl: connector.url, recipient: { id: "28:bot", name: "bot" } };
    const admin = { from: { id: "29:admin", name: "Admin", aadObjectId: "aad-admin" }, conversation: { id: "a:admin", conversationType: "personal", tenantId: PROVIDER } };
    expect(await post(JSON.stringify({ ...base, ...admin, type: "message", id: "seed", text: "hello" }))).toBe(200);
    const before = await snapshot();

    const random = prng(20261121);
    const value = (depth = 0): unknown => {
      switch (Math.floor(random.next() * (depth > 2 ? 6 : 9))) {
        case 0: return null;
        case 1: return random.next() * 1e9 - 5e8;
        case 2: return "x".repeat(Math.floor(random.next() * 20_000));
        case 3: return randomUUID();
        case 4: return random.pick(["", " ", `'; DROP TABLE "Customer"; --`, "$" + "{jndi}", "<at>bot</at>", "\u0000", "NaN", "-1", "1e309", "\u202Eexe.gnp", "[x](https://evil.example)"]);
        case 5: return random.next() < 0.5;
        case 6: return [value(depth + 1), value(depth + 1)];
        default: return Object.fromEntries(["verb", "customerId", "subscriptionId", "version", "flowId", "code", "licences", "reason", "role", "userId", "page", "query", "qty_o365-e3", "companyName", "action"].filter(() => random.next() < 0.4).map((key) => [key, value(depth + 1)]));
      }
    };
    const activity = () => {
      const tenant = random.pick([PROVIDER, PROVIDER, randomUUID(), "", undefined]);
      // New users of the provider tenant would rightly join it as agents; strangers come from other tenants.
      const who = tenant === PROVIDER ? admin : { from: { id: `29:${randomUUID()}`, aadObjectId: random.next() < 0.8 ? randomUUID() : undefined }, conversation: { id: `a:${randomUUID()}`, tenantId: tenant } };
      const shape = random.next();
      if (shape < 0.05) return random.pick(["", "[]", "null", "42", '"text"', "{", '{"type":']);
      const body: Record<string, unknown> = { ...base, ...who, type: random.pick(["message", "message", "message", "invoke", "event", "typing", "conversationUpdate", "installationUpdate", "messageReaction", "bogus", 7]), id: randomUUID() };
      if (body.type === "invoke") body.name = random.pick(["adaptiveCard/action", "task/fetch", "composeExtension/query", "bogus", value()]);
      if (random.next() < 0.5) body.text = random.pick(["help", "customers", "new customer", "accept abcdefghijklmnop", "history for x", "subscription e3", "team", value()]);
      if (random.next() < 0.7) body.value = random.next() < 0.7 ? { ...(value() as object), verb: random.pick(VERBS) } : value();
      if (random.next() < 0.1) delete body.serviceUrl;
      if (random.next() < 0.1) delete body.conversation;
      if (random.next() < 0.1) body.locale = random.pick([value(), "zh-Hans-CN-u-nu-hanidec", "x".repeat(40), "fr-CA"]);
      return JSON.stringify(body);
    };
    /** One request: mostly plain JSON activities, and every other kind of body an attacker might send. */
    const attempt = (): Promise<number> => {
      const kind = random.next();
      const json = activity();
      if (kind < 0.8) return post(json);
      if (kind < 0.84) return send({ "content-type": "application/json", "content-encoding": random.pick(["gzip", "deflate", "br", "x-custom"]) }, random.next() < 0.5 ? gzipSync(json) : deflateSync(Buffer.alloc(200_000)));
      if (kind < 0.88) {
        const boundary = `b${randomUUID()}`;
        return send({ "content-type": `multipart/form-data; boundary=${boundary}` }, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n${"z".repeat(Math.floor(random.next() * 100_000))}\r\n--${boundary}--\r\n`));
      }
      if (kind < 0.94) return send({ "content-type": "application/json", "transfer-encoding": "chunked" }, Buffer.from(json), "chunked");
      if (kind < 0.97) return send({ "content-type": "application/json" }, Buffer.from(json), "slow");
      return send({ "content-type": random.pick(["text/plain", "application/x-www-form-urlencoded", "application/xml", "", "application/json; charset=latin1"]) }, Buffer.from(random.next() < 0.5 ? json : "a=1&b=2"));
    };

    /** `count` requests from 20 concurrent clients (a slow one holds up only its own client). */
    const run = async (count: number, statuses: Map<number, number>, failures: string[]) => {
      let started = 0;
      const client = async () => {
        while (started < count) {
          started++;
          const status = await attempt();
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) failures.push(String(status));
        }
      };
      await Promise.all(Array.from({ length: 20 }, client));
    };

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    // A first two thousand warm everything up (compiled code, caches, the allocator), then memory is measured.
    await run(2_000, statuses, failures);
    const rssBefore = rssAfterGc();

    for (let i = 0; i < 18; i++) {
      await run(1_000, statuses, failures);
      if (process.env.FUZZ_TRACE) console.log(`after ${i + 3}k: RSS ${Math.round(rssAfterGc() / 2 ** 20)} MiB, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB / ${Math.round(process.memoryUsage().heapTotal / 2 ** 20)} MiB`);
    }
    const rssAfter = rssAfterGc();

    console.log(`fuzz: ${[...statuses.entries()].sort().map(([status, count]) => `${status}×${count}`).join(" ")}; RSS ${Math.round(rssBefore / 2 ** 20)} → ${Math.round(rssAfter / 2 ** 20)} MiB`);

    expect(failures).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(await snapshot()).toBe(before);
    expect(rssAfter).toBeLessThanOrEqual(rssBefore * 1.2);
    expect(readdirSync(temp)).toEqual([]);
  });

  it("refuses a body over the size limit, and one that is not JSON, without a stack", async () => {
    expect(await post(JSON.stringify({ type: "message", text: "x".repeat(2 * 1024 * 1024) }))).toBe(413);
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "type=message" });
    expect(response.status).toBe(415);
    expect(await response.text()).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
