/**
 * What `npm start` runs: reads the configuration, then starts the bot (see app.ts) and stops it
 * gracefully on SIGTERM or SIGINT. Exported as a function so that the bundled build
 * (bot/bundle.ts) can load every module first and run it from a V8 code cache.
 */
import { loadDotEnv, parseConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { startApp } from "./app.js";
import { StartupProblem } from "./startupProblems.js";

export async function main(): Promise<void> {
  loadDotEnv();
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    console.error("The bot cannot start: its configuration is invalid.");
    for (const error of parsed.errors) console.error(`  - ${error}`);
    console.error("Set these in the environment or in a .env file (see README, Configuration).");
    process.exit(1);
  }
  const logger = createLogger(parsed.config.logLevel, undefined, parsed.config.logFormat);
  try {
    const app = await startApp(parsed.config, logger);
    const stop = async (signal: string) => {
      const deadlineMs = parsed.config.shutdownSeconds * 1000;
      logger.info({ signal, deadlineMs }, "shutting down: finishing the turns in flight and the reminder sweep");
      // Past the deadline the process stops anyway (what is unfinished is redelivered, or swept again).
      setTimeout(() => {
        logger.warn({ deadlineMs }, "shutdown deadline passed: exiting with work unfinished");
        process.exit(1);
      }, deadlineMs).unref();
      await app.close();
      logger.info("stopped");
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
  } catch (error) {
    if (error instanceof StartupProblem) {
      // A settings mistake: one sentence that says what to do (the cause is in the log).
      console.error(`The bot cannot start: ${error.message}`);
      logger.fatal({ err: error.cause }, error.message);
    } else {
      logger.fatal({ err: error }, "the bot could not start");
    }
    process.exit(1);
  }
}
