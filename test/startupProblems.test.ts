/**
 * Configuration mistakes answer with what to do (issue 17): a port already in use (PORT), a data
 * directory that cannot be written (DATA_DIR), and on PostgreSQL a database that does not exist
 * (createdb), a user it refuses, and a server that does not answer.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startApp } from "../bot/app.js";
import { StartupProblem } from "../bot/startupProblems.js";
import type { Config } from "../src/config.js";
import { testConfig } from "./helpers/harness.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const start = (config: Config) => startApp(config, memoryLogger("fatal").logger);
const problem = async (config: Config): Promise<string> => {
  const error = await start(config).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StartupProblem);
  return (error as StartupProblem).message;
};

describe("configuration mistakes at start", () => {
  it("a port already in use: says so and names PORT", async () => {
    const taken: Server = await new Promise((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => resolve(server));
    });
    const port = (taken.address() as { port: number }).port;
    const scratch = await emptyDatabase();
    try {
      expect(await problem({ ...testConfig(), database: scratch.database, port, host: "127.0.0.1" })).toBe(`Port ${port} on 127.0.0.1 is already in use (another bot, or another program). Stop it, or set PORT to a free port.`);
    } finally {
      taken.close();
      await scratch.drop();
    }
  });

  it("a DATA_DIR that cannot be written: names the file and DATA_DIR", async () => {
    const dir = mkdtempSync(join(tmpdir(), "csp-datadir-"));
    writeFileSync(join(dir, "a-file"), "not a directory");
    const config = testConfig({ DATA_DIR: join(dir, "a-file", "data") });
    expect(await problem({ ...config, port: 0 })).toMatch(new RegExp(`^The database file ${join(dir, "a-file", "data", "bot.db")} cannot be created or written here \\(ENOTDIR\\)\\. Set DATA_DIR to a directory this process may write to`));
  });

  const onPostgres = providerUnderTest === "postgresql" ? it : it.skip;
  const base = () => new URL(process.env.DATABASE_URL!);

  onPostgres("PostgreSQL without the database: says createdb, with the name", async () => {
    const url = base();
    url.pathname = "/csp_missing_database";
    expect(await problem({ ...testConfig({ DATABASE_URL: url.toString() }), port: 0 })).toBe(`PostgreSQL on ${url.hostname}:${url.port || "5432"} has no database "csp_missing_database". Create it (createdb -h ${url.hostname} -p ${url.port || "5432"} -U ${url.username} csp_missing_database), or fix the name in DATABASE_URL.`);
  });

  onPostgres("PostgreSQL refusing the user: says to check the user and password", async () => {
    const url = base();
    url.username = "no_such_role";
    url.password = "wrong";
    expect(await problem({ ...testConfig({ DATABASE_URL: url.toString() }), port: 0 })).toBe(`PostgreSQL on ${url.hostname}:${url.port || "5432"} refused the user "no_such_role": check the user name and password in DATABASE_URL.`);
  });

  onPostgres("PostgreSQL not answering: says to check host and port", async () => {
    const url = base();
    url.port = "1";
    expect(await problem({ ...testConfig({ DATABASE_URL: url.toString() }), port: 0 })).toBe(`Nothing answers at ${url.hostname}:1: is PostgreSQL running there? Check the host and port in DATABASE_URL.`);
  });
});
