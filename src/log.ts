/**
 * Structured logs (pino). Secrets are redacted by path wherever they might appear, as a net
 * under the rule that code never logs them in the first place.
 */
import { pino, type Logger } from "pino";

export type { Logger };

export const redactedPaths = [
  "password",
  "*.password",
  "temporaryPassword",
  "*.temporaryPassword",
  "token",
  "*.token",
  "appPassword",
  "*.appPassword",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "MICROSOFT_APP_PASSWORD",
];

export function createLogger(level: string, destination?: pino.DestinationStream, format: "json" | "pretty" = "json"): Logger {
  const options = { level, redact: { paths: redactedPaths, censor: "[redacted]" }, base: { service: "csp-partner-bot" } };
  // Human-readable in development (pino-pretty, a dev dependency, in a worker thread); JSON lines otherwise.
  if (format === "pretty" && !destination) return pino(options, pino.transport({ target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" } }));
  return pino(options, destination);
}
