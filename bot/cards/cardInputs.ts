/** Reading the inputs that several cards share. */
import type { FieldIssue } from "../../src/errors.js";

/**
 * Licence counts from the card's qty_<offerId> inputs (Teams sends numbers as strings), for the
 * offers the card showed only: anything else in the submitted data is ignored, never stored.
 */
export function readQuantities(submit: Record<string, unknown>, shownOffers: ReadonlySet<string>): { quantities: Record<string, number>; issues: FieldIssue[] } {
  const quantities: Record<string, number> = {};
  const issues: FieldIssue[] = [];
  for (const [key, raw] of Object.entries(submit)) {
    if (!key.startsWith("qty_")) continue;
    const offerId = key.slice(4);
    if (!shownOffers.has(offerId)) continue;
    const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
    if (text === "") continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > 1_000_000) issues.push({ field: offerId, code: "invalid" });
    else quantities[offerId] = value;
  }
  return { quantities, issues };
}

