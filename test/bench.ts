/**
 * `npm run bench`: how fast the bot is against the framework's floors, over real HTTP.
 *
 * Every server is its own process: the bot as `npm start` runs it (the compiled build), and the
 * floors of test/benchFloor.ts on the same stack: "echo" (nothing stored) and "stateful" (one
 * state read and one conditional state write per turn, on the same database). This process drives
 * them with the same HTTP client and receives their replies on a loopback connector.
 *
 * - Text turns: 50 conversations at once, each sending menu, help, customers, profile in turn;
 *   the bot against the echo floor, interleaved, best of 3, on SQLite and on PostgreSQL.
 * - Card-submit turns: 50 conversations at once walking the add-customer flow (a message, then
 *   five card submits); the bot against the stateful floor, interleaved, best of 3.
 * - Statements per turn, from the bot's own /metrics.
 * - Ready: process start to /healthz 200 from the compiled build on a warm database, best of 3.
 *
 * PostgreSQL: the server at BENCH_POSTGRES_URL (else DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres),
 * in a scratch database; skipped, and said so, when it does not answer.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { scratchPostgres, scratchSqlite, type ScratchDatabase } from "../src/db/scratch.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { validAccount, validAttestation } from "./helpers/fixtures.js";
import { freePort } from "./helpers/botProcess.js";

const root = join(import.meta.dirname, "..");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CONCURRENCY = 50;
const ROUNDS = 3;
if (!existsSync(join(root, "dist", "bot", "start.js"))) throw new Error("no compiled build: run npm run build (npm install makes one)");

const connector = await new FakeConnector().start();
connector.maxRecorded = 20_000;

interface Server {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process and waits for /healthz 200, polling every 5 ms; returns it with the time that took. */
async function launch(args: string[], env: Record<string, string>): Promise<Server & { readyMs: number }> {
  const port = await freePort();
  const output: string[] = [];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { PATH: process.env.PATH ?? "", PORT: String(port), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => output.push(String(chunk)));
  child.stderr!.on("data", (chunk) => output.push(String(chunk)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(" ")} exited:\n${output.join("")}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) throw new Error(`${args.join(" ")} not ready in 60 s:\n${output.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyMs = performance.now() - started;
  return {
    port,
    child,
    readyMs,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

const botEnv = (database: ScratchDatabase["database"]) => ({
  ...(database.provider === "sqlite" ? { DATABASE_URL: `file:${database.file}` } : { DATABASE_URL: database.url, ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }),
  PROVIDER_TENANT_ID: TENANT,
  REMINDER_INTERVAL_SECONDS: "0",
  // The access log line per request is info; the floors write nothing.
  LOG_LEVEL: "warn",
});
const startBot = (database: ScratchDatabase["database"]) => launch([join(root, "dist", "bot", "start.js")], botEnv(database));
const startFloor = (mode: "echo" | "stateful", database: ScratchDatabase["database"]) => launch(["--import", "tsx", join(root, "test", "benchFloor.ts"), mode], botEnv(database));

const activity = (conversation: string, user: string, extra: Record<string, unknown>) => ({
  type: "message",
  id: `${conversation}-${Math.random().toString(36).slice(2)}`,
  channelId: "msteams",
  serviceUrl: connector.url,
  locale: "en-US",
  from: { id: `29:${user}`, name: user, aadObjectId: user },
  recipient: { id: "28:bot", name: "bot" },
  conversation: { id: conversation, conversationType: "personal", tenantId: TENANT },
  channelData: { tenant: { id: TENANT } },
  ...extra,
});

async function post(port: number, conversation: string, user: string, extra: Record<string, unknown>) {
  // The Teams roster knows every user of the bench as a member of the provider's tenant.
  if (!connector.members.has(`29:${user}`)) connector.enrol(`29:${user}`, { tenantId: TENANT, aadObjectId: user, name: user });
  const before = connector.received.length;
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity(conversation, user, extra)) });
  const ms = performance.now() - started;
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`turn answered ${response.status}`);
  return { ms, replies: connector.received.slice(before).filter((request) => request.path.includes(encodeURIComponent(conversation))) };
}

interface Result {
  turnsPerSecond: number;
  p50: number;
  p99: number;
  turns: number;
}

/** CONCURRENCY workers, each on its own conversation, each running `walk` until `total` walks are done. */
async function load(total: number, walk: (n: number, latencies: number[]) => Promise<void>): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await walk(next++, latencies);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  connector.received.splice(0);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { turnsPerSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99), turns: latencies.length };
}

const TEXTS = ["menu", "help", "customers", "profile"];
/** Text turns: conversation n sends 20 texts; the users were enrolled by a warm-up turn. */
const textWalk = (port: number, tag: string) => async (n: number, latencies: number[]) => {
  const user = `aad-text-${n % CONCURRENCY}`;
  for (let i = 0; i < 20; i++) latencies.push((await post(port, `a:${tag}-text-${n % CONCURRENCY}`, user, { text: TEXTS[i % TEXTS.length] })).ms);
};

function flowIdOf(replies: { body: Record<string, unknown> }[]): string {
  const match = JSON.stringify(replies.map((reply) => reply.body)).match(/"flowId":"([0-9a-f-]{36})"/);
  if (!match) throw new Error(`no flow id in the bot's reply: ${JSON.stringify(replies.map((reply) => [reply.body.text, JSON.stringify(reply.body.attachments ?? "").slice(0, 600)]))}`);
  return match[1];
}

/** Card submits: a new conversation walks the add-customer flow, a message and five submits. */
const submitWalk = (port: number, tag: string, stateful: boolean) => async (n: number, latencies: number[]) => {
  const conversation = `a:${tag}-submit-${n}-${Math.random().toString(36).slice(2)}`;
  const user = `aad-submit-${n % CONCURRENCY}`;
  const first = await post(port, conversation, user, { text: "new customer" });
  latencies.push(first.ms);
  const flowId = stateful ? "00000000-0000-4000-8000-000000000000" : flowIdOf(first.replies);
  const domain = `bench${Math.random().toString(36).slice(2, 12)}`;
  const submits = [
    { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: domain }) },
    { verb: "customer.agreement.next", flowId, ...validAttestation() },
    { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" },
    { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "5" },
    { verb: "customer.review.submit", flowId },
  ];
  for (const value of submits) latencies.push((await post(port, conversation, user, { value })).ms);
};

async function statements(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^csp_bot_database_statement_duration_seconds_count\{kind="(read|write)"\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[2]), 0);
}

/** Interleaved rounds, floor then bot; the best round of each. */
async function compare(floor: Server, bot: Server, walk: (port: number, tag: string) => (n: number, latencies: number[]) => Promise<void>, walks: number) {
  const floors: Result[] = [];
  const ours: Result[] = [];
  let statementsPerTurn = 0;
  for (let round = 0; round < ROUNDS; round++) {
    floors.push(await load(walks, walk(floor.port, `floor${round}`)));
    const before = await statements(bot.port);
    const result = await load(walks, walk(bot.port, `bot${round}`));
    statementsPerTurn = ((await statements(bot.port)) - before) / result.turns;
    ours.push(result);
  }
  const best = (results: Result[]) => results.reduce((a, b) => (b.turnsPerSecond > a.turnsPerSecond ? b : a));
  return { floor: best(floors), ours: best(ours), statementsPerTurn };
}

const row = (cells: (string | number)[]) => console.log(`| ${cells.join(" | ")} |`);
const fixed = (value: number, digits = 1) => value.toFixed(digits);

async function benchDatabase(scratch: ScratchDatabase, floorScratch: ScratchDatabase, label: string): Promise<Record<string, number>> {
  // The stateful floor has a database of its own, of the same kind (one process per SQLite file).
  const bot = await startBot(scratch.database);
  const echo = await startFloor("echo", floorScratch.database);
  const stateful = await startFloor("stateful", floorScratch.database);
  try {
    // Warm-up: every text conversation's user enrolled, every template used once, the JIT warm.
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, n) => post(bot.port, `a:warm-${n}`, `aad-text-${n}`, { text: "help" })));
    await load(CONCURRENCY, textWalk(bot.port, "warm"));
    await load(CONCURRENCY, submitWalk(bot.port, "warm", false));
    await load(CONCURRENCY, textWalk(echo.port, "warm"));
    await load(CONCURRENCY, submitWalk(stateful.port, "warm", true));

    const text = await compare(echo, bot, textWalk, CONCURRENCY * 2);
    const submit = await compare(stateful, bot, (port, tag) => submitWalk(port, tag, port === stateful.port), CONCURRENCY * 2);
    row([label, "text turns vs echo floor", fixed(text.floor.turnsPerSecond, 0), fixed(text.ours.turnsPerSecond, 0), fixed(text.ours.turnsPerSecond / text.floor.turnsPerSecond, 2), fixed(text.floor.p99), fixed(text.ours.p99), fixed(text.ours.p99 / text.floor.p99, 2), fixed(text.statementsPerTurn)]);
    row([label, "card submits vs stateful floor", fixed(submit.floor.turnsPerSecond, 0), fixed(submit.ours.turnsPerSecond, 0), fixed(submit.ours.turnsPerSecond / submit.floor.turnsPerSecond, 2), fixed(submit.floor.p99), fixed(submit.ours.p99), fixed(submit.ours.p99 / submit.floor.p99, 2), fixed(submit.statementsPerTurn)]);
    return { textRatio: text.ours.turnsPerSecond / text.floor.turnsPerSecond, textP99Ratio: text.ours.p99 / text.floor.p99, submitRatio: submit.ours.turnsPerSecond / submit.floor.turnsPerSecond };
  } finally {
    await Promise.all([bot.stop(), echo.stop(), stateful.stop()]);
  }
}

async function readyTimes(scratch: ScratchDatabase): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const bot = await startBot(scratch.database);
    times.push(bot.readyMs);
    await bot.stop();
  }
  return times;
}

async function postgresServer(): Promise<string | undefined> {
  const url = process.env.BENCH_POSTGRES_URL ?? (process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : "postgresql://postgres@127.0.0.1:5432/postgres");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch {
    return undefined;
  }
}

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log(`${CONCURRENCY} conversations at once; best of ${ROUNDS} interleaved rounds; each server its own process, the bot from dist/`);
console.log("");
row(["database", "turns", "floor turns/s", "bot turns/s", "ratio", "floor p99 ms", "bot p99 ms", "p99 ratio", "statements/turn"]);
row(["---", "---", "---", "---", "---", "---", "---", "---", "---"]);
const sqlite = scratchSqlite("csp-bench");
const sqliteFloor = scratchSqlite("csp-bench-floor");
const verdicts: Record<string, Record<string, number>> = {};
let ready: number[] = [];
try {
  verdicts.sqlite = await benchDatabase(sqlite, sqliteFloor, "SQLite");
  ready = await readyTimes(sqlite);
} finally {
  await sqlite.drop();
  await sqliteFloor.drop();
}
const server = await postgresServer();
if (server) {
  const scratch = await scratchPostgres(server, "csp_bench");
  const floorScratch = await scratchPostgres(server, "csp_bench_floor");
  try {
    verdicts.postgresql = await benchDatabase(scratch, floorScratch, "PostgreSQL");
  } finally {
    await scratch.drop();
    await floorScratch.drop();
  }
} else {
  console.log("| PostgreSQL | (no server answered: set BENCH_POSTGRES_URL) | | | | | | | |");
}
console.log("");
console.log(`ready (process start to /healthz 200, compiled build, warm SQLite database): ${ready.map((ms) => `${ms.toFixed(0)} ms`).join(", ")}; best ${Math.min(...ready).toFixed(0)} ms`);
console.log("");
console.log("targets: text ratio ≥ 0.70 and p99 ratio ≤ 2.0 on each database; card-submit ratio ≥ 0.70; ready < 1000 ms");
for (const [database, verdict] of Object.entries(verdicts)) {
  console.log(`${database}: text ${verdict.textRatio >= 0.7 ? "met" : "NOT met"} (${verdict.textRatio.toFixed(2)}), p99 ${verdict.textP99Ratio <= 2 ? "met" : "NOT met"} (${verdict.textP99Ratio.toFixed(2)}), card submits ${verdict.submitRatio >= 0.7 ? "met" : "NOT met"} (${verdict.submitRatio.toFixed(2)})`);
}
console.log(`ready: ${Math.min(...ready) < 1000 ? "met" : "NOT met"} (${Math.min(...ready).toFixed(0)} ms)`);
await connector.stop();
process.exit(0);
