/**
 * New Commerce's rules as the bot reads them from a subscription (the mirror of Partner
 * Center's resource): how many seats can still be removed and until when, whether it can still
 * be cancelled, what a change would cost or refund (prorated by day over the billing period),
 * and what happens at the end of its term. Legacy offers keep the seeds' rules: any change, any
 * time. Partner Center has the last word (it refuses with its code); this is what cards say.
 */
import { isLegacyProduct, isNceProduct } from "../catalog/catalogService.js";
import { billingPeriod, cycleMonths, DAY, HOUR } from "../partnerCenter/terms.js";

export interface RulesView {
  productType: string;
  status: string;
  licences: number;
  billingCycle: string;
  termDuration: string;
  termStartAt: Date;
  termEndAt: Date;
  autoRenew: boolean;
  cancellableUntil: Date | null;
  /** JSON [{quantity, until}] of the seats still within their 168-hour window. */
  refundableSeats: string;
  /** JSON of Partner Center's scheduledNextTermInstructions, or null. */
  scheduledNextTerm: string | null;
  unitPriceCents: number;
  isTrial: boolean;
}

export interface SeatWindow {
  quantity: number;
  until: Date;
}

export interface NextTerm {
  quantity: number;
  termDuration: string;
  billingCycle: string;
}

export const isNce = (sub: Pick<RulesView, "productType">) => isNceProduct(sub.productType);
export const isLegacy = (sub: Pick<RulesView, "productType">) => isLegacyProduct(sub.productType);

/** The seats that can still be removed, batch by batch, soonest deadline first. */
export function seatWindows(sub: Pick<RulesView, "refundableSeats" | "productType" | "status">, now: Date): SeatWindow[] {
  if (!isNce(sub) || sub.status !== "active") return [];
  const parsed = JSON.parse(sub.refundableSeats || "[]") as { quantity: number; until: string }[];
  return parsed
    .map((window) => ({ quantity: window.quantity, until: new Date(window.until) }))
    .filter((window) => window.quantity > 0 && window.until.getTime() > now.getTime())
    .sort((a, b) => a.until.getTime() - b.until.getTime());
}

/** How many seats can be removed now (all above the minimum, for a legacy offer). */
export function removableSeats(sub: RulesView, now: Date, minLicences = 1): number {
  if (sub.status !== "active") return 0;
  if (!isNce(sub)) return Math.max(0, sub.licences - minLicences);
  return Math.min(
    sub.licences - minLicences,
    seatWindows(sub, now).reduce((sum, window) => sum + window.quantity, 0),
  );
}

/** Whether the subscription can still be cancelled (within 168 hours of purchase or renewal, for New Commerce). */
export function canCancel(sub: RulesView, now: Date): boolean {
  if (sub.status !== "active" && sub.status !== "suspended") return false;
  if (!isNce(sub)) return true;
  return Boolean(sub.cancellableUntil && sub.cancellableUntil.getTime() > now.getTime());
}

/** Whole hours left before a deadline (at least 1 while it is still ahead). */
export const hoursLeft = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / HOUR));
export const daysLeft = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / DAY));

/**
 * What `seats` licences are worth for the rest of the current billing period, prorated by day:
 * the refund for removing them (or cancelling), the charge for adding them.
 */
export function proratedCents(sub: Pick<RulesView, "unitPriceCents" | "billingCycle" | "termStartAt">, seats: number, now: Date): number {
  const period = billingPeriod(sub.termStartAt, sub.billingCycle, now);
  const days = Math.max(1, Math.round((period.end.getTime() - period.start.getTime()) / DAY));
  const remaining = Math.max(0, Math.ceil((period.end.getTime() - now.getTime()) / DAY));
  const charged = sub.unitPriceCents * cycleMonths(sub.billingCycle) * seats;
  return Math.round((charged * Math.min(remaining, days)) / days);
}

/** The monthly cost of `seats` licences. */
export const monthlyCents = (sub: Pick<RulesView, "unitPriceCents">, seats: number) => sub.unitPriceCents * seats;

/** The next term's instructions, if any. */
export function nextTerm(sub: Pick<RulesView, "scheduledNextTerm">): NextTerm | null {
  if (!sub.scheduledNextTerm) return null;
  const raw = JSON.parse(sub.scheduledNextTerm) as { quantity: number; product: { termDuration: string; billingCycle: string } };
  return { quantity: raw.quantity, termDuration: raw.product.termDuration, billingCycle: raw.product.billingCycle.toLowerCase() };
}

/** What happens at the end of the term: it renews (as it is, or with the scheduled changes), or it ends. */
export function termEndBehaviour(sub: Pick<RulesView, "autoRenew" | "isTrial" | "status">): "renews" | "ends" {
  return sub.autoRenew && !sub.isTrial && sub.status === "active" ? "renews" : "ends";
}
