/**
 * The local mirror of Partner Center's subscriptions: what search, cards, scoped access and
 * reminders read without a call per keystroke. A subscription is written here from every answer
 * Partner Center gives (after an order, a change, a refresh), with its etag and when it was read.
 * A difference found on a refresh that the bot did not make (a change in the Partner Center portal,
 * a renewal, an expiry, a legacy deletion) is audited as made in Partner Center, and bumps the
 * version, so a card shown before it changes nothing.
 */
import type { Db, Prisma } from "../db/database.js";
import type { PartnerCenter } from "../partnerCenter/port.js";
import { DAY } from "../partnerCenter/terms.js";
import { toCycle } from "../partnerCenter/terms.js";
import type { PcSubscription } from "../partnerCenter/types.js";
import { StaleVersion } from "../errors.js";
import { deletionDate } from "./lifecycle.js";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
type DbOrTx = Db | Tx;

/** What the mirror needs of a customer: its ids, and the dates of the legacy retention rule. */
export interface MirrorCustomer {
  id: string;
  providerOrgId: string;
  openedAt: Date;
  firstBillingAt: Date | null;
}

/** The actor of changes made in Partner Center itself (its portal, a renewal). */
export const PARTNER_CENTER_ACTOR = "partner-center";

const suspensionReason: Record<string, string> = { customerrequest: "customerRequest", nonpayment: "nonPayment", fraud: "fraud" };

/** The mirror's fields of a Partner Center subscription (what only the bot knows is left alone). */
export function mirrorFields(pc: PcSubscription, now: Date, resellerOfRecordId: string | null | undefined) {
  const [productId = "", skuId = ""] = pc.offerId.split(":");
  const termEndAt = new Date(new Date(pc.commitmentEndDate).getTime() + DAY);
  const reason = pc.suspensionReasons?.[0];
  const windows = (pc.refundableQuantity?.details ?? []).map((detail) => ({ quantity: detail.quantity, until: detail.allowedUntilDateTime }));
  const deadlines = [...windows.map((window) => new Date(window.until).getTime()), pc.cancellationAllowedUntilDate ? new Date(pc.cancellationAllowedUntilDate).getTime() : 0];
  return {
    offerId: pc.offerId,
    productId,
    skuId,
    offerName: pc.offerName || pc.friendlyName,
    productType: pc.productType?.id ?? "OnlineServices",
    isTrial: Boolean(pc.isTrial),
    licences: pc.quantity,
    billingCycle: toCycle(pc.billingCycle),
    termDuration: pc.termDuration,
    status: pc.status,
    termStartAt: new Date(pc.effectiveStartDate),
    termEndAt,
    autoRenew: pc.autoRenewEnabled,
    cancellableUntil: pc.cancellationAllowedUntilDate ? new Date(pc.cancellationAllowedUntilDate) : null,
    refundableSeats: JSON.stringify(windows),
    /** The last 7-day deadline (seats or cancellation) of this subscription: reminders look for those still ahead. */
    windowClosesAt: Math.max(...deadlines) > 0 ? new Date(Math.max(...deadlines)) : null,
    scheduledNextTerm: pc.scheduledNextTermInstructions ? JSON.stringify(pc.scheduledNextTermInstructions) : null,
    trialEndsAt: pc.isTrial ? termEndAt : null,
    suspensionReason: pc.status === "suspended" && reason ? (suspensionReason[reason.toLowerCase()] ?? reason) : null,
    ...(resellerOfRecordId !== undefined ? { resellerOfRecordId } : {}),
    etag: pc.attributes.etag,
    readAt: now,
  };
}

/** The fields whose change a partner would want to know about, for the audit of outside changes. */
const watched = ["status", "licences", "autoRenew", "termDuration", "billingCycle", "resellerOfRecordId"] as const;

export class SubscriptionMirror {
  constructor(
    private readonly db: Db,
    private readonly pc: PartnerCenter,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The bot's organisation of a reseller of record named by its PartnerID (null: none; undefined: unknown here). */
  async resellerOrgOf(mpnId: string | undefined, db: DbOrTx = this.db): Promise<string | null | undefined> {
    if (!mpnId) return null;
    const org = await db.organisation.findFirst({ where: { mpnId }, select: { id: true } });
    return org?.id;
  }

  /**
   * Writes a subscription Partner Center returned. A new one is created with what the bot knows of
   * it (`create`); an existing one is updated, and an outside change audited unless `ownChange`.
   */
  async write(
    db: DbOrTx,
    customer: MirrorCustomer,
    pc: PcSubscription,
    options: {
      /** The bot's own change, made from a card that showed this version: bumped, and refused (StaleVersion) if another change came first. */
      expectVersion?: number;
      create?: { createdById: string; orderId?: string | null; unitPriceCents?: number; currency?: string };
    } = {},
  ): Promise<{ id: string; changed: boolean; from?: string; to: string }> {
    const now = this.now();
    const fields = { ...mirrorFields(pc, now, await this.resellerOrgOf(pc.partnerId, db)), suspendedAt: null as Date | null, deletionAt: null as Date | null };
    const existing = await db.subscription.findUnique({ where: { pcSubscriptionId: pc.id } });
    if (fields.status === "suspended") {
      // Partner Center does not say when a suspension began: the first time the mirror sees it (or makes it).
      fields.suspendedAt = existing?.status === "suspended" && existing.suspendedAt ? existing.suspendedAt : now;
      // Legacy offers: the data is deleted after the retention period (the seeds' rule).
      if (fields.productType === "OnlineServices") fields.deletionAt = existing?.status === "suspended" && existing.deletionAt ? existing.deletionAt : deletionDate(fields.suspendedAt, customer);
    }
    if (!existing) {
      const parent = pc.parentSubscriptionId ? await db.subscription.findUnique({ where: { pcSubscriptionId: pc.parentSubscriptionId }, select: { id: true } }) : null;
      const created = await db.subscription.create({
        data: {
          ...fields,
          pcSubscriptionId: pc.id,
          customerId: customer.id,
          parentId: parent?.id ?? null,
          orderId: options.create?.orderId ?? null,
          unitPriceCents: options.create?.unitPriceCents ?? 0,
          currency: options.create?.currency ?? "USD",
          createdById: options.create?.createdById ?? PARTNER_CENTER_ACTOR,
          createdAt: new Date(pc.creationDate),
        },
      });
      return { id: created.id, changed: true, to: fields.status };
    }
    if (existing.etag === fields.etag && options.expectVersion === undefined) {
      await db.subscription.update({ where: { id: existing.id }, data: { readAt: now } });
      return { id: existing.id, changed: false, from: existing.status, to: existing.status };
    }
    const data = { ...fields, version: { increment: 1 } } as Prisma.SubscriptionUpdateManyMutationInput;
    if (options.expectVersion !== undefined) {
      // The bot's own change: written only over the version the card showed.
      const { count } = await db.subscription.updateMany({ where: { id: existing.id, version: options.expectVersion }, data });
      if (count !== 1) throw new StaleVersion("subscription");
      return { id: existing.id, changed: true, from: existing.status, to: fields.status };
    }
    await db.subscription.update({ where: { id: existing.id }, data: data as Prisma.SubscriptionUpdateInput });
    const renewed = fields.termStartAt.getTime() > existing.termStartAt.getTime() && fields.status === "active";
    const before = Object.fromEntries(watched.filter((key) => (existing as Record<string, unknown>)[key] !== (fields as Record<string, unknown>)[key]).map((key) => [key, (existing as Record<string, unknown>)[key] ?? null]));
    if (renewed || Object.keys(before).length) {
      const after = Object.fromEntries(Object.keys(before).map((key) => [key, (fields as Record<string, unknown>)[key] ?? null]));
      const action = renewed ? "subscription.renewed" : existing.status === "suspended" && fields.status === "deleted" && existing.deletionAt ? "subscription.deleted" : fields.status === "expired" ? "subscription.expired" : "subscription.changedInPartnerCenter";
      await db.auditEntry.create({
        data: {
          at: now,
          actorUserId: PARTNER_CENTER_ACTOR,
          actorOrgId: customer.providerOrgId,
          action,
          customerId: customer.id,
          subscriptionId: existing.id,
          before: JSON.stringify(renewed ? { termEndAt: existing.termEndAt.toISOString(), ...before } : before),
          after: JSON.stringify(renewed ? { termEndAt: fields.termEndAt.toISOString(), ...after } : after),
        },
      });
    }
    return { id: existing.id, changed: true, from: existing.status, to: fields.status };
  }

  /** Reads every subscription of a customer from Partner Center into the mirror. */
  async refreshCustomer(customer: MirrorCustomer & { pcCustomerId: string }): Promise<void> {
    const subscriptions = await this.pc.listSubscriptions(customer.pcCustomerId);
    // Base subscriptions first, so that an add-on finds its parent.
    for (const pc of [...subscriptions].sort((a, b) => Number(Boolean(a.parentSubscriptionId)) - Number(Boolean(b.parentSubscriptionId)))) await this.write(this.db, customer, pc);
  }

  /** Reads one subscription from Partner Center into the mirror; returns the resource read. */
  async refresh(subscriptionId: string): Promise<PcSubscription> {
    const row = await this.db.subscription.findUniqueOrThrow({ where: { id: subscriptionId }, include: { customer: true } });
    const pc = await this.pc.getSubscription(row.customer.pcCustomerId, row.pcSubscriptionId);
    await this.write(this.db, row.customer, pc);
    return pc;
  }
}
