/**
 * Subscriptions: what a customer may buy, placing orders (idempotent by key, one-per-customer
 * offers enforced even under concurrency), licence changes, add-ons, suspension with its data
 * retention date, reactivation, cancellation, reseller of record and support contact, and the
 * audit history. Every change checks the caller's access and the version the card showed.
 */
import { z } from "zod";
import { audit } from "../audit/auditLog.js";
import { billingCycles, type BillingCycle } from "../catalog/catalogSeed.js";
import { CatalogService, type OfferView } from "../catalog/catalogService.js";
import type { CustomerService } from "../customers/customerService.js";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import { InvalidInput, NotAllowed, NotFound, OfferLimitReached, StaleVersion, type FieldIssue } from "../errors.js";
import type { Caller } from "../identity/identityService.js";
import { deletionDate, holdingStatuses, nextStatus, suspensionReasons, type SuspensionReason, type Transition } from "./lifecycle.js";
import { writeSubscriptions } from "./ordering.js";

export interface OfferChoice {
  offer: OfferView;
  /** available; held (one per customer, active); reactivate (one per customer, suspended: reactivate instead). */
  state: "available" | "held" | "reactivate";
  subscriptionId?: string;
}

export interface PlaceOrderCommand {
  customerId: string;
  billingCycle: BillingCycle;
  lines: { offerId: string; licences: number }[];
  resellerOfRecordId?: string | null;
  idempotencyKey: string;
}

const lineSchema = z.object({ offerId: z.string().min(1).max(80), licences: z.number().int() });

export class SubscriptionService {
  private readonly catalog: CatalogService;

  constructor(
    private readonly db: Db,
    private readonly customers: CustomerService,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.catalog = new CatalogService(db);
  }

  /** The catalog for a customer: base offers and trials of its segment in a cycle, with one-per-customer offers it holds marked. */
  async catalogFor(caller: Caller, customerId: string, billingCycle: BillingCycle) {
    const customer = await this.customers.get(caller, customerId);
    const offers = await this.catalog.baseOffers(customer.segment as never, billingCycle);
    const held = new Map(customer.subscriptions.filter((s) => (holdingStatuses as string[]).includes(s.status)).map((s) => [s.offerId, s]));
    const choices: OfferChoice[] = offers.map((offer) => {
      const holder = offer.onePerCustomer ? held.get(offer.id) : undefined;
      if (!holder) return { offer, state: "available" };
      return { offer, state: holder.status === "suspended" ? "reactivate" : "held", subscriptionId: holder.id };
    });
    return { customer, choices };
  }

  async placeOrder(caller: Caller, command: PlaceOrderCommand): Promise<{ created: boolean; orderId: string; subscriptionIds: string[] }> {
    const existing = await this.db.order.findUnique({ where: { idempotencyKey: command.idempotencyKey }, include: { subscriptions: { select: { id: true } }, customer: true } });
    if (existing) {
      this.customers.requireAccess(caller, existing.customer);
      return { created: false, orderId: existing.id, subscriptionIds: existing.subscriptions.map((s) => s.id) };
    }
    const customer = await this.customers.get(caller, command.customerId);
    if (!billingCycles.includes(command.billingCycle)) throw new InvalidInput([{ field: "billingCycle", code: "invalidChoice" }]);
    const lines = z.array(lineSchema).min(1).max(50).parse(command.lines);
    const issues = await this.customers.checkLines(customer.segment, command.billingCycle, lines);
    if (issues.length) throw new InvalidInput(issues);
    if (command.resellerOfRecordId) await this.requireReseller(caller, command.resellerOfRecordId, "resellerOfRecordId");
    const offers = await this.catalog.offersByIds(lines.map((line) => line.offerId));
    for (const line of lines) {
      const offer = offers.get(line.offerId)!;
      const holder = offer.onePerCustomer && customer.subscriptions.find((s) => s.offerId === offer.id && (holdingStatuses as string[]).includes(s.status));
      if (holder) throw new OfferLimitReached(offer.id, holder.id, holder.status);
    }
    const now = this.now();
    try {
      return await this.db.$transaction(async (tx) => {
        const order = await tx.order.create({ data: { customerId: customer.id, billingCycle: command.billingCycle, idempotencyKey: command.idempotencyKey, resellerOfRecordId: command.resellerOfRecordId ?? null, createdById: caller.userId, createdAt: now } });
        const subscriptionIds = await writeSubscriptions(tx, caller, { id: order.id, customerId: customer.id, billingCycle: command.billingCycle, resellerOfRecordId: command.resellerOfRecordId }, lines.map((line) => ({ offer: offers.get(line.offerId)!, licences: line.licences })), now);
        if (!customer.firstBillingAt && lines.some((line) => !offers.get(line.offerId)!.isTrial)) {
          await tx.customer.update({ where: { id: customer.id }, data: { firstBillingAt: now } });
        }
        return { created: true, orderId: order.id, subscriptionIds };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const replay = await this.db.order.findUnique({ where: { idempotencyKey: command.idempotencyKey }, include: { subscriptions: { select: { id: true } } } });
      if (replay) return { created: false, orderId: replay.id, subscriptionIds: replay.subscriptions.map((s) => s.id) };
      // The other unique key of an order is the OfferHold: a concurrent order took the one-per-customer offer.
      const hold = await this.db.offerHold.findFirst({ where: { customerId: customer.id, offerId: { in: lines.map((line) => line.offerId) } } });
      if (hold) {
        const holder = await this.db.subscription.findUniqueOrThrow({ where: { id: hold.subscriptionId } });
        throw new OfferLimitReached(hold.offerId, holder.id, holder.status);
      }
      throw error;
    }
  }

  async get(caller: Caller, subscriptionId: string) {
    const subscription = await this.db.subscription.findUnique({
      where: { id: subscriptionId },
      include: { offer: true, customer: true, parent: { include: { offer: true } }, addOns: { include: { offer: true }, orderBy: { createdAt: "asc" } } },
    });
    if (!subscription) throw new NotFound("subscription");
    this.customers.requireAccess(caller, subscription.customer);
    const resellerIds = [subscription.resellerOfRecordId, subscription.supportContactId].filter((id): id is string => Boolean(id));
    const resellers = new Map((await this.db.organisation.findMany({ where: { id: { in: resellerIds } } })).map((org) => [org.id, org.name]));
    const addOnOffers = await this.db.offer.findMany({ where: { parentOfferId: subscription.offerId }, orderBy: { sortOrder: "asc" } });
    return {
      ...subscription,
      resellerOfRecordName: subscription.resellerOfRecordId ? (resellers.get(subscription.resellerOfRecordId) ?? null) : null,
      supportContactName: subscription.supportContactId ? (resellers.get(subscription.supportContactId) ?? null) : null,
      addOnOffers,
      /** If suspended now, when its data would be deleted. */
      deletionIfSuspendedNow: deletionDate(this.now(), subscription.customer),
    };
  }

  /**
   * What a licence change would be, before it is made: refused (with the allowed range) when out
   * of range, and when it changes nothing.
   */
  async previewLicenceChange(caller: Caller, command: { subscriptionId: string; licences: number; version?: number }) {
    const subscription = await this.get(caller, command.subscriptionId);
    // A card shown before another change: it changes nothing, whatever it asks.
    if (command.version !== undefined && subscription.version !== command.version) throw new StaleVersion("subscription");
    if (subscription.status !== "active") throw new InvalidInput([{ field: "licences", code: "invalidChoice" }]);
    const { minLicences: min, maxLicences: max } = subscription.offer;
    if (!Number.isInteger(command.licences) || command.licences < min || command.licences > max) {
      throw new InvalidInput([{ field: "licences", code: "outOfRange", params: { min, max } }]);
    }
    if (command.licences === subscription.licences) throw new InvalidInput([{ field: "licences", code: "unchanged", params: { licences: subscription.licences } }]);
    const unitPriceCents = subscription.offer.unitPriceCents;
    return { subscription, from: subscription.licences, to: command.licences, unitPriceCents, currency: subscription.offer.currency, monthlyDeltaCents: (command.licences - subscription.licences) * unitPriceCents };
  }

  async changeLicences(caller: Caller, command: { subscriptionId: string; licences: number; version: number }): Promise<void> {
    const { subscription } = await this.previewLicenceChange(caller, command);
    await this.update(caller, subscription, command.version, { licences: command.licences }, "subscription.licencesChanged", { licences: subscription.licences });
  }

  async addAddOn(caller: Caller, command: { parentId: string; offerId: string; licences: number; idempotencyKey: string }): Promise<{ created: boolean; subscriptionId: string }> {
    const existing = await this.db.order.findUnique({ where: { idempotencyKey: command.idempotencyKey }, include: { subscriptions: { select: { id: true } } } });
    if (existing) return { created: false, subscriptionId: existing.subscriptions[0]?.id ?? "" };
    const parent = await this.get(caller, command.parentId);
    if (parent.status !== "active") throw new InvalidInput([{ field: "parentId", code: "invalidChoice" }]);
    const offer = parent.addOnOffers.find((candidate) => candidate.id === command.offerId);
    if (!offer) throw new InvalidInput([{ field: "offerId", code: "notAvailable", params: { cycle: parent.billingCycle } }]);
    if (!Number.isInteger(command.licences) || command.licences < offer.minLicences || command.licences > offer.maxLicences) {
      throw new InvalidInput([{ field: "licences", code: "outOfRange", params: { min: offer.minLicences, max: offer.maxLicences } }]);
    }
    const now = this.now();
    try {
      return await this.db.$transaction(async (tx) => {
        const order = await tx.order.create({ data: { customerId: parent.customerId, billingCycle: parent.billingCycle, idempotencyKey: command.idempotencyKey, createdById: caller.userId, createdAt: now } });
        const [id] = await writeSubscriptions(tx, caller, { id: order.id, customerId: parent.customerId, billingCycle: parent.billingCycle as BillingCycle }, [{ offer, licences: command.licences, parentId: parent.id }], now);
        return { created: true, subscriptionId: id };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const replay = await this.db.order.findUniqueOrThrow({ where: { idempotencyKey: command.idempotencyKey }, include: { subscriptions: { select: { id: true } } } });
      return { created: false, subscriptionId: replay.subscriptions[0]?.id ?? "" };
    }
  }

  async suspend(caller: Caller, command: { subscriptionId: string; reason: string; version: number }): Promise<Date> {
    const reason = z.enum(suspensionReasons).safeParse(command.reason);
    if (!reason.success) throw new InvalidInput([{ field: "reason", code: "invalidChoice" }]);
    const subscription = await this.get(caller, command.subscriptionId);
    const status = nextStatus(subscription.status, "suspend");
    const now = this.now();
    const deletionAt = deletionDate(now, subscription.customer);
    await this.update(caller, subscription, command.version, { status, suspensionReason: reason.data as SuspensionReason, suspendedAt: now, deletionAt }, "subscription.suspended", { status: subscription.status });
    return deletionAt;
  }

  async reactivate(caller: Caller, command: { subscriptionId: string; version: number }): Promise<void> {
    await this.transition(caller, command, "reactivate", { suspensionReason: null, suspendedAt: null, deletionAt: null });
  }

  async cancel(caller: Caller, command: { subscriptionId: string; version: number }): Promise<void> {
    await this.transition(caller, command, "cancel", { deletionAt: null, autoRenew: false });
  }

  async setResellerOfRecord(caller: Caller, command: { subscriptionId: string; resellerOrgId: string | null; version: number }): Promise<void> {
    await this.setReseller(caller, command, "resellerOfRecordId", "subscription.resellerOfRecordSet");
  }

  async designateSupportContact(caller: Caller, command: { subscriptionId: string; resellerOrgId: string | null; version: number }): Promise<void> {
    await this.setReseller(caller, command, "supportContactId", "subscription.supportContactSet");
  }

  /** Sets both the reseller of record and the support contact in one change (null clears one). */
  async assignResellers(caller: Caller, command: { subscriptionId: string; resellerOfRecordId: string | null; supportContactId: string | null; version: number }): Promise<void> {
    if (caller.organisation.kind !== "provider") throw new NotAllowed("subscription.resellers");
    const subscription = await this.get(caller, command.subscriptionId);
    if (command.resellerOfRecordId) await this.requireReseller(caller, command.resellerOfRecordId, "resellerOfRecordId");
    if (command.supportContactId) await this.requireReseller(caller, command.supportContactId, "supportContactId");
    await this.update(
      caller,
      subscription,
      command.version,
      { resellerOfRecordId: command.resellerOfRecordId, supportContactId: command.supportContactId },
      "subscription.resellersSet",
      { resellerOfRecordId: subscription.resellerOfRecordId, supportContactId: subscription.supportContactId },
    );
  }

  /**
   * Turns expiry reminders for a subscription off or on (for everyone it would reach). A
   * preference, not a change of the subscription: its version stays, so open cards stay valid.
   */
  async setRemindersMuted(caller: Caller, command: { subscriptionId: string; muted: boolean }): Promise<void> {
    const subscription = await this.get(caller, command.subscriptionId);
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
      include: { offer: { select: { name: true } }, customer: { select: { companyName: true, searchName: true } } },
      orderBy: { createdAt: "desc" },
      take: 500,
    });
    return subscriptions.filter((s) => s.offer.name.toLowerCase().includes(key) || s.customer.searchName.includes(key)).slice(0, 10);
  }

  async history(caller: Caller, customerId: string, limit = 20) {
    await this.customers.get(caller, customerId);
    const entries = await this.db.auditEntry.findMany({ where: { customerId }, orderBy: [{ at: "desc" }, { id: "desc" }], take: limit });
    const offerNames = new Map((await this.db.subscription.findMany({ where: { customerId }, select: { id: true, offer: { select: { name: true } } } })).map((s) => [s.id, s.offer.name]));
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

  private async transition(caller: Caller, command: { subscriptionId: string; version: number }, transition: Transition, extra: Record<string, unknown>): Promise<void> {
    const subscription = await this.get(caller, command.subscriptionId);
    const status = nextStatus(subscription.status, transition);
    await this.update(caller, subscription, command.version, { status, ...extra }, `subscription.${transition === "cancel" ? "cancelled" : `${transition}d`}`, { status: subscription.status });
  }

  private async setReseller(caller: Caller, command: { subscriptionId: string; resellerOrgId: string | null; version: number }, field: "resellerOfRecordId" | "supportContactId", action: string): Promise<void> {
    if (caller.organisation.kind !== "provider") throw new NotAllowed(action);
    const subscription = await this.get(caller, command.subscriptionId);
    if (command.resellerOrgId) await this.requireReseller(caller, command.resellerOrgId, field);
    await this.update(caller, subscription, command.version, { [field]: command.resellerOrgId }, action, { [field]: subscription[field] });
  }

  /**
   * Writes a change only if the subscription still has the version the card showed; audits it in
   * the same transaction. A change that changes nothing is neither written nor recorded.
   */
  private async update(
    caller: Caller,
    subscription: { id: string; customerId: string; offerId: string; status: string; version: number },
    version: number,
    data: Record<string, unknown>,
    action: string,
    before: Record<string, unknown>,
  ): Promise<void> {
    if (subscription.version !== version) throw new StaleVersion("subscription");
    if (Object.keys(before).every((key) => (before[key] ?? null) === (data[key] ?? null))) throw new InvalidInput([{ field: Object.keys(before)[0] ?? "subscription", code: "unchanged" }]);
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.subscription.updateMany({ where: { id: subscription.id, version }, data: { ...data, version: { increment: 1 } } });
      if (count !== 1) throw new StaleVersion("subscription");
      if (data.status === "cancelled" || data.status === "deleted") await tx.offerHold.deleteMany({ where: { subscriptionId: subscription.id } });
      const after = Object.fromEntries(Object.keys(before).map((key) => [key, data[key] ?? null]));
      await audit(tx, caller, { action, customerId: subscription.customerId, subscriptionId: subscription.id, before, after: { ...after, ...(data.suspensionReason ? { reason: data.suspensionReason } : {}), ...(data.deletionAt ? { deletionAt: (data.deletionAt as Date).toISOString() } : {}) } }, now);
    });
  }

  private async requireReseller(caller: Caller, orgId: string, field: string): Promise<void> {
    const reseller = (await this.resellersOf(caller)).find((candidate) => candidate.id === orgId);
    if (!reseller) throw new InvalidInput([{ field, code: "invalidChoice" } satisfies FieldIssue]);
  }
}
