/**
 * MS-RequestId values derived from the bot's own idempotency keys: the same card submitted twice
 * (double click, Teams redelivery, a restart) sends the same request id for each step, so Partner
 * Center does each step once. Name-based UUIDs (version 5 layout, SHA-1).
 */
import { createHash } from "node:crypto";

const namespace = "csp-partner-bot/partner-center";

export function requestIdFor(...parts: (string | number)[]): string {
  const hash = createHash("sha1").update([namespace, ...parts].join("\u0000")).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
