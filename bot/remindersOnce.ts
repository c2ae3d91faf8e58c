/**
 * `npm run reminders`: one reminder sweep, then exit, for running from cron (with
 * REMINDER_INTERVAL_SECONDS=0 on the bot instances) or to catch up by hand.
 */
import { configForCommand } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { DatabaseInUse, lockSqliteFile, type SqliteLock } from "../src/db/sqliteLock.js";
import { createLogger } from "../src/log.js";
import { createReminderScheduler } from "./app.js";

const config = configForCommand();
const logger = createLogger(config.logLevel);
const database = openDatabase(config.database);
// On SQLite a running bot owns the file (its send budget is in its process): refused while it runs.
let lock: SqliteLock | undefined;
try {
  if (config.database.provider === "sqlite") lock = lockSqliteFile(config.database.file);
} catch (error) {
  if (!(error instanceof DatabaseInUse)) throw error;
  console.error(`${error.message} The bot's own sweep sends reminders while it runs (REMINDER_INTERVAL_SECONDS).`);
  await database.close();
  process.exit(1);
}
try {
  await database.migrate();
  const report = await createReminderScheduler(config, database, logger).sweep();
  logger.info(report, "reminder sweep done");
} finally {
  await database.close();
  lock?.release();
}
