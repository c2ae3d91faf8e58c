/**
 * `npm run bench:reminders`: 10,000 due reminders across 20 tenants, delivered by two instances
 * at once on one PostgreSQL database (two `npm run reminders` processes from the compiled build),
 * to a loopback Bot Connector that enforces Teams' limits: per conversation 7 in 1 s, 8 in 2 s,
 * 60 in 30 s; per tenant 30 in 1 s. A send over a limit gets 429 with Retry-After, as Teams does.
 *
 * Prints delivered, duplicates, lost, 429s received, wall time and the ratio of the throughput
 * achieved to the limits' theoretical maximum (here the tenants' limit: 20 × 30 a second).
 *
 * PostgreSQL: BENCH_POSTGRES_URL, else DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres.
 */
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/database.js";
import { scratchPostgres } from "../src/db/scratch.js";

const root = join(import.meta.dirname, "..");
const TENANTS = 20;
const USERS_PER_TENANT = 125;
const REMINDERS = 10_000;
const INSTANCES = 2;
const DUE_IN_SECONDS = 6;
const conversationLimits = [
  { limit: 7, ms: 1_000 },
  { limit: 8, ms: 2_000 },
  { limit: 60, ms: 30_000 },
];
const tenantLimits = [{ limit: 30, ms: 1_000 }];
if (!existsSync(join(root, "dist", "bot", "remindersOnce.js"))) throw new Error("no compiled build: run npm run build (npm install makes one)");

/** Teams' connector as far as its limits go: sliding windows per conversation and per tenant. */
class LimitedConnector {
  readonly accepted: { at: number; conversation: string; subscriptionId: string }[] = [];
  throttled = 0;
  /** Of those, refused for the conversation's limits (the rest: the tenant's). */
  throttledConversation = 0;
  readonly throttledAt: number[] = [];
  private readonly sends = new Map<string, number[]>();
  private readonly server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", () => {
      const now = performance.now();
      const body = JSON.parse(raw || "{}") as { conversation?: { id?: string; tenantId?: string } };
      const conversation = body.conversation?.id ?? "?";
      const tenant = body.conversation?.tenantId ?? "?";
      const over = (key: string, windows: { limit: number; ms: number }[]) => {
        const times = this.sends.get(key) ?? [];
        return windows.some((window) => times.filter((time) => time > now - window.ms).length >= window.limit);
      };
      const overConversation = over(`c:${conversation}`, conversationLimits);
      if (overConversation || over(`t:${tenant}`, tenantLimits)) {
        this.throttled++;
        this.throttledAt.push(now);
        if (overConversation) this.throttledConversation++;
        response.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
        return response.end(JSON.stringify({ error: { code: "ThrottledRequest", message: "Too many requests" } }));
      }
      for (const key of [`c:${conversation}`, `t:${tenant}`]) {
        const times = (this.sends.get(key) ?? []).filter((time) => time > now - 30_000);
        times.push(now);
        this.sends.set(key, times);
      }
      this.accepted.push({ at: now, conversation, subscriptionId: /"subscriptionId":"([0-9a-f-]{36})"/.exec(raw)?.[1] ?? "?" });
      response.writeHead(201, { "content-type": "application/json" });
      response.end(JSON.stringify({ id: randomUUID() }));
    });
  });
  url = "";

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const serverUrl = process.env.BENCH_POSTGRES_URL ?? (process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgresql://postgres@127.0.0.1:5432/postgres");
const scratch = await scratchPostgres(serverUrl, "csp_bench_reminders");
const connector = await new LimitedConnector().start();
try {
  // The data: 20 provider tenants, 125 users each with a personal conversation, 500 annual
  // subscriptions each, and one "renewal ahead" reminder per subscription due now, to one of its
  // tenant's users (4 each).
  const database = openDatabase(scratch.database);
  await database.migrate();
  const db = database.db;
  const now = new Date();
  const termEnd = new Date(now.getTime() + 40 * 86_400_000);
  for (let t = 0; t < TENANTS; t++) {
    const tenantId = randomUUID();
    const org = await db.organisation.create({ data: { tenantId, kind: "provider", name: `Provider ${t}` } });
    const users = Array.from({ length: USERS_PER_TENANT }, (_, u) => ({ id: randomUUID(), orgId: org.id, tenantId, aadObjectId: randomUUID(), displayName: `User ${t}.${u}`, role: "admin", locale: u % 2 ? "fr-FR" : "en-US" }));
    await db.user.createMany({ data: users });
    await db.conversationRef.createMany({
      data: users.map((user) => ({
        userId: user.id,
        conversationId: `a:${user.aadObjectId}`,
        reference: JSON.stringify({ channelId: "msteams", serviceUrl: connector.url, conversation: { id: `a:${user.aadObjectId}`, conversationType: "personal", tenantId }, bot: { id: "28:bot", name: "bot" }, user: { id: `29:${user.aadObjectId}`, aadObjectId: user.aadObjectId } }),
      })),
    });
    const customer = await db.customer.create({
      data: {
        pcCustomerId: randomUUID(), providerOrgId: org.id, companyName: `Customer ${t}`, searchName: `customer ${t}`, segment: "commercial", addressLine1: "1 Main St", city: "Redmond", region: "WA", postalCode: "98052", country: "US",
        contactFirstName: "Ana", contactLastName: "Bowman", contactEmail: "ana@example.com", culture: "en-US", language: "en", domainPrefix: `bench${t}${randomUUID().slice(0, 8)}`, adminAccount: "admin", creationKey: randomUUID(), createdById: users[0].id,
      },
    });
    const perTenant = REMINDERS / TENANTS;
    const subscriptions = Array.from({ length: perTenant }, () => ({
      id: randomUUID(), pcSubscriptionId: randomUUID(), customerId: customer.id, offerId: "CFQ7TTC0LF8Q:0001:P1Y", productId: "CFQ7TTC0LF8Q", skuId: "0001", offerName: "Microsoft 365 Business Basic", productType: "OnlineServicesNCE",
      licences: 10, billingCycle: "monthly", termDuration: "P1Y", status: "active", termStartAt: new Date(termEnd.getTime() - 365 * 86_400_000), termEndAt: termEnd, autoRenew: true, unitPriceCents: 600, createdById: users[0].id,
    }));
    await db.subscription.createMany({ data: subscriptions });
    await db.reminder.createMany({ data: subscriptions.map((subscription, i) => ({ subscriptionId: subscription.id, kind: "renewalAhead", eventAt: termEnd, leadDays: 30, recipientUserId: users[i % USERS_PER_TENANT].id, nextAttemptAt: now })) });
  }
  // Due a few seconds after the instances start, as reminders fall due while instances run: both
  // are up and waiting (a sweep waits for what falls due within 10 s), so neither instance's start
  // competes with the other's sending.
  await db.$executeRawUnsafe(`UPDATE "Reminder" SET "nextAttemptAt" = now() + interval '${DUE_IN_SECONDS} seconds'`);
  await database.close();

  // Two instances at once, each one sweep from the compiled build, until nothing is due.
  const env = { PATH: process.env.PATH ?? "", DATABASE_URL: scratch.database.provider === "postgresql" ? scratch.database.url : "", ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), LOG_LEVEL: "warn", PARTNER_CENTER_REFRESH_HOURS: "0" };
  const started = performance.now();
  const runs = Array.from({ length: INSTANCES }, () => {
    // BENCH_PROFILE_DIR=<folder>: each instance writes a V8 CPU profile there (open it in Chrome DevTools);
    // BENCH_NODE_FLAGS="--trace-gc …": Node flags for the instances.
    const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const child = spawn(process.execPath, [...profile, ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ") : []), join(root, "dist", "bot", "remindersOnce.js")], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
    return new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  });
  const codes = await Promise.all(runs);
  const wallSeconds = (performance.now() - started) / 1000;

  const check = openDatabase(scratch.database);
  const byStatus = await check.db.reminder.groupBy({ by: ["status"], _count: { _all: true } });
  await check.close();
  const delivered = new Set(connector.accepted.map((send) => `${send.conversation}/${send.subscriptionId}`));
  const duplicates = connector.accepted.length - delivered.size;
  const lost = REMINDERS - delivered.size;
  const times = connector.accepted.map((send) => send.at).sort((a, b) => a - b);
  const sendingSeconds = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
  const maximum = TENANTS * tenantLimits[0].limit;
  // Throughput over the delivery itself (first to last send); the processes' start is in the wall time.
  const ratio = sendingSeconds > 0 ? (times.length - 1) / sendingSeconds / maximum : 0;

  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; PostgreSQL at ${new URL(serverUrl).host}`);
  console.log(`${REMINDERS} reminders, ${TENANTS} tenants × ${USERS_PER_TENANT} users, ${INSTANCES} instances (exit codes ${codes.join(", ")})`);
  console.log(`delivered: ${delivered.size}`);
  console.log(`duplicates: ${duplicates}`);
  console.log(`lost: ${lost}`);
  console.log(`429s received: ${connector.throttled} (${connector.throttledConversation} for a conversation's limits, ${connector.throttled - connector.throttledConversation} for a tenant's)`);
  console.log(`reminder rows: ${byStatus.map((row) => `${row.status} ${row._count._all}`).join(", ")}`);
  console.log(`wall time: ${wallSeconds.toFixed(1)} s (processes started to both exited, reminders due ${DUE_IN_SECONDS} s after the start); sending: ${sendingSeconds.toFixed(1)} s from first to last send`);
  console.log(`throughput: ${(sendingSeconds > 0 ? (times.length - 1) / sendingSeconds : 0).toFixed(0)}/s of a theoretical maximum of ${maximum}/s (${TENANTS} tenants × ${tenantLimits[0].limit}/s): ratio ${ratio.toFixed(3)}`);
  // Where the time went: how long the first half, 90% and 99% of the sends took, and the sends per second over the run.
  const reached = (share: number) => (times.length ? (times[Math.min(times.length - 1, Math.ceil(share * times.length) - 1)] - times[0]) / 1000 : 0);
  console.log(`sent by: 50% ${reached(0.5).toFixed(1)} s, 90% ${reached(0.9).toFixed(1)} s, 99% ${reached(0.99).toFixed(1)} s, 100% ${reached(1).toFixed(1)} s`);
  const perSecond = new Map<number, number>();
  for (const time of times) {
    const second = Math.floor((time - times[0]) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  console.log(`sends per second: ${[...perSecond.values()].join(" ")}`);
  const throttledPerSecond = [...perSecond.keys()].map((second) => connector.throttledAt.filter((time) => Math.floor((time - times[0]) / 1000) === second).length);
  console.log(`429s per second: ${throttledPerSecond.join(" ")}`);
  console.log(`target: 0 lost, 0 duplicates, ratio ≥ 0.95: ${lost === 0 && duplicates === 0 && ratio >= 0.95 ? "met" : "NOT met"}`);
} finally {
  await connector.stop();
  await scratch.drop();
}
process.exit(0);
