/**
 * Expiry reminders: a suspended subscription's data deletion, a trial's end, a non-renewing
 * term's end. Each sweep (1) deletes suspended subscriptions whose retention ran out, even if
 * the bot was down when it did, (2) records the reminders that are due, once per
 * (subscription, kind, date, lead, recipient), found through indexes on the dates, and
 * (3) claims due reminders under a lease, re-checks that they still apply, and sends them
 * through the channel, recording the outcome. Several instances can sweep at once: a claim is
 * a conditional update, so only one instance holds a reminder while its lease runs.
 *
 * Time is read when it is used (a claim's lease, a retry's due time), never once per sweep: a
 * sweep can last minutes behind a slow connector. A claim's lease is short and renewed while its
 * instance works on it, so a crashed instance's claims are taken over within a minute. A
 * deletion and the notices announcing it are written in one transaction.
 *
 * Guarantee: at least once, de-duplicated. A reminder is sent at most once per claim; if an
 * instance dies after sending and before recording, the lease expires and another instance
 * sends it again. We prefer a rare duplicate to a lost warning before data is deleted.
 */
import { randomUUID } from "node:crypto";
import { audit } from "../audit/auditLog.js";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import type { Caller } from "../identity/identityService.js";
import type { Logger } from "../log.js";

export const reminderKinds = ["deletion", "trialEnd", "termEnd", "deleted"] as const;
export type ReminderKind = (typeof reminderKinds)[number];

const DAY = 86_400_000;

export interface ReminderToSend {
  id: string;
  kind: ReminderKind;
  eventAt: Date;
  leadDays: number;
  recipientUserId: string;
  subscription: { id: string; version: number; status: string; licences: number; offerId: string; offerName: string; customerName: string; customerId: string; fullOfferId: string | null };
}

/** How a delivery went: sent; retry later (429 with Retry-After, 412, 5xx, network); or give up. */
export type Delivery = { outcome: "sent" } | { outcome: "retry"; retryAfterMs?: number; error: string } | { outcome: "failed"; error: string };

/** Sends one reminder to its recipient (the Teams edge implements it). */
export interface ReminderChannel {
  deliver(reminder: ReminderToSend): Promise<Delivery>;
}

export interface SchedulerOptions {
  leadDays: number[];
  maxAttempts: number;
  /** How long a claim lasts unless renewed; renewed every third of it while the reminder is worked on. */
  leaseMs: number;
  batchSize: number;
  /** Reminders delivered at once by this instance (the send budget paces them). */
  concurrency: number;
  /** First retry delay; doubled each attempt, with jitter, up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  random: () => number;
  instanceId: string;
  /** The time, read each time it is needed. */
  clock: () => Date;
}

export const defaultSchedulerOptions: SchedulerOptions = {
  leadDays: [30, 7, 1],
  maxAttempts: 6,
  leaseMs: 60_000,
  batchSize: 50,
  concurrency: 8,
  baseBackoffMs: 2_000,
  maxBackoffMs: 10 * 60_000,
  random: Math.random,
  instanceId: randomUUID(),
  clock: () => new Date(),
};

/** Why a reminder failed when its recipient had no conversation with the bot (yet): retried when one appears. */
export const NO_CONVERSATION = "no active conversation with the recipient";

/** A retry never waits longer than this, whatever a Retry-After says. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

export interface SweepReport {
  deleted: number;
  recorded: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

type Outcome = "sent" | "retried" | "failed" | "skipped";

/** The system, as the actor of changes nobody made by hand (retention running out). */
const systemActor = (orgId: string): Caller => ({ userId: "system", tenantId: "", aadObjectId: "", displayName: "System", role: "admin", organisation: { id: orgId, kind: "provider", name: "" } });

export class ReminderScheduler {
  private readonly options: SchedulerOptions;

  constructor(
    private readonly db: Db,
    private readonly channel: ReminderChannel,
    private readonly logger: Logger,
    options: Partial<SchedulerOptions> = {},
  ) {
    this.options = { ...defaultSchedulerOptions, ...options };
  }

  private now(): Date {
    return this.options.clock();
  }

  /** Deletes what ran out, records what is due, then delivers until nothing due is left unclaimed. */
  async sweep(): Promise<SweepReport> {
    const report: SweepReport = { deleted: 0, recorded: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    report.deleted = await this.deleteExpired();
    report.recorded = await this.recordDue();
    for (;;) {
      const claimed = await this.claim();
      if (claimed === undefined) break;
      const outcomes = await this.deliverAll(claimed);
      for (const outcome of outcomes) report[outcome]++;
    }
    return report;
  }

  /** Delivers claimed reminders, several at a time, renewing their leases while they are worked on. */
  private async deliverAll(ids: string[]): Promise<Outcome[]> {
    const working = new Set(ids);
    const renewal = setInterval(() => void this.renew([...working]).catch(() => undefined), Math.max(50, this.options.leaseMs / 3));
    renewal.unref?.();
    try {
      const outcomes: Outcome[] = [];
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const id = ids[next++];
          outcomes.push(await this.process(id));
          working.delete(id);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.options.concurrency, ids.length) }, worker));
      return outcomes;
    } finally {
      clearInterval(renewal);
    }
  }

  private async renew(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.reminder.updateMany({ where: { id: { in: ids }, status: "claimed", claimedBy: this.options.instanceId }, data: { leaseUntil: new Date(this.now().getTime() + this.options.leaseMs) } });
  }

  /** Suspended subscriptions whose retention has run out become deleted; their people are told. */
  private async deleteExpired(): Promise<number> {
    const expired = await this.db.subscription.findMany({ where: { status: "suspended", deletionAt: { lte: this.now() } }, include: { customer: true }, take: 500 });
    let deleted = 0;
    for (const subscription of expired) {
      const recipients = await this.recipients(subscription.id);
      const now = this.now();
      // The deletion and its notices commit together: no deletion is ever left unannounced.
      const done = await this.db.$transaction(async (tx) => {
        const { count } = await tx.subscription.updateMany({ where: { id: subscription.id, status: "suspended", version: subscription.version }, data: { status: "deleted", version: { increment: 1 } } });
        if (count !== 1) return false;
        await tx.offerHold.deleteMany({ where: { subscriptionId: subscription.id } });
        await audit(tx, systemActor(subscription.customer.providerOrgId), { action: "subscription.deleted", customerId: subscription.customerId, subscriptionId: subscription.id, before: { status: "suspended" }, after: { status: "deleted" } }, now);
        await tx.reminder.createMany({ data: recipients.map((recipientUserId) => ({ subscriptionId: subscription.id, kind: "deleted", eventAt: subscription.deletionAt!, leadDays: 0, recipientUserId, nextAttemptAt: now })) });
        return true;
      });
      if (!done) continue;
      deleted++;
      this.logger.info({ subscriptionId: subscription.id, deletionAt: subscription.deletionAt }, "retention ran out: subscription deleted");
    }
    return deleted;
  }

  /** Records the reminders due now: for each upcoming event, the most urgent lead time reached. */
  private async recordDue(): Promise<number> {
    const now = this.now();
    const horizon = new Date(now.getTime() + Math.max(...this.options.leadDays) * DAY);
    const window = { gt: now, lte: horizon };
    const [suspended, trials, terms] = await Promise.all([
      this.db.subscription.findMany({ where: { status: "suspended", deletionAt: window, remindersMuted: false }, select: { id: true, deletionAt: true, suspendedAt: true } }),
      this.db.subscription.findMany({ where: { status: "active", trialEndsAt: window, remindersMuted: false }, select: { id: true, trialEndsAt: true, createdAt: true } }),
      this.db.subscription.findMany({ where: { status: "active", autoRenew: false, trialEndsAt: null, termEndAt: window, remindersMuted: false }, select: { id: true, termEndAt: true, createdAt: true } }),
    ]);
    const events: { id: string; kind: ReminderKind; at: Date; since: Date }[] = [
      ...suspended.map((s) => ({ id: s.id, kind: "deletion" as const, at: s.deletionAt!, since: s.suspendedAt ?? now })),
      ...trials.map((s) => ({ id: s.id, kind: "trialEnd" as const, at: s.trialEndsAt!, since: s.createdAt })),
      ...terms.map((s) => ({ id: s.id, kind: "termEnd" as const, at: s.termEndAt, since: s.createdAt })),
    ];
    let recorded = 0;
    for (const event of events) {
      // After downtime several lead times may have passed: only the most urgent one is sent. A lead
      // time that falls before the thing began (a 30-day warning of a 30-day trial) is no warning.
      const lead = [...this.options.leadDays]
        .sort((a, b) => a - b)
        .find((days) => event.at.getTime() - days * DAY <= now.getTime() && event.at.getTime() - days * DAY > event.since.getTime());
      if (lead === undefined) continue;
      recorded += await this.record(event.id, event.kind, event.at, lead, await this.recipients(event.id));
    }
    return recorded;
  }

  private async record(subscriptionId: string, kind: ReminderKind, eventAt: Date, leadDays: number, recipients: string[]): Promise<number> {
    let created = 0;
    for (const recipientUserId of recipients) {
      const key = { subscriptionId_kind_eventAt_leadDays_recipientUserId: { subscriptionId, kind, eventAt, leadDays, recipientUserId } };
      if (await this.db.reminder.findUnique({ where: key, select: { id: true } })) continue;
      try {
        await this.db.reminder.create({ data: { subscriptionId, kind, eventAt, leadDays, recipientUserId, nextAttemptAt: this.now() } });
        created++;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return created;
  }

  /**
   * The people responsible: the provider's admins, the provider staff who ordered or suspended
   * it, and the users of the reseller the customer is delegated to.
   */
  async recipients(subscriptionId: string): Promise<string[]> {
    const subscription = await this.db.subscription.findUniqueOrThrow({ where: { id: subscriptionId }, include: { customer: true } });
    const actors = await this.db.auditEntry.findMany({ where: { subscriptionId, action: { in: ["subscription.created", "subscription.suspended"] } }, select: { actorUserId: true } });
    const users = await this.db.user.findMany({
      where: {
        OR: [
          { orgId: subscription.customer.providerOrgId, role: "admin" },
          { orgId: subscription.customer.providerOrgId, id: { in: [subscription.createdById, ...actors.map((a) => a.actorUserId)] } },
          ...(subscription.customer.resellerOrgId ? [{ orgId: subscription.customer.resellerOrgId }] : []),
        ],
      },
      select: { id: true },
      orderBy: { id: "asc" },
    });
    return users.map((user) => user.id);
  }

  /**
   * Claims due reminders: pending ones whose time has come, and claimed ones whose lease expired.
   * Undefined when none is due; possibly empty when another instance took this batch first.
   */
  private async claim(): Promise<string[] | undefined> {
    const now = this.now();
    const candidates = await this.db.reminder.findMany({
      where: { OR: [{ status: "pending", nextAttemptAt: { lte: now } }, { status: "claimed", leaseUntil: { lt: now } }] },
      select: { id: true, status: true, leaseUntil: true },
      orderBy: { nextAttemptAt: "asc" },
      take: this.options.batchSize,
    });
    if (!candidates.length) return undefined;
    const claimed: string[] = [];
    for (const candidate of candidates) {
      const leaseUntil = new Date(this.now().getTime() + this.options.leaseMs);
      const { count } = await this.db.reminder.updateMany({
        where: { id: candidate.id, status: candidate.status, leaseUntil: candidate.leaseUntil },
        data: { status: "claimed", leaseUntil, claimedBy: this.options.instanceId },
      });
      if (count === 1) claimed.push(candidate.id);
    }
    return claimed;
  }

  private async process(id: string): Promise<Outcome> {
    const reminder = await this.db.reminder.findUniqueOrThrow({ where: { id } });
    const subscription = await this.db.subscription.findUniqueOrThrow({ where: { id: reminder.subscriptionId }, include: { offer: true, customer: true } });
    if (!stillApplies(reminder, subscription)) {
      await this.finish(id, { status: "skipped", lastError: "the subscription changed since the reminder was due" });
      return "skipped";
    }
    let delivery: Delivery;
    try {
      delivery = await this.channel.deliver({
        id,
        kind: reminder.kind as ReminderKind,
        eventAt: reminder.eventAt,
        leadDays: reminder.leadDays,
        recipientUserId: reminder.recipientUserId,
        subscription: {
          id: subscription.id,
          version: subscription.version,
          status: subscription.status,
          licences: subscription.licences,
          offerId: subscription.offerId,
          offerName: subscription.offer.name,
          customerName: subscription.customer.companyName,
          customerId: subscription.customerId,
          fullOfferId: subscription.offer.fullOfferId,
        },
      });
    } catch (error) {
      delivery = { outcome: "retry", error: error instanceof Error ? error.message : String(error) };
    }
    const now = this.now();
    if (delivery.outcome === "sent") {
      await this.finish(id, { status: "sent", sentAt: now, attempts: reminder.attempts + 1 });
      return "sent";
    }
    const attempts = reminder.attempts + 1;
    if (delivery.outcome === "failed" || attempts >= this.options.maxAttempts) {
      await this.finish(id, { status: "failed", attempts, lastError: delivery.error });
      this.logger.warn({ reminderId: id, attempts, error: delivery.error }, "reminder failed");
      return "failed";
    }
    const backoff = Math.min(this.options.baseBackoffMs * 2 ** (attempts - 1), this.options.maxBackoffMs) * (0.5 + this.options.random());
    // Counted from now (when the answer came), and never an invalid or endless wait, whatever a header said.
    const asked = Number.isFinite(delivery.retryAfterMs) ? Math.min(Math.max(0, delivery.retryAfterMs!), MAX_RETRY_DELAY_MS) : 0;
    const wait = Math.min(Math.max(asked, backoff), MAX_RETRY_DELAY_MS);
    await this.finish(id, { status: "pending", attempts, lastError: delivery.error, nextAttemptAt: new Date(now.getTime() + wait) });
    return "retried";
  }

  /** Records an outcome, only if this instance still holds the claim. */
  private async finish(id: string, data: { status: string; attempts?: number; lastError?: string; sentAt?: Date; nextAttemptAt?: Date }): Promise<void> {
    await this.db.reminder.updateMany({ where: { id, status: "claimed", claimedBy: this.options.instanceId }, data: { ...data, leaseUntil: null, claimedBy: null } });
  }
}

/** A reminder applies only while its subscription is still in the state, and at the date, it warns about. */
function stillApplies(
  reminder: { kind: string; eventAt: Date },
  subscription: { status: string; deletionAt: Date | null; trialEndsAt: Date | null; termEndAt: Date; autoRenew: boolean; remindersMuted: boolean },
): boolean {
  if (reminder.kind === "deleted") return subscription.status === "deleted";
  if (subscription.remindersMuted) return false;
  switch (reminder.kind) {
    case "deletion":
      return subscription.status === "suspended" && subscription.deletionAt?.getTime() === reminder.eventAt.getTime();
    case "trialEnd":
      return subscription.status === "active" && subscription.trialEndsAt?.getTime() === reminder.eventAt.getTime();
    default:
      return subscription.status === "active" && !subscription.autoRenew && subscription.termEndAt.getTime() === reminder.eventAt.getTime();
  }
}
