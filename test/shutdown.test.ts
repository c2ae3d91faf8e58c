/**
 * The compiled bot stops gracefully (issue 17): built with `npm run build`, started as
 * `node dist/bot/start.js` (what `npm start` and the container run, with no wrapper between
 * the signal and the process), sent SIGTERM while a turn waits on a slow connector: the turn
 * completes, its answer is delivered, and the process exits 0 within the deadline.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";
import { bundleOptions } from "../bot/bundle.js";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { startBotProcess, type BotProcess } from "./helpers/botProcess.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { TEST_ENCRYPTION_KEY } from "./helpers/harness.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const root = join(import.meta.dirname, "..");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

describe(`SIGTERM to the compiled bot (${providerUnderTest})`, () => {
  let scratch: ScratchDatabase;
  let connector: FakeConnector;
  let bot: BotProcess | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "pipe", timeout: 180_000 });
    execFileSync(process.execPath, ["--import", "tsx", join(root, "bot", "bundle.ts")], { cwd: root, stdio: "pipe", timeout: 180_000 });
    scratch = await emptyDatabase();
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: TENANT, aadObjectId: "aad-alex" });
  }, 200_000);
  afterAll(async () => {
    await bot?.kill("SIGKILL");
    await connector.stop();
    await scratch.drop();
  });

  it("a turn in flight finishes and is answered; the process exits 0 within the deadline", { timeout: 60_000 }, async () => {
    const url = scratch.database.provider === "sqlite" ? `file:${scratch.database.file}` : scratch.database.url;
    bot = await startBotProcess({ DATABASE_URL: url, PROVIDER_TENANT_ID: TENANT, REMINDER_INTERVAL_SECONDS: "0", LOG_LEVEL: "info", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SHUTDOWN_SECONDS: "10" }, { entry: [join(root, "dist", "bot", "start.js")] });
    const send = (text: string) =>
      fetch(`http://127.0.0.1:${bot!.port}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "message", id: crypto.randomUUID(), text, channelId: "msteams", serviceUrl: connector.url, locale: "en-US", from: { id: "29:alex", name: "Alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:shutdown", conversationType: "personal", tenantId: TENANT } }),
      });
    expect((await send("hello")).status).toBe(200);

    // The connector takes 1.5 s to accept the next answer: the turn is in flight when SIGTERM comes.
    connector.respond = () => ({ status: 200, delayMs: 1_500 });
    const before = connector.received.length;
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => bot!.child.once("exit", (code) => resolve({ code, at: Date.now() })));
    const turn = send("help");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalledAt = Date.now();
    bot.child.kill("SIGTERM");

    const response = await turn;
    expect(response.status).toBe(200);
    expect(JSON.stringify(connector.received.slice(before).map((request) => request.body))).toContain("Help");
    const { code, at } = await exited;
    expect(code).toBe(0);
    // The turn's 1.5 s and the shutdown itself: well within the 10 s deadline.
    expect(at - signalledAt).toBeLessThan(5_000);
    const log = bot.output.join("");
    expect(log).toContain("shutting down");
    expect(log).toContain('"msg":"stopped"');
    // restify's http_parser deprecation (via spdy) is not printed at start any more.
    expect(log).not.toContain("DEP0111");
    // A request after the signal is not taken.
    await expect(send("help")).rejects.toThrow();
  });

  it("npm start runs the bundle from a code cache this Node accepts, and loads no recognizer, MSAL or Azure identity module to start", { timeout: 60_000 }, () => {
    // What start.js does, asked directly: V8 refuses a cache made by another version or with other flags.
    const probe = `
      const { readFileSync } = require("node:fs");
      const Module = require("node:module");
      const { Script } = require("node:vm");
      const file = ${JSON.stringify(join(root, "dist", "bundle", "bot.cjs"))};
      const script = new Script(Module.wrap(readFileSync(file, "utf8")), { filename: file, cachedData: readFileSync(file + ".cache") });
      const module = { exports: {} };
      script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, require("node:path").dirname(file));
      const loaded = Object.keys(require.cache).filter((name) => /recognizers-text|msal-node|@azure[/]identity/.test(name));
      console.log(JSON.stringify({ rejected: script.cachedDataRejected, main: typeof module.exports.main, loaded }));
    `;
    const result = JSON.parse(execFileSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" }).trim().split("\n").at(-1)!);
    expect(result).toEqual({ rejected: false, main: "function", loaded: [] });
  });

  it("in the bundle, what is loaded on first use works when reached: MSAL, Azure identity, the recognizers; botbuilder's culture names without them", { timeout: 60_000 }, async () => {
    // A probe bundled as the bot is (bot/bundle.ts), inside the project so that what stays outside resolves from node_modules.
    const dir = join(root, "node_modules", ".cache", "bundle-probe");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "probe.ts"),
      `import { PromptCultureModels } from "botbuilder-dialogs";
       export async function probe() {
         const before = Object.keys(require.cache).filter((name) => /recognizers-text-(suite|number)|msal-node/.test(name)).length;
         const english = PromptCultureModels.English.locale;
         const msal = await import("@azure/msal-node");
         const { ManagedIdentityCredential } = await import("@azure/identity");
         const { recognizeNumber } = await import("@microsoft/recognizers-text-number");
         return { before, english, msal: typeof msal.ConfidentialClientApplication, identity: typeof ManagedIdentityCredential, twelve: recognizeNumber("twelve", "en-us")[0]?.resolution?.value };
       }`,
    );
    await build(bundleOptions(join(dir, "probe.ts"), join(dir, "probe.cjs")));
    const result = JSON.parse(execFileSync(process.execPath, ["-e", `require(${JSON.stringify(join(dir, "probe.cjs"))}).probe().then((r) => console.log(JSON.stringify(r)))`], { cwd: root, encoding: "utf8" }));
    expect(result).toEqual({ before: 0, english: "en-us", msal: "function", identity: "function", twelve: "12" });
  });

  it("LOG_FORMAT=pretty logs for people (development); the default is JSON lines", { timeout: 60_000 }, async () => {
    const url = scratch.database.provider === "sqlite" ? `file:${scratch.database.file}` : scratch.database.url;
    const pretty = await startBotProcess({ DATABASE_URL: url, PROVIDER_TENANT_ID: TENANT, REMINDER_INTERVAL_SECONDS: "0", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_FORMAT: "pretty" }, { entry: [join(root, "dist", "bot", "start.js")] });
    try {
      for (let i = 0; i < 40 && !pretty.output.join("").includes("bot is ready"); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const text = pretty.output.join("");
      expect(text).toMatch(/INFO.*bot is ready/);
      expect(text).not.toContain('"level":30');
    } finally {
      await pretty.kill("SIGTERM");
    }
  });
});
