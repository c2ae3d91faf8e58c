/**
 * Terms and billing cycles as Partner Center writes them (P1M, P1Y, P3Y; Monthly, Annual,
 * Triennial), and the calendar arithmetic New Commerce's rules need.
 */
export const termDurations = ["P1M", "P1Y", "P3Y"] as const;
export type Term = (typeof termDurations)[number];
export const billingCycles = ["monthly", "annual", "triennial"] as const;
export type BillingCycle = (typeof billingCycles)[number];

const monthsOfTerm: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 };
const monthsOfCycle: Record<string, number> = { monthly: 1, annual: 12, triennial: 36 };

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** New Commerce: seats can be removed, and a subscription cancelled, within 168 hours of being added or renewed. */
export const NCE_WINDOW_MS = 168 * HOUR;

export const termMonths = (term: string) => monthsOfTerm[term] ?? 12;
export const cycleMonths = (cycle: string) => monthsOfCycle[cycle.toLowerCase()] ?? 1;

/** Partner Center's "Monthly" as the bot's "monthly", and back. */
export const toCycle = (value: string): BillingCycle => (value.toLowerCase() === "annual" ? "annual" : value.toLowerCase() === "triennial" ? "triennial" : "monthly");
export const toPcCycle = (cycle: string): "Monthly" | "Annual" | "Triennial" => (cycle === "annual" ? "Annual" : cycle === "triennial" ? "Triennial" : "Monthly");

/** A billing cycle may not be longer than the term. */
export const cycleFitsTerm = (cycle: string, term: string) => cycleMonths(cycle) <= termMonths(term);

/** The same day-of-month `months` later (clamped to the month's last day), at the same time of day. */
export function addMonths(from: Date, months: number): Date {
  const result = new Date(from);
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const last = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, last));
  return result;
}

/** When a term that starts at `start` ends (the next term would start then). */
export const termEnd = (start: Date, term: string) => addMonths(start, termMonths(term));

/** The billing period (of a subscription billed per `cycle` since `termStart`) that contains `at`. */
export function billingPeriod(termStart: Date, cycle: string, at: Date): { start: Date; end: Date } {
  const months = cycleMonths(cycle);
  let start = new Date(termStart);
  for (let next = addMonths(start, months); next.getTime() <= at.getTime(); next = addMonths(start, months)) start = next;
  return { start, end: addMonths(start, months) };
}
