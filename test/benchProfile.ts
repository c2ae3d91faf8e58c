/**
 * `npm run bench:profile`: where the bot's CPU goes during text turns. Starts the compiled bot on
 * a fresh SQLite database with V8's CPU profiler, drives 50 conversations of text turns (menu,
 * help, customers, profile) for a while, and prints the statements per turn, the share of time
 * by package and the top functions by self time. The profile is kept for Chrome DevTools.
 * `npm run bench:profile -- submits`: the same for card-submit turns (the add-customer flow, a
 * message and five submits, as `npm run bench` walks it).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { freePort } from "./helpers/botProcess.js";
import { validAccount, validAttestation } from "./helpers/fixtures.js";

const root = join(import.meta.dirname, "..");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SUBMITS = process.argv[2] === "submits";
const TURNS = Number(process.env.PROFILE_TURNS ?? (SUBMITS ? 1800 : 4000));
const dir = mkdtempSync(join(tmpdir(), "csp-profile-"));
const connector = await new FakeConnector().start();
connector.maxRecorded = process.argv[2] === "submits" ? 20_000 : 100;
const port = await freePort();
const child = spawn(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, join(root, "dist", "bot", "index.js")], {
  cwd: root,
  env: { PATH: process.env.PATH ?? "", PORT: String(port), DATA_DIR: join(dir, "data"), PROVIDER_TENANT_ID: TENANT, REMINDER_INTERVAL_SECONDS: "0", LOG_LEVEL: "warn" },
  stdio: ["ignore", "inherit", "inherit"],
});
const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
for (;;) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const texts = ["menu", "help", "customers", "profile"];
const post = async (n: number, text: string | undefined, value?: object, conversation = `a:prof-${n}`) => {
  const user = `aad-prof-${n}`;
  if (!connector.members.has(`29:${user}`)) connector.enrol(`29:${user}`, { tenantId: TENANT, aadObjectId: user });
  const before = connector.received.length;
  const response = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "message", id: crypto.randomUUID(), channelId: "msteams", serviceUrl: connector.url, locale: "en-US", text, value, from: { id: `29:${user}`, aadObjectId: user, name: user }, recipient: { id: "28:bot" }, conversation: { id: conversation, conversationType: "personal", tenantId: TENANT } }),
  });
  await response.arrayBuffer();
  return connector.received.slice(before).filter((request) => request.path.includes(encodeURIComponent(conversation)));
};
/** A new conversation walks the add-customer flow: a message and five submits (six turns). */
const walk = async (n: number) => {
  const conversation = `a:prof-submit-${n}-${crypto.randomUUID()}`;
  const replies = await post(n, "new customer", undefined, conversation);
  const flowId = JSON.stringify(replies.map((reply) => reply.body)).match(/"flowId":"([0-9a-f-]{36})"/)?.[1];
  if (!flowId) throw new Error(`no flow id in the bot's reply: ${JSON.stringify(replies.map((reply) => reply.body)).slice(0, 500)}`);
  const domain = `prof${Math.random().toString(36).slice(2, 12)}`;
  for (const value of [
    { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: domain }) },
    { verb: "customer.agreement.next", flowId, ...validAttestation() },
    { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" },
    { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8Q:0001": "5" },
    { verb: "customer.review.submit", flowId },
  ])
    await post(n, undefined, value, conversation);
};
const statements = async () => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^csp_bot_database_statement_duration_seconds_count\{kind="(read|write)"\} (\d+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
};
await Promise.all(Array.from({ length: 50 }, (_, n) => post(n, "help")));
const before = await statements();
let sent = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 50 }, async (_, n) => {
    if (SUBMITS)
      while (sent < TURNS) {
        sent += 6;
        await walk(n);
      }
    else while (sent < TURNS) await post(n, texts[sent++ % texts.length]);
  }),
);
const seconds = (performance.now() - started) / 1000;
const after = await statements();
child.kill("SIGTERM");
await exited;
await connector.stop();

const count = (lines: string[], kind: string) => Number(lines.find((line) => line.startsWith(kind))?.split(" ")[1] ?? 0);
console.log(`${TURNS} ${SUBMITS ? "card-submit" : "text"} turns in ${seconds.toFixed(1)} s (${(TURNS / seconds).toFixed(0)}/s); statements per turn: ${((count(after, "read") - count(before, "read")) / TURNS).toFixed(2)} reads, ${((count(after, "write") - count(before, "write")) / TURNS).toFixed(2)} writes`);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"))!;
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const where = (url: string) => {
  if (url.includes("node_modules/")) {
    const parts = url.split("node_modules/").at(-1)!.split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.includes("/dist/")) return `ours: ${url.split("/dist/")[1].split("/").slice(0, 2).join("/")}`;
  return url ? "node" : "(native)";
};
const byPackage = new Map<string, number>();
const bySelf = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, i) => {
  const node = nodes.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === "(idle)" || functionName === "(program)") return;
  const dt = profile.timeDeltas[i];
  busy += dt;
  byPackage.set(where(url), (byPackage.get(where(url)) ?? 0) + dt);
  const name = `${functionName || "(anonymous)"} ${url.split("node_modules/").at(-1)!.split("/dist/").at(-1)}:${lineNumber + 1}`;
  bySelf.set(name, (bySelf.get(name) ?? 0) + dt);
});
console.log(`CPU busy ${(busy / 1000).toFixed(0)} ms over the process's life (start-up included): ${(busy / 1000 / TURNS).toFixed(2)} ms per turn`);
console.log("\nself time by package:");
for (const [name, time] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${((100 * time) / busy).toFixed(1).padStart(5)}%  ${name}`);
console.log("\ntop functions by self time:");
for (const [name, time] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * time) / busy).toFixed(1).padStart(5)}%  ${name}`);
console.log(`\nprofile: ${join(dir, file)}`);
process.exit(0);
