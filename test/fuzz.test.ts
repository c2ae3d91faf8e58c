/**
 * Fuzzing the HTTP edge: thousands of malformed, random and tampered activities and card
 * payloads, from enrolled and unknown tenants. No 5xx, no unhandled rejection, and the
 * domain tables unchanged.
 */
import { randomUUID } from "node:crypto";
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
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on("unhandledRejection", onUnhandled);
    scratch = await emptyDatabase();
    connector = await new FakeConnector().start();
    connector.enrol("29:admin", { tenantId: PROVIDER, aadObjectId: "aad-admin" });
    app = await startApp({ ...testConfig({ PROVIDER_TENANT_ID: PROVIDER }), port: 0, database: scratch.database }, memoryLogger("fatal").logger);
  });
  afterAll(async () => {
    process.off("unhandledRejection", onUnhandled);
    await app?.close();
    await connector.stop();
    await scratch.drop();
  });

  const post = (body: string, contentType = "application/json") => fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: "POST", headers: { "content-type": contentType }, body });

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

  it("answers 2,000 malformed and random activities without a 5xx and changes no domain data", { timeout: 240_000 }, async () => {
    // One enrolled admin, so that tampered submits reach the real handlers.
    const base = { channelId: "msteams", serviceUrl: connector.url, recipient: { id: "28:bot", name: "bot" } };
    const admin = { from: { id: "29:admin", name: "Admin", aadObjectId: "aad-admin" }, conversation: { id: "a:admin", conversationType: "personal", tenantId: PROVIDER } };
    expect((await post(JSON.stringify({ ...base, ...admin, type: "message", id: "seed", text: "hello" }))).status).toBe(200);
    const before = await snapshot();

    const random = prng(20261121);
    const value = (depth = 0): unknown => {
      switch (Math.floor(random.next() * (depth > 2 ? 6 : 9))) {
        case 0: return null;
        case 1: return random.next() * 1e9 - 5e8;
        case 2: return "x".repeat(Math.floor(random.next() * 20_000));
        case 3: return randomUUID();
        case 4: return random.pick(["", " ", `'; DROP TABLE "Customer"; --`, "$" + "{jndi}", "<at>bot</at>", "\u0000", "NaN", "-1", "1e309"]);
        case 5: return random.next() < 0.5;
        case 6: return [value(depth + 1), value(depth + 1)];
        default: return Object.fromEntries(["verb", "customerId", "subscriptionId", "version", "flowId", "code", "licences", "reason", "role", "userId", "page", "query", "qty_o365-e3"].filter(() => random.next() < 0.4).map((key) => [key, value(depth + 1)]));
      }
    };
    const activity = () => {
      const tenant = random.pick([PROVIDER, PROVIDER, randomUUID(), "", undefined]);
      // New users of the provider tenant would rightly join it as agents; strangers come from other tenants.
      const who = tenant === PROVIDER ? admin : { from: { id: `29:${randomUUID()}`, aadObjectId: random.next() < 0.8 ? randomUUID() : undefined }, conversation: { id: `a:${randomUUID()}`, tenantId: tenant } };
      const shape = random.next();
      if (shape < 0.05) return random.pick(["", "[]", "null", "42", '"text"', "{", '{"type":']);
      const body: Record<string, unknown> = { ...base, ...who, type: random.pick(["message", "message", "message", "invoke", "event", "typing", "conversationUpdate", "installationUpdate", "messageReaction", "bogus", 7]), id: randomUUID() };
      if (random.next() < 0.5) body.text = random.pick(["help", "customers", "new customer", "accept abcdefghijklmnop", "history for x", "subscription e3", "team", value()]);
      if (random.next() < 0.7) body.value = random.next() < 0.7 ? { ...(value() as object), verb: random.pick(VERBS) } : value();
      if (random.next() < 0.1) delete body.serviceUrl;
      if (random.next() < 0.1) delete body.conversation;
      if (random.next() < 0.1) body.locale = value();
      return JSON.stringify(body);
    };

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const bodies = Array.from({ length: 2000 }, activity);
    for (let i = 0; i < bodies.length; i += 20) {
      const results = await Promise.all(
        bodies.slice(i, i + 20).map((body) =>
          post(body).then((response) => {
            if (response.status >= 500) failures.push(body.slice(0, 400));
            return response.status;
          }),
        ),
      );
      for (const status of results) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(failures).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("refuses a body over the size limit, and one that is not JSON, without a stack", async () => {
    expect((await post(JSON.stringify({ type: "message", text: "x".repeat(2 * 1024 * 1024) }))).status).toBe(413);
    const response = await post("type=message", "application/x-www-form-urlencoded");
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
