/**
 * The container files, linted (issue 17; this machine has no Docker daemon, so the image is not
 * built here): a multi-stage Dockerfile whose last stage runs the compiled bot as an
 * unprivileged user with a readiness healthcheck and exec-form CMD (SIGTERM reaches node); a
 * .dockerignore that keeps dependencies, data and secrets out; a compose file with two bot
 * instances on one PostgreSQL behind one port.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => ({ op: line.split(/\s+/)[0].toUpperCase(), args: line.slice(line.split(/\s+/)[0].length).trim() }));
}

describe("the container", () => {
  const steps = instructions(read("Dockerfile"));
  const stages = steps.reduce<{ op: string; args: string }[][]>((all, step) => (step.op === "FROM" ? [...all, [step]] : (all.at(-1)!.push(step), all)), []);
  const final = stages.at(-1)!;

  it("is built in one stage and run from another, small, as the unprivileged node user", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(final[0].args).toMatch(/^node:20-[a-z]+-slim$/);
    expect(final.filter((step) => step.op === "USER").map((step) => step.args)).toEqual(["node"]);
    // Compilers and dev dependencies stay in the build stage.
    expect(final.some((step) => step.op === "RUN" && /apt-get install|npm (ci|install)/.test(step.args))).toBe(false);
    expect(stages[0].some((step) => step.op === "RUN" && /npm ci/.test(step.args) && /npm prune --omit=dev/.test(step.args))).toBe(true);
  });

  it("runs the compiled bot as exec-form CMD (SIGTERM goes to node itself), with a readiness healthcheck and nothing secret in its environment", () => {
    expect(final.find((step) => step.op === "CMD")!.args).toBe('["node", "dist/bot/start.js"]');
    expect(final.find((step) => step.op === "HEALTHCHECK")!.args).toContain("/readyz");
    const env = final.filter((step) => step.op === "ENV").map((step) => step.args).join(" ");
    expect(env).not.toMatch(/PASSWORD|SECRET|KEY/i);
    expect(env).toContain("DATA_DIR=/data");
  });

  it("carries what the compiled bot reads at run time (migrations, the catalog, card templates), and every COPY source exists", () => {
    for (const step of steps.filter((candidate) => candidate.op === "COPY" && !candidate.args.startsWith("--from"))) {
      for (const source of step.args.split(/\s+/).slice(0, -1)) expect(existsSync(join(root, source.replace(/\/\*\.json$/, ""))), source).toBe(true);
    }
    const copied = final.filter((step) => step.op === "COPY").map((step) => step.args).join("\n");
    for (const needed of ["dist", "node_modules", "package.json", "prisma", "cards"]) expect(copied).toContain(needed);
  });

  it("sends the daemon no dependencies, builds, data or secrets", () => {
    const ignored = read(".dockerignore").split("\n").map((line) => line.trim());
    for (const entry of ["node_modules", "dist", "data", ".env", ".git", "test"]) expect(ignored).toContain(entry);
  });

  it("compose: two bot instances from one definition, on one PostgreSQL, behind one published port, sharing one required encryption key", () => {
    const compose = read("compose.yaml");
    expect(compose).toMatch(/^ {2}bot1: &bot$/m);
    expect(compose).toMatch(/^ {2}bot2: \*bot$/m);
    expect(compose).toContain("DATABASE_URL: postgresql://csp:csp@postgres:5432/csp");
    expect(compose).toMatch(/ENCRYPTION_KEY: \$\{ENCRYPTION_KEY:\?/);
    expect(compose.match(/^ {6}- "\d+:\d+"$/gm)).toEqual(['      - "3978:3978"']);
    expect(compose).toContain("--to bot1:3978 --to bot2:3978");
    expect(compose).toMatch(/condition: service_healthy/);
  });
});
