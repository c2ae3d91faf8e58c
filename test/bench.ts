/**
 * `npm run bench`: how fast the bot is, against the framework's floor, over real HTTP.
 *
 * Floor: a minimal botbuilder echo bot on the same stack (restify, CloudAdapter), in the same
 * run. Ours: the real bot on a temporary database (SQLite; PostgreSQL when DATABASE_URL points at
 * a server, in a scratch database there), every conversation walking the add-customer flow
 * (4 turns) and the new-subscription flow (3 turns). Replies go to a connector on loopback.
 * Prints turns/s, p50 and p99 turn latency at 1, 10 and 50 concurrent conversations, the
 * ratios ours/floor, the memory after 1,000 dialogs left open, and start-up time to ready.
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from "botbuilder";
import restify from "restify";
import { startApp, type App } from "../bot/app.js";
import { parseConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { validAccount, validAttestation } from "./helpers/fixtures.js";
import { emptyDatabase } from "./helpers/testDatabase.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const connector = await new FakeConnector().start();
const logger = createLogger("silent");

async function startFloor(): Promise<{ port: number; close: () => Promise<void> }> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`echo: ${context.activity.text ?? ""}`);
    await next();
  });
  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
  server.post("/api/messages", async (req, res) => adapter.process(req, res, (context) => bot.run(context)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

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

/** Posts one activity; returns its latency in ms and the bot's replies in that conversation. */
async function turn(port: number, conversation: string, user: string, extra: Record<string, unknown>) {
  const before = connector.received.length;
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(activity(conversation, user, extra)) });
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`turn answered ${response.status}`);
  const replies = connector.received.slice(before).filter((request) => request.path.includes(encodeURIComponent(conversation)));
  return { ms, replies };
}

function flowIdOf(replies: { body: Record<string, unknown> }[]): string {
  const match = JSON.stringify(replies.map((reply) => reply.body)).match(/"flowId":"([0-9a-f-]{36})"/);
  if (!match) throw new Error("no flow id in the bot's reply");
  return match[1];
}

/** One conversation through add-customer and new-subscription: 10 turns. */
async function walkOurs(port: number, n: number, latencies: number[]) {
  const conversation = `a:bench-${n}-${Math.random().toString(36).slice(2)}`;
  const user = `aad-bench-${n % 200}`;
  const domain = `bench${Math.random().toString(36).slice(2, 12)}`;
  const record = (result: { ms: number }) => latencies.push(result.ms);
  let result = await turn(port, conversation, user, { text: "new customer" });
  record(result);
  const flowId = flowIdOf(result.replies);
  record(await turn(port, conversation, user, { value: { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: domain }) } }));
  record(await turn(port, conversation, user, { value: { verb: "customer.agreement.next", flowId, ...validAttestation() } }));
  record(await turn(port, conversation, user, { value: { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" } }));
  record(await turn(port, conversation, user, { value: { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "5" } }));
  result = await turn(port, conversation, user, { value: { verb: "customer.review.submit", flowId } });
  record(result);
  const customerId = JSON.stringify(result.replies.map((reply) => reply.body)).match(/"customerId":"([0-9a-f-]{36})"/)![1];
  result = await turn(port, conversation, user, { value: { verb: "subscription.new", customerId } });
  record(result);
  const orderFlow = flowIdOf(result.replies);
  record(await turn(port, conversation, user, { value: { verb: "order.term.next", flowId: orderFlow, termCycle: "P1Y/monthly" } }));
  record(await turn(port, conversation, user, { value: { verb: "order.catalog.next", flowId: orderFlow, "qty_CFQ7TTC0LH16:0001": "3" } }));
  record(await turn(port, conversation, user, { value: { verb: "order.review.submit", flowId: orderFlow } }));
}

async function walkFloor(port: number, n: number, latencies: number[]) {
  const conversation = `a:floor-${n}-${Math.random().toString(36).slice(2)}`;
  for (let i = 0; i < 10; i++) latencies.push((await turn(port, conversation, `aad-floor-${n}`, { text: `hello ${i}` })).ms);
}

async function measure(concurrency: number, conversations: number, walk: (n: number, latencies: number[]) => Promise<void>) {
  const latencies: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < conversations) await walk(next++, latencies);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { turnsPerSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

const parsed = parseConfig({ PROVIDER_TENANT_ID: TENANT, REMINDER_INTERVAL_SECONDS: "0", LOG_LEVEL: "silent" });
if (!parsed.ok) throw new Error(parsed.errors.join());
const scratch = await emptyDatabase();
const config = { ...parsed.config, port: 0, database: scratch.database };

let started = performance.now();
let app: App = await startApp(config, logger);
const coldStartMs = performance.now() - started;
await app.close();
started = performance.now();
app = await startApp(config, logger);
const warmStartMs = performance.now() - started;
const floor = await startFloor();

console.log(`database: ${app.database.provider}`);
console.log(`start-up to ready: ${coldStartMs.toFixed(0)} ms on an empty database (migrations and seed), ${warmStartMs.toFixed(0)} ms on a ready one`);
console.log("");
console.log("concurrency | floor turns/s | ours turns/s | ratio | floor p50 ms | ours p50 ms | floor p99 ms | ours p99 ms | p99 ratio");
for (const concurrency of [1, 10, 50]) {
  const conversations = Math.max(10, concurrency * 2);
  const floorResult = await measure(concurrency, conversations, (n, latencies) => walkFloor(floor.port, n, latencies));
  const ours = await measure(concurrency, conversations, (n, latencies) => walkOurs(app.port, n, latencies));
  console.log(
    [
      concurrency,
      floorResult.turnsPerSecond.toFixed(0),
      ours.turnsPerSecond.toFixed(0),
      (ours.turnsPerSecond / floorResult.turnsPerSecond).toFixed(2),
      floorResult.p50.toFixed(1),
      ours.p50.toFixed(1),
      floorResult.p99.toFixed(1),
      ours.p99.toFixed(1),
      (ours.p99 / floorResult.p99).toFixed(1),
    ].join(" | "),
  );
  connector.received.splice(0);
}

// 1,000 users each in the middle of the add-customer flow: their dialog state is in the database.
const rssBefore = process.memoryUsage().rss;
for (let i = 0; i < 1000; i += 50) {
  await Promise.all(Array.from({ length: 50 }, (_, k) => turn(app.port, `a:open-${i + k}`, `aad-open-${(i + k) % 200}`, { text: "new customer" })));
  connector.received.splice(0);
}
const rssAfter = process.memoryUsage().rss;
console.log("");
console.log(`RSS with 1,000 dialogs open: ${(rssAfter / 2 ** 20).toFixed(0)} MiB (${((rssAfter - rssBefore) / 2 ** 20).toFixed(0)} MiB more than before opening them; bot, floor and load generator share this process)`);
console.log(`open dialogs stored: ${await app.database.db.botState.count()}`);

await app.close();
await floor.close();
await connector.stop();
await scratch.drop();
process.exit(0);
