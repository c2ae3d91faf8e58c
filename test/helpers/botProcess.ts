/**
 * The real bot as its own process (what `npm start` runs), on a port nobody else holds, for
 * tests that kill it, restart it or drive it from another program.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BotProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** What the process wrote, for diagnostics. */
  readonly output: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the bot with this environment (PATH added) on a free port; resolves once /healthz answers from this very process. */
export async function startBotProcess(env: Record<string, string>, options: { entry?: string[]; port?: number } = {}): Promise<BotProcess> {
  const port = options.port ?? (await freePort());
  const output: string[] = [];
  const child = spawn(process.execPath, options.entry ?? ["--import", "tsx", join(root, "bot", "index.ts")], { cwd: root, env: { PATH: process.env.PATH ?? "", PORT: String(port), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => output.push(String(chunk)));
  child.stderr!.on("data", (chunk) => output.push(String(chunk)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the bot exited before it was ready:\n${output.join("")}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { port, child, output, kill };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await kill();
  throw new Error(`the bot did not become ready within 60 s:\n${output.join("")}`);
}
