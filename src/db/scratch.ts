/**
 * Throwaway databases: for creating migrations (a "shadow" database that replays the
 * committed ones) and for tests, one per test file.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Config } from "../config.js";

export interface ScratchDatabase {
  readonly database: Config["database"];
  drop(): Promise<void>;
}

export function scratchSqlite(prefix: string): ScratchDatabase {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    database: { provider: "sqlite", file: join(dir, "bot.db") },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Creates an empty database on the server `serverUrl` points at; drop() removes it. */
export async function scratchPostgres(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    database: { provider: "postgresql", url: url.toString() },
    drop: () => withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
