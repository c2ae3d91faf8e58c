/**
 * The embedded Partner Center: the default adapter of the Partner Center port. It keeps Partner
 * Center's side of things in the bot's own database (tables Pc*) and behaves like Partner
 * Center's integration sandbox: the same shapes and error codes, the same New Commerce rules
 * (subscriptionRules.ts), customers with a generated admin account and temporary password shown
 * once, carts and checkout with provisioning that can lag behind (configurable), requests made
 * idempotent by their MS-RequestId, and time passing (renewals, expiries) as it is read.
 * Its indirect resellers are the provider's active partnerships: in embedded mode, accepting the
 * partnership in Teams is accepting it in Partner Center.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Db } from "../../db/database.js";
import { isUniqueViolation } from "../../db/errors.js";
import { generateTemporaryPassword, hashGeneratedPassword } from "../../security/password.js";
import type { SecretBox } from "../../security/secretBox.js";
import { PartnerCenterError } from "../errors.js";
import type { PartnerCenter } from "../port.js";
import { cycleMonths, DAY, termEnd, toPcCycle } from "../terms.js";
import type {
  AddressValidation,
  CatalogEntry,
  CheckoutResult,
  NewCustomer,
  PcAddress,
  PcAgreement,
  PcCart,
  PcCartLineItem,
  PcCustomer,
  PcIndirectReseller,
  PcOrder,
  PcOrderLineItem,
  PcSubscription,
} from "../types.js";
import { SandboxCatalog } from "./sandboxCatalog.js";
import { advance, applyPatch, isNce, toResource, type SandboxSubscription } from "./subscriptionRules.js";
import { relationshipRequestUrl } from "../../customers/relationshipRequest.js";

export const MCA_TEMPLATE_ID = "117a4d8f-7a31-4b0c-9d7e-6c1b2a3f4e55";
/** Countries where a customer needs an organization registration number. */
const registrationCountries = new Set(["AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"]);

export interface EmbeddedOptions {
  secrets: SecretBox;
  now?: () => Date;
  /** How long checked-out subscriptions take to appear (0: at once, the default). */
  provisioningLagMs?: number;
  /** The partner's own tenant id (the provider's), for relationship request links. */
  partnerTenantId: () => Promise<string | undefined>;
  catalog?: SandboxCatalog;
  /**
   * Where its indirect resellers come from: the bot's active partnerships (the default: in embedded
   * mode, accepting in Teams is accepting in Partner Center), or only its own table (a stand-in
   * for the real Partner Center, where a partnership exists once the reseller accepted there).
   */
  resellers?: "partnerships" | "own";
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const fail = (httpStatus: number, code: number, description: string, details: Record<string, string | number> = {}) => new PartnerCenterError(code, description, httpStatus, undefined, details);

export class EmbeddedPartnerCenter implements PartnerCenter {
  readonly kind = "embedded" as const;
  readonly catalogData: SandboxCatalog;
  private readonly now: () => Date;

  constructor(
    private readonly db: Db,
    private readonly options: EmbeddedOptions,
  ) {
    this.catalogData = options.catalog ?? new SandboxCatalog();
    this.now = options.now ?? (() => new Date());
  }

  // ---- customers -------------------------------------------------------------------------

  async isDomainAvailable(domain: string): Promise<boolean> {
    return (await this.db.pcCustomer.count({ where: { domain: domain.toLowerCase() } })) === 0;
  }

  async validateAddress(address: Omit<PcAddress, "firstName" | "lastName" | "phoneNumber">): Promise<AddressValidation> {
    const patterns: Record<string, RegExp> = { US: /^\d{5}(-\d{4})?$/, FR: /^\d{5}$/, DE: /^\d{5}$/, CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i, GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i };
    const pattern = patterns[address.country];
    if (!pattern) return { status: "NotValidated", suggestedAddresses: [] };
    return pattern.test(address.postalCode.trim())
      ? { status: "Verified", suggestedAddresses: [] }
      : { status: "InteractionRequired", suggestedAddresses: [], validationMessage: `The postal code is not valid for ${address.country}.` };
  }

  async createCustomer(customer: NewCustomer, requestId: string): Promise<PcCustomer> {
    try {
      return await this.createCustomerOnce(customer, requestId);
    } catch (error) {
      // Another request took the domain between the check and the insert.
      if (isUniqueViolation(error)) throw fail(400, 600070, `The domain ${customer.companyProfile.domain} is not available.`);
      throw error;
    }
  }

  private async createCustomerOnce(customer: NewCustomer, requestId: string): Promise<PcCustomer> {
    return this.idempotent(requestId, "createCustomer", async (tx) => {
      const domain = customer.companyProfile.domain.toLowerCase();
      const country = customer.billingProfile.defaultAddress.country;
      if (registrationCountries.has(country) && !customer.companyProfile.organizationRegistrationNumber) throw fail(400, 600049, "An organization registration number is required for this country.");
      if (await tx.pcCustomer.count({ where: { domain } })) throw fail(400, 600070, `The domain ${domain} is not available.`);
      if (customer.associatedPartnerId && !(await this.activeReseller(customer.associatedPartnerId, tx))) throw fail(400, 600056, "The associated partner is not an active indirect reseller of this partner.");
      const id = randomUUID();
      const password = generateTemporaryPassword();
      const now = this.now();
      const etag = randomUUID();
      await tx.pcCustomer.create({
        data: {
          id,
          commerceId: randomUUID(),
          domain,
          companyName: customer.billingProfile.companyName,
          billingProfile: JSON.stringify(customer.billingProfile),
          associatedPartnerId: customer.associatedPartnerId ?? null,
          adminUserName: `admin@${domain}`,
          adminPasswordHash: await hashGeneratedPassword(password),
          etag,
          createdAt: now,
        },
      });
      const created = await tx.pcCustomer.findUniqueOrThrow({ where: { id } });
      return { ...this.customerResource(created), userCredentials: { userName: `admin@${domain}`, password } };
    });
  }

  async getCustomer(customerId: string): Promise<PcCustomer> {
    const row = await this.db.pcCustomer.findUnique({ where: { id: customerId } });
    if (!row) throw fail(404, 600008, "The customer was not found.");
    return this.customerResource(row);
  }

  async listCustomers(query: { resellerTenantId?: string; continuationToken?: string }): Promise<{ items: PcCustomer[]; continuationToken?: string }> {
    const size = 40;
    const skip = query.continuationToken ? Number(Buffer.from(query.continuationToken, "base64url").toString("utf8")) || 0 : 0;
    const rows = await this.db.pcCustomer.findMany({ where: query.resellerTenantId ? { associatedPartnerId: query.resellerTenantId } : {}, orderBy: { createdAt: "asc" }, skip, take: size + 1 });
    return { items: rows.slice(0, size).map((row) => this.customerResource(row)), continuationToken: rows.length > size ? Buffer.from(String(skip + size)).toString("base64url") : undefined };
  }

  async customerAgreementTemplateId(): Promise<string> {
    return MCA_TEMPLATE_ID;
  }

  async createAgreement(customerId: string, agreement: PcAgreement, requestId: string): Promise<PcAgreement> {
    return this.idempotent(requestId, "createAgreement", async (tx) => {
      if (!(await tx.pcCustomer.count({ where: { id: customerId } }))) throw fail(404, 600008, "The customer was not found.");
      if (agreement.templateId !== MCA_TEMPLATE_ID || agreement.type !== "MicrosoftCustomerAgreement") throw fail(400, 600041, "The agreement template is not valid.");
      if (!agreement.primaryContact?.email || !agreement.primaryContact.firstName || !agreement.primaryContact.lastName) throw fail(400, 600042, "The primary contact is incomplete.");
      await tx.pcAgreement.create({ data: { customerId, templateId: agreement.templateId, type: agreement.type, dateAgreed: agreement.dateAgreed, primaryContact: JSON.stringify(agreement.primaryContact), createdAt: this.now() } });
      return agreement;
    });
  }

  async listAgreements(customerId: string): Promise<PcAgreement[]> {
    const rows = await this.db.pcAgreement.findMany({ where: { customerId }, orderBy: { createdAt: "asc" } });
    return rows.map((row) => ({ templateId: row.templateId, type: row.type, dateAgreed: row.dateAgreed, primaryContact: JSON.parse(row.primaryContact) as PcAgreement["primaryContact"] }));
  }

  // ---- catalog, carts, orders -------------------------------------------------------------

  async catalog(query: { country: string; segment: string; language: string }): Promise<CatalogEntry[]> {
    return this.catalogData.entries(query.country, query.segment, query.language);
  }

  async createCart(customerId: string, lineItems: PcCartLineItem[], requestId: string): Promise<PcCart> {
    return this.idempotent(requestId, "createCart", async (tx) => {
      const customer = await tx.pcCustomer.findUnique({ where: { id: customerId } });
      if (!customer) throw fail(404, 600008, "The customer was not found.");
      const country = (JSON.parse(customer.billingProfile) as { defaultAddress: PcAddress }).defaultAddress.country;
      const attested = (await tx.pcAgreement.count({ where: { customerId } })) > 0;
      const held = await tx.pcSubscription.findMany({ where: { customerId, status: { in: ["active", "suspended"] } }, select: { productId: true, skuId: true, id: true, status: true } });
      const priced: PcCartLineItem[] = [];
      for (const line of lineItems) {
        const item = this.catalogData.resolve(line.catalogItemId, country);
        if (!item) throw fail(404, 400019, `The catalog item ${line.catalogItemId} was not found: read the catalog again.`);
        const term = item.sku.terms.find((candidate) => candidate.duration === line.termDuration && candidate.billingCycles.some((cycle) => cycle.toLowerCase() === String(line.billingCycle).toLowerCase()));
        if (!term) throw fail(400, 10020, `${item.sku.title} is not sold on a ${line.termDuration} term billed ${line.billingCycle}.`);
        if (!Number.isInteger(line.quantity) || line.quantity < item.sku.minimumQuantity || line.quantity > item.sku.maximumQuantity) {
          throw fail(400, 10015, `Quantity must be between ${item.sku.minimumQuantity} and ${item.sku.maximumQuantity}.`, { min: item.sku.minimumQuantity, max: item.sku.maximumQuantity });
        }
        if ((item.sku.onePerCustomer || item.sku.isTrial) && held.some((sub) => sub.productId === item.product.id && sub.skuId === item.sku.id)) {
          const holder = held.find((sub) => sub.productId === item.product.id && sub.skuId === item.sku.id)!;
          throw fail(400, 800002, `${item.sku.title} is limited to one subscription per customer.`, { subscriptionId: holder.id, status: holder.status });
        }
        const parent = line.provisioningContext?.parentSubscriptionId;
        if (item.sku.addOnOf && item.sku.addOnOf.length) {
          const base = parent ? await tx.pcSubscription.findUnique({ where: { id: parent } }) : null;
          if (!base || base.customerId !== customerId || base.status !== "active" || !item.sku.addOnOf.includes(base.productId)) throw fail(400, 10030, `${item.sku.title} is an add-on: it needs an active base subscription it attaches to.`);
        }
        const reseller = line.participants?.find((participant) => participant.key === "transaction_reseller")?.value;
        if (reseller) {
          const known = await tx.pcReseller.findUnique({ where: { mpnId: reseller } });
          if (!known) throw fail(400, 900124, `${reseller} is not an indirect reseller of this partner.`);
          if (!known.agreementSigned) throw fail(403, 900123, "The indirect reseller has not signed the Microsoft Partner Agreement.", { mpnId: reseller });
        }
        const listPrice = (term.unitPrice * cycleMonths(String(line.billingCycle))) / 1;
        priced.push({
          ...line,
          orderGroup: "0",
          pricing: { listPrice: round(listPrice), price: round(listPrice), extendedPrice: round(listPrice * line.quantity) },
          ...(isNce(item.product.productType) && !attested ? { error: { errorCode: 10012, errorDescription: "The customer has not attested the Microsoft Customer Agreement." } } : {}),
        });
      }
      const now = this.now();
      const id = randomUUID();
      await tx.pcCart.create({ data: { id, customerId, lineItems: JSON.stringify(priced), status: "Active", createdAt: now, expiresAt: new Date(now.getTime() + 7 * DAY) } });
      return { id, creationTimestamp: now.toISOString(), expirationTimestamp: new Date(now.getTime() + 7 * DAY).toISOString(), status: "Active", lineItems: priced };
    });
  }

  async checkout(customerId: string, cartId: string, requestId: string): Promise<CheckoutResult> {
    return this.idempotent(requestId, "checkout", async (tx) => {
      const cart = await tx.pcCart.findUnique({ where: { id: cartId } });
      if (!cart || cart.customerId !== customerId) throw fail(404, 800004, "The cart was not found.");
      // Claiming the cart is what makes two concurrent checkouts collide: one wins.
      const claimed = await tx.pcCart.updateMany({ where: { id: cartId, status: "Active" }, data: { status: "Ordered" } });
      if (claimed.count !== 1) throw fail(400, 800065, "The cart has already been checked out.");
      const now = this.now();
      if (cart.expiresAt <= now) throw fail(400, 800005, "The cart has expired.");
      const lines = JSON.parse(cart.lineItems) as PcCartLineItem[];
      if (lines.some((line) => line.error?.errorCode === 10012)) throw fail(403, 13605, "The customer has not attested the Microsoft Customer Agreement.");
      // Touching the customer serializes concurrent checkouts of its carts (a row lock on PostgreSQL),
      // so that the one-per-customer check below sees what the other one bought.
      const customer = await tx.pcCustomer.update({ where: { id: customerId }, data: { etag: randomUUID() } });
      const country = (JSON.parse(customer.billingProfile) as { defaultAddress: PcAddress }).defaultAddress.country;
      const held = await tx.pcSubscription.findMany({ where: { customerId, status: { in: ["active", "suspended"] } }, select: { productId: true, skuId: true, id: true, status: true } });
      for (const line of lines) {
        const item = this.catalogData.resolve(line.catalogItemId, country);
        const holder = item && (item.sku.onePerCustomer || item.sku.isTrial) ? held.find((sub) => sub.productId === item.product.id && sub.skuId === item.sku.id) : undefined;
        if (holder) throw fail(400, 800002, `${item!.sku.title} is limited to one subscription per customer.`, { subscriptionId: holder.id, status: holder.status });
      }
      const lag = this.options.provisioningLagMs ?? 0;
      const orderId = randomUUID();
      const orderLines: PcOrderLineItem[] = [];
      for (const [index, line] of lines.entries()) {
        const item = this.catalogData.resolve(line.catalogItemId, country);
        if (!item) throw fail(404, 400019, `The catalog item ${line.catalogItemId} changed since the cart was made.`);
        const subscriptionId = randomUUID();
        const trialTerm = item.sku.isTrial ? new Date(now.getTime() + (item.sku.trialDays ?? 30) * DAY) : undefined;
        await tx.pcSubscription.create({
          data: {
            id: subscriptionId,
            customerId,
            orderId,
            productId: item.product.id,
            skuId: item.sku.id,
            availabilityId: item.availabilityId,
            offerName: item.sku.title,
            productType: item.product.productType,
            quantity: line.quantity,
            status: "active",
            autoRenewEnabled: !item.sku.isTrial,
            creationDate: now,
            effectiveStartDate: now,
            termStartDate: now,
            commitmentEndDate: trialTerm ?? termEnd(now, line.termDuration),
            termDuration: line.termDuration,
            billingCycle: toPcCycle(String(line.billingCycle).toLowerCase()),
            seatBatches: JSON.stringify([{ quantity: line.quantity, addedAt: now }]),
            partnerId: line.participants?.find((participant) => participant.key === "transaction_reseller")?.value ?? null,
            parentSubscriptionId: line.provisioningContext?.parentSubscriptionId ?? null,
            isTrial: item.sku.isTrial,
            etag: randomUUID(),
            visibleAt: new Date(now.getTime() + lag),
          },
        });
        orderLines.push({
          lineItemNumber: index,
          offerId: line.catalogItemId,
          subscriptionId,
          termDuration: line.termDuration,
          billingCycle: toPcCycle(String(line.billingCycle).toLowerCase()),
          transactionType: "New",
          friendlyName: item.sku.title,
          quantity: line.quantity,
          partnerIdOnRecord: line.participants?.find((participant) => participant.key === "transaction_reseller")?.value,
          pricing: { listPrice: line.pricing?.listPrice ?? 0, extendedPrice: line.pricing?.extendedPrice ?? 0 },
        });
      }
      await tx.pcOrder.create({
        data: { id: orderId, customerId, cartId, status: lag ? "pending" : "completed", billingCycle: orderLines[0]?.billingCycle ?? "Monthly", currencyCode: this.catalogData.currency, lineItems: JSON.stringify(orderLines), createdAt: now, provisionedAt: new Date(now.getTime() + lag) },
      });
      await tx.pcCart.update({ where: { id: cartId }, data: { orderIds: JSON.stringify([orderId]) } });
      const order = this.orderResource(await tx.pcOrder.findUniqueOrThrow({ where: { id: orderId } }), now);
      return { orders: [order], orderErrors: [] };
    });
  }

  async getOrder(customerId: string, orderId: string): Promise<PcOrder> {
    const row = await this.db.pcOrder.findUnique({ where: { id: orderId } });
    if (!row || row.customerId !== customerId) throw fail(404, 800006, "The order was not found.");
    return this.orderResource(row, this.now());
  }

  async listOrders(customerId: string): Promise<PcOrder[]> {
    const now = this.now();
    return (await this.db.pcOrder.findMany({ where: { customerId }, orderBy: { createdAt: "desc" } })).map((row) => this.orderResource(row, now));
  }

  // ---- subscriptions ----------------------------------------------------------------------

  async listSubscriptions(customerId: string): Promise<PcSubscription[]> {
    const now = this.now();
    const rows = await this.db.pcSubscription.findMany({ where: { customerId, visibleAt: { lte: now } }, orderBy: { creationDate: "asc" } });
    const subscriptions: PcSubscription[] = [];
    for (const row of rows) subscriptions.push(toResource(await this.current(row), now));
    return subscriptions;
  }

  async getSubscription(customerId: string, subscriptionId: string): Promise<PcSubscription> {
    const now = this.now();
    const row = await this.db.pcSubscription.findUnique({ where: { id: subscriptionId } });
    if (!row || row.customerId !== customerId || row.visibleAt > now) throw fail(404, 800013, "The subscription was not found.");
    return toResource(await this.current(row), now);
  }

  async updateSubscription(customerId: string, requested: PcSubscription, requestId: string): Promise<PcSubscription> {
    return this.idempotent(requestId, "updateSubscription", async (tx) => {
      const now = this.now();
      const row = await tx.pcSubscription.findUnique({ where: { id: requested.id } });
      if (!row || row.customerId !== customerId || row.visibleAt > now) throw fail(404, 800013, "The subscription was not found.");
      const sub = fromRow(row);
      const retention = await this.legacyRetentionDays(customerId, tx);
      if (advance(sub, now, () => retention)) sub.etag = randomUUID();
      if (requested.attributes?.etag !== row.etag) throw fail(400, 2055, "The subscription was changed since it was read: read it again (ETag mismatch).");
      const known = this.catalogData.find(sub.productId, sub.skuId);
      applyPatch(sub, requested, now, { min: known?.sku.minimumQuantity ?? 1, max: known?.sku.maximumQuantity ?? 1_000_000 });
      sub.etag = randomUUID();
      await tx.pcSubscription.update({ where: { id: sub.id }, data: toRow(sub) });
      return toResource(sub, now);
    });
  }

  // ---- indirect resellers ----------------------------------------------------------------

  async indirectResellers(): Promise<PcIndirectReseller[]> {
    if (this.options.resellers === "own") {
      const rows = await this.db.pcReseller.findMany({ where: { state: "Active" }, orderBy: { createdAt: "asc" } });
      return rows.map((row) => ({ id: row.tenantId, name: row.name, relationshipType: "IsIndirectCloudSolutionProviderOf", state: row.state, mpnId: row.mpnId, location: "" }));
    }
    const partnerships = await this.db.partnership.findMany({ where: { status: "active", resellerOrgId: { not: null } }, select: { resellerOrgId: true, companyName: true } });
    const orgs = await this.db.organisation.findMany({ where: { id: { in: partnerships.map((p) => p.resellerOrgId!) } } });
    const resellers: PcIndirectReseller[] = [];
    for (const org of orgs) {
      if (!org.tenantId) continue;
      const row = await this.resellerRow(org.tenantId, org.name);
      resellers.push({ id: row.tenantId, name: row.name, relationshipType: "IsIndirectCloudSolutionProviderOf", state: "Active", mpnId: row.mpnId, location: "" });
    }
    return resellers;
  }

  async resellerAgreementSigned(mpnId: string): Promise<boolean> {
    return (await this.db.pcReseller.findUnique({ where: { mpnId } }))?.agreementSigned ?? false;
  }

  async relationshipRequestUrl(resellerTenantId?: string): Promise<string> {
    const partner = await this.options.partnerTenantId();
    if (!partner) throw fail(404, 600010, "The partner's tenant is not known yet.");
    return relationshipRequestUrl({ providerTenantId: partner, resellerTenantId });
  }

  /** Sandbox control, as the integration sandbox's test accounts allow: a reseller that has (not) signed the partner agreement. */
  async setResellerAgreementSigned(tenantId: string, signed: boolean): Promise<void> {
    await this.db.pcReseller.update({ where: { tenantId }, data: { agreementSigned: signed } });
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Runs a mutation once per request id: the same id again returns the first answer (a password in it sealed at rest). */
  private async idempotent<T>(requestId: string, operation: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    const stored = await this.db.pcRequest.findUnique({ where: { requestId } });
    if (stored) return this.unseal<T>(stored.response, requestId);
    try {
      return await this.db.$transaction(async (tx) => {
        const result = await work(tx);
        await tx.pcRequest.create({ data: { requestId, operation, response: this.seal(result, requestId), createdAt: this.now() } });
        return result;
      });
    } catch (error) {
      // The same request, sent twice at once: the one that committed first answers both.
      const winner = await this.db.pcRequest.findUnique({ where: { requestId } });
      if (!winner) throw error;
      return this.unseal<T>(winner.response, requestId);
    }
  }

  private seal(result: unknown, requestId: string): string {
    const credentials = (result as { userCredentials?: { userName: string; password: string } }).userCredentials;
    if (!credentials) return JSON.stringify(result);
    return JSON.stringify({ ...(result as object), userCredentials: { userName: credentials.userName, sealedPassword: this.options.secrets.seal(credentials.password, `pc-request:${requestId}`) } });
  }

  private unseal<T>(response: string, requestId: string): T {
    const parsed = JSON.parse(response) as { userCredentials?: { userName: string; sealedPassword?: string } };
    if (parsed.userCredentials?.sealedPassword) {
      return { ...parsed, userCredentials: { userName: parsed.userCredentials.userName, password: this.options.secrets.open(parsed.userCredentials.sealedPassword, `pc-request:${requestId}`) } } as T;
    }
    return parsed as T;
  }

  /** A subscription brought to now (renewed, expired, deleted as time passed), saved if it changed. */
  private async current(row: Parameters<typeof fromRow>[0]): Promise<SandboxSubscription> {
    const sub = fromRow(row);
    const retention = await this.legacyRetentionDays(sub.customerId);
    if (advance(sub, this.now(), () => retention)) {
      sub.etag = randomUUID();
      await this.db.pcSubscription.updateMany({ where: { id: sub.id, etag: row.etag }, data: toRow(sub) });
    }
    return sub;
  }

  /** Legacy retention: 90 days, plus the days between the account's opening and its first paid subscription, 120 at most. */
  private async legacyRetentionDays(customerId: string, db: Tx | Db = this.db): Promise<number> {
    const customer = await db.pcCustomer.findUnique({ where: { id: customerId }, select: { createdAt: true } });
    const firstPaid = await db.pcSubscription.findFirst({ where: { customerId, isTrial: false }, orderBy: { creationDate: "asc" }, select: { creationDate: true } });
    if (!customer || !firstPaid) return 90;
    return Math.min(120, 90 + Math.max(0, Math.floor((firstPaid.creationDate.getTime() - customer.createdAt.getTime()) / DAY)));
  }

  /** Sandbox control: an indirect reseller accepts the partner's invitation in Partner Center. */
  async addReseller(reseller: { tenantId: string; name: string; mpnId: string; agreementSigned?: boolean }): Promise<void> {
    await this.db.pcReseller.upsert({ where: { tenantId: reseller.tenantId }, create: { ...reseller, agreementSigned: reseller.agreementSigned ?? true, state: "Active", createdAt: this.now() }, update: { state: "Active" } });
  }

  private async activeReseller(tenantId: string, tx: Tx): Promise<boolean> {
    if (this.options.resellers === "own") return Boolean(await tx.pcReseller.findFirst({ where: { tenantId, state: "Active" } }));
    const org = await tx.organisation.findUnique({ where: { tenantId } });
    return Boolean(org && org.kind === "reseller" && (await tx.partnership.count({ where: { resellerOrgId: org.id, status: "active" } })));
  }

  /** The reseller's record in Partner Center: a PartnerID made up once, and its agreement status. */
  private async resellerRow(tenantId: string, name: string) {
    const existing = await this.db.pcReseller.findUnique({ where: { tenantId } });
    if (existing) return existing;
    const mpnId = String(6_000_000 + (parseInt(createHash("sha1").update(tenantId).digest("hex").slice(0, 8), 16) % 3_000_000));
    try {
      return await this.db.pcReseller.create({ data: { tenantId, name, mpnId, state: "Active", agreementSigned: true, createdAt: this.now() } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.db.pcReseller.findUniqueOrThrow({ where: { tenantId } });
    }
  }

  private customerResource(row: { id: string; commerceId: string; domain: string; companyName: string; billingProfile: string; associatedPartnerId: string | null; etag: string }): PcCustomer {
    return {
      id: row.id,
      commerceId: row.commerceId,
      companyProfile: { tenantId: row.id, domain: row.domain, companyName: row.companyName },
      billingProfile: { ...(JSON.parse(row.billingProfile) as PcCustomer["billingProfile"]), attributes: { etag: row.etag } },
      relationshipToPartner: row.associatedPartnerId ? "reseller" : "none",
      associatedPartnerId: row.associatedPartnerId ?? undefined,
      attributes: { etag: row.etag, objectType: "Customer" },
    };
  }

  private orderResource(row: { id: string; customerId: string; status: string; billingCycle: string; currencyCode: string; lineItems: string; createdAt: Date; provisionedAt: Date }, now: Date): PcOrder {
    const provisioned = row.provisionedAt <= now;
    const lines = JSON.parse(row.lineItems) as PcOrderLineItem[];
    return {
      id: row.id,
      referenceCustomerId: row.customerId,
      billingCycle: row.billingCycle,
      currencyCode: row.currencyCode,
      status: provisioned ? "completed" : "pending",
      creationDate: row.createdAt.toISOString(),
      // Subscription ids appear once provisioning is done.
      lineItems: lines.map((line) => (provisioned ? line : { ...line, subscriptionId: undefined })),
    };
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

type SubscriptionRow = {
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
  commitmentEndDate: Date;
  termDuration: string;
  billingCycle: string;
  seatBatches: string;
  scheduledNextTerm: string | null;
  partnerId: string | null;
  parentSubscriptionId: string | null;
  isTrial: boolean;
  suspensionReasons: string;
  suspendedAt: Date | null;
  etag: string;
  updateCount: number;
  visibleAt: Date;
};

function fromRow(row: SubscriptionRow): SandboxSubscription {
  return {
    ...row,
    seatBatches: (JSON.parse(row.seatBatches) as { quantity: number; addedAt: string }[]).map((batch) => ({ quantity: batch.quantity, addedAt: new Date(batch.addedAt) })),
    scheduledNextTerm: row.scheduledNextTerm ? JSON.parse(row.scheduledNextTerm) : null,
    suspensionReasons: JSON.parse(row.suspensionReasons) as string[],
  };
}

function toRow(sub: SandboxSubscription) {
  return {
    productId: sub.productId,
    skuId: sub.skuId,
    availabilityId: sub.availabilityId,
    quantity: sub.quantity,
    status: sub.status,
    autoRenewEnabled: sub.autoRenewEnabled,
    termStartDate: sub.termStartDate,
    commitmentEndDate: sub.commitmentEndDate,
    termDuration: sub.termDuration,
    billingCycle: sub.billingCycle,
    seatBatches: JSON.stringify(sub.seatBatches),
    scheduledNextTerm: sub.scheduledNextTerm ? JSON.stringify(sub.scheduledNextTerm) : null,
    partnerId: sub.partnerId,
    suspensionReasons: JSON.stringify(sub.suspensionReasons),
    suspendedAt: sub.suspendedAt,
    etag: sub.etag,
    updateCount: sub.updateCount,
  };
}
