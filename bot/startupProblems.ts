/**
 * Configuration mistakes that stop the bot at start, each answered with what to do: the port is
 * taken (say PORT), DATA_DIR cannot be written, PostgreSQL has no such database (say createdb),
 * refuses the user, or does not answer. Anything else is reported as it is.
 */
import { dirname } from "node:path";
import type { Config } from "../src/config.js";

export class StartupProblem extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = "StartupProblem";
  }
}

/** The error's code and message, and those of what it wraps (drivers nest them). */
function facts(error: unknown): { codes: string[]; text: string } {
  const codes: string[] = [];
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (!value || typeof value !== "object" || seen.has(value) || depth > 5) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    for (const key of ["code", "originalCode", "errno"]) if (typeof record[key] === "string") codes.push(record[key] as string);
    if (typeof record.message === "string") texts.push(record.message);
    for (const key of ["cause", "meta", "kind", "error"]) visit(record[key], depth + 1);
  };
  visit(error, 0);
  return { codes, text: texts.join(" | ") };
}

/** What to do about an error that stopped the start, or undefined if it is not a known mistake. */
export function explainStartup(error: unknown, config: Pick<Config, "port" | "host" | "database">): string | undefined {
  const { codes, text } = facts(error);
  const has = (...wanted: string[]) => wanted.some((code) => codes.includes(code));
  if (has("EADDRINUSE")) return `Port ${config.port} on ${config.host} is already in use (another bot, or another program). Stop it, or set PORT to a free port.`;
  if (has("EACCES") && /listen/i.test(text)) return `Port ${config.port} needs privileges this process does not have. Set PORT to a port above 1023.`;
  if (config.database.provider === "sqlite") {
    if (has("EACCES", "EROFS", "ENOTDIR", "EEXIST", "EPERM", "SQLITE_CANTOPEN", "SQLITE_READONLY") || /unable to open database|readonly database/i.test(text)) {
      return `The database file ${config.database.file} cannot be created or written here (${codes[0] ?? "refused"}). Set DATA_DIR to a directory this process may write to (now ${dirname(config.database.file)}).`;
    }
    return undefined;
  }
  const url = new URL(config.database.url);
  const name = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
  const user = decodeURIComponent(url.username) || "(none)";
  const host = url.hostname || "localhost";
  const port = url.port || "5432";
  if (has("3D000") || /database "[^"]*" does not exist|Database `[^`]*` does not exist/i.test(text)) return `PostgreSQL on ${host}:${port} has no database "${name}". Create it (createdb -h ${host} -p ${port} -U ${user} ${name}), or fix the name in DATABASE_URL.`;
  if (has("28P01", "28000") || /password authentication failed|role "[^"]*" does not exist|authentication failed|denied access/i.test(text)) return `PostgreSQL on ${host}:${port} refused the user "${user}": check the user name and password in DATABASE_URL.`;
  if (has("ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN") || /ECONNREFUSED|Can't reach database server/i.test(text)) return `Nothing answers at ${host}:${port}: is PostgreSQL running there? Check the host and port in DATABASE_URL.`;
  return undefined;
}
