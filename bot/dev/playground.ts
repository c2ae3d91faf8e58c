/**
 * `npm run playground`: starts the bot and the Microsoft 365 Agents Playground (a local,
 * Teams-like chat client) against it. Open http://localhost:56150 to chat.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const port = process.env.PORT || "3978";
const children: ChildProcess[] = [];

function stopAll(code: number): never {
  for (const child of children) child.kill("SIGTERM");
  process.exit(code);
}
process.once("SIGINT", () => stopAll(0));
process.once("SIGTERM", () => stopAll(0));

const bot = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "index.ts")], { stdio: "inherit", env: { ...process.env, PORT: port } });
children.push(bot);
bot.once("exit", (code) => stopAll(code ?? 1));

// Wait until the bot answers its health check (migrations and seed run first).
for (let attempt = 0; ; attempt++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // not listening yet
  }
  if (attempt > 120) {
    console.error("the bot did not become ready within 60 s");
    stopAll(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

// The playground opens a browser with xdg-open at start and dies where there is none: give it a no-op one.
const shims = mkdtempSync(join(tmpdir(), "playground-"));
writeFileSync(join(shims, "xdg-open"), "#!/bin/sh\nexit 0\n");
chmodSync(join(shims, "xdg-open"), 0o755);
const cli = join(dirname(require.resolve("@microsoft/m365agentsplayground/package.json")), "cli.js");
const playground = spawn(process.execPath, [cli, "-e", `http://127.0.0.1:${port}/api/messages`, "-c", "msteams"], {
  stdio: "inherit",
  env: { ...process.env, PATH: `${shims}${delimiter}${process.env.PATH ?? ""}` },
});
children.push(playground);
playground.once("exit", (code) => stopAll(code ?? 0));
console.log("Agents Playground: open http://localhost:56150 to chat with the bot (Ctrl+C stops both).");
