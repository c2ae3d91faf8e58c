/**
 * Writing an order's subscriptions inside a transaction: shared by "add customer" (its first
 * subscriptions) and "new subscription". One-per-customer offers take an OfferHold, whose key
 * makes a concurrent second order of the same offer fail.
 */
import { audit } from "../audit/auditLog.js";
import type { BillingCycle } from "../catalog/catalogSeed.js";
import { addDays, addTerm, type OfferView } from "../catalog/catalogService.js";
import type { Db } from "../db/database.js";
import type { Caller } from "../identity/identityService.js";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface SubscriptionLine {
  offer: OfferView;
  licences: number;
  parentId?: string;
}

export async function writeSubscriptions(
  tx: Tx,
  caller: Caller,
  order: { id: string; customerId: string; billingCycle: BillingCycle; resellerOfRecordId?: string | null },
  lines: SubscriptionLine[],
  now: Date,
): Promise<string[]> {
  const ids: string[] = [];
  for (const line of lines) {
    const trialEndsAt = line.offer.isTrial ? addDays(now, line.offer.trialDays ?? 30) : null;
    const subscription = await tx.subscription.create({
      data: {
        customerId: order.customerId,
        offerId: line.offer.id,
        orderId: order.id,
        licences: line.licences,
        billingCycle: order.billingCycle,
        status: "active",
        termEndAt: trialEndsAt ?? addTerm(now, order.billingCycle),
        autoRenew: !line.offer.isTrial,
        trialEndsAt,
        parentId: line.parentId ?? null,
        resellerOfRecordId: order.resellerOfRecordId ?? null,
        createdById: caller.userId,
        createdAt: now,
      },
    });
    if (line.offer.onePerCustomer) {
      await tx.offerHold.create({ data: { customerId: order.customerId, offerId: line.offer.id, subscriptionId: subscription.id } });
    }
    ids.push(subscription.id);
    await audit(
      tx,
      caller,
      {
        action: line.parentId ? "subscription.addOnAdded" : "subscription.created",
        customerId: order.customerId,
        subscriptionId: subscription.id,
        after: { offer: line.offer.name, licences: line.licences, billingCycle: order.billingCycle, status: "active", ...(order.resellerOfRecordId ? { resellerOfRecordId: order.resellerOfRecordId } : {}) },
      },
      now,
    );
  }
  return ids;
}
