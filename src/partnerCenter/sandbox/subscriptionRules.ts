/**
 * The embedded Partner Center's subscription rules, as Partner Center applies them.
 *
 * New Commerce (product type OnlineServicesNCE):
 * - seats go up at any time; down only within 168 hours of when those seats were added
 *   (purchase, renewal or a mid-term add), batch by batch (800090 otherwise);
 * - cancellation only within 168 hours of purchase or renewal (900117 otherwise);
 * - suspension keeps billing and turns auto-renew off; reactivation is possible until the term
 *   ends; a subscription whose term ends while suspended expires;
 * - at the end of a term an auto-renewing subscription renews (the next term's instructions
 *   applied, a fresh 168-hour window), otherwise it expires;
 * - instructions for the next term need auto-renew on, and any mid-term change drops them;
 *   term and billing may be lengthened mid-term, not shortened (800122); at most 1,200 updates.
 * Legacy offers (OnlineServices) keep the seeds' rules: change or cancel at any time; a
 * suspended subscription's data is deleted after its retention period (90 days, plus the days
 * between the account's opening and its first billing, 120 at most).
 */
import { PartnerCenterError } from "../errors.js";
import { cycleMonths, DAY, NCE_WINDOW_MS, termEnd, termMonths, toCycle } from "../terms.js";
import type { PcSubscription } from "../types.js";

export interface SeatBatch {
  quantity: number;
  addedAt: Date;
}

export interface NextTerm {
  product: { productId: string; skuId: string; availabilityId: string; billingCycle: string; termDuration: string };
  quantity: number;
  customTermEndDate?: string;
}

export interface SandboxSubscription {
  id: string;
  customerId: string;
  orderId: string | null;
  productId: string;
  skuId: string;
  availabilityId: string;
  offerName: string;
  productType: string;
  quantity: number;
  status: string;
  autoRenewEnabled: boolean;
  creationDate: Date;
  effectiveStartDate: Date;
  termStartDate: Date;
  /** The moment the current term ends (the next one would start): Partner Center's commitmentEndDate is the day before. */
  commitmentEndDate: Date;
  termDuration: string;
  billingCycle: string;
  seatBatches: SeatBatch[];
  scheduledNextTerm: NextTerm | null;
  partnerId: string | null;
  parentSubscriptionId: string | null;
  isTrial: boolean;
  suspensionReasons: string[];
  suspendedAt: Date | null;
  etag: string;
  updateCount: number;
  visibleAt: Date;
}

export const MAX_UPDATES = 1_200;
export const isNce = (productType: string) => productType === "OnlineServicesNCE";

/** Seat batches still within their 168-hour window. */
export const openBatches = (sub: Pick<SandboxSubscription, "seatBatches">, now: Date) => sub.seatBatches.filter((batch) => batch.addedAt.getTime() + NCE_WINDOW_MS > now.getTime());

/**
 * Brings a subscription to `now`: renewals at the end of each term, expiry of a term that does
 * not renew, legacy deletion when a suspension's retention runs out. Returns whether it changed.
 */
export function advance(sub: SandboxSubscription, now: Date, legacyRetentionDays: () => number): boolean {
  let changed = false;
  if (!isNce(sub.productType) && sub.status === "suspended" && sub.suspendedAt && now.getTime() >= sub.suspendedAt.getTime() + legacyRetentionDays() * DAY) {
    sub.status = "deleted";
    changed = true;
  }
  while ((sub.status === "active" || sub.status === "suspended") && now.getTime() >= sub.commitmentEndDate.getTime()) {
    changed = true;
    if (sub.status === "active" && sub.autoRenewEnabled && !sub.isTrial) {
      renew(sub);
      continue;
    }
    sub.status = "expired";
    sub.autoRenewEnabled = false;
    sub.scheduledNextTerm = null;
  }
  return changed;
}

function renew(sub: SandboxSubscription): void {
  const next = sub.scheduledNextTerm;
  sub.termStartDate = sub.commitmentEndDate;
  if (next) {
    sub.quantity = next.quantity;
    sub.termDuration = next.product.termDuration;
    sub.billingCycle = next.product.billingCycle;
    if (next.product.skuId !== sub.skuId || next.product.productId !== sub.productId) {
      sub.productId = next.product.productId;
      sub.skuId = next.product.skuId;
      sub.availabilityId = next.product.availabilityId;
    }
    sub.scheduledNextTerm = null;
  }
  sub.commitmentEndDate = termEnd(sub.termStartDate, sub.termDuration);
  sub.seatBatches = [{ quantity: sub.quantity, addedAt: sub.termStartDate }];
}

/** The subscription as Partner Center's REST API shows it. */
export function toResource(sub: SandboxSubscription, now: Date): PcSubscription {
  const nce = isNce(sub.productType);
  const open = nce && sub.status === "active" ? openBatches(sub, now) : [];
  const cancellableUntil = new Date(sub.termStartDate.getTime() + NCE_WINDOW_MS);
  return {
    id: sub.id,
    offerId: `${sub.productId}:${sub.skuId}:${sub.availabilityId}`,
    offerName: sub.offerName,
    friendlyName: sub.offerName,
    productType: { id: sub.productType },
    quantity: sub.quantity,
    unitType: "Licenses",
    status: sub.status,
    autoRenewEnabled: sub.autoRenewEnabled,
    creationDate: sub.creationDate.toISOString(),
    effectiveStartDate: sub.termStartDate.toISOString(),
    commitmentEndDate: new Date(sub.commitmentEndDate.getTime() - DAY).toISOString(),
    termDuration: sub.termDuration,
    billingCycle: sub.billingCycle,
    ...(nce
      ? {
          cancellationAllowedUntilDate: cancellableUntil.toISOString(),
          refundOptions: cancellableUntil > now ? [{ type: "Full", expiresAt: cancellableUntil.toISOString() }] : [],
          refundableQuantity: { totalQuantity: open.reduce((sum, batch) => sum + batch.quantity, 0), details: open.map((batch) => ({ quantity: batch.quantity, allowedUntilDateTime: new Date(batch.addedAt.getTime() + NCE_WINDOW_MS).toISOString() })) },
        }
      : {}),
    scheduledNextTermInstructions: sub.scheduledNextTerm,
    partnerId: sub.partnerId ?? undefined,
    suspensionReasons: sub.suspensionReasons,
    orderId: sub.orderId ?? undefined,
    parentSubscriptionId: sub.parentSubscriptionId ?? undefined,
    isTrial: sub.isTrial,
    attributes: { etag: sub.etag, objectType: "Subscription" },
  };
}

const refuse = (code: number, description: string, details: Record<string, string | number> = {}) => new PartnerCenterError(code, description, 400, undefined, details);

/**
 * Applies a PATCH (the whole resource, with its changes) under the rules above. `limits` are
 * the sku's quantity bounds. Throws Partner Center's error for what the rules refuse.
 */
export function applyPatch(sub: SandboxSubscription, requested: PcSubscription, now: Date, limits: { min: number; max: number }): void {
  if (sub.updateCount >= MAX_UPDATES) throw refuse(900311, "The subscription has reached its maximum number of updates.");
  const nce = isNce(sub.productType);
  // What the request says of the next term is only a change if it differs from what was there before it.
  const nextTermBefore = JSON.stringify(sub.scheduledNextTerm ?? null);
  const midTermChange = requested.quantity !== sub.quantity || requested.termDuration !== sub.termDuration || toCycle(requested.billingCycle) !== toCycle(sub.billingCycle);

  if (requested.status !== sub.status) {
    changeStatus(sub, requested, now, nce);
  } else if (requested.autoRenewEnabled !== sub.autoRenewEnabled) {
    if (!["active", "suspended"].includes(sub.status)) throw refuse(800023, "Auto-renew can only change on an active subscription.");
    sub.autoRenewEnabled = requested.autoRenewEnabled;
  }
  if (!sub.autoRenewEnabled) sub.scheduledNextTerm = null;

  if (requested.quantity !== sub.quantity) changeQuantity(sub, requested.quantity, now, nce, limits);
  if (requested.termDuration !== sub.termDuration || toCycle(requested.billingCycle) !== toCycle(sub.billingCycle)) {
    if (termMonths(requested.termDuration) < termMonths(sub.termDuration) || cycleMonths(requested.billingCycle) < cycleMonths(sub.billingCycle)) {
      throw refuse(800122, "The term or the billing cycle can be lengthened mid-term, not shortened.");
    }
    sub.termDuration = requested.termDuration;
    sub.billingCycle = requested.billingCycle;
    sub.termStartDate = now;
    sub.commitmentEndDate = termEnd(now, sub.termDuration);
  }
  if (midTermChange) sub.scheduledNextTerm = null;
  else if (JSON.stringify(requested.scheduledNextTermInstructions ?? null) !== nextTermBefore) {
    const next = requested.scheduledNextTermInstructions ?? null;
    if (next && !sub.autoRenewEnabled) throw refuse(800024, "Changes for the next term need auto-renew on.");
    if (next && (next.quantity < limits.min || next.quantity > limits.max)) throw refuse(10015, `Quantity must be between ${limits.min} and ${limits.max}.`, { min: limits.min, max: limits.max });
    sub.scheduledNextTerm = next;
  }
  if ((requested.partnerId ?? null) !== sub.partnerId) sub.partnerId = requested.partnerId ?? null;
  sub.updateCount++;
}

function changeStatus(sub: SandboxSubscription, requested: PcSubscription, now: Date, nce: boolean): void {
  const to = requested.status;
  if (to === "suspended" && sub.status === "active") {
    sub.status = "suspended";
    sub.suspendedAt = now;
    sub.suspensionReasons = requested.suspensionReasons?.length ? requested.suspensionReasons : ["CustomerRequest"];
    // New Commerce: billing continues, and the subscription will not renew while suspended.
    if (nce) sub.autoRenewEnabled = false;
    return;
  }
  if (to === "active" && sub.status === "suspended") {
    if (now.getTime() >= sub.commitmentEndDate.getTime()) throw refuse(800025, "The term has ended: the subscription can no longer be reactivated.");
    sub.status = "active";
    sub.suspendedAt = null;
    sub.suspensionReasons = [];
    sub.autoRenewEnabled = requested.autoRenewEnabled;
    return;
  }
  if (to === "deleted" && (sub.status === "active" || sub.status === "suspended")) {
    const until = new Date(sub.termStartDate.getTime() + NCE_WINDOW_MS);
    if (nce && now.getTime() >= until.getTime()) throw refuse(900117, "The cancellation window has passed.", { allowedUntil: until.toISOString() });
    sub.status = "deleted";
    sub.autoRenewEnabled = false;
    sub.scheduledNextTerm = null;
    return;
  }
  throw refuse(800026, `A ${sub.status} subscription cannot become ${to}.`);
}

function changeQuantity(sub: SandboxSubscription, quantity: number, now: Date, nce: boolean, limits: { min: number; max: number }): void {
  if (sub.status !== "active") throw refuse(800027, "Only an active subscription's quantity can change.");
  if (!Number.isInteger(quantity) || quantity < limits.min || quantity > limits.max) throw refuse(10015, `Quantity must be between ${limits.min} and ${limits.max}.`, { min: limits.min, max: limits.max });
  if (quantity > sub.quantity) {
    if (nce) sub.seatBatches.push({ quantity: quantity - sub.quantity, addedAt: now });
    sub.quantity = quantity;
    return;
  }
  let remove = sub.quantity - quantity;
  if (nce) {
    const open = openBatches(sub, now);
    const removable = open.reduce((sum, batch) => sum + batch.quantity, 0);
    if (remove > removable) {
      const latest = sub.seatBatches.reduce((max, batch) => Math.max(max, batch.addedAt.getTime()), 0);
      throw refuse(800090, "Seats can only be removed within 168 hours of being added.", { removable, allowedUntil: new Date(latest + NCE_WINDOW_MS).toISOString() });
    }
    // The most recent seats go first.
    for (const batch of [...open].sort((a, b) => b.addedAt.getTime() - a.addedAt.getTime())) {
      const taken = Math.min(batch.quantity, remove);
      batch.quantity -= taken;
      remove -= taken;
      if (remove === 0) break;
    }
    sub.seatBatches = sub.seatBatches.filter((batch) => batch.quantity > 0);
  }
  sub.quantity = quantity;
}
