/**
 * Against the real Partner Center there is no API to invite a reseller: the bot's invitation is
 * its own workflow, and a partnership accepted in Teams becomes active once the relationship
 * shows up in Partner Center (GET /v1/relationships), which the sweep polls. Each confirmed
 * partnership records the reseller's PartnerID (what a cart's transaction_reseller takes).
 */
import type { Db } from "../db/database.js";
import type { PartnerCenter } from "../partnerCenter/port.js";

export interface ConfirmedPartnership {
  partnershipId: string;
  companyName: string;
  invitedById: string;
  resellerOrgId: string;
  respondedById: string | null;
}

export class ResellerSync {
  constructor(
    private readonly db: Db,
    private readonly pc: PartnerCenter,
  ) {}

  /** Partnerships accepted in Teams whose relationship now exists in Partner Center: made active. */
  async confirm(): Promise<ConfirmedPartnership[]> {
    const waiting = await this.db.partnership.findMany({ where: { status: "accepted", resellerOrgId: { not: null } } });
    if (!waiting.length) return [];
    const relationships = await this.pc.indirectResellers();
    const confirmed: ConfirmedPartnership[] = [];
    for (const partnership of waiting) {
      const org = await this.db.organisation.findUnique({ where: { id: partnership.resellerOrgId! } });
      const relationship = relationships.find((candidate) => candidate.id === org?.tenantId && candidate.state.toLowerCase() === "active");
      if (!org || !relationship) continue;
      const done = await this.db.$transaction(async (tx) => {
        const { count } = await tx.partnership.updateMany({ where: { id: partnership.id, status: "accepted" }, data: { status: "active" } });
        if (count === 1) await tx.organisation.update({ where: { id: org.id }, data: { mpnId: relationship.mpnId } });
        return count === 1;
      });
      if (done) confirmed.push({ partnershipId: partnership.id, companyName: partnership.companyName, invitedById: partnership.invitedById, resellerOrgId: org.id, respondedById: partnership.respondedById });
    }
    return confirmed;
  }
}
