/**
 * Customers: domain availability, creation together with the first subscriptions (one
 * transaction, idempotent by the creating card's key), search and details. Every call is
 * checked against the caller's organisation.
 */
import { z } from "zod";
import { audit } from "../audit/auditLog.js";
import { billingCycles, type BillingCycle } from "../catalog/catalogSeed.js";
import { CatalogService } from "../catalog/catalogService.js";
import { writeSubscriptions } from "../subscriptions/ordering.js";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import { DomainTaken, InvalidInput, NotAllowed, NotFound, type FieldIssue } from "../errors.js";
import type { Caller } from "../identity/identityService.js";
import { generateTemporaryPassword, hashPassword } from "../security/password.js";
import type { SecretBox } from "../security/secretBox.js";
import { validateAccount, type AccountInfo } from "./customerSchema.js";

export const orderLineSchema = z.object({ offerId: z.string().min(1).max(80), licences: z.number().int() });
export type OrderLine = z.output<typeof orderLineSchema>;

export interface CreateCustomerCommand {
  account: unknown;
  billingCycle: BillingCycle;
  lines: OrderLine[];
  resellerOrgId?: string | null;
  /** Carried by the card that submits: the same key twice creates one customer. */
  creationKey: string;
}

/**
 * The outcome of a creation. A repeated submit (double click, redelivery, "try again" after the
 * confirmation could not be delivered) finds the customer created the first time and, for the
 * person who created it, the temporary password again while it is kept.
 */
export type CreateCustomerResult =
  | { created: true; customer: CustomerRow; adminAccount: string; temporaryPassword: string; subscriptionIds: string[] }
  | { created: false; customer: CustomerRow; temporaryPassword?: string };

export interface CustomerRow {
  id: string;
  companyName: string;
  domainPrefix: string;
  adminAccount: string;
  segment: string;
  resellerOrgId: string | null;
  providerOrgId: string;
}

export interface CustomerPage {
  items: (CustomerRow & { resellerName: string | null; subscriptionCount: number })[];
  total: number;
  page: number;
  pageCount: number;
}

export const PAGE_SIZE = 8;

/** What a sealed temporary password is bound to: it opens only for this customer. */
const credentialContext = (customerId: string) => `customer-credential:${customerId}`;

export function searchKey(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

export interface CustomerServiceOptions {
  /** Seals a new customer's temporary password until its creator has seen it. */
  secrets: SecretBox;
  now?: () => Date;
  /** How long an unseen temporary password is kept at most. */
  passwordKeepDays?: number;
}

export const DEFAULT_PASSWORD_KEEP_DAYS = 30;

export class CustomerService {
  private readonly catalog: CatalogService;
  private readonly secrets: SecretBox;
  private readonly now: () => Date;
  private readonly passwordKeepMs: number;

  constructor(
    private readonly db: Db,
    options: CustomerServiceOptions,
  ) {
    this.catalog = new CatalogService(db);
    this.secrets = options.secrets;
    this.now = options.now ?? (() => new Date());
    this.passwordKeepMs = (options.passwordKeepDays ?? DEFAULT_PASSWORD_KEEP_DAYS) * 86_400_000;
  }

  async isDomainAvailable(prefix: string): Promise<boolean> {
    return (await this.db.customer.count({ where: { domainPrefix: prefix.trim().toLowerCase() } })) === 0;
  }

  /** Validates the account and the domain's availability, without creating anything. */
  async checkAccount(input: unknown): Promise<{ ok: true; value: AccountInfo } | { ok: false; issues: FieldIssue[] }> {
    const result = validateAccount(input);
    if (!result.ok) return result;
    if (!(await this.isDomainAvailable(result.value.domainPrefix))) return { ok: false, issues: new DomainTaken(result.value.domainPrefix).issues };
    return result;
  }

  /** Checks order lines against the catalog for this segment and cycle; returns the issues, keyed by offer id. */
  async checkLines(segment: string, billingCycle: BillingCycle, lines: OrderLine[]): Promise<FieldIssue[]> {
    const offers = await this.catalog.offersByIds(lines.map((line) => line.offerId));
    const issues: FieldIssue[] = [];
    const seen = new Set<string>();
    for (const line of lines) {
      const offer = offers.get(line.offerId);
      if (!offer || offer.parentOfferId || !offer.availability.some((a) => a.segment === segment && a.billingCycle === billingCycle)) {
        issues.push({ field: line.offerId, code: "notAvailable", params: { cycle: billingCycle } });
      } else if (line.licences < offer.minLicences || line.licences > offer.maxLicences) {
        issues.push({ field: line.offerId, code: "outOfRange", params: { min: offer.minLicences, max: offer.maxLicences } });
      } else if (seen.has(offer.id) && offer.onePerCustomer) {
        issues.push({ field: line.offerId, code: "onePerCustomer" });
      }
      seen.add(line.offerId);
    }
    return issues;
  }

  async create(caller: Caller, command: CreateCustomerCommand): Promise<CreateCustomerResult> {
    if (caller.organisation.kind !== "provider") throw new NotAllowed("customer.create");
    const existing = await this.db.customer.findUnique({ where: { creationKey: command.creationKey } });
    if (existing) return this.replay(caller, existing);

    const account = validateAccount(command.account);
    if (!account.ok) throw new InvalidInput(account.issues);
    if (!billingCycles.includes(command.billingCycle)) throw new InvalidInput([{ field: "billingCycle", code: "invalidChoice" }]);
    const lines = z.array(orderLineSchema).max(50).parse(command.lines);
    const lineIssues = await this.checkLines(account.value.segment, command.billingCycle, lines);
    if (lineIssues.length) throw new InvalidInput(lineIssues);
    if (command.resellerOrgId) await this.requireActiveReseller(caller, command.resellerOrgId);

    const value = account.value;
    const adminAccount = `admin@${value.domainPrefix}.onmicrosoft.com`;
    const temporaryPassword = generateTemporaryPassword();
    const adminPasswordHash = await hashPassword(temporaryPassword);
    const offers = await this.catalog.offersByIds(lines.map((line) => line.offerId));
    const now = this.now();
    const paid = lines.some((line) => !offers.get(line.offerId)!.isTrial);

    try {
      return await this.db.$transaction(async (tx) => {
        const customer = await tx.customer.create({
          data: {
            providerOrgId: caller.organisation.id,
            resellerOrgId: command.resellerOrgId ?? null,
            companyName: value.companyName,
            searchName: searchKey(value.companyName),
            segment: value.segment,
            addressLine1: value.addressLine1,
            addressLine2: value.addressLine2,
            city: value.city,
            region: value.region,
            postalCode: value.postalCode,
            country: value.country,
            phone: value.phone,
            contactFirstName: value.contactFirstName,
            contactLastName: value.contactLastName,
            contactEmail: value.contactEmail,
            culture: value.culture,
            language: value.culture.slice(0, 2),
            domainPrefix: value.domainPrefix,
            adminAccount,
            adminPasswordHash,
            openedAt: now,
            firstBillingAt: paid ? now : null,
            creationKey: command.creationKey,
            createdById: caller.userId,
          },
        });
        let subscriptionIds: string[] = [];
        if (lines.length) {
          const order = await tx.order.create({ data: { customerId: customer.id, billingCycle: command.billingCycle, idempotencyKey: `customer:${command.creationKey}`, createdById: caller.userId } });
          subscriptionIds = await writeSubscriptions(tx, caller, { id: order.id, customerId: customer.id, billingCycle: command.billingCycle }, lines.map((line) => ({ offer: offers.get(line.offerId)!, licences: line.licences })), now);
        }
        // Kept sealed, in the same transaction: no commit without a way to show the password again.
        await tx.customerCredential.create({
          data: { customerId: customer.id, ownerUserId: caller.userId, sealedPassword: this.secrets.seal(temporaryPassword, credentialContext(customer.id)), createdAt: now, expiresAt: new Date(now.getTime() + this.passwordKeepMs) },
        });
        await audit(tx, caller, { action: "customer.created", customerId: customer.id, after: { companyName: value.companyName, domain: `${value.domainPrefix}.onmicrosoft.com`, segment: value.segment, resellerOrgId: command.resellerOrgId ?? null } }, now);
        return { created: true as const, customer, adminAccount, temporaryPassword, subscriptionIds };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Either the same submit won a race (same key: show its result) or another customer took the domain.
      const winner = await this.db.customer.findUnique({ where: { creationKey: command.creationKey } });
      if (winner) return this.replay(caller, winner);
      throw new DomainTaken(value.domainPrefix);
    }
  }

  /**
   * A page of the customers the caller may see, searched by name or domain (the prefix, or the
   * whole contoso.onmicrosoft.com), and for the provider filtered by reseller ("none": its own).
   */
  async list(caller: Caller, query: { text?: string; resellerOrgId?: string; page?: number }): Promise<CustomerPage> {
    let text = searchKey(query.text ?? "").slice(0, 100);
    const dot = text.indexOf(".");
    if (dot > 0 && ".onmicrosoft.com".startsWith(text.slice(dot))) text = text.slice(0, dot);
    const byReseller = query.resellerOrgId && caller.organisation.kind === "provider" ? { resellerOrgId: query.resellerOrgId === "none" ? null : query.resellerOrgId } : {};
    const where = {
      ...this.scope(caller),
      ...byReseller,
      ...(text ? { OR: [{ searchName: { contains: text } }, { domainPrefix: { contains: text } }] } : {}),
    };
    const total = await this.db.customer.count({ where });
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(Math.max(1, Math.trunc(query.page ?? 1)), pageCount);
    const rows = await this.db.customer.findMany({
      where,
      orderBy: [{ searchName: "asc" }, { id: "asc" }],
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      include: { reseller: { select: { name: true } }, _count: { select: { subscriptions: true } } },
    });
    return { items: rows.map((row) => ({ ...row, resellerName: row.reseller?.name ?? null, subscriptionCount: row._count.subscriptions })), total, page, pageCount };
  }

  async get(caller: Caller, customerId: string) {
    const customer = await this.db.customer.findUnique({
      where: { id: customerId },
      include: { reseller: { select: { name: true } }, subscriptions: { include: { offer: { select: { name: true, isTrial: true } } }, orderBy: { createdAt: "asc" } } },
    });
    if (!customer) throw new NotFound("customer");
    this.requireAccess(caller, customer);
    const credential = await this.db.customerCredential.findUnique({ where: { customerId }, select: { ownerUserId: true, expiresAt: true } });
    /** Whether the caller created this customer and its temporary password is still kept for them. */
    const passwordKeptForCaller = Boolean(credential && credential.ownerUserId === caller.userId && credential.expiresAt > this.now());
    return { ...customer, passwordKeptForCaller };
  }

  /** The temporary password of a customer the caller created, while it is kept (until Done, or its expiry). */
  async revealPassword(caller: Caller, customerId: string): Promise<{ companyName: string; adminAccount: string; temporaryPassword: string }> {
    const customer = await this.db.customer.findUnique({ where: { id: customerId } });
    if (!customer) throw new NotFound("customer");
    this.requireAccess(caller, customer);
    const temporaryPassword = await this.keptPassword(caller, customerId);
    if (temporaryPassword === undefined) throw new NotFound("customer.password");
    return { companyName: customer.companyName, adminAccount: customer.adminAccount, temporaryPassword };
  }

  /** The creator has the password (pressed Done): it is erased. Only the creator can. */
  async forgetPassword(caller: Caller, customerId: string): Promise<void> {
    await this.db.customerCredential.deleteMany({ where: { customerId, ownerUserId: caller.userId } });
  }

  /** Erases temporary passwords kept past their expiry; returns how many. */
  static async pruneExpiredCredentials(db: Db, now: Date): Promise<number> {
    const { count } = await db.customerCredential.deleteMany({ where: { expiresAt: { lte: now } } });
    return count;
  }

  /**
   * Delegates an existing customer to one of the provider's active indirect resellers, or takes it
   * back (null). Provider staff only; audited.
   */
  async setReseller(caller: Caller, command: { customerId: string; resellerOrgId: string | null }): Promise<void> {
    if (caller.organisation.kind !== "provider") throw new NotAllowed("customer.setReseller");
    const customer = await this.get(caller, command.customerId);
    if (command.resellerOrgId) await this.requireActiveReseller(caller, command.resellerOrgId);
    if (customer.resellerOrgId === command.resellerOrgId) throw new InvalidInput([{ field: "resellerOrgId", code: "unchanged" }]);
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      await tx.customer.update({ where: { id: customer.id }, data: { resellerOrgId: command.resellerOrgId } });
      await audit(tx, caller, { action: "customer.resellerChanged", customerId: customer.id, before: { resellerOrgId: customer.resellerOrgId }, after: { resellerOrgId: command.resellerOrgId } }, now);
    });
  }

  /** The customers a caller may see: all of its provider's, or those delegated to its reseller. */
  scope(caller: Caller): { providerOrgId: string } | { resellerOrgId: string } {
    return caller.organisation.kind === "provider" ? { providerOrgId: caller.organisation.id } : { resellerOrgId: caller.organisation.id };
  }

  requireAccess(caller: Caller, customer: { providerOrgId: string; resellerOrgId: string | null }): void {
    const allowed = caller.organisation.kind === "provider" ? customer.providerOrgId === caller.organisation.id : customer.resellerOrgId === caller.organisation.id;
    if (!allowed) throw new NotAllowed("customer.read");
  }

  private async replay(caller: Caller, customer: CustomerRow): Promise<CreateCustomerResult> {
    this.requireAccess(caller, customer);
    return { created: false, customer, temporaryPassword: await this.keptPassword(caller, customer.id) };
  }

  private async keptPassword(caller: Caller, customerId: string): Promise<string | undefined> {
    const credential = await this.db.customerCredential.findUnique({ where: { customerId } });
    if (!credential || credential.ownerUserId !== caller.userId || credential.expiresAt <= this.now()) return undefined;
    return this.secrets.open(credential.sealedPassword, credentialContext(customerId));
  }

  /** A reseller that has an active partnership with the caller's provider. */
  private async requireActiveReseller(caller: Caller, orgId: string): Promise<void> {
    const partnership = await this.db.partnership.findFirst({ where: { providerOrgId: caller.organisation.id, resellerOrgId: orgId, status: "active" } });
    if (!partnership) throw new InvalidInput([{ field: "resellerOrgId", code: "invalidChoice" }]);
  }
}
