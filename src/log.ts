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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: "[redacted]" }, base: { service: "csp-partner-bot" } }, destination);
}
