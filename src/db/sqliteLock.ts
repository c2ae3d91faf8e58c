/**
 * One process per SQLite file. The bot's guarantees that hold across instances on PostgreSQL
 * (the turn lock, the Teams send budget) are in-process on SQLite, so a second process on the
 * same file is refused with what to do. The holder writes its pid and host to `<file>.lock` and
 * touches it every few seconds; a lock whose holder is gone (a dead pid on this host, or no touch
 * for a while) is taken over, so a crash never locks the data out.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from "node:fs";
import { hostname } from "node:os";

const TOUCH_MS = 5_000;
const STALE_MS = 30_000;

export class DatabaseInUse extends Error {
  constructor(
    readonly file: string,
    readonly holder: { pid: number; host: string },
  ) {
    super(`Another bot process (pid ${holder.pid} on ${holder.host}) is using ${file}. SQLite serves one process: stop that one first, or use PostgreSQL (DATABASE_URL) to run several.`);
    this.name = "DatabaseInUse";
  }
}

export interface SqliteLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the file's lock, or throws DatabaseInUse naming the process that holds it. */
export function lockSqliteFile(file: string, now = () => Date.now()): SqliteLock {
  const path = `${file}.lock`;
  const me = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify({ ...me, since: new Date(now()).toISOString() }));
      closeSync(fd);
      const timer = setInterval(() => {
        try {
          const at = new Date(now());
          utimesSync(path, at, at);
        } catch {
          // removed meanwhile: released
        }
      }, TOUCH_MS);
      timer.unref();
      return {
        release: () => {
          clearInterval(timer);
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      let holder = { pid: 0, host: "" };
      try {
        holder = JSON.parse(readFileSync(path, "utf8")) as typeof holder;
      } catch {
        // half-written or unreadable: judged by its age below
      }
      const age = now() - statSync(path, { throwIfNoEntry: false })!.mtimeMs;
      const gone = age > STALE_MS || (holder.host === me.host && (holder.pid === me.pid || !alive(holder.pid)));
      if (!gone) throw new DatabaseInUse(file, holder);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
