/**
 * A real, empty, migrated database for one test file: a temp SQLite file, or a scratch
 * database on the PostgreSQL server that DATABASE_URL points at (the CI PostgreSQL suite).
 */
import type { Config } from "../../src/config.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { scratchPostgres, scratchSqlite, type ScratchDatabase } from "../../src/db/scratch.js";

export const postgresUrl = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : undefined;
export const providerUnderTest = postgresUrl ? "postgresql" : "sqlite";

export interface TestDatabase extends Database {
  readonly config: Config["database"];
  /** Closes the client and removes the database. */
  drop(): Promise<void>;
}

export async function emptyDatabase(): Promise<ScratchDatabase> {
  return postgresUrl ? scratchPostgres(postgresUrl, `t${process.env.VITEST_POOL_ID ?? "0"}`) : scratchSqlite(`csp-test-${process.env.VITEST_POOL_ID ?? "0"}`);
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const scratch = await emptyDatabase();
  const database = openDatabase(scratch.database);
  if (options.migrate !== false) await database.migrate();
  return {
    ...database,
    config: scratch.database,
    drop: async () => {
      await database.close();
      await scratch.drop();
    },
  };
}
