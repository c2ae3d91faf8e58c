/**
 * `npm run db:migrate`: applies pending migrations to the configured database (DATABASE_URL,
 * else the embedded SQLite file). `npm start` does the same at start; this is for deploy steps.
 */
import { loadDotEnv, parseConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/database.js";

loadDotEnv();
const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const error of parsed.errors) console.error(`configuration: ${error}`);
  process.exit(1);
}
const database = openDatabase(parsed.config.database);
try {
  const applied = await database.migrate();
  console.log(applied.length ? `applied to ${database.description}: ${applied.join(", ")}` : `${database.description} is up to date`);
} finally {
  await database.close();
}
