/**
 * One process per SQLite file (issue 17): a second bot on the same file is refused with a clear
 * message naming the first; once the first is gone (even killed, leaving its lock behind) the
 * next start takes over.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { DatabaseInUse, lockSqliteFile } from "../src/db/sqliteLock.js";
import { freePort, startBotProcess } from "./helpers/botProcess.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { TEST_ENCRYPTION_KEY } from "./helpers/harness.js";
import { providerUnderTest } from "./helpers/testDatabase.js";

const root = join(import.meta.dirname, "..");
const onSqlite = providerUnderTest === "sqlite" ? describe : describe.skip;

onSqlite("one process per SQLite file", () => {
  it("a second bot on the same file is refused, naming the first; after the first is killed, the next start takes over", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "csp-lock-"));
    const env = { DATA_DIR: dir, REMINDER_INTERVAL_SECONDS: "0", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: "warn" };
    const first = await startBotProcess(env);
    try {
      const second = spawnSync(process.execPath, ["--import", "tsx", join(root, "bot", "index.ts")], { cwd: root, env: { PATH: process.env.PATH ?? "", PORT: String(await freePort()), ...env }, encoding: "utf8", timeout: 60_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`The bot cannot start: Another bot process (pid ${first.child.pid} on `);
      expect(second.stderr).toContain(`is using ${join(dir, "bot.db")}. SQLite serves one process: stop that one first, or use PostgreSQL (DATABASE_URL) to run several.`);
      // So is a one-off reminder sweep while the bot runs.
      const sweep = spawnSync(process.execPath, ["--import", "tsx", join(root, "bot", "remindersOnce.ts")], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 60_000 });
      expect(sweep.status).toBe(1);
      expect(sweep.stderr).toContain("Another bot process");
    } finally {
      await first.kill("SIGKILL");
    }
    // Killed: its lock is left behind, and taken over because its process is gone.
    const third = await startBotProcess(env);
    await third.kill("SIGTERM");
  });

  it("a lock nobody has touched for a while is taken over (its holder is on another host, or hung)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "csp-lock-")), "bot.db");
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, host: "another-host" }));
    expect(() => lockSqliteFile(file)).toThrow(DatabaseInUse);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    const lock = lockSqliteFile(file);
    lock.release();
  });
});

onSqlite("npm run backup", () => {
  it("copies the database while the bot runs, consistently; the copy opens with the same data", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "csp-backup-"));
    const env = { DATA_DIR: dir, REMINDER_INTERVAL_SECONDS: "0", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, LOG_LEVEL: "warn", PROVIDER_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47" };
    const bot = await startBotProcess(env);
    const connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", aadObjectId: "aad-alex" });
    try {
      // Someone talks to it: an organisation and a user are recorded.
      const response = await fetch(`http://127.0.0.1:${bot.port}/api/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "message", id: "b-1", text: "hello", channelId: "msteams", serviceUrl: connector.url, from: { id: "29:alex", aadObjectId: "aad-alex" }, recipient: { id: "28:bot" }, conversation: { id: "a:b", conversationType: "personal", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47" } }) });
      expect(response.status).toBeLessThan(500);
      const target = join(dir, "copy.db");
      const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "bot", "backup.ts"), target], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 60_000 });
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain(`backed up ${join(dir, "bot.db")} to ${target}`);
      const copy = openDatabase({ provider: "sqlite", file: target });
      try {
        expect(await copy.db.user.count()).toBe(1);
        expect((await copy.db.organisation.findMany()).map((org) => org.kind)).toEqual(["provider"]);
      } finally {
        await copy.close();
      }
      // Not over an existing file.
      const again = spawnSync(process.execPath, ["--import", "tsx", join(root, "bot", "backup.ts"), target], { cwd: root, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", timeout: 60_000 });
      expect(again.status).toBe(1);
      expect(again.stderr).toContain("exists already");
    } finally {
      await bot.kill("SIGTERM");
      await connector.stop();
    }
  });
});
