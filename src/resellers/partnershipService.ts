/**
 * Partnerships with indirect resellers: the provider invites a reseller by email with a
 * personalised, single-use code that expires (stored only as a hash); a user of the reseller's
 * tenant accepts or declines it in Teams. Accepting binds a reseller organisation to that
 * tenant and makes that user its admin.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import { InvalidInput, NotAllowed, NotFound } from "../errors.js";
import { forbiddenCharacters } from "../customers/customerSchema.js";
import type { Caller } from "../identity/identityService.js";

export const DEFAULT_INVITATION_DAYS = 14;

/** "accepted": accepted in Teams, waiting for the relationship to appear in Partner Center (PARTNER_CENTER=api). */
export type PartnershipState = "invited" | "accepted" | "active" | "declined" | "revoked" | "expired";

export class InvitationRefused extends Error {
  constructor(readonly reason: "unknown" | "used" | "expired" | "revoked" | "declined" | "ownTenant" | "otherTenant" | "tenantTaken") {
    super(`invitation refused: ${reason}`);
    this.name = "InvitationRefused";
  }
}

const inviteSchema = z.object({
  email: z.string().trim().min(1, "required").max(254, "tooLong:254").refine((value) => !forbiddenCharacters.test(value), "invalidCharacters").pipe(z.email("invalidEmail")),
  companyName: z.string().trim().min(1, "required").max(200, "tooLong:200").refine((value) => !forbiddenCharacters.test(value), "invalidCharacters"),
});

export interface Prospect {
  tenantId: string;
  aadObjectId: string;
  displayName: string;
  locale?: string;
}

export const hashCode = (code: string) => createHash("sha256").update(code.trim()).digest("hex");

export class PartnershipService {
  constructor(
    private readonly db: Db,
    private readonly options: {
      invitationDays?: number;
      now?: () => Date;
      /** Against the real Partner Center a partnership is active once the relationship appears there (ResellerSync confirms it). */
      confirmInPartnerCenter?: boolean;
    } = {},
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Creates an invitation; returns the one-time code to put in the invitation link. Provider admins only. */
  async invite(caller: Caller, input: { email: string; companyName: string }) {
    if (caller.organisation.kind !== "provider" || caller.role !== "admin") throw new NotAllowed("reseller.invite");
    const parsed = inviteSchema.safeParse(input);
    if (!parsed.success) {
      throw new InvalidInput(parsed.error.issues.map((issue) => {
        const [code, max] = issue.message.split(":");
        return { field: String(issue.path[0]), code: code as "required", ...(max ? { params: { max: Number(max) } } : {}) };
      }));
    }
    const code = randomBytes(18).toString("base64url");
    const now = this.now();
    const partnership = await this.db.partnership.create({
      data: {
        providerOrgId: caller.organisation.id,
        email: parsed.data.email.toLowerCase(),
        companyName: parsed.data.companyName,
        tokenHash: hashCode(code),
        status: "invited",
        expiresAt: new Date(now.getTime() + (this.options.invitationDays ?? DEFAULT_INVITATION_DAYS) * 86_400_000),
        invitedById: caller.userId,
        createdAt: now,
      },
    });
    return { partnership, code };
  }

  /** The invitation a code names, for the partnership card, if it can still be answered by this prospect. */
  async peek(code: string, prospect: Prospect) {
    const partnership = await this.usable(code, prospect);
    const provider = await this.db.organisation.findUniqueOrThrow({ where: { id: partnership.providerOrgId } });
    const inviter = await this.db.user.findUnique({ where: { id: partnership.invitedById } });
    return { partnership, providerName: provider.name, inviterName: inviter?.displayName ?? provider.name, inviterLocale: inviter?.locale ?? null };
  }

  /** Accepts: binds a reseller organisation to the prospect's tenant; the prospect becomes its admin. */
  async accept(code: string, prospect: Prospect) {
    const partnership = await this.usable(code, prospect);
    const now = this.now();
    try {
      return await this.db.$transaction(async (tx) => {
        const status = this.options.confirmInPartnerCenter ? "accepted" : "active";
        const claimed = await tx.partnership.updateMany({ where: { id: partnership.id, status: "invited" }, data: { status, respondedAt: now } });
        if (claimed.count !== 1) throw new InvitationRefused("used");
        const org = await tx.organisation.create({ data: { tenantId: prospect.tenantId, kind: "reseller", name: partnership.companyName } });
        const user = await tx.user.create({
          data: { orgId: org.id, tenantId: prospect.tenantId, aadObjectId: prospect.aadObjectId, displayName: prospect.displayName, locale: prospect.locale, role: "admin", lastSeenAt: now },
        });
        await tx.organisation.update({ where: { id: org.id }, data: { firstAdminId: user.id } });
        await tx.partnership.update({ where: { id: partnership.id }, data: { resellerOrgId: org.id, respondedById: user.id } });
        return { partnership: { ...partnership, status, resellerOrgId: org.id }, resellerOrgId: org.id, userId: user.id, awaitingPartnerCenter: status === "accepted" };
      });
    } catch (error) {
      // The tenant already has an organisation here (another reseller partnership, or its users): refuse clearly.
      if (isUniqueViolation(error)) throw new InvitationRefused("tenantTaken");
      throw error;
    }
  }

  async decline(code: string, prospect: Prospect) {
    const partnership = await this.usable(code, prospect);
    const { count } = await this.db.partnership.updateMany({ where: { id: partnership.id, status: "invited" }, data: { status: "declined", respondedAt: this.now() } });
    if (count !== 1) throw new InvitationRefused("used");
    return partnership;
  }

  async revoke(caller: Caller, partnershipId: string): Promise<void> {
    if (caller.organisation.kind !== "provider" || caller.role !== "admin") throw new NotAllowed("reseller.revoke");
    const partnership = await this.db.partnership.findUnique({ where: { id: partnershipId } });
    if (!partnership || partnership.providerOrgId !== caller.organisation.id) throw new NotFound("partnership");
    const { count } = await this.db.partnership.updateMany({ where: { id: partnershipId, status: "invited" }, data: { status: "revoked", respondedAt: this.now() } });
    if (count !== 1) throw new InvalidInput([{ field: "partnershipId", code: "invalidChoice" }]);
  }

  /** The provider's resellers and invitations with their state. Provider staff only. */
  async list(caller: Caller) {
    if (caller.organisation.kind !== "provider") throw new NotAllowed("reseller.list");
    const rows = await this.db.partnership.findMany({ where: { providerOrgId: caller.organisation.id }, orderBy: [{ companyName: "asc" }, { createdAt: "desc" }] });
    const now = this.now();
    return rows.map((row) => ({ ...row, state: stateOf(row, now) }));
  }

  /** The provider's active resellers (none for a reseller's user), by name. */
  async activeResellers(caller: Caller): Promise<{ id: string; name: string; tenantId: string | null }[]> {
    if (caller.organisation.kind !== "provider") return [];
    // One statement (it is read with every list of customers).
    return this.db.$queryRaw<{ id: string; name: string; tenantId: string | null }[]>`
      SELECT o."id" AS "id", o."name" AS "name", o."tenantId" AS "tenantId" FROM "Organisation" AS o
      WHERE o."id" IN (SELECT p."resellerOrgId" FROM "Partnership" AS p WHERE p."providerOrgId" = ${caller.organisation.id} AND p."status" = 'active' AND p."resellerOrgId" IS NOT NULL)
      ORDER BY o."name" ASC`;
  }

  /** An active reseller of the caller's provider, by organisation id. */
  async activeReseller(caller: Caller, resellerOrgId: string) {
    const partnership = await this.db.partnership.findFirst({ where: { providerOrgId: caller.organisation.id, resellerOrgId, status: "active" } });
    if (!partnership || caller.organisation.kind !== "provider") throw new NotFound("reseller");
    return partnership;
  }

  private async usable(code: string, prospect: Prospect) {
    const partnership = await this.db.partnership.findUnique({ where: { tokenHash: hashCode(code) } });
    if (!partnership) throw new InvitationRefused("unknown");
    const provider = await this.db.organisation.findUniqueOrThrow({ where: { id: partnership.providerOrgId } });
    if (provider.tenantId === prospect.tenantId) throw new InvitationRefused("ownTenant");
    if (partnership.status === "active" || partnership.status === "accepted") {
      const reseller = partnership.resellerOrgId ? await this.db.organisation.findUnique({ where: { id: partnership.resellerOrgId } }) : null;
      throw new InvitationRefused(reseller && reseller.tenantId !== prospect.tenantId ? "otherTenant" : "used");
    }
    if (partnership.status === "revoked") throw new InvitationRefused("revoked");
    if (partnership.status === "declined") throw new InvitationRefused("declined");
    if (partnership.expiresAt <= this.now()) throw new InvitationRefused("expired");
    return partnership;
  }
}

export function stateOf(row: { status: string; expiresAt: Date }, now: Date): PartnershipState {
  if (row.status === "invited" && row.expiresAt <= now) return "expired";
  return row.status as PartnershipState;
}
