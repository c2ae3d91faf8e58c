/**
 * `npm run reminders`: one reminder sweep, then exit, for running from cron (with
 * REMINDER_INTERVAL_SECONDS=0 on the bot instances) or to catch up by hand.
 */
import { loadDotEnv, parseConfig } from "../src/config.js";
import { openDatabase } from "../src/db/database.js";
import { createLogger } from "../src/log.js";
import { createReminderScheduler } from "./app.js";

loadDotEnv();
const parsed = parseConfig(process.env);
if (!parsed.ok) {
  for (const error of parsed.errors) console.error(`configuration: ${error}`);
  process.exit(1);
}
const { config } = parsed;
const logger = createLogger(config.logLevel);
const database = openDatabase(config.database);
try {
  await database.migrate();
  const report = await createReminderScheduler(config, database, logger).sweep();
  logger.info(report, "reminder sweep done");
} finally {
  await database.close();
}
