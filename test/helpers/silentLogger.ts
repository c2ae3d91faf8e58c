import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log.js";

/** A logger whose lines are kept in memory, so tests can read what was logged. */
export function memoryLogger(level = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, stream), lines };
}
