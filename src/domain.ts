/**
 * The partner domain, assembled: the services in src/ over one database and one Partner Center
 * adapter (the embedded sandbox by default). The Teams edge and the tests build it here, so that
 * every part sees the same port, catalog cache, mirror and clock.
 */
import { ApprovalService } from "./approvals/approvalService.js";
import { CatalogService } from "./catalog/catalogService.js";
import { CustomerImport } from "./customers/customerImport.js";
import { CustomerService } from "./customers/customerService.js";
import type { Db } from "./db/database.js";
import type { PartnerCenter } from "./partnerCenter/port.js";
import type { PartnerCenterSync } from "./reminders/reminderScheduler.js";
import { EmbeddedPartnerCenter } from "./partnerCenter/sandbox/embeddedPartnerCenter.js";
import { PartnershipService } from "./resellers/partnershipService.js";
import { ResellerSync } from "./resellers/resellerSync.js";
import type { SecretBox } from "./security/secretBox.js";
import { OrderService } from "./subscriptions/orderService.js";
import { SubscriptionMirror } from "./subscriptions/subscriptionMirror.js";
import { SubscriptionService } from "./subscriptions/subscriptionService.js";

export interface DomainOptions {
  secrets: SecretBox;
  /** The Partner Center adapter; the embedded sandbox on the same database when not given. */
  partnerCenter?: PartnerCenter;
  /** The provider's tenant id, once known (for the sandbox's relationship request links). */
  providerTenantId?: () => Promise<string | undefined>;
  /** Embedded sandbox: how long checked-out subscriptions take to appear. */
  provisioningLagMs?: number;
  now?: () => Date;
}

export type Domain = ReturnType<typeof createDomain>;

export function createDomain(db: Db, options: DomainOptions) {
  const now = options.now ?? (() => new Date());
  const pc = options.partnerCenter ?? new EmbeddedPartnerCenter(db, { secrets: options.secrets, now, provisioningLagMs: options.provisioningLagMs, partnerTenantId: options.providerTenantId ?? (async () => undefined) });
  const catalog = new CatalogService(pc);
  const customers = new CustomerService(db, pc, { secrets: options.secrets, now });
  const mirror = new SubscriptionMirror(db, pc, now);
  const orders = new OrderService(db, pc, customers, catalog, mirror, now);
  const subscriptions = new SubscriptionService(db, pc, customers, orders, catalog, mirror, now);
  const partnerships = new PartnershipService(db, { now, confirmInPartnerCenter: pc.kind === "api" });
  const resellerSync = new ResellerSync(db, pc);
  const customerImport = new CustomerImport(db, pc, mirror, now);
  const approvals = new ApprovalService(db, orders, subscriptions, now);
  /** What the reminder sweep reads Partner Center with. */
  const sync: PartnerCenterSync = {
    pc,
    mirror,
    orders,
    convertsTo: async (subscription) => {
      const customer = await db.customer.findUnique({ where: { id: subscription.customerId }, select: { country: true, segment: true } });
      if (!customer) return null;
      const offers = await catalog.offers({ country: customer.country, segment: customer.segment, language: "en" });
      return offers.find((offer) => offer.productId === subscription.productId && offer.skuId === subscription.skuId)?.convertsTo ?? null;
    },
  };
  return { pc, catalog, customers, mirror, orders, subscriptions, partnerships, resellerSync, customerImport, approvals, sync, now };
}
