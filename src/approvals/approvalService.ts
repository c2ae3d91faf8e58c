/**
 * Approvals: a provider's admins say which actions need a second person (orders above a number of
 * licences or an amount per month, orders for a reseller's customers, cancellations,
 * suspensions). Such an action becomes a request; an admin other than the requester approves or
 * rejects it, with a reason. The action's key is fixed when it is requested, and the request
 * moves from pending to approved by one conditional write, so that two approvals (a double
 * click, two admins at once, a redelivery) run it once; a request approved but not finished (a
 * crash) is finished by the next look at it, with the same key. Requests expire. Every step is
 * audited.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { audit } from "../audit/auditLog.js";
import type { Db } from "../db/database.js";
import { InvalidInput, NotAllowed, NotFound } from "../errors.js";
import { callerById, type Caller } from "../identity/identityService.js";
import { isPartnerCenterError } from "../partnerCenter/errors.js";
import type { OrderResult, OrderService, PlaceOrderCommand } from "../subscriptions/orderService.js";
import type { SubscriptionService } from "../subscriptions/subscriptionService.js";

export const approvalKinds = ["order", "cancel", "suspend"] as const;
export type ApprovalKind = (typeof approvalKinds)[number];
export type ApprovalStatus = "pending" | "approved" | "done" | "failed" | "rejected" | "expired";

export interface ApprovalPolicyView {
  orderLicencesAbove: number | null;
  orderMonthlyCentsAbove: number | null;
  cancellations: boolean;
  suspensions: boolean;
  resellerCustomers: boolean;
  expiryHours: number;
}

export const NO_APPROVALS: ApprovalPolicyView = { orderLicencesAbove: null, orderMonthlyCentsAbove: null, cancellations: false, suspensions: false, resellerCustomers: false, expiryHours: 72 };

const threshold = z.union([z.null(), z.number().int().min(0).max(100_000_000)]);
export const policyInput = z.object({
  orderLicencesAbove: threshold,
  orderMonthlyCentsAbove: threshold,
  cancellations: z.boolean(),
  suspensions: z.boolean(),
  resellerCustomers: z.boolean(),
  expiryHours: z.number().int().min(1).max(24 * 30),
});

/** What the card of a request shows. */
export interface ApprovalSummary {
  customer: string;
  /** Orders: each line's offer and licences; cancel/suspend: the subscription's offer and licences. */
  lines: { offer: string; licences: number }[];
  /** Orders: the estimated amount per month, in cents, and its currency. */
  monthlyCents?: number;
  currency?: string;
  term?: string;
  cycle?: string;
  /** Suspensions: the reason chosen. */
  reason?: string;
  /** What made it need approval: "licences" | "amount" | "resellerCustomer" | "cancellations" | "suspensions". */
  because: string[];
  /** The policy's limits it went over, as they were when asked. */
  limits?: { licences?: number; monthlyCents?: number };
}

export interface ApprovalView {
  id: string;
  kind: ApprovalKind;
  status: ApprovalStatus;
  summary: ApprovalSummary;
  requester: { id: string; name: string };
  decider?: { id: string; name: string };
  reason: string | null;
  outcome: Record<string, unknown> | null;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
}

export type OrderPayload = Omit<PlaceOrderCommand, "idempotencyKey">;
type Payload = { kind: "order"; order: OrderPayload } | { kind: "cancel"; subscriptionId: string; version: number } | { kind: "suspend"; subscriptionId: string; version: number; reason: string };

/** The outcome of a decision, as the card tells it. */
export type Decision = { status: "done"; view: ApprovalView; order?: OrderResult } | { status: "failed"; view: ApprovalView; error: unknown } | { status: "rejected" | "expired"; view: ApprovalView } | { status: "alreadyDecided"; view: ApprovalView };

const HOUR = 3_600_000;
/** An approved request whose run has not finished after this long is taken to have been interrupted. */
const RESUME_AFTER_MS = 120_000;

export class ApprovalService {
  constructor(
    private readonly db: Db,
    private readonly orders: OrderService,
    private readonly subscriptions: SubscriptionService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The provider's policy (no approvals until an admin sets one). */
  async policy(caller: Caller): Promise<ApprovalPolicyView> {
    const row = await this.db.approvalPolicy.findUnique({ where: { organisationId: await this.providerOf(caller) } });
    if (!row) return { ...NO_APPROVALS };
    const { organisationId: _o, updatedById: _u, updatedAt: _a, ...policy } = row;
    return policy;
  }

  /** Sets the policy: provider admins only; audited with the values before and after. */
  async setPolicy(caller: Caller, input: z.input<typeof policyInput>): Promise<ApprovalPolicyView> {
    if (caller.organisation.kind !== "provider" || caller.role !== "admin") throw new NotAllowed("approvals.policy");
    const parsed = policyInput.safeParse(input);
    if (!parsed.success) throw new InvalidInput(parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? "policy"), code: "invalid" })));
    const before = await this.policy(caller);
    await this.db.$transaction(async (tx) => {
      await tx.approvalPolicy.upsert({ where: { organisationId: caller.organisation.id }, create: { organisationId: caller.organisation.id, ...parsed.data, updatedById: caller.userId }, update: { ...parsed.data, updatedById: caller.userId } });
      await audit(tx, caller, { action: "approvals.policy", before: { ...before }, after: { ...parsed.data } }, this.now());
    });
    return parsed.data;
  }

  /** Why an order needs approval under the policy (none: it does not), and the limits it goes over. */
  async orderNeeds(caller: Caller, order: { licences: number; monthlyCents: number; resellerCustomer: boolean }): Promise<{ because: string[]; limits: { licences?: number; monthlyCents?: number } }> {
    const policy = await this.policy(caller);
    const because: string[] = [];
    const limits: { licences?: number; monthlyCents?: number } = {};
    if (policy.orderLicencesAbove !== null && order.licences > policy.orderLicencesAbove) {
      because.push("licences");
      limits.licences = policy.orderLicencesAbove;
    }
    if (policy.orderMonthlyCentsAbove !== null && order.monthlyCents > policy.orderMonthlyCentsAbove) {
      because.push("amount");
      limits.monthlyCents = policy.orderMonthlyCentsAbove;
    }
    if (policy.resellerCustomers && order.resellerCustomer) because.push("resellerCustomer");
    return { because, limits };
  }

  /** Whether a cancellation or a suspension needs approval. */
  async changeNeeds(caller: Caller, kind: "cancel" | "suspend"): Promise<string[]> {
    const policy = await this.policy(caller);
    if (kind === "cancel") return policy.cancellations ? ["cancellations"] : [];
    return policy.suspensions ? ["suspensions"] : [];
  }

  /**
   * Records a request (the same `requestKey` again returns the same request: a double click asks
   * once). The action's own key is fixed here.
   */
  async request(caller: Caller, input: { requestKey: string; payload: Payload; summary: ApprovalSummary; customerId?: string; subscriptionId?: string }): Promise<{ view: ApprovalView; created: boolean }> {
    const existing = await this.db.approvalRequest.findUnique({ where: { actionKey: input.requestKey } });
    if (existing) return { view: await this.view(existing.id), created: false };
    const policy = await this.policy(caller);
    const now = this.now();
    const id = randomUUID();
    const organisationId = await this.providerOf(caller);
    try {
      await this.db.$transaction(async (tx) => {
        await tx.approvalRequest.create({
          data: {
            id,
            organisationId,
            kind: input.payload.kind,
            payload: JSON.stringify(input.payload),
            summary: JSON.stringify(input.summary),
            customerId: input.customerId ?? null,
            subscriptionId: input.subscriptionId ?? null,
            actionKey: input.requestKey,
            requesterId: caller.userId,
            createdAt: now,
            expiresAt: new Date(now.getTime() + policy.expiryHours * HOUR),
          },
        });
        await audit(tx, caller, { action: "approval.requested", customerId: input.customerId, subscriptionId: input.subscriptionId, after: { approvalId: id, kind: input.payload.kind, because: input.summary.because } }, now);
      });
    } catch (error) {
      const again = await this.db.approvalRequest.findUnique({ where: { actionKey: input.requestKey } });
      if (again) return { view: await this.view(again.id), created: false };
      throw error;
    }
    return { view: await this.view(id), created: true };
  }

  /** Who can decide a request: the provider's admins other than the requester, with what their cards need. */
  async deciders(requestId: string): Promise<Caller[]> {
    const row = await this.db.approvalRequest.findUniqueOrThrow({ where: { id: requestId }, select: { organisationId: true, requesterId: true } });
    const admins = await this.db.user.findMany({ where: { orgId: row.organisationId, role: "admin", id: { not: row.requesterId } }, select: { id: true } });
    return Promise.all(admins.map((admin) => this.callerOf(admin.id)));
  }

  /** A user's language, as their proactive cards need it. */
  async localeOf(userId: string): Promise<string | null> {
    return (await this.db.user.findUnique({ where: { id: userId }, select: { locale: true } }))?.locale ?? null;
  }

  /** Where the requester's copy of the card is, so that a decision can update it. */
  async attachCard(id: string, cardRef: object): Promise<void> {
    await this.db.approvalRequest.update({ where: { id }, data: { cardRef: JSON.stringify(cardRef) } });
  }

  async cardRef(id: string): Promise<Record<string, unknown> | null> {
    const row = await this.db.approvalRequest.findUnique({ where: { id }, select: { cardRef: true } });
    return row?.cardRef ? (JSON.parse(row.cardRef) as Record<string, unknown>) : null;
  }

  /** A request as its card shows it, expired if its time has passed (and recorded so). */
  async get(caller: Caller, id: string): Promise<ApprovalView> {
    const row = await this.db.approvalRequest.findUnique({ where: { id } });
    if (!row || row.organisationId !== (await this.providerOf(caller).catch(() => ""))) throw new NotFound("approval");
    if (caller.organisation.kind !== "provider" && row.requesterId !== caller.userId) throw new NotFound("approval");
    await this.expireIfDue(row.id);
    return this.view(id);
  }

  /** The provider's pending requests, oldest first. */
  async pending(caller: Caller): Promise<ApprovalView[]> {
    const rows = await this.db.approvalRequest.findMany({ where: { organisationId: await this.providerOf(caller), status: "pending", expiresAt: { gt: this.now() } }, orderBy: { createdAt: "asc" }, take: 50, select: { id: true } });
    return Promise.all(rows.map((row) => this.view(row.id)));
  }

  /**
   * Approves and runs the action, once. Provider admins only, never the requester. A request
   * already decided answers with its state (and is finished if it was approved but not run).
   */
  async approve(caller: Caller, id: string): Promise<Decision> {
    const row = await this.decidable(caller, id);
    const now = this.now();
    const expired = await this.expiredAt(row, now);
    if (expired) return expired;
    const won = await this.db.$transaction(async (tx) => {
      const { count } = await tx.approvalRequest.updateMany({ where: { id, status: "pending", expiresAt: { gt: now } }, data: { status: "approved", deciderId: caller.userId, decidedAt: now } });
      if (count === 1) await audit(tx, caller, { action: "approval.approved", customerId: row.customerId ?? undefined, subscriptionId: row.subscriptionId ?? undefined, after: { approvalId: id } }, now);
      return count === 1;
    });
    if (!won) {
      const current = await this.db.approvalRequest.findUniqueOrThrow({ where: { id } });
      // Approved a while ago, but the run did not finish (a crash): finish it, with the same key.
      // (Approved just now: another press is running it; this one does not run it again.)
      if (current.status === "approved" && current.decidedAt && current.decidedAt.getTime() <= now.getTime() - RESUME_AFTER_MS) return this.run(id);
      return { status: "alreadyDecided", view: await this.view(id) };
    }
    return this.run(id);
  }

  /** Rejects with a reason: provider admins only, never the requester. */
  async reject(caller: Caller, id: string, reason: string): Promise<Decision> {
    const text = z.string().trim().min(1).max(500).safeParse(reason);
    if (!text.success) throw new InvalidInput([{ field: "reason", code: "required" }]);
    const row = await this.decidable(caller, id);
    const now = this.now();
    const expired = await this.expiredAt(row, now);
    if (expired) return expired;
    const won = await this.db.$transaction(async (tx) => {
      const { count } = await tx.approvalRequest.updateMany({ where: { id, status: "pending", expiresAt: { gt: now } }, data: { status: "rejected", deciderId: caller.userId, decidedAt: now, reason: text.data } });
      if (count === 1) await audit(tx, caller, { action: "approval.rejected", customerId: row.customerId ?? undefined, subscriptionId: row.subscriptionId ?? undefined, after: { approvalId: id, reason: text.data } }, now);
      return count === 1;
    });
    return { status: won ? "rejected" : "alreadyDecided", view: await this.view(id) };
  }

  /** Marks pending requests past their time as expired; returns them (the sweep tells the requesters). */
  async expireDue(): Promise<ApprovalView[]> {
    const due = await this.db.approvalRequest.findMany({ where: { status: "pending", expiresAt: { lte: this.now() } }, select: { id: true }, take: 200 });
    const expired: ApprovalView[] = [];
    for (const { id } of due) if (await this.expireIfDue(id)) expired.push(await this.view(id));
    return expired;
  }

  /** Requests approved whose run did not finish (the process stopped): run them again with their key. */
  async resumeApproved(): Promise<Decision[]> {
    const stuck = await this.db.approvalRequest.findMany({ where: { status: "approved", decidedAt: { lte: new Date(this.now().getTime() - RESUME_AFTER_MS) } }, select: { id: true }, take: 50 });
    const decisions: Decision[] = [];
    for (const { id } of stuck) decisions.push(await this.run(id));
    return decisions;
  }

  private async run(id: string): Promise<Decision> {
    const row = await this.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    const requester = await this.callerOf(row.requesterId);
    const payload = JSON.parse(row.payload) as Payload;
    let outcome: Record<string, unknown>;
    let order: OrderResult | undefined;
    try {
      if (payload.kind === "order") {
        order = await this.orders.place(requester, { ...payload.order, idempotencyKey: row.actionKey });
        outcome = { orderId: order.orderId, subscriptions: order.subscriptionIds.length, provisioning: order.provisioning };
      } else {
        await this.runChange(requester, payload);
        outcome = {};
      }
    } catch (error) {
      const failure = { code: isPartnerCenterError(error) ? error.code : null, reason: isPartnerCenterError(error) ? error.reason : (error as Error).name };
      await this.finish(row.id, "failed", failure);
      return { status: "failed", view: await this.view(id), error };
    }
    await this.finish(row.id, "done", outcome);
    return { status: "done", view: await this.view(id), order };
  }

  /** A cancellation or a suspension; if an earlier run did it already (a crash after Partner Center answered), it is done. */
  private async runChange(requester: Caller, payload: Extract<Payload, { kind: "cancel" | "suspend" }>): Promise<void> {
    const target = payload.kind === "cancel" ? "deleted" : "suspended";
    const current = await this.db.subscription.findUnique({ where: { id: payload.subscriptionId }, select: { status: true, version: true } });
    if (current && current.status === target && current.version > payload.version) return;
    if (payload.kind === "cancel") await this.subscriptions.cancel(requester, { subscriptionId: payload.subscriptionId, version: payload.version });
    else await this.subscriptions.suspend(requester, { subscriptionId: payload.subscriptionId, version: payload.version, reason: payload.reason });
  }

  private async finish(id: string, status: "done" | "failed", outcome: Record<string, unknown>): Promise<void> {
    const row = await this.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    // Read before the transaction: on SQLite it holds the one connection.
    const decider = await this.callerOf(row.deciderId ?? row.requesterId);
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.approvalRequest.updateMany({ where: { id, status: "approved" }, data: { status, outcome: JSON.stringify(outcome) } });
      if (count === 1) {
        await audit(tx, decider, { action: status === "done" ? "approval.done" : "approval.failed", customerId: row.customerId ?? undefined, subscriptionId: row.subscriptionId ?? undefined, after: { approvalId: id, ...outcome } }, this.now());
      }
    });
  }

  /** A pending request past its time, when a decision comes: it expires instead (and says so). */
  private async expiredAt(row: { id: string; status: string; expiresAt: Date }, now: Date): Promise<Decision | undefined> {
    if (row.status !== "pending" || row.expiresAt > now) return undefined;
    await this.expireIfDue(row.id);
    return { status: "expired", view: await this.view(row.id) };
  }

  private async expireIfDue(id: string): Promise<boolean> {
    const now = this.now();
    const { count } = await this.db.approvalRequest.updateMany({ where: { id, status: "pending", expiresAt: { lte: now } }, data: { status: "expired", decidedAt: now } });
    if (count === 1) {
      const row = await this.db.approvalRequest.findUniqueOrThrow({ where: { id } });
      await audit(this.db, await this.callerOf(row.requesterId), { action: "approval.expired", customerId: row.customerId ?? undefined, subscriptionId: row.subscriptionId ?? undefined, after: { approvalId: id } }, now);
    }
    return count === 1;
  }

  /** The request, if this caller may decide it: a provider admin of its organisation who did not ask for it. */
  private async decidable(caller: Caller, id: string) {
    const row = await this.db.approvalRequest.findUnique({ where: { id } });
    if (!row || caller.organisation.kind !== "provider" || row.organisationId !== caller.organisation.id) throw new NotFound("approval");
    if (caller.role !== "admin") throw new NotAllowed("approval.decide");
    if (row.requesterId === caller.userId) throw new NotAllowed("approval.ownRequest");
    return row;
  }

  private async providerOf(caller: Caller): Promise<string> {
    if (caller.organisation.kind === "provider") return caller.organisation.id;
    const partnership = await this.db.partnership.findFirst({ where: { resellerOrgId: caller.organisation.id, status: "active" }, select: { providerOrgId: true } });
    if (!partnership) throw new NotAllowed("approvals");
    return partnership.providerOrgId;
  }

  async callerOf(userId: string): Promise<Caller> {
    return callerById(this.db, userId);
  }


  private async view(id: string): Promise<ApprovalView> {
    const row = await this.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    const names = await this.db.user.findMany({ where: { id: { in: [row.requesterId, ...(row.deciderId ? [row.deciderId] : [])] } }, select: { id: true, displayName: true } });
    const name = (userId: string) => names.find((user) => user.id === userId)?.displayName ?? "";
    return {
      id: row.id,
      kind: row.kind as ApprovalKind,
      status: row.status as ApprovalStatus,
      summary: JSON.parse(row.summary) as ApprovalSummary,
      requester: { id: row.requesterId, name: name(row.requesterId) },
      decider: row.deciderId ? { id: row.deciderId, name: name(row.deciderId) } : undefined,
      reason: row.reason,
      outcome: row.outcome ? (JSON.parse(row.outcome) as Record<string, unknown>) : null,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      decidedAt: row.decidedAt,
    };
  }
}
