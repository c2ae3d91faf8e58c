/**
 * Who is talking: every activity is resolved to an organisation (by Entra tenant id) and a user
 * (by Entra object id). The provider's first user becomes its admin, later users agents; users
 * of tenants that are neither the provider nor one of its resellers are not enrolled.
 */
import { z } from "zod";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import { placeholders, rawDate } from "../db/rawQuery.js";
import { InvalidInput, NotAllowed, NotFound } from "../errors.js";
import type { Logger } from "../log.js";
import { canonicalTag } from "../util/localeTags.js";

export const roles = ["admin", "agent"] as const;
export type Role = (typeof roles)[number];
export const organisationKinds = ["provider", "reseller"] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/** The identity every service call is checked against. Built on the server, never from card data. */
export interface Caller {
  readonly userId: string;
  readonly tenantId: string;
  readonly aadObjectId: string;
  readonly displayName: string;
  /** The IANA time zone the user's Teams client last reported, if any. */
  readonly timeZone?: string;
  readonly role: Role;
  readonly organisation: { readonly id: string; readonly kind: OrganisationKind; readonly name: string };
}

export type Resolution = { status: "member"; caller: Caller; isNewUser: boolean } | { status: "notEnrolled"; tenantId: string };

const identityInput = z.object({
  tenantId: z.string().trim().min(1).max(100),
  aadObjectId: z.string().trim().min(1).max(200),
  displayName: z.string().trim().max(200).catch(""),
  locale: z
    .string()
    .max(100)
    .transform((tag) => canonicalLocale(tag))
    .optional()
    .catch(undefined),
  timeZone: z.string().max(64).optional().catch(undefined),
});

/** A valid BCP 47 tag in canonical form (at most 35 characters, as Bot Framework allows), or undefined. */
export function canonicalLocale(tag: string): string | undefined {
  const canonical = canonicalTag(tag);
  return canonical && canonical.length <= 35 ? canonical : undefined;
}
export type IdentityInput = z.input<typeof identityInput>;

/** Setting that records the provider tenant when none is configured (local use). */
export const PROVIDER_TENANT_SETTING = "provider.tenantId";
/** lastSeenAt is refreshed at most this often, so that a turn does not always write. */
const SEEN_REFRESH_MS = 5 * 60_000;

export class IdentityService {
  constructor(
    private readonly db: Db,
    private readonly options: { providerTenantId?: string; providerName: string; logger: Logger; now?: () => Date; provider?: "sqlite" | "postgresql" },
  ) {}

  /**
   * The caller of an activity: a known member, a new member just enrolled, or not enrolled.
   * `read`: the known user as a statement of the turn already read it (see {@link knownUserSelect}),
   * so that resolving a known member costs no statement of its own.
   */
  async resolve(raw: IdentityInput, read?: { known: KnownUser | undefined }): Promise<Resolution> {
    const input = identityInput.parse(raw);
    if (this.options.provider || read) {
      // A known user, their organisation and whether it is enrolled, in one statement (a turn's statements are its cost).
      const known = read ? read.known : await this.knownUser(this.options.provider!, input.tenantId, input.aadObjectId);
      if (known && (known.org.kind === "reseller" ? known.activePartnerships > 0 : known.org.tenantId === (await this.providerTenantId()))) {
        await this.touch(known.user, input);
        return { status: "member", caller: toCaller(known.user, known.org), isNewUser: false };
      }
    } else {
      const known = await this.db.user.findUnique({ where: { tenantId_aadObjectId: { tenantId: input.tenantId, aadObjectId: input.aadObjectId } }, include: { org: true } });
      if (known && (await this.isEnrolled(known.org))) {
        await this.touch(known, input);
        return { status: "member", caller: toCaller(known, known.org), isNewUser: false };
      }
    }
    return this.enrol(input);
  }

  /** The user of this tenant and object id with their organisation and its active partnerships (a reseller's enrolment), or undefined. */
  private async knownUser(provider: "sqlite" | "postgresql", tenantId: string, aadObjectId: string): Promise<KnownUser | undefined> {
    const [tenant, object] = placeholders(provider, 2);
    const [row] = await this.db.$queryRawUnsafe<KnownUserRow[]>(knownUserSelect(tenant, object), tenantId, aadObjectId);
    return knownUserOf(row);
  }

  /** Someone not known yet (or of an organisation not enrolled until now): enrolled if their tenant is served. */
  private async enrol(input: z.output<typeof identityInput>): Promise<Resolution> {
    const org = await this.organisationFor(input.tenantId);
    if (!org) return { status: "notEnrolled", tenantId: input.tenantId };
    const { user, isNewUser } = await this.join(org, input);
    return { status: "member", caller: toCaller(user, org), isNewUser };
  }

  /** The users of the caller's organisation, admins first. */
  async staff(caller: Caller) {
    return this.db.user.findMany({ where: { orgId: caller.organisation.id }, orderBy: [{ role: "asc" }, { displayName: "asc" }], select: { id: true, displayName: true, role: true, lastSeenAt: true } });
  }

  /**
   * Changes a colleague's role. Only admins may, only within their organisation, and an
   * organisation always keeps at least one admin.
   */
  async setRole(caller: Caller, userId: string, role: Role): Promise<void> {
    if (caller.role !== "admin") throw new NotAllowed("user.setRole");
    if (!(roles as readonly string[]).includes(role)) throw new InvalidInput([{ field: "role", code: "invalidChoice" }]);
    const target = await this.db.user.findUnique({ where: { id: userId } });
    if (!target || target.orgId !== caller.organisation.id) throw new NotFound("user");
    if (target.role === role) return;
    await this.db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: userId }, data: { role } });
      if ((await tx.user.count({ where: { orgId: caller.organisation.id, role: "admin" } })) === 0) throw new InvalidInput([{ field: "role", code: "invalid" }]);
      await tx.auditEntry.create({ data: { actorUserId: caller.userId, actorOrgId: caller.organisation.id, action: "user.roleChanged", before: JSON.stringify({ user: target.displayName, role: target.role }), after: JSON.stringify({ user: target.displayName, role }) } });
    });
  }

  /** The provider tenant: the configured one, else the one recorded on first contact. */
  async providerTenantId(): Promise<string | undefined> {
    if (this.options.providerTenantId) return this.options.providerTenantId;
    const setting = await this.db.appSetting.findUnique({ where: { key: PROVIDER_TENANT_SETTING } });
    return setting?.value;
  }

  private async isEnrolled(org: OrganisationRow): Promise<boolean> {
    if (org.kind === "reseller") return (await this.db.partnership.count({ where: { resellerOrgId: org.id, status: "active" } })) > 0;
    return org.tenantId === (await this.providerTenantId());
  }

  private async organisationFor(tenantId: string): Promise<OrganisationRow | null> {
    const existing = await this.db.organisation.findUnique({ where: { tenantId } });
    if (existing) return (await this.isEnrolled(existing)) ? existing : null;
    let providerTenant = await this.providerTenantId();
    if (!providerTenant) providerTenant = await this.recordProviderTenant(tenantId);
    if (providerTenant !== tenantId) return null;
    try {
      return await this.db.organisation.create({ data: { tenantId, kind: "provider", name: this.options.providerName } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.db.organisation.findUnique({ where: { tenantId } });
    }
  }

  /** First contact without a configured provider: this tenant becomes the provider, once. */
  private async recordProviderTenant(tenantId: string): Promise<string> {
    try {
      await this.db.appSetting.create({ data: { key: PROVIDER_TENANT_SETTING, value: tenantId } });
      this.options.logger.warn({ tenantId }, "PROVIDER_TENANT_ID is not set: recorded the first tenant that talked to the bot as the indirect provider");
      return tenantId;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const setting = await this.db.appSetting.findUniqueOrThrow({ where: { key: PROVIDER_TENANT_SETTING } });
      return setting.value;
    }
  }

  /** Adds a user to an organisation; the first one to claim the organisation's admin seat is admin. */
  private async join(org: OrganisationRow, input: z.output<typeof identityInput>): Promise<{ user: UserRow; isNewUser: boolean }> {
    let user: UserRow;
    try {
      user = await this.db.user.create({
        data: { orgId: org.id, tenantId: input.tenantId, aadObjectId: input.aadObjectId, displayName: input.displayName, locale: input.locale, timeZone: input.timeZone, role: "agent", lastSeenAt: this.now() },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.db.user.findUniqueOrThrow({ where: { tenantId_aadObjectId: { tenantId: input.tenantId, aadObjectId: input.aadObjectId } } });
      return { user: existing, isNewUser: false };
    }
    const claimed = await this.db.organisation.updateMany({ where: { id: org.id, firstAdminId: null }, data: { firstAdminId: user.id } });
    if (claimed.count === 1) {
      user = await this.db.user.update({ where: { id: user.id }, data: { role: "admin" } });
      this.options.logger.info({ orgId: org.id, userId: user.id }, "first user of the organisation became its admin");
    }
    return { user, isNewUser: true };
  }

  private async touch(user: UserRow, input: z.output<typeof identityInput>): Promise<void> {
    const now = this.now();
    const renamed = input.displayName !== "" && input.displayName !== user.displayName;
    const relocated = input.locale !== undefined && input.locale !== user.locale;
    const moved = input.timeZone !== undefined && input.timeZone !== user.timeZone;
    if (!renamed && !relocated && !moved && now.getTime() - user.lastSeenAt.getTime() < SEEN_REFRESH_MS) return;
    await this.db.user.update({
      where: { id: user.id },
      data: { lastSeenAt: now, ...(renamed ? { displayName: input.displayName } : {}), ...(relocated ? { locale: input.locale } : {}), ...(moved ? { timeZone: input.timeZone } : {}) },
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

type OrganisationRow = { id: string; tenantId: string | null; kind: string; name: string };

/** A known user with their organisation and its active partnerships (a reseller's enrolment). */
export interface KnownUser {
  user: UserRow;
  org: OrganisationRow;
  activePartnerships: number;
}

/** The columns {@link knownUserSelect} reads, as a raw query returns them (null throughout when it reads no user, in an outer join). */
export type KnownUserRow = { [K in keyof Omit<UserRow, "lastSeenAt">]: UserRow[K] | null } & {
  lastSeenAt: Date | string | number | bigint | null;
  orgId: string | null;
  orgTenantId: string | null;
  orgKind: string | null;
  orgName: string | null;
  activePartnerships: number | bigint | string | null;
};

/**
 * The SELECT of the user of a tenant and object id (the placeholders given, in the provider's
 * syntax) with their organisation and its active partnerships: at most one row. A turn's first
 * statement joins it with what else it reads; {@link knownUserOf} reads the row.
 */
export function knownUserSelect(tenant: string, object: string): string {
  return `SELECT u."id" AS "id", u."tenantId" AS "tenantId", u."aadObjectId" AS "aadObjectId", u."displayName" AS "displayName", u."role" AS "role", u."locale" AS "locale", u."timeZone" AS "timeZone", u."lastSeenAt" AS "lastSeenAt",
        o."id" AS "orgId", o."tenantId" AS "orgTenantId", o."kind" AS "orgKind", o."name" AS "orgName",
        (SELECT COUNT(*) FROM "Partnership" AS p WHERE p."resellerOrgId" = o."id" AND p."status" = 'active') AS "activePartnerships"
       FROM "User" AS u JOIN "Organisation" AS o ON o."id" = u."orgId" WHERE u."tenantId" = ${tenant} AND u."aadObjectId" = ${object}`;
}

/** The known user of a row of {@link knownUserSelect}; undefined for no row, or a row without a user. */
export function knownUserOf(row: KnownUserRow | undefined): KnownUser | undefined {
  if (!row || row.id === null || row.orgId === null || row.lastSeenAt === null) return undefined;
  return {
    user: { id: row.id, tenantId: row.tenantId!, aadObjectId: row.aadObjectId!, displayName: row.displayName!, role: row.role!, locale: row.locale, timeZone: row.timeZone, lastSeenAt: rawDate(row.lastSeenAt) },
    org: { id: row.orgId, tenantId: row.orgTenantId, kind: row.orgKind!, name: row.orgName! },
    activePartnerships: Number(row.activePartnerships ?? 0),
  };
}
type UserRow = { id: string; tenantId: string; aadObjectId: string; displayName: string; role: string; locale: string | null; timeZone: string | null; lastSeenAt: Date };

/** The Caller of a user recorded here (for work done later on their behalf: an approved request, a reminder). */
export async function callerById(db: Db, userId: string): Promise<Caller> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { org: true } });
  return toCaller(user, user.org);
}

function toCaller(user: UserRow, org: OrganisationRow): Caller {
  return {
    userId: user.id,
    tenantId: user.tenantId,
    aadObjectId: user.aadObjectId,
    displayName: user.displayName,
    timeZone: user.timeZone ?? undefined,
    role: user.role === "admin" ? "admin" : "agent",
    organisation: { id: org.id, kind: org.kind === "reseller" ? "reseller" : "provider", name: org.name },
  };
}
