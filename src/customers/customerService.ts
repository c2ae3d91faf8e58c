/**
 * Customers: created in Partner Center (through the port) and mirrored here with what only the bot
 * knows (who created it, which reseller it is delegated to, its temporary password kept sealed
 * until its creator has seen it). Creation is idempotent by the creating card's key: the same
 * submit twice sends Partner Center the same request id, and finds the customer made the first
 * time. The Microsoft Customer Agreement is attested here before a New Commerce purchase. Every
 * call is checked against the caller's organisation.
 */
import { z } from "zod";
import { audit } from "../audit/auditLog.js";
import type { Db } from "../db/database.js";
import { rawDate } from "../db/rawQuery.js";
import { Prisma } from "../generated/sqlite/client.js";
import { isUniqueViolation } from "../db/errors.js";
import { DomainTaken, InvalidInput, NotAllowed, NotFound, type FieldIssue } from "../errors.js";
import type { Caller } from "../identity/identityService.js";
import { isPartnerCenterError, PartnerCenterError } from "../partnerCenter/errors.js";
import type { PartnerCenter } from "../partnerCenter/port.js";
import { requestIdFor } from "../partnerCenter/requestIds.js";
import { DAY } from "../partnerCenter/terms.js";
import type { PcAgreement } from "../partnerCenter/types.js";
import type { SecretBox } from "../security/secretBox.js";
import { forbiddenCharacters, validateAccount, type AccountInfo } from "./customerSchema.js";

export interface CreateCustomerCommand {
  account: unknown;
  resellerOrgId?: string | null;
  /** Carried by the card that submits: the same key twice creates one customer. */
  creationKey: string;
}

export interface CustomerRow {
  id: string;
  pcCustomerId: string;
  companyName: string;
  domainPrefix: string;
  adminAccount: string;
  segment: string;
  country: string;
  resellerOrgId: string | null;
  providerOrgId: string;
  mcaAttestedAt: Date | null;
}

/**
 * The outcome of a creation. A repeated submit (double click, redelivery, "try again" after the
 * confirmation could not be delivered) finds the customer created the first time and, for the
 * person who created it, the temporary password again while it is kept.
 */
export type CreateCustomerResult = { created: true; customer: CustomerRow; adminAccount: string; temporaryPassword: string } | { created: false; customer: CustomerRow; temporaryPassword?: string };

export interface CustomerPage {
  items: (CustomerRow & { resellerName: string | null; subscriptionCount: number })[];
  total: number;
  page: number;
  pageCount: number;
}

export const PAGE_SIZE = 8;

/** The timestamps of a customer's row, which a raw query may give as text or numbers (SQLite). */
const customerDates = ["openedAt", "firstBillingAt", "mcaAttestedAt", "readAt", "createdAt", "updatedAt"] as const;

/** A row of the list's raw query as the customer row Prisma would give, with its reseller's name and number of subscriptions. */
function customerRowOf(row: Record<string, unknown> & { resellerName: string | null; subscriptionCount: number | bigint }): CustomerPage["items"][number] {
  const { total: _total, ...rest } = row;
  const customer = { ...rest } as Record<string, unknown>;
  for (const field of customerDates) {
    const value = customer[field] as Date | string | number | bigint | null | undefined;
    customer[field] = value === null || value === undefined ? null : rawDate(value);
  }
  return { ...(customer as unknown as CustomerRow), resellerName: row.resellerName ?? null, subscriptionCount: Number(row.subscriptionCount) };
}

/** What a sealed temporary password is bound to: it opens only for this customer. */
const credentialContext = (customerId: string) => `customer-credential:${customerId}`;

export function searchKey(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

const name = (max: number) => z.string().trim().min(1, "required").max(max, `tooLong:${max}`).refine((value) => !forbiddenCharacters.test(value), "invalidCharacters");

/** The attestation of the Microsoft Customer Agreement: who at the customer accepted it, and when. */
export const attestationSchema = z.object({
  firstName: name(50),
  lastName: name(50),
  email: z.string().trim().min(1, "required").max(254, "tooLong:254").pipe(z.email("invalidEmail")),
  phone: z
    .string()
    .trim()
    .max(40, "tooLong:40")
    .regex(/^$|^\+?[0-9 ().-]{4,40}$/, "invalid")
    .default(""),
  /** yyyy-mm-dd, as Input.Date gives it. */
  dateAgreed: z.string().trim().min(1, "required").regex(/^\d{4}-\d{2}-\d{2}$/, "invalid"),
  /** The box "the customer has accepted the agreement" must be ticked. */
  accepted: z.literal("true", { error: "required" }),
});
export type AttestationInput = z.input<typeof attestationSchema>;
export type Attestation = z.output<typeof attestationSchema>;

export interface CustomerServiceOptions {
  /** Seals a new customer's temporary password until its creator has seen it. */
  secrets: SecretBox;
  now?: () => Date;
  /** How long an unseen temporary password is kept at most. */
  passwordKeepDays?: number;
}

export const DEFAULT_PASSWORD_KEEP_DAYS = 30;

export class CustomerService {
  private readonly secrets: SecretBox;
  private readonly now: () => Date;
  private readonly passwordKeepMs: number;

  constructor(
    private readonly db: Db,
    private readonly pc: PartnerCenter,
    options: CustomerServiceOptions,
  ) {
    this.secrets = options.secrets;
    this.now = options.now ?? (() => new Date());
    this.passwordKeepMs = (options.passwordKeepDays ?? DEFAULT_PASSWORD_KEEP_DAYS) * DAY;
  }

  /** Whether <prefix>.onmicrosoft.com can still be taken: not by a customer here, nor in Partner Center. */
  async isDomainAvailable(prefix: string): Promise<boolean> {
    const domainPrefix = prefix.trim().toLowerCase();
    if (await this.db.customer.count({ where: { domainPrefix } })) return false;
    return this.pc.isDomainAvailable(`${domainPrefix}.onmicrosoft.com`);
  }

  /** Validates the account, its address (as Partner Center validates it) and the domain's availability, without creating anything. */
  async checkAccount(input: unknown): Promise<{ ok: true; value: AccountInfo } | { ok: false; issues: FieldIssue[] }> {
    const result = validateAccount(input);
    if (!result.ok) return result;
    const value = result.value;
    const issues: FieldIssue[] = [];
    const address = await this.pc.validateAddress({ addressLine1: value.addressLine1, addressLine2: value.addressLine2, city: value.city, state: value.region, postalCode: value.postalCode, country: value.country });
    if (address.status === "InteractionRequired" || address.status === "None") issues.push({ field: "postalCode", code: "invalid" });
    if (!(await this.isDomainAvailable(value.domainPrefix))) issues.push(...new DomainTaken(value.domainPrefix).issues);
    return issues.length ? { ok: false, issues } : result;
  }

  /** Validates an attestation: every field, and a date neither in the future nor before 2019 (when the agreement began). */
  checkAttestation(input: unknown): { ok: true; value: Attestation } | { ok: false; issues: FieldIssue[] } {
    const values = normalise(input, ["firstName", "lastName", "email", "phone", "dateAgreed", "accepted"]);
    const parsed = attestationSchema.safeParse(values);
    const issues: FieldIssue[] = parsed.success ? [] : parsed.error.issues.map((issue) => toIssue(issue));
    if (/^\d{4}-\d{2}-\d{2}$/.test(values.dateAgreed.trim())) {
      const date = new Date(`${values.dateAgreed.trim()}T00:00:00Z`);
      if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 2019) issues.push({ field: "dateAgreed", code: "invalid" });
      else if (date.getTime() > this.now().getTime() + DAY) issues.push({ field: "dateAgreed", code: "future" });
    }
    // One issue per field: the first found.
    const unique = [...new Map(issues.reverse().map((issue) => [issue.field, issue])).values()].reverse();
    return parsed.success && !unique.length ? { ok: true, value: parsed.data } : { ok: false, issues: unique };
  }

  /**
   * Creates the customer in Partner Center, then its mirror here, with the temporary password
   * kept sealed in the same transaction. The request id comes from the creation key, so a repeat
   * after a crash gets Partner Center's first answer (the same customer, the same password).
   */
  async create(caller: Caller, command: CreateCustomerCommand): Promise<CreateCustomerResult> {
    if (caller.organisation.kind !== "provider") throw new NotAllowed("customer.create");
    const existing = await this.db.customer.findUnique({ where: { creationKey: command.creationKey } });
    if (existing) return this.replay(caller, existing);

    const account = validateAccount(command.account);
    if (!account.ok) throw new InvalidInput(account.issues);
    const value = account.value;
    const reseller = command.resellerOrgId ? await this.requireActiveReseller(caller, command.resellerOrgId) : undefined;
    const domain = `${value.domainPrefix}.onmicrosoft.com`;
    if (await this.db.customer.count({ where: { domainPrefix: value.domainPrefix } })) throw new DomainTaken(value.domainPrefix);

    let created;
    try {
      created = await this.pc.createCustomer(
        {
          companyProfile: { domain },
          billingProfile: {
            email: value.contactEmail,
            culture: value.culture,
            language: value.culture.slice(0, 2),
            companyName: value.companyName,
            defaultAddress: {
              firstName: value.contactFirstName,
              lastName: value.contactLastName,
              addressLine1: value.addressLine1,
              addressLine2: value.addressLine2,
              city: value.city,
              state: value.region,
              postalCode: value.postalCode,
              country: value.country,
              phoneNumber: value.phone,
            },
          },
          ...(reseller?.tenantId ? { associatedPartnerId: reseller.tenantId } : {}),
        },
        requestIdFor(command.creationKey, "customer"),
      );
    } catch (error) {
      if (isPartnerCenterError(error, "domainTaken")) throw new DomainTaken(value.domainPrefix);
      throw error;
    }
    const credentials = created.userCredentials;
    if (!credentials) throw new PartnerCenterError(0, "Partner Center created the customer without its admin credentials.", 500);
    const now = this.now();
    try {
      return await this.db.$transaction(async (tx) => {
        const customer = await tx.customer.create({
          data: {
            pcCustomerId: created.id,
            providerOrgId: caller.organisation.id,
            resellerOrgId: reseller?.id ?? null,
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
            adminAccount: credentials.userName,
            openedAt: now,
            creationKey: command.creationKey,
            createdById: caller.userId,
            etag: created.attributes?.etag ?? null,
            readAt: now,
          },
        });
        // Kept sealed, in the same transaction: no commit without a way to show the password again.
        await tx.customerCredential.create({
          data: { customerId: customer.id, ownerUserId: caller.userId, sealedPassword: this.secrets.seal(credentials.password, credentialContext(customer.id)), createdAt: now, expiresAt: new Date(now.getTime() + this.passwordKeepMs) },
        });
        await audit(tx, caller, { action: "customer.created", customerId: customer.id, after: { companyName: value.companyName, domain, segment: value.segment, resellerOrgId: reseller?.id ?? null } }, now);
        return { created: true as const, customer, adminAccount: credentials.userName, temporaryPassword: credentials.password };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same submit won a race (same key: show its result).
      const winner = await this.db.customer.findUnique({ where: { creationKey: command.creationKey } });
      if (winner) return this.replay(caller, winner);
      throw new DomainTaken(value.domainPrefix);
    }
  }

  /**
   * Records that the customer accepted the Microsoft Customer Agreement (Partner Center's
   * attestation), once per key. Needed before the first New Commerce purchase.
   */
  async attest(caller: Caller, command: { customerId: string; attestation: unknown; key: string }): Promise<Date> {
    // What attesting needs of the customer: who may, and its Partner Center id (one statement, not get()'s four).
    const customer = await this.db.customer.findUnique({ where: { id: command.customerId }, select: { id: true, pcCustomerId: true, providerOrgId: true, resellerOrgId: true } });
    if (!customer) throw new NotFound("customer");
    this.requireAccess(caller, customer);
    const checked = this.checkAttestation(command.attestation);
    if (!checked.ok) throw new InvalidInput(checked.issues);
    const value = checked.value;
    const agreement: PcAgreement = {
      primaryContact: { firstName: value.firstName, lastName: value.lastName, email: value.email, ...(value.phone ? { phoneNumber: value.phone } : {}) },
      templateId: await this.pc.customerAgreementTemplateId(),
      dateAgreed: `${value.dateAgreed}T00:00:00Z`,
      type: "MicrosoftCustomerAgreement",
    };
    await this.pc.createAgreement(customer.pcCustomerId, agreement, requestIdFor(command.key, "agreement"));
    const attestedAt = new Date(agreement.dateAgreed);
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.customer.updateMany({ where: { id: customer.id, mcaAttestedAt: null }, data: { mcaAttestedAt: attestedAt } });
      if (count) await audit(tx, caller, { action: "customer.agreementAttested", customerId: customer.id, after: { contact: `${value.firstName} ${value.lastName}`, dateAgreed: value.dateAgreed } }, now);
    });
    return attestedAt;
  }

  /**
   * Whether the customer has attested the Microsoft Customer Agreement: the mirror first, then
   * Partner Center (an attestation made in its portal counts, and is remembered).
   */
  async hasAttested(caller: Caller, customerId: string): Promise<boolean> {
    const customer = await this.get(caller, customerId);
    if (customer.mcaAttestedAt) return true;
    const agreements = await this.pc.listAgreements(customer.pcCustomerId);
    const mca = agreements.find((agreement) => agreement.type === "MicrosoftCustomerAgreement");
    if (!mca) return false;
    await this.db.customer.updateMany({ where: { id: customer.id, mcaAttestedAt: null }, data: { mcaAttestedAt: new Date(mca.dateAgreed) } });
    return true;
  }

  /** Refuses (Partner Center's 13605) a New Commerce purchase for a customer that has not attested the agreement. */
  async requireAttestation(caller: Caller, customerId: string): Promise<void> {
    if (!(await this.hasAttested(caller, customerId))) throw new PartnerCenterError(13605, "The customer has not attested the Microsoft Customer Agreement.", 403, undefined, { customerId });
  }

  /**
   * A page of the customers the caller may see, searched by name or domain (the prefix, or the
   * whole contoso.onmicrosoft.com), and for the provider filtered by reseller ("none": its own).
   */
  async list(caller: Caller, query: { text?: string; resellerOrgId?: string; page?: number }): Promise<CustomerPage> {
    let text = searchKey(query.text ?? "").slice(0, 100);
    const dot = text.indexOf(".");
    if (dot > 0 && ".onmicrosoft.com".startsWith(text.slice(dot))) text = text.slice(0, dot);
    // One statement: the page, each customer's reseller and number of subscriptions, and how many match in all.
    const scope = caller.organisation.kind === "provider" ? Prisma.sql`c."providerOrgId" = ${caller.organisation.id}` : Prisma.sql`c."resellerOrgId" = ${caller.organisation.id}`;
    const byReseller =
      query.resellerOrgId && caller.organisation.kind === "provider" ? (query.resellerOrgId === "none" ? Prisma.sql` AND c."resellerOrgId" IS NULL` : Prisma.sql` AND c."resellerOrgId" = ${query.resellerOrgId}`) : Prisma.empty;
    // A substring, as typed: LIKE's own wildcards in it are escaped.
    const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const byText = text ? Prisma.sql` AND (c."searchName" LIKE ${pattern} ESCAPE '\\' OR c."domainPrefix" LIKE ${pattern} ESCAPE '\\')` : Prisma.empty;
    const read = (page: number) =>
      this.db.$queryRaw<(Record<string, unknown> & { resellerName: string | null; subscriptionCount: number | bigint; total: number | bigint })[]>`
        SELECT c.*, r."name" AS "resellerName", (SELECT COUNT(*) FROM "Subscription" AS s WHERE s."customerId" = c."id") AS "subscriptionCount", COUNT(*) OVER () AS "total"
        FROM "Customer" AS c LEFT JOIN "Organisation" AS r ON r."id" = c."resellerOrgId"
        WHERE ${scope}${byReseller}${byText}
        ORDER BY c."searchName" ASC, c."id" ASC LIMIT ${PAGE_SIZE} OFFSET ${(page - 1) * PAGE_SIZE}`;
    let page = Math.max(1, Math.trunc(query.page ?? 1));
    let rows = await read(page);
    if (!rows.length && page > 1) {
      // Past the last page (the list shrank since it was shown): the last page, once its number is known.
      const [any] = await read(1);
      page = Math.max(1, Math.ceil(Number(any?.total ?? 0) / PAGE_SIZE));
      rows = page > 1 ? await read(page) : any ? await read(1) : [];
    }
    const total = Number(rows[0]?.total ?? 0);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    return { items: rows.map(customerRowOf), total, page, pageCount };
  }

  async get(caller: Caller, customerId: string) {
    const customer = await this.db.customer.findUnique({
      where: { id: customerId },
      include: { reseller: { select: { name: true } }, subscriptions: { orderBy: { createdAt: "asc" } } },
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
   * back (null). Provider staff only; audited. (In Partner Center the customer accepts the
   * reseller's relationship request; the card offers that link.)
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
  private async requireActiveReseller(caller: Caller, orgId: string): Promise<{ id: string; tenantId: string | null }> {
    const partnership = await this.db.partnership.findFirst({ where: { providerOrgId: caller.organisation.id, resellerOrgId: orgId, status: "active" } });
    const org = partnership ? await this.db.organisation.findUnique({ where: { id: orgId }, select: { id: true, tenantId: true } }) : null;
    if (!org) throw new InvalidInput([{ field: "resellerOrgId", code: "invalidChoice" }]);
    return org;
  }
}

function normalise(input: unknown, fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (typeof input !== "object" || input === null) return values;
  for (const field of fields) {
    const value = (input as Record<string, unknown>)[field];
    values[field] = typeof value === "string" ? value : typeof value === "boolean" ? String(value) : "";
  }
  return values;
}

function toIssue(issue: z.core.$ZodIssue): FieldIssue {
  const field = String(issue.path[0] ?? "input");
  const [code, param] = issue.message.split(":");
  if (code === "tooLong") return { field, code, params: { max: Number(param) } };
  if (code === "required" || code === "invalidEmail" || code === "invalid" || code === "invalidCharacters") return { field, code };
  return { field, code: "invalid" };
}
