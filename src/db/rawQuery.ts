/**
 * For the few hand-written statements (the hot path of a turn): placeholders in each provider's
 * syntax, in the order they appear in the text (SQLite's `?` are positional, PostgreSQL's are
 * numbered), and timestamps as the drivers return them from a raw query.
 */
import type { Provider } from "./migrations.js";

/** `count` placeholders: `?` for SQLite, `$1`…`$n` for PostgreSQL. */
export function placeholders(provider: Provider, count: number): string[] {
  return Array.from({ length: count }, (_, i) => (provider === "postgresql" ? `$${i + 1}` : "?"));
}

/** A timestamp from a raw query: a Date (PostgreSQL), ISO text, or epoch milliseconds (possibly a bigint, SQLite). */
export function rawDate(value: Date | string | number | bigint): Date {
  return value instanceof Date ? value : new Date(typeof value === "bigint" ? Number(value) : value);
}
