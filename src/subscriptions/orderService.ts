/**
 * Orders, as Partner Center takes them: a cart (one line per offer, on one term and billing
 * cycle, with the reseller of record as the transaction_reseller participant), then checkout.
 * Each step carries a request id derived from the order's idempotency key, so the same submit
 * twice (double click, redelivery, restart) orders once; a checkout answered "already checked
 * out" (800065) is read back as the order. Subscriptions may appear some time after checkout:
 * such an order is followed up until they do (followUp), and its creator is then told.
 */
import { audit } from "../audit/auditLog.js";
import { lineTerm, orderable, type CatalogService, type Offer } from "../catalog/catalogService.js";
import type { CustomerService } from "../customers/customerService.js";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import { InvalidInput, NotAllowed, OfferLimitReached, type FieldIssue } from "../errors.js";
import type { Caller } from "../identity/identityService.js";
import { isPartnerCenterError, PartnerCenterError } from "../partnerCenter/errors.js";
import type { PartnerCenter } from "../partnerCenter/port.js";
import { requestIdFor } from "../partnerCenter/requestIds.js";
import { toCycle, toPcCycle, type BillingCycle, type Term } from "../partnerCenter/terms.js";
import type { PcCartLineItem, PcOrder } from "../partnerCenter/types.js";
import type { SubscriptionMirror } from "./subscriptionMirror.js";

export interface OrderLine {
  catalogItemId: string;
  quantity: number;
}

export interface PlaceOrderCommand {
  customerId: string;
  termDuration: Term;
  billingCycle: BillingCycle;
  lines: OrderLine[];
  resellerOfRecordId?: string | null;
  /** Carried by the card that submits: the same key twice places one order. */
  idempotencyKey: string;
  /** For an add-on: the base subscription it attaches to. */
  parentSubscriptionId?: string;
}

export interface OrderResult {
  created: boolean;
  orderId: string;
  subscriptionIds: string[];
  /** Partner Center is still provisioning some of the subscriptions: they will follow. */
  provisioning: boolean;
}

/** An offer of the catalog a customer holds already (one per customer): active, or suspended (reactivate instead). */
export interface OfferChoice {
  offer: Offer;
  state: "available" | "held" | "reactivate";
  subscriptionId?: string;
}

const holding = ["active", "suspended"];

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** An order whose subscriptions Partner Center has finished provisioning. */
export interface ReadyOrder {
  orderId: string;
  customerId: string;
  createdById: string;
  createdAt: Date;
  subscriptionIds: string[];
}

export class OrderService {
  constructor(
    private readonly db: Db,
    private readonly pc: PartnerCenter,
    private readonly customers: CustomerService,
    private readonly catalog: CatalogService,
    private readonly mirror: SubscriptionMirror,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The offers a customer can buy on a term and billing cycle (base offers and trials), with those it holds marked. */
  async catalogFor(caller: Caller, customerId: string, term: string, cycle: string, language = "en") {
    const customer = await this.customers.get(caller, customerId);
    const offers = (await this.catalog.offers({ country: customer.country, segment: customer.segment, language })).filter((offer) => !offer.addOnOf.length && orderable(offer, term, cycle));
    const held = new Map(customer.subscriptions.filter((s) => holding.includes(s.status)).map((s) => [`${s.productId}:${s.skuId}`, s]));
    const choices: OfferChoice[] = offers.map((offer) => {
      const holder = offer.onePerCustomer ? held.get(`${offer.productId}:${offer.skuId}`) : undefined;
      if (!holder) return { offer, state: "available" };
      return { offer, state: holder.status === "suspended" ? "reactivate" : "held", subscriptionId: holder.id };
    });
    return { customer, choices };
  }

  /** Checks order lines against the catalog: the issues, keyed by catalog item id. */
  checkLines(offers: Offer[], term: string, cycle: string, lines: OrderLine[], options: { addOns?: boolean } = {}): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const seen = new Set<string>();
    for (const line of lines) {
      const offer = offers.find((candidate) => candidate.catalogItemId === line.catalogItemId);
      if (!offer || Boolean(offer.addOnOf.length) !== Boolean(options.addOns) || !orderable(offer, term, cycle)) {
        issues.push({ field: line.catalogItemId, code: "notAvailable", params: { cycle } });
      } else if (!Number.isInteger(line.quantity) || line.quantity < offer.minLicences || line.quantity > offer.maxLicences) {
        issues.push({ field: line.catalogItemId, code: "outOfRange", params: { min: offer.minLicences, max: offer.maxLicences } });
      } else if (seen.has(offer.catalogItemId) && offer.onePerCustomer) {
        issues.push({ field: line.catalogItemId, code: "onePerCustomer" });
      }
      seen.add(line.catalogItemId);
    }
    return issues;
  }

  async place(caller: Caller, command: PlaceOrderCommand): Promise<OrderResult> {
    const replay = await this.replay(caller, command.idempotencyKey);
    if (replay) return replay;
    const customer = await this.customers.get(caller, command.customerId);
    if (!command.lines.length) throw new InvalidInput([{ field: "lines", code: "required" }]);
    const offers = await this.catalog.offers({ country: customer.country, segment: customer.segment, language: "en" });
    const issues = this.checkLines(offers, command.termDuration, command.billingCycle, command.lines, { addOns: Boolean(command.parentSubscriptionId) });
    if (issues.some((issue) => issue.code === "notAvailable" && !offers.some((offer) => offer.catalogItemId === issue.field))) {
      // An item of a catalog read before it changed.
      this.catalog.invalidate();
      throw new PartnerCenterError(400019, "The catalog changed since it was shown.", 404);
    }
    if (issues.length) throw new InvalidInput(issues);
    const chosen = command.lines.map((line) => ({ line, offer: offers.find((offer) => offer.catalogItemId === line.catalogItemId)! }));
    for (const { offer } of chosen) {
      const holder = offer.onePerCustomer && customer.subscriptions.find((s) => s.productId === offer.productId && s.skuId === offer.skuId && holding.includes(s.status));
      if (holder) throw new OfferLimitReached(offer.catalogItemId, holder.id, holder.status);
    }
    if (chosen.some(({ offer }) => offer.isNce) && !customer.mcaAttestedAt) await this.customers.requireAttestation(caller, customer.id);
    const participants = await this.resellerParticipant(caller, command.resellerOfRecordId ?? null);

    const lineItems: PcCartLineItem[] = chosen.map(({ line, offer }, index) => ({
      id: index,
      catalogItemId: line.catalogItemId,
      quantity: line.quantity,
      billingCycle: toPcCycle(lineTerm(offer, command.termDuration, command.billingCycle).cycle),
      termDuration: lineTerm(offer, command.termDuration, command.billingCycle).term,
      ...(participants ? { participants } : {}),
      ...(command.parentSubscriptionId ? { provisioningContext: { parentSubscriptionId: command.parentSubscriptionId } } : {}),
    }));
    let order: PcOrder;
    try {
      const cart = await this.pc.createCart(customer.pcCustomerId, lineItems, requestIdFor(command.idempotencyKey, "cart"));
      order = await this.checkout(customer.pcCustomerId, cart.id, cart.creationTimestamp, command.idempotencyKey);
    } catch (error) {
      if (isPartnerCenterError(error, "catalogItemChanged")) this.catalog.invalidate();
      if (isPartnerCenterError(error, "offerLimitReached") && error.details.subscriptionId) {
        const holder = await this.db.subscription.findUnique({ where: { pcSubscriptionId: String(error.details.subscriptionId) } });
        if (holder) throw new OfferLimitReached(lineItems[0].catalogItemId, holder.id, holder.status);
      }
      throw error;
    }
    const prices = new Map(chosen.map(({ offer }) => [offer.catalogItemId, { cents: offer.terms.find((term) => term.duration === lineTerm(offer, command.termDuration, command.billingCycle).term)?.monthlyPriceCents ?? 0, currency: offer.currency }]));
    return this.record(caller, customer, order, command, prices);
  }

  /** Checkout, once: the same request id again returns the order; "already checked out" reads it back. */
  private async checkout(pcCustomerId: string, cartId: string, cartCreated: string, key: string): Promise<PcOrder> {
    try {
      const result = await this.pc.checkout(pcCustomerId, cartId, requestIdFor(key, "checkout"));
      if (!result.orders.length) throw new PartnerCenterError(result.orderErrors[0]?.code ?? 800000, result.orderErrors[0]?.description ?? "Checkout made no order.", 400);
      return result.orders[0];
    } catch (error) {
      if (!isPartnerCenterError(error, "alreadyCheckedOut")) throw error;
      const orders = await this.pc.listOrders(pcCustomerId);
      const made = orders.find((order) => new Date(order.creationDate).getTime() >= new Date(cartCreated).getTime());
      if (!made) throw error;
      return made;
    }
  }

  /** The order in the mirror, with the subscriptions Partner Center has already provisioned. */
  private async record(
    caller: Caller,
    customer: { id: string; pcCustomerId: string; providerOrgId: string; openedAt: Date; firstBillingAt: Date | null },
    order: PcOrder,
    command: PlaceOrderCommand,
    prices: Map<string, { cents: number; currency: string }>,
  ): Promise<OrderResult> {
    const provisioned = await Promise.all(order.lineItems.filter((line) => line.subscriptionId).map((line) => this.pc.getSubscription(customer.pcCustomerId, line.subscriptionId!)));
    const pending = order.lineItems.some((line) => !line.subscriptionId);
    const now = this.now();
    try {
      return await this.db.$transaction(async (tx) => {
        const mirrored = await tx.order.create({
          data: { customerId: customer.id, pcOrderId: order.id, status: order.status, provisioning: pending, billingCycle: command.billingCycle, idempotencyKey: command.idempotencyKey, resellerOfRecordId: command.resellerOfRecordId ?? null, createdById: caller.userId, createdAt: now },
        });
        const ids: string[] = [];
        for (const pc of provisioned) {
          const price = prices.get(pc.offerId);
          const { id } = await this.mirror.write(tx, customer, pc, { create: { createdById: caller.userId, orderId: mirrored.id, unitPriceCents: price?.cents ?? 0, currency: price?.currency } });
          ids.push(id);
          await audit(tx, caller, { action: command.parentSubscriptionId ? "subscription.addOnAdded" : "subscription.created", customerId: customer.id, subscriptionId: id, after: { offer: pc.offerName, licences: pc.quantity, billingCycle: toCycle(pc.billingCycle), termDuration: pc.termDuration, ...(command.resellerOfRecordId ? { resellerOfRecordId: command.resellerOfRecordId } : {}) } }, now);
        }
        if (!customer.firstBillingAt && provisioned.some((pc) => !pc.isTrial)) await tx.customer.update({ where: { id: customer.id }, data: { firstBillingAt: now } });
        return { created: true, orderId: mirrored.id, subscriptionIds: ids, provisioning: pending };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const replay = await this.replay(caller, command.idempotencyKey);
      if (!replay) throw error;
      return replay;
    }
  }

  private async replay(caller: Caller, key: string): Promise<OrderResult | undefined> {
    const existing = await this.db.order.findUnique({ where: { idempotencyKey: key }, include: { subscriptions: { select: { id: true } }, customer: true } });
    if (!existing) return undefined;
    this.customers.requireAccess(caller, existing.customer);
    return { created: false, orderId: existing.id, subscriptionIds: existing.subscriptions.map((s) => s.id), provisioning: existing.provisioning };
  }

  /** The reseller of record as a cart participant (its PartnerID); refused if it has not signed the partner agreement. */
  private async resellerParticipant(caller: Caller, resellerOrgId: string | null): Promise<{ key: string; value: string }[] | undefined> {
    if (!resellerOrgId) return undefined;
    if (caller.organisation.kind !== "provider") throw new NotAllowed("order.resellerOfRecord");
    const org = await this.db.organisation.findUnique({ where: { id: resellerOrgId } });
    const active = org && (await this.db.partnership.count({ where: { providerOrgId: caller.organisation.id, resellerOrgId, status: "active" } }));
    if (!org?.tenantId || !active) throw new InvalidInput([{ field: "resellerOfRecordId", code: "invalidChoice" }]);
    const relationship = (await this.pc.indirectResellers()).find((reseller) => reseller.id === org.tenantId);
    if (!relationship) throw new InvalidInput([{ field: "resellerOfRecordId", code: "invalidChoice" }]);
    if (org.mpnId !== relationship.mpnId) await this.db.organisation.update({ where: { id: org.id }, data: { mpnId: relationship.mpnId } });
    if (!(await this.pc.resellerAgreementSigned(relationship.mpnId))) throw new PartnerCenterError(900123, "The indirect reseller has not signed the Microsoft Partner Agreement.", 403, undefined, { reseller: org.name });
    return [{ key: "transaction_reseller", value: relationship.mpnId }];
  }

  /**
   * Orders whose subscriptions were still being provisioned: read again, and mirrored once they
   * appear. Returns the orders that became complete (their creators are to be told).
   */
  async followUp(onReady?: (tx: Tx, order: ReadyOrder) => Promise<void>): Promise<ReadyOrder[]> {
    const pending = await this.db.order.findMany({ where: { provisioning: true }, include: { customer: true }, take: 100 });
    const completed: ReadyOrder[] = [];
    for (const order of pending) {
      if (!order.pcOrderId) continue;
      const pc = await this.pc.getOrder(order.customer.pcCustomerId, order.pcOrderId);
      if (pc.lineItems.some((line) => !line.subscriptionId)) continue;
      const subscriptions = await Promise.all(pc.lineItems.map((line) => this.pc.getSubscription(order.customer.pcCustomerId, line.subscriptionId!)));
      const offers = await this.catalog.offers({ country: order.customer.country, segment: order.customer.segment, language: "en" });
      const priceOf = (offerId: string, term: string) => {
        const [productId, skuId] = offerId.split(":");
        const offer = offers.find((candidate) => candidate.productId === productId && candidate.skuId === skuId);
        return { unitPriceCents: offer?.terms.find((candidate) => candidate.duration === term)?.monthlyPriceCents ?? 0, currency: offer?.currency ?? "USD" };
      };
      const ids = await this.db.$transaction(async (tx) => {
        const claimed = await tx.order.updateMany({ where: { id: order.id, provisioning: true }, data: { provisioning: false, status: pc.status } });
        if (claimed.count !== 1) return undefined;
        const written: string[] = [];
        for (const subscription of subscriptions) written.push((await this.mirror.write(tx, order.customer, subscription, { create: { createdById: order.createdById, orderId: order.id, ...priceOf(subscription.offerId, subscription.termDuration) } })).id);
        if (!order.customer.firstBillingAt && subscriptions.some((subscription) => !subscription.isTrial)) await tx.customer.update({ where: { id: order.customerId }, data: { firstBillingAt: this.now() } });
        await onReady?.(tx, { orderId: order.id, customerId: order.customerId, createdById: order.createdById, createdAt: order.createdAt, subscriptionIds: written });
        return written;
      });
      if (ids) completed.push({ orderId: order.id, customerId: order.customerId, createdById: order.createdById, createdAt: order.createdAt, subscriptionIds: ids });
    }
    return completed;
  }
}
