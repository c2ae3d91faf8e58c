/** Prisma's "unique constraint failed" (P2002), the same on SQLite and PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

const unavailableCodes = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const unavailableKinds = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "TlsConnectionError"]);

/** The database could not be reached (down, restarting, overloaded): worth trying again shortly. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, name, meta } = error as { code?: string; name?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  if (name === "PrismaClientInitializationError") return true;
  if (code && unavailableCodes.has(code)) return true;
  const cause = (meta?.driverAdapterError?.cause ?? {}) as { kind?: string; code?: string; originalCode?: string; message?: string; originalMessage?: string };
  if (cause.kind !== undefined && unavailableKinds.has(cause.kind)) return true;
  // PostgreSQL SQLSTATEs: 08xxx connection exceptions, 57P0x shutdown or not accepting yet,
  // 53300 too many connections, and a database that refuses connections.
  // An error of the pg driver itself (the hot path's statements) carries its SQLSTATE as its code.
  const sqlState = cause.originalCode ?? cause.code ?? code ?? "";
  const text = `${cause.originalMessage ?? cause.message ?? ""} ${(error as { message?: string }).message ?? ""}`;
  return /^(08|57P0)/.test(sqlState) || sqlState === "53300" || /not currently accepting connections|Connection terminated|ECONNREFUSED|ECONNRESET/.test(`${text} ${code ?? ""}`);
}
