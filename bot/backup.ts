/**
 * `npm run backup [-- <file>]`: an online copy of the SQLite database, consistent as of one
 * moment, while the bot keeps running (SQLite's VACUUM INTO). Written to the file given, or to
 * <DATA_DIR>/backups/bot-<time>.db. On PostgreSQL, use pg_dump (the message says so).
 */
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { configForCommand } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";

const config = configForCommand();
if (config.database.provider !== "sqlite") {
  console.error("The database is PostgreSQL: back it up with pg_dump (for example pg_dump -Fc -f csp.dump \"$DATABASE_URL\"), or your server's own backups.");
  process.exit(1);
}
const source = config.database.file;
if (!existsSync(source)) {
  console.error(`There is no database at ${source} yet: nothing to back up.`);
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const target = resolve(process.argv[2] ?? join(dirname(source), "backups", `bot-${stamp}.db`));
if (existsSync(target)) {
  console.error(`${target} exists already: give another file name.`);
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
const database = openDatabase(config.database);
try {
  // One consistent copy, compacted, while readers and writers carry on (WAL).
  await database.db.$executeRawUnsafe(`VACUUM INTO '${target.replaceAll("'", "''")}'`);
  console.log(`backed up ${source} to ${target}`);
} finally {
  await database.close();
}
