/**
 * Subscriptions, as Partner Center has them: opened from the mirror (read again from Partner
 * Center when shown), changed through the Partner Center port under New Commerce's rules (seats
 * down and cancellation only within their 7-day windows, suspension that keeps billing and turns
 * auto-renew off, changes scheduled for the next term, dropped by any mid-term change), legacy
 * offers under the seeds' rules. Every change checks the caller's access and the version the card
 * showed, is sent with a request id derived from that version (the same click twice does it once),
 * and is written to the mirror with its audit entry in one transaction.
 */
import { z } from "zod";
import { audit } from "../audit/auditLog.js";
import { isLegacyProduct, isNceProduct, soldOn, type CatalogService, type Offer } from "../catalog/catalogService.js";
import type { CustomerService } from "../customers/customerService.js";
import type { Db } from "../db/database.js";
import { InvalidInput, NotAllowed, NotFound, StaleVersion, type FieldIssue } from "../errors.js";
import type { Caller } from "../identity/identityService.js";
import { isPartnerCenterError, PartnerCenterError } from "../partnerCenter/errors.js";
import type { PartnerCenter } from "../partnerCenter/port.js";
import { requestIdFor } from "../partnerCenter/requestIds.js";
import { cycleFitsTerm, termDurations, toCycle, toPcCycle, type BillingCycle, type Term } from "../partnerCenter/terms.js";
import type { PcSubscription } from "../partnerCenter/types.js";
import { deletionDate, requireTransition, suspensionReasons } from "./lifecycle.js";
import { canCancel, nextTerm, proratedCents, removableSeats, seatWindows, termEndBehaviour } from "./nce.js";
import type { OrderService } from "./orderService.js";
import type { SubscriptionMirror } from "./subscriptionMirror.js";

/** A mirror older than this is read again from Partner Center before a card shows it. */
const FRESH_MS = 60_000;

const pcSuspensionReason: Record<string, string> = { customerRequest: "CustomerRequest", nonPayment: "NonPayment", fraud: "Fraud" };

export type SubscriptionDetails = Awaited<ReturnType<SubscriptionService["get"]>>;

export class SubscriptionService {
  constructor(
    private readonly db: Db,
    private readonly pc: PartnerCenter,
    private readonly customers: CustomerService,
    private readonly orders: OrderService,
    private readonly catalog: CatalogService,
    private readonly mirror: SubscriptionMirror,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * A subscription with everything its card shows: its offer (limits, terms), add-ons, resellers,
   * and New Commerce's facts as of now (seats still removable and until when, whether it can
   * still be cancelled, what happens at the end of the term). Read again from Partner Center
   * first when asked (`refresh`) or when the mirror is old; the mirror answers when Partner
   * Center does not (`stale`).
   */
  async get(caller: Caller, subscriptionId: string, options: { refresh?: boolean; language?: string } = {}) {
    let row = await this.db.subscription.findUnique({ where: { id: subscriptionId }, include: { customer: true } });
    if (!row) throw new NotFound("subscription");
    this.customers.requireAccess(caller, row.customer);
    let stale = false;
    if (options.refresh || this.now().getTime() - row.readAt.getTime() > FRESH_MS) {
      try {
        await this.mirror.refresh(row.id);
        row = await this.db.subscription.findUniqueOrThrow({ where: { id: subscriptionId }, include: { customer: true } });
      } catch (error) {
        if (!isPartnerCenterError(error, "unavailable") && !isPartnerCenterError(error, "throttled")) throw error;
        stale = true;
      }
    }
    const subscription = row;
    const [parent, addOns] = await Promise.all([
      subscription.parentId ? this.db.subscription.findUnique({ where: { id: subscription.parentId } }) : null,
      this.db.subscription.findMany({ where: { parentId: subscription.id }, orderBy: { createdAt: "asc" } }),
    ]);
    const offers = await this.catalog.offers({ country: subscription.customer.country, segment: subscription.customer.segment, language: options.language ?? "en" });
    const offer = offers.find((candidate) => candidate.productId === subscription.productId && candidate.skuId === subscription.skuId);
    const addOnOffers = subscription.status === "active" ? offers.filter((candidate) => candidate.addOnOf.includes(subscription.productId) && soldOn(candidate, subscription.termDuration, subscription.billingCycle)) : [];
    const resellerIds = [subscription.resellerOfRecordId, subscription.supportContactId].filter((id): id is string => Boolean(id));
    const resellers = new Map((await this.db.organisation.findMany({ where: { id: { in: resellerIds } } })).map((org) => [org.id, org.name]));
    return subscriptionFacts(subscription, {
      parent,
      addOns,
      offer,
      addOnOffers,
      resellerOfRecordName: subscription.resellerOfRecordId ? (resellers.get(subscription.resellerOfRecordId) ?? null) : null,
      supportContactName: subscription.supportContactId ? (resellers.get(subscription.supportContactId) ?? null) : null,
      stale,
    }, this.now());
  }

  /**
   * What a seat change would be, before it is made: its prorated charge or refund, and whether it
   * drops the changes scheduled for the next term. Refused with a sentence's worth of facts when
   * out of range, unchanged, or (New Commerce) when more seats would go than the 7-day windows allow.
   */
  async previewQuantity(caller: Caller, command: { subscriptionId: string; licences: number; version?: number }) {
    const subscription = await this.get(caller, command.subscriptionId);
    // A card shown before another change: it changes nothing, whatever it asks.
    if (command.version !== undefined && subscription.version !== command.version) throw new StaleVersion("subscription");
    if (subscription.status !== "active") throw new InvalidInput([{ field: "licences", code: "invalidChoice" }]);
    const { minLicences: min, maxLicences: max } = subscription;
    if (!Number.isInteger(command.licences) || command.licences < min || command.licences > max) throw new InvalidInput([{ field: "licences", code: "outOfRange", params: { min, max } }]);
    if (command.licences === subscription.licences) throw new InvalidInput([{ field: "licences", code: "unchanged", params: { licences: subscription.licences } }]);
    const now = this.now();
    const removing = subscription.licences - command.licences;
    if (removing > 0 && subscription.isNce && removing > subscription.removableSeats) throw reductionRefused(subscription);
    const seats = Math.abs(removing);
    return {
      subscription,
      from: subscription.licences,
      to: command.licences,
      unitPriceCents: subscription.unitPriceCents,
      currency: subscription.currency,
      monthlyDeltaCents: (command.licences - subscription.licences) * subscription.unitPriceCents,
      /** Added seats: charged for the rest of the billing period; removed ones: refunded for it (New Commerce). */
      proratedCents: proratedCents(subscription, seats, now),
      /** A mid-term change drops the changes scheduled for the next term. */
      dropsScheduled: Boolean(subscription.nextTerm),
    };
  }

  async changeQuantity(caller: Caller, command: { subscriptionId: string; licences: number; version: number }): Promise<void> {
    const { subscription, from, to } = await this.previewQuantity(caller, command);
    await this.patch(caller, subscription, command.version, "quantity", { quantity: to }, (desired) => {
      desired.quantity = to;
    }, { action: "subscription.licencesChanged", before: { licences: from }, after: { licences: to, ...(subscription.nextTerm ? { scheduledDropped: true } : {}) } });
  }

  /** Adds an add-on to an active base subscription: an order on the base's term and billing cycle. */
  /** `offer` names the add-on by productId:skuId (or its catalog item id). */
  async addAddOn(caller: Caller, command: { parentId: string; offer: string; licences: number; idempotencyKey: string }) {
    const parent = await this.get(caller, command.parentId);
    if (parent.status !== "active") throw new InvalidInput([{ field: "parentId", code: "invalidChoice" }]);
    const offer = parent.addOnOffers.find((candidate) => `${candidate.productId}:${candidate.skuId}` === command.offer || candidate.catalogItemId === command.offer);
    if (!offer) throw new InvalidInput([{ field: "offerId", code: "notAvailable", params: { cycle: parent.billingCycle } }]);
    if (!Number.isInteger(command.licences) || command.licences < offer.minLicences || command.licences > offer.maxLicences) {
      throw new InvalidInput([{ field: "licences", code: "outOfRange", params: { min: offer.minLicences, max: offer.maxLicences } }]);
    }
    return this.orders.place(caller, {
      customerId: parent.customerId,
      termDuration: parent.termDuration as Term,
      billingCycle: parent.billingCycle as BillingCycle,
      lines: [{ catalogItemId: offer.catalogItemId, quantity: command.licences }],
      idempotencyKey: command.idempotencyKey,
      parentSubscriptionId: parent.pcSubscriptionId,
    });
  }

  /** What cancelling would refund, before it is confirmed; refused once the 7-day window has closed (New Commerce). */
  async previewCancel(caller: Caller, command: { subscriptionId: string; version?: number }) {
    const subscription = await this.get(caller, command.subscriptionId);
    if (command.version !== undefined && subscription.version !== command.version) throw new StaleVersion("subscription");
    requireTransition(subscription.status, "cancel");
    if (!subscription.canCancel) throw cancellationRefused(subscription);
    return { subscription, refundCents: subscription.isNce ? subscription.cancelRefundCents : 0, currency: subscription.currency, until: subscription.isNce ? subscription.cancellableUntil : null };
  }

  async cancel(caller: Caller, command: { subscriptionId: string; version: number }): Promise<void> {
    const { subscription, refundCents } = await this.previewCancel(caller, command);
    await this.patch(caller, subscription, command.version, "cancel", {}, (desired) => {
      desired.status = "deleted";
    }, { action: "subscription.cancelled", before: { status: subscription.status }, after: { status: "deleted", ...(subscription.isNce ? { refundCents } : {}) } });
  }

  /**
   * Suspends. New Commerce: billing continues and auto-renew turns off (the subscription ends at
   * its term end unless reactivated). Legacy: the data is deleted after the retention period.
   */
  async suspend(caller: Caller, command: { subscriptionId: string; reason: string; version: number }): Promise<{ nce: boolean; deletionAt: Date | null; termEndAt: Date }> {
    const reason = z.enum(suspensionReasons).safeParse(command.reason);
    if (!reason.success) throw new InvalidInput([{ field: "reason", code: "invalidChoice" }]);
    const subscription = await this.get(caller, command.subscriptionId);
    requireTransition(subscription.status, "suspend");
    await this.patch(caller, subscription, command.version, "suspend", { reason: reason.data }, (desired) => {
      desired.status = "suspended";
      desired.suspensionReasons = [pcSuspensionReason[reason.data]];
    }, { action: "subscription.suspended", before: { status: subscription.status, ...(subscription.isNce ? { autoRenew: subscription.autoRenew } : {}) }, after: { status: "suspended", reason: reason.data, ...(subscription.isNce ? { autoRenew: false } : {}) } });
    const after = await this.db.subscription.findUniqueOrThrow({ where: { id: subscription.id } });
    return { nce: subscription.isNce, deletionAt: after.deletionAt, termEndAt: after.termEndAt };
  }

  /** Reactivates a suspended subscription; New Commerce: auto-renew back on unless the user says not. */
  async reactivate(caller: Caller, command: { subscriptionId: string; version: number; autoRenew?: boolean }): Promise<void> {
    const subscription = await this.get(caller, command.subscriptionId);
    requireTransition(subscription.status, "reactivate");
    if (subscription.isNce && subscription.termEndAt.getTime() <= this.now().getTime()) throw new PartnerCenterError(800025, "The term has ended: the subscription can no longer be reactivated.", 400);
    const autoRenew = subscription.isNce ? (command.autoRenew ?? true) : subscription.autoRenew;
    await this.patch(caller, subscription, command.version, "reactivate", { autoRenew }, (desired) => {
      desired.status = "active";
      desired.suspensionReasons = [];
      desired.autoRenewEnabled = autoRenew;
    }, { action: "subscription.reactivated", before: { status: "suspended", autoRenew: subscription.autoRenew }, after: { status: "active", autoRenew } });
  }

  /** Turns auto-renew on or off; off drops the changes scheduled for the next term. */
  async setAutoRenew(caller: Caller, command: { subscriptionId: string; version: number; autoRenew: boolean }): Promise<void> {
    const subscription = await this.get(caller, command.subscriptionId);
    if (subscription.status !== "active" && subscription.status !== "suspended") throw new InvalidInput([{ field: "autoRenew", code: "invalidChoice" }]);
    if (subscription.isTrial) throw new InvalidInput([{ field: "autoRenew", code: "invalidChoice" }]);
    if (subscription.autoRenew === command.autoRenew) throw new InvalidInput([{ field: "autoRenew", code: "unchanged" }]);
    await this.patch(caller, subscription, command.version, "autoRenew", { autoRenew: command.autoRenew }, (desired) => {
      desired.autoRenewEnabled = command.autoRenew;
      if (!command.autoRenew) desired.scheduledNextTermInstructions = null;
    }, { action: "subscription.autoRenewChanged", before: { autoRenew: subscription.autoRenew }, after: { autoRenew: command.autoRenew, ...(!command.autoRenew && subscription.nextTerm ? { scheduledDropped: true } : {}) } });
  }

  /**
   * Schedules changes for the next term (seats, term, billing cycle): they apply at renewal. Needs
   * auto-renew on; the term and cycle must be ones this offer is sold on.
   */
  async scheduleNextTerm(caller: Caller, command: { subscriptionId: string; version: number; licences: number; termDuration: string; billingCycle: string }): Promise<void> {
    const subscription = await this.get(caller, command.subscriptionId);
    if (subscription.status !== "active") throw new InvalidInput([{ field: "nextLicences", code: "invalidChoice" }]);
    if (!subscription.autoRenew) throw new PartnerCenterError(800024, "Changes for the next term need auto-renew on.", 400);
    const issues: FieldIssue[] = [];
    const { minLicences: min, maxLicences: max } = subscription;
    if (!Number.isInteger(command.licences) || command.licences < min || command.licences > max) issues.push({ field: "nextLicences", code: "outOfRange", params: { min, max } });
    const term = termDurations.find((candidate) => candidate === command.termDuration);
    const cycle = toCycle(command.billingCycle);
    if (!term || !subscription.offer || !cycleFitsTerm(cycle, term) || !soldOn(subscription.offer, term, cycle)) issues.push({ field: "nextTerm", code: "invalidChoice" });
    if (issues.length) throw new InvalidInput(issues);
    const offer = subscription.offer!;
    const same = command.licences === subscription.licences && term === subscription.termDuration && cycle === subscription.billingCycle;
    const current = subscription.nextTerm;
    if (same && !current) throw new InvalidInput([{ field: "nextLicences", code: "unchanged" }]);
    if (current && current.quantity === command.licences && current.termDuration === term && current.billingCycle === cycle) throw new InvalidInput([{ field: "nextLicences", code: "unchanged" }]);
    const availabilityId = offer.catalogItemId.split(":")[2];
    const instructions = same ? null : { product: { productId: offer.productId, skuId: offer.skuId, availabilityId, billingCycle: toPcCycle(cycle), termDuration: term! }, quantity: command.licences };
    await this.patch(caller, subscription, command.version, "nextTerm", { licences: command.licences, term: term!, cycle }, (desired) => {
      desired.scheduledNextTermInstructions = instructions;
    }, {
      action: same ? "subscription.nextTermCleared" : "subscription.nextTermScheduled",
      before: current ? { licences: current.quantity, termDuration: current.termDuration, billingCycle: current.billingCycle } : { licences: subscription.licences, termDuration: subscription.termDuration, billingCycle: subscription.billingCycle },
      after: { licences: command.licences, termDuration: term!, billingCycle: cycle, renewsAt: subscription.termEndAt.toISOString() },
    });
  }

  /** Drops the changes scheduled for the next term: it renews as it is. */
  async clearNextTerm(caller: Caller, command: { subscriptionId: string; version: number }): Promise<void> {
    const subscription = await this.get(caller, command.subscriptionId);
    const current = subscription.nextTerm;
    if (!current) throw new InvalidInput([{ field: "nextLicences", code: "unchanged" }]);
    await this.patch(caller, subscription, command.version, "nextTermClear", {}, (desired) => {
      desired.scheduledNextTermInstructions = null;
    }, { action: "subscription.nextTermCleared", before: { licences: current.quantity, termDuration: current.termDuration, billingCycle: current.billingCycle }, after: { licences: subscription.licences, termDuration: subscription.termDuration, billingCycle: subscription.billingCycle } });
  }

  /**
   * Sets the reseller of record (Partner Center's partnerId on the subscription: the reseller's
   * PartnerID) and the support contact (the bot's own record) in one change; null clears one.
   */
  async assignResellers(caller: Caller, command: { subscriptionId: string; resellerOfRecordId: string | null; supportContactId: string | null; version: number }): Promise<void> {
    if (caller.organisation.kind !== "provider") throw new NotAllowed("subscription.resellers");
    const subscription = await this.get(caller, command.subscriptionId);
    if (subscription.version !== command.version) throw new StaleVersion("subscription");
    const resellers = await this.resellersOf(caller);
    for (const [field, id] of [["resellerOfRecordId", command.resellerOfRecordId], ["supportContactId", command.supportContactId]] as const) {
      if (id && !resellers.some((reseller) => reseller.id === id)) throw new InvalidInput([{ field, code: "invalidChoice" }]);
    }
    const before = { resellerOfRecordId: subscription.resellerOfRecordId, supportContactId: subscription.supportContactId };
    const after = { resellerOfRecordId: command.resellerOfRecordId, supportContactId: command.supportContactId };
    if (before.resellerOfRecordId === after.resellerOfRecordId && before.supportContactId === after.supportContactId) throw new InvalidInput([{ field: "resellerOfRecordId", code: "unchanged" }]);
    const entry = { action: "subscription.resellersSet", before, after };
    if (before.resellerOfRecordId !== after.resellerOfRecordId) {
      const partnerId = after.resellerOfRecordId ? await this.partnerIdOf(after.resellerOfRecordId) : undefined;
      await this.patch(caller, subscription, command.version, "resellers", after, (desired) => {
        desired.partnerId = partnerId;
      }, entry, { supportContactId: after.supportContactId });
      return;
    }
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.subscription.updateMany({ where: { id: subscription.id, version: command.version }, data: { supportContactId: after.supportContactId, version: { increment: 1 } } });
      if (count !== 1) throw new StaleVersion("subscription");
      await audit(tx, caller, { ...entry, customerId: subscription.customerId, subscriptionId: subscription.id }, now);
    });
  }

  /**
   * Turns reminders for a subscription off or on (for everyone they would reach). A preference,
   * not a change of the subscription: its version stays, so open cards stay valid.
   */
  async setRemindersMuted(caller: Caller, command: { subscriptionId: string; muted: boolean }): Promise<void> {
    const subscription = await this.db.subscription.findUnique({ where: { id: command.subscriptionId }, include: { customer: true } });
    if (!subscription) throw new NotFound("subscription");
    this.customers.requireAccess(caller, subscription.customer);
    if (subscription.remindersMuted === command.muted) return;
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      await tx.subscription.update({ where: { id: subscription.id }, data: { remindersMuted: command.muted } });
      await audit(tx, caller, { action: command.muted ? "subscription.remindersMuted" : "subscription.remindersUnmuted", customerId: subscription.customerId, subscriptionId: subscription.id, before: { remindersMuted: !command.muted }, after: { remindersMuted: command.muted } }, now);
    });
  }

  /** The resellers a provider may name on its subscriptions. */
  async resellersOf(caller: Caller): Promise<{ id: string; name: string }[]> {
    if (caller.organisation.kind !== "provider") return [];
    const partnerships = await this.db.partnership.findMany({ where: { providerOrgId: caller.organisation.id, status: "active", resellerOrgId: { not: null } }, select: { resellerOrgId: true } });
    return this.db.organisation.findMany({ where: { id: { in: partnerships.map((p) => p.resellerOrgId!) } }, select: { id: true, name: true }, orderBy: { name: "asc" } });
  }

  /** Subscriptions the caller may see whose offer or customer name contains the text. */
  async search(caller: Caller, text: string) {
    const key = text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim().slice(0, 100);
    const subscriptions = await this.db.subscription.findMany({
      where: { customer: this.customers.scope(caller), status: { in: ["active", "suspended"] } },
      include: { customer: { select: { companyName: true, searchName: true } } },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
    return subscriptions.filter((s) => s.offerName.toLowerCase().includes(key) || s.customer.searchName.includes(key)).slice(0, 10);
  }

  async history(caller: Caller, customerId: string, limit = 20) {
    await this.customers.get(caller, customerId);
    const entries = await this.db.auditEntry.findMany({ where: { customerId }, orderBy: [{ at: "desc" }, { id: "desc" }], take: limit });
    const offerNames = new Map((await this.db.subscription.findMany({ where: { customerId }, select: { id: true, offerName: true } })).map((s) => [s.id, s.offerName]));
    const users = new Map((await this.db.user.findMany({ where: { id: { in: [...new Set(entries.map((e) => e.actorUserId))] } } })).map((user) => [user.id, user.displayName]));
    const parsed = entries.map((entry) => ({
      ...entry,
      actorName: users.get(entry.actorUserId) ?? null,
      offerName: entry.subscriptionId ? (offerNames.get(entry.subscriptionId) ?? "") : "",
      before: entry.before ? (JSON.parse(entry.before) as Record<string, unknown>) : null,
      after: entry.after ? (JSON.parse(entry.after) as Record<string, unknown>) : null,
    }));
    // Organisations named in the changes (resellers), by name rather than id.
    const orgIds = new Set(parsed.flatMap((entry) => [entry.before, entry.after].flatMap((values) => Object.entries(values ?? {}).filter(([key, value]) => key.endsWith("Id") && typeof value === "string").map(([, value]) => value as string))));
    const organisations = new Map((await this.db.organisation.findMany({ where: { id: { in: [...orgIds] } }, select: { id: true, name: true } })).map((org) => [org.id, org.name]));
    return { entries: parsed, organisations };
  }

  /** The PartnerID of a reseller, as Partner Center's relationships give it (what a subscription's partnerId takes). */
  private async partnerIdOf(resellerOrgId: string): Promise<string> {
    const org = await this.db.organisation.findUniqueOrThrow({ where: { id: resellerOrgId } });
    const relationship = (await this.pc.indirectResellers()).find((reseller) => reseller.id === org.tenantId);
    if (!relationship) throw new InvalidInput([{ field: "resellerOfRecordId", code: "invalidChoice" }]);
    if (org.mpnId !== relationship.mpnId) await this.db.organisation.update({ where: { id: org.id }, data: { mpnId: relationship.mpnId } });
    return relationship.mpnId;
  }

  /**
   * One change in Partner Center: the whole resource as it is now, with the change, sent with the
   * etag the card's version was read with (If-Match) and a request id derived from the version
   * and the change, so the same click twice (or a retry after a crash) does it once. Partner
   * Center's answer is mirrored, with the audit entry, in one transaction over that version. A
   * subscription changed in Partner Center since (2055) is read again, and the card is stale.
   */
  private async patch(
    caller: Caller,
    subscription: { id: string; pcSubscriptionId: string; customerId: string; version: number; etag: string; customer: { id: string; pcCustomerId: string; providerOrgId: string; openedAt: Date; firstBillingAt: Date | null } },
    version: number,
    operation: string,
    payload: Record<string, unknown>,
    change: (desired: PcSubscription) => void,
    entry: { action: string; before: Record<string, unknown>; after: Record<string, unknown> },
    local: { supportContactId?: string | null } = {},
  ): Promise<void> {
    if (subscription.version !== version) throw new StaleVersion("subscription");
    const { customer } = subscription;
    const requestId = requestIdFor("subscription", subscription.id, version, operation, JSON.stringify(payload));
    let updated: PcSubscription;
    try {
      const current = await this.pc.getSubscription(customer.pcCustomerId, subscription.pcSubscriptionId);
      const desired = structuredClone(current);
      change(desired);
      desired.attributes = { ...current.attributes, etag: subscription.etag };
      updated = await this.pc.updateSubscription(customer.pcCustomerId, desired, requestId);
    } catch (error) {
      if (isPartnerCenterError(error, "staleEtag")) {
        await this.mirror.refresh(subscription.id);
        throw new StaleVersion("subscription");
      }
      throw error;
    }
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      await this.mirror.write(tx, customer, updated, { expectVersion: version });
      if (local.supportContactId !== undefined) await tx.subscription.update({ where: { id: subscription.id }, data: { supportContactId: local.supportContactId } });
      const mirrored = await tx.subscription.findUniqueOrThrow({ where: { id: subscription.id }, select: { deletionAt: true } });
      await audit(tx, caller, { action: entry.action, customerId: subscription.customerId, subscriptionId: subscription.id, before: entry.before, after: { ...entry.after, ...(mirrored.deletionAt && entry.action === "subscription.suspended" ? { deletionAt: mirrored.deletionAt.toISOString() } : {}) } }, now);
    });
  }
}

type SubscriptionRow = NonNullable<Awaited<ReturnType<Db["subscription"]["findUnique"]>>>;
type CustomerRow = NonNullable<Awaited<ReturnType<Db["customer"]["findUnique"]>>>;

/**
 * A subscription with everything its card shows, as of `now`: its offer (limits, terms), add-ons,
 * resellers, and New Commerce's facts (seats still removable and until when, whether it can still
 * be cancelled and for what refund, what happens at the end of the term, what the next term may be).
 */
export function subscriptionFacts(
  subscription: SubscriptionRow & { customer: CustomerRow },
  context: { parent: SubscriptionRow | null; addOns: SubscriptionRow[]; offer: Offer | undefined; addOnOffers: Offer[]; resellerOfRecordName: string | null; supportContactName: string | null; stale: boolean },
  now: Date,
) {
  const minLicences = context.offer?.minLicences ?? 1;
  return {
    ...subscription,
    ...context,
    minLicences,
    maxLicences: context.offer?.maxLicences ?? Math.max(subscription.licences, 1_000_000),
    isNce: isNceProduct(subscription.productType),
    isLegacy: isLegacyProduct(subscription.productType),
    /** The moment the facts below are true. */
    asOf: now,
    seatWindows: seatWindows(subscription, now),
    removableSeats: removableSeats(subscription, now, minLicences),
    canCancel: canCancel(subscription, now),
    /** What cancelling now would refund (prorated by day), for a subscription that can still be cancelled. */
    cancelRefundCents: proratedCents(subscription, subscription.licences, now),
    nextTerm: nextTerm(subscription),
    termEnd: termEndBehaviour(subscription),
    /** The terms and billing cycles the next term may take (this offer's, billing never longer than the term). */
    nextTermChoices: nextTermChoices(context.offer),
    /** Legacy offers: if suspended now, when its data would be deleted. */
    deletionIfSuspendedNow: deletionDate(now, subscription.customer),
  };
}

/** New Commerce: too many seats to remove now. Says how many still can, until when, and when the next term starts. */
function reductionRefused(subscription: { removableSeats: number; seatWindows: { until: Date }[]; termEndAt: Date; autoRenew: boolean }): PartnerCenterError {
  const latest = subscription.seatWindows.at(-1)?.until;
  return new PartnerCenterError(800090, "Seats can only be removed within 168 hours of being added.", 400, undefined, {
    removable: subscription.removableSeats,
    ...(latest ? { allowedUntil: latest.toISOString() } : {}),
    renewsAt: subscription.termEndAt.toISOString(),
    autoRenew: subscription.autoRenew ? 1 : 0,
  });
}

/** New Commerce: the cancellation window has closed. Says when it closed and when the term ends. */
function cancellationRefused(subscription: { cancellableUntil: Date | null; termEndAt: Date; autoRenew: boolean }): PartnerCenterError {
  return new PartnerCenterError(900117, "The cancellation window has passed.", 400, undefined, {
    ...(subscription.cancellableUntil ? { allowedUntil: subscription.cancellableUntil.toISOString() } : {}),
    endsAt: subscription.termEndAt.toISOString(),
    autoRenew: subscription.autoRenew ? 1 : 0,
  });
}

function nextTermChoices(offer: Offer | undefined): { term: Term; cycle: BillingCycle }[] {
  if (!offer) return [];
  return offer.terms.flatMap((term) => term.billingCycles.filter((cycle) => cycleFitsTerm(cycle, term.duration)).map((cycle) => ({ term: term.duration, cycle })));
}
