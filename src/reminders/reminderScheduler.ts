/**
 * Reminders at the moment a partner can still act, and notices of what happened:
 * - windowClosing: hours before a 7-day New Commerce window (seat reduction, cancellation) of a
 *   purchase, renewal or seat add closes, with the seats still removable;
 * - renewalAhead: days before the term end of an annual or triennial subscription (and of a
 *   month-to-month one only if it will not simply roll over unchanged, unless asked for);
 * - trialEnd; and for legacy offers, deletion (a suspended subscription's data) and deleted;
 * - provisioned: an order Partner Center was still provisioning is ready.
 *
 * Each sweep (1) reads again from Partner Center the subscriptions whose dates have passed
 * (renewed, expired, deleted as time passed; a legacy deletion and its notices are written in one
 * transaction) and follows up orders still being provisioned, (2) records the reminders that are
 * due, once per (subscription, kind, date, lead, recipient), found through indexes on the dates,
 * and (3) claims due reminders under a lease, re-checks that they still apply, and sends them
 * through the channel, recording the outcome. Several instances can sweep at once: a claim is a
 * conditional update, so only one instance holds a reminder while its lease runs.
 *
 * Time is read when it is used (a claim's lease, a retry's due time), never once per sweep: a
 * sweep can last minutes behind a slow connector. A claim's lease is short and renewed while its
 * instance works on it, so a crashed instance's claims are taken over within a minute.
 *
 * Guarantee: at least once, de-duplicated. A reminder is sent at most once per claim; if an
 * instance dies after sending and before recording, the lease expires and another instance
 * sends it again. We prefer a rare duplicate to a lost warning.
 */
import { randomUUID } from "node:crypto";
import { isLegacyProduct, isNceProduct } from "../catalog/catalogService.js";
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import type { Logger } from "../log.js";
import type { PartnerCenter } from "../partnerCenter/port.js";
import { DAY, HOUR } from "../partnerCenter/terms.js";
import { seatWindows } from "../subscriptions/nce.js";
import type { OrderService } from "../subscriptions/orderService.js";
import type { SubscriptionMirror } from "../subscriptions/subscriptionMirror.js";

export const reminderKinds = ["windowClosing", "renewalAhead", "trialEnd", "deletion", "deleted", "provisioned"] as const;
export type ReminderKind = (typeof reminderKinds)[number];

/** The subscription as a reminder card needs it: the mirror's row, its customer's name, and for a trial the offer it converts to. */
export interface ReminderSubscription {
  id: string;
  version: number;
  status: string;
  productType: string;
  offerName: string;
  isTrial: boolean;
  licences: number;
  billingCycle: string;
  termDuration: string;
  termStartAt: Date;
  termEndAt: Date;
  autoRenew: boolean;
  cancellableUntil: Date | null;
  refundableSeats: string;
  scheduledNextTerm: string | null;
  unitPriceCents: number;
  currency: string;
  customerId: string;
  customerName: string;
  /** A trial's full offer (productId:skuId), for "buy the full subscription". */
  convertsTo: string | null;
}

export interface ReminderToSend {
  id: string;
  kind: ReminderKind;
  eventAt: Date;
  leadDays: number;
  recipientUserId: string;
  subscription: ReminderSubscription;
  /** For "provisioned": how many subscriptions the order made. */
  orderSize?: number;
}

/** How a delivery went: sent; retry later (429 with Retry-After, 412, 5xx, network); or give up. */
export type Delivery = { outcome: "sent" } | { outcome: "retry"; retryAfterMs?: number; error: string } | { outcome: "failed"; error: string };

/** Sends one reminder to its recipient (the Teams edge implements it). */
export interface ReminderChannel {
  deliver(reminder: ReminderToSend): Promise<Delivery>;
  /**
   * Optionally gets ready for lanes of reminders about to be delivered (each lane in its order,
   * the lanes at once): reads their recipients at once and reserves their send slots in one step,
   * none sooner than `aheadMs` from now. Returns when each reminder with a slot will be sent (ms
   * since the epoch); delivering works without it.
   */
  prepare?(lanes: { id: string; recipientUserId: string }[][], aheadMs: number): Promise<Map<string, number>>;
  /**
   * Optionally readies what its first sends would otherwise pay for (templates parsed, formatters
   * made, code compiled), so that a sweep's first reminders are not late for their slots.
   */
  warmUp?(): void;
}

/** What the sweep reads Partner Center with: the port, the mirror it writes, orders to follow up, and the catalog's trial conversions. */
export interface PartnerCenterSync {
  pc: PartnerCenter;
  mirror: SubscriptionMirror;
  orders: OrderService;
  /** The productId:skuId a trial converts to, if any. */
  convertsTo(subscription: { productId: string; skuId: string; customerId: string }): Promise<string | null>;
}

export interface SchedulerOptions {
  /** Days before a trial's end, or a legacy deletion, when reminders are sent. */
  leadDays: number[];
  /** Hours before a 7-day window closes when "window closing" is sent. */
  windowHours: number;
  /** Days before the term end of an annual or triennial subscription when "renewal ahead" is sent. */
  renewalLeadDays: number[];
  /** Also remind of month-to-month subscriptions that will simply renew unchanged (off: they are noise). */
  monthlyRenewals: boolean;
  maxAttempts: number;
  /** How long a claim lasts unless renewed; renewed every third of it while the reminder is worked on. */
  leaseMs: number;
  batchSize: number;
  /** Tenant lanes delivered at once by this instance (in a lane, one reminder after another; the send budget paces them). */
  concurrency: number;
  /** Batches this instance works on at once: the next is claimed and read while the last is still being delivered. */
  pipelines: number;
  /**
   * The database's kind. On PostgreSQL a claim is one statement that skips rows another
   * instance is claiming at that moment (FOR UPDATE SKIP LOCKED) instead of racing for them.
   */
  provider: "sqlite" | "postgresql";
  /** First retry delay; doubled each attempt, with jitter, up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A sweep waits for retries due within this long instead of leaving them to the next sweep (0: never waits). */
  settleMs: number;
  /** A subscription whose date has passed is read again from Partner Center at most this often (renewal can take hours). */
  refreshEveryMs: number;
  /** Any subscription not read for this long is read again (changes made in the Partner Center portal); 0: off. */
  staleAfterMs: number;
  random: () => number;
  instanceId: string;
  /** The time, read each time it is needed. */
  clock: () => Date;
}

export const defaultSchedulerOptions: SchedulerOptions = {
  leadDays: [30, 7, 1],
  windowHours: 24,
  renewalLeadDays: [30, 7],
  monthlyRenewals: false,
  maxAttempts: 6,
  leaseMs: 60_000,
  batchSize: 200,
  concurrency: 32,
  pipelines: 2,
  provider: "sqlite",
  baseBackoffMs: 2_000,
  maxBackoffMs: 10 * 60_000,
  settleMs: 0,
  refreshEveryMs: 5 * 60_000,
  staleAfterMs: 0,
  random: Math.random,
  instanceId: randomUUID(),
  clock: () => new Date(),
};

/** Why a reminder failed when its recipient had no conversation with the bot (yet): retried when one appears. */
export const NO_CONVERSATION = "no active conversation with the recipient";

/** How long a batch's subscriptions, read at once, are trusted to say whether a reminder still applies. */
const PREFETCH_FRESH_MS = 1_000;

/** How long a lane's sent reminders wait for other lanes' to be recorded with them in one statement. */
const RECORD_TOGETHER_MS = 20;

/**
 * How long before its send slot a reminder is taken up (checked, its card made); no slot is
 * reserved sooner than this. Measured on bench:reminders: 150 ms left sends late whenever the
 * event loop had a busy moment (ratio 0.93-0.97 over eight runs); 300 ms, 0.962-0.967 over five.
 */
const PREPARE_AHEAD_MS = 300;

/** Spread added to a Retry-After's wait. */
const RETRY_AFTER_JITTER_MS = 250;

/** A retry never waits longer than this, whatever a Retry-After says. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

export interface SweepReport {
  /** Subscriptions read again from Partner Center because one of their dates had passed. */
  refreshed: number;
  /** Legacy subscriptions whose data Partner Center deleted (their people are told). */
  deleted: number;
  /** Orders whose subscriptions Partner Center finished provisioning. */
  provisioned: number;
  recorded: number;
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

type Outcome = "sent" | "retried" | "failed" | "skipped";

/** A claimed reminder and its lane (the recipient's tenant, whose Teams limit paces it). */
interface Claimed {
  id: string;
  lane: string;
}

/** A batch's rows read at once; the subscriptions are read again once this is older than PREFETCH_FRESH_MS. */
interface Prefetched {
  at: number;
  reminders: Map<string, Awaited<ReturnType<Db["reminder"]["findMany"]>>[number]>;
  subscriptions: Map<string, Awaited<ReturnType<Db["subscription"]["findMany"]>>[number] & { customer: { companyName: string } }>;
}

/** Items taken one per group in turn (groups in order of first appearance), each group's own order kept. */
export function roundRobin<T>(items: T[], groupOf: (item: T) => string): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(groupOf(item), [...(groups.get(groupOf(item)) ?? []), item]);
  const queues = [...groups.values()];
  const out: T[] = [];
  for (let round = 0; out.length < items.length; round++) for (const queue of queues) if (round < queue.length) out.push(queue[round]);
  return out;
}

/** Reminders due at `now`: pending ones whose time has come, and claimed ones whose lease expired (the raw claim on PostgreSQL says the same in SQL). */
const dueAt = (now: Date) => ({ OR: [{ status: "pending", nextAttemptAt: { lte: now } }, { status: "claimed", leaseUntil: { lt: now } }] });

export class ReminderScheduler {
  private readonly options: SchedulerOptions;
  /** Whether the channel was warmed up (once per process, before its first sweep). */
  private warm = false;

  constructor(
    private readonly db: Db,
    private readonly channel: ReminderChannel,
    private readonly logger: Logger,
    options: Partial<SchedulerOptions> = {},
    private readonly sync?: PartnerCenterSync,
  ) {
    this.options = { ...defaultSchedulerOptions, ...options };
  }

  private now(): Date {
    return this.options.clock();
  }

  /** Reads what time changed, records what is due, then delivers until nothing due is left unclaimed. */
  async sweep(): Promise<SweepReport> {
    const report: SweepReport = { refreshed: 0, deleted: 0, provisioned: 0, recorded: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };
    if (!this.warm) {
      this.warm = true;
      try {
        this.channel.warmUp?.();
      } catch (error) {
        this.logger.warn({ err: error }, "could not warm up the reminder channel");
      }
    }
    if (this.sync) {
      Object.assign(report, await this.refreshDue(this.sync));
      report.provisioned = await this.followUpOrders(this.sync);
    }
    report.recorded = await this.recordDue();
    // Each pipeline claims a batch, delivers it, and claims again; with two, one is claiming and
    // reading while the other sends, so the tenants' lanes are not idle between batches.
    const pipeline = async () => {
      for (;;) {
        const claimed = await this.claim();
        if (claimed === undefined) {
          // A retry due within moments (a 429's Retry-After, a short backoff) is waited for rather
          // than left to the next sweep, minutes away.
          const next = await this.db.reminder.findFirst({ where: { status: "pending" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } });
          const wait = next ? next.nextAttemptAt.getTime() - this.now().getTime() : Infinity;
          if (wait > this.options.settleMs) break;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
          continue;
        }
        const outcomes = await this.deliverAll(claimed);
        for (const outcome of outcomes) report[outcome]++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.pipelines) }, pipeline));
    return report;
  }

  /**
   * Delivers claimed reminders in lanes, one per recipient tenant: Teams limits each tenant (and
   * each conversation), so a lane sends its reminders one after the other at its tenant's pace
   * while the other tenants' lanes go on at theirs; at most `concurrency` lanes at once. Leases
   * are renewed while the reminders are worked on; the rows they need are read for the whole batch.
   */
  private async deliverAll(claimed: Claimed[]): Promise<Outcome[]> {
    const working = new Set(claimed.map((item) => item.id));
    const renewal = setInterval(() => void this.renew([...working]).catch(() => undefined), Math.max(50, this.options.leaseMs / 3));
    renewal.unref?.();
    try {
      const rows = await this.prefetch(claimed.map((item) => item.id));
      const byLane = new Map<string, string[]>();
      for (const { id, lane } of claimed) byLane.set(lane, [...(byLane.get(lane) ?? []), id]);
      const lanes = [...byLane.values()];
      const recipientsOf = (lane: string[]) =>
        lane.flatMap((id) => {
          const reminder = rows.reminders.get(id);
          return reminder ? [{ id, recipientUserId: reminder.recipientUserId }] : [];
        });
      const prepare = async (some: string[][]): Promise<Map<string, number>> => {
        try {
          return (await this.channel.prepare?.(some.map(recipientsOf), PREPARE_AHEAD_MS)) ?? new Map();
        } catch (error) {
          this.logger.warn({ err: error }, "could not prepare lanes of reminders; each is delivered on its own");
          return new Map();
        }
      };
      // Whether a reminder still applies is judged on a fresh read: lanes paced by Teams' limits
      // take seconds. Once the batch's read is older than PREFETCH_FRESH_MS, the subscriptions of
      // the reminders not yet taken up are read again, at once for the whole batch.
      const taken = new Set<string>();
      const current = { at: rows.at, subscriptions: rows.subscriptions };
      let reading: Promise<void> | undefined;
      const freshSubscriptions = async () => {
        if (Date.now() - current.at >= PREFETCH_FRESH_MS)
          await (reading ??= this.readSubscriptions(claimed.flatMap(({ id }) => (taken.has(id) ? [] : (rows.reminders.get(id)?.subscriptionId ?? [])))).then(
            (read) => void Object.assign(current, read),
          ).finally(() => (reading = undefined)));
        return current.subscriptions;
      };
      // Lanes finishing together (those of one batch do) record their sent reminders in one
      // statement: each lane's are written within RECORD_TOGETHER_MS of its end.
      let unrecorded: { id: string; at: Date }[] = [];
      let recording: Promise<void> | undefined;
      const recordSent = (sent: { id: string; at: Date }[]) => {
        unrecorded.push(...sent);
        return (recording ??= new Promise((resolve) => setTimeout(resolve, RECORD_TOGETHER_MS)).then(() => {
          const batch = unrecorded;
          unrecorded = [];
          recording = undefined;
          return this.finishSent(batch);
        }));
      };
      // The lanes that start at once are prepared together (their recipients read, their slots
      // reserved in one step); a lane that waits for a free worker is prepared when it starts.
      const workers = Math.min(this.options.concurrency, lanes.length);
      const firstSlots = await prepare(lanes.slice(0, workers));
      const queue = lanes.map((lane, i) => ({ lane, slots: i < workers ? firstSlots : undefined }));
      const outcomes: Outcome[] = [];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const { lane } = next;
          const slots = next.slots ?? (await prepare([lane]));
          // The sent ones are recorded together when the lane is done (one statement, not one per card).
          const sent: { id: string; at: Date }[] = [];
          // Each reminder with a slot is taken up PREPARE_AHEAD_MS before it (checked, its card
          // made), so that neither the making of a card nor the answer to the one before makes its
          // send late: a late send and a punctual one reach Teams too close together (429). The
          // work is then spread as the sends are. A reminder without a slot waits for the one before.
          const started: Promise<Outcome>[] = [];
          for (let i = 0; i < lane.length; i++) {
            const slot = slots.get(lane[i]);
            if (slot === undefined) await started[i - 1]?.catch(() => undefined);
            else if (slot - PREPARE_AHEAD_MS > Date.now()) await new Promise((resolve) => setTimeout(resolve, slot - PREPARE_AHEAD_MS - Date.now()));
            // (A read made for this one includes its subscription: it is marked taken after.)
            const subscriptions = freshSubscriptions();
            taken.add(lane[i]);
            started.push(subscriptions.then((read) => this.process(lane[i], rows.reminders, read, sent)));
          }
          const settled = await Promise.allSettled(started);
          try {
            if (sent.length) await recordSent(sent);
          } finally {
            for (const id of lane) working.delete(id);
          }
          for (const result of settled) {
            if (result.status === "rejected") throw result.reason;
            outcomes.push(result.value);
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, worker));
      return outcomes;
    } finally {
      clearInterval(renewal);
    }
  }

  /** The reminders of a batch and their subscriptions, read in two statements rather than two per reminder. */
  private async prefetch(ids: string[]): Promise<Prefetched> {
    const reminders = await this.db.reminder.findMany({ where: { id: { in: ids } } });
    return { reminders: new Map(reminders.map((reminder) => [reminder.id, reminder])), ...(await this.readSubscriptions(reminders.map((reminder) => reminder.subscriptionId))) };
  }

  /** Subscriptions (with their customer's name) read in one statement, and when. */
  private async readSubscriptions(ids: string[]): Promise<Pick<Prefetched, "at" | "subscriptions">> {
    const subscriptions = await this.db.subscription.findMany({ where: { id: { in: [...new Set(ids)] } }, include: { customer: { select: { companyName: true } } } });
    return { at: Date.now(), subscriptions: new Map(subscriptions.map((subscription) => [subscription.id, subscription])) };
  }

  private async renew(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.reminder.updateMany({ where: { id: { in: ids }, status: "claimed", claimedBy: this.options.instanceId }, data: { leaseUntil: new Date(this.now().getTime() + this.options.leaseMs) } });
  }

  /**
   * Subscriptions one of whose dates has passed (term end: renewed or ended; legacy retention: data
   * deleted), read again from Partner Center. A legacy deletion found this way is written with
   * the notices to its people in one transaction: no deletion is ever left unannounced.
   */
  private async refreshDue(sync: PartnerCenterSync): Promise<{ refreshed: number; deleted: number }> {
    const now = this.now();
    const readBefore = new Date(now.getTime() - this.options.refreshEveryMs);
    const due = await this.db.subscription.findMany({
      where: {
        status: { in: ["active", "suspended"] },
        readAt: { lt: readBefore },
        OR: [{ termEndAt: { lte: now } }, { deletionAt: { lte: now } }, ...(this.options.staleAfterMs > 0 ? [{ readAt: { lt: new Date(now.getTime() - this.options.staleAfterMs) } }] : [])],
      },
      include: { customer: true },
      orderBy: { termEndAt: "asc" },
      take: 200,
    });
    let refreshed = 0;
    let deleted = 0;
    for (const subscription of due) {
      try {
        const pc = await sync.pc.getSubscription(subscription.customer.pcCustomerId, subscription.pcSubscriptionId);
        const recipients = await this.recipients(subscription.id);
        const written = await this.db.$transaction(async (tx) => {
          const result = await sync.mirror.write(tx, subscription.customer, pc);
          if (result.from === "suspended" && result.to === "deleted" && isLegacyProduct(subscription.productType)) {
            const at = this.now();
            await tx.reminder.createMany({ data: recipients.map((recipientUserId) => ({ subscriptionId: subscription.id, kind: "deleted", eventAt: subscription.deletionAt ?? at, leadDays: 0, recipientUserId, nextAttemptAt: at })) });
          }
          return result;
        });
        refreshed++;
        if (written.from === "suspended" && written.to === "deleted" && isLegacyProduct(subscription.productType)) {
          deleted++;
          this.logger.info({ subscriptionId: subscription.id, deletionAt: subscription.deletionAt }, "retention ran out: Partner Center deleted the subscription");
        }
      } catch (error) {
        this.logger.warn({ err: error, subscriptionId: subscription.id }, "could not read a subscription from Partner Center; the next sweep will try again");
      }
    }
    return { refreshed, deleted };
  }

  /** Orders Partner Center was still provisioning: once ready, their creator is told (in the same transaction). */
  private async followUpOrders(sync: PartnerCenterSync): Promise<number> {
    try {
      const completed = await sync.orders.followUp(async (tx, order) => {
        if (!order.subscriptionIds.length) return;
        const at = this.now();
        await tx.reminder.create({ data: { subscriptionId: order.subscriptionIds[0], kind: "provisioned", eventAt: order.createdAt, leadDays: 0, recipientUserId: order.createdById, nextAttemptAt: at } });
      });
      return completed.length;
    } catch (error) {
      this.logger.warn({ err: error }, "could not follow up orders being provisioned; the next sweep will try again");
      return 0;
    }
  }

  /** Records the reminders due now: for each upcoming event, the most urgent lead time reached. */
  private async recordDue(): Promise<number> {
    const now = this.now();
    const horizon = (days: number[]) => new Date(now.getTime() + Math.max(0, ...days) * DAY);
    const notMuted = { remindersMuted: false };
    const [windows, renewals, trials, suspended] = await Promise.all([
      this.db.subscription.findMany({ where: { status: "active", windowClosesAt: { gt: now }, ...notMuted }, select: { id: true, productType: true, status: true, refundableSeats: true, cancellableUntil: true } }),
      this.db.subscription.findMany({
        where: { status: { in: ["active", "suspended"] }, isTrial: false, termEndAt: { gt: now, lte: horizon(this.options.renewalLeadDays) }, ...notMuted },
        select: { id: true, termEndAt: true, termStartAt: true, termDuration: true, autoRenew: true, scheduledNextTerm: true, status: true },
      }),
      this.db.subscription.findMany({ where: { status: "active", isTrial: true, trialEndsAt: { gt: now, lte: horizon(this.options.leadDays) }, ...notMuted }, select: { id: true, trialEndsAt: true, createdAt: true } }),
      this.db.subscription.findMany({ where: { status: "suspended", deletionAt: { gt: now, lte: horizon(this.options.leadDays) }, ...notMuted }, select: { id: true, deletionAt: true, suspendedAt: true } }),
    ]);
    const events: { id: string; kind: ReminderKind; at: Date; lead: number }[] = [];
    const windowMs = this.options.windowHours * HOUR;
    for (const subscription of windows) {
      if (!isNceProduct(subscription.productType)) continue;
      for (const at of windowDeadlines(subscription, now)) if (at.getTime() - windowMs <= now.getTime()) events.push({ id: subscription.id, kind: "windowClosing", at, lead: 0 });
    }
    const urgent = (at: Date, since: Date, leads: number[]) =>
      // After downtime several lead times may have passed: only the most urgent one is sent. A lead
      // time that falls before the thing began (a 30-day warning of a 30-day trial) is no warning.
      [...leads].sort((a, b) => a - b).find((days) => at.getTime() - days * DAY <= now.getTime() && at.getTime() - days * DAY > since.getTime());
    for (const subscription of renewals) {
      if (!renewalWorthTelling(subscription, this.options.monthlyRenewals)) continue;
      const lead = urgent(subscription.termEndAt, subscription.termStartAt, this.options.renewalLeadDays);
      if (lead !== undefined) events.push({ id: subscription.id, kind: "renewalAhead", at: subscription.termEndAt, lead });
    }
    for (const subscription of trials) {
      const lead = urgent(subscription.trialEndsAt!, subscription.createdAt, this.options.leadDays);
      if (lead !== undefined) events.push({ id: subscription.id, kind: "trialEnd", at: subscription.trialEndsAt!, lead });
    }
    for (const subscription of suspended) {
      const lead = urgent(subscription.deletionAt!, subscription.suspendedAt ?? now, this.options.leadDays);
      if (lead !== undefined) events.push({ id: subscription.id, kind: "deletion", at: subscription.deletionAt!, lead });
    }
    let recorded = 0;
    for (const event of events) recorded += await this.record(event.id, event.kind, event.at, event.lead, await this.recipients(event.id));
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
   * Candidates are taken across tenants in turn (a batch is not one tenant's backlog while the
   * others wait), then claimed in one conditional statement: a row another instance took in
   * between no longer matches and is not returned. Undefined when none is due; possibly empty
   * when another instance took this batch first.
   */
  private async claim(): Promise<Claimed[] | undefined> {
    if (this.options.provider === "postgresql") return this.claimSkippingLocked();
    const now = this.now();
    const due = dueAt(now);
    const candidates = await this.db.reminder.findMany({
      where: due,
      select: { id: true, recipientUserId: true },
      orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
      take: this.options.batchSize * 4,
    });
    if (!candidates.length) return undefined;
    const users = await this.db.user.findMany({ where: { id: { in: [...new Set(candidates.map((candidate) => candidate.recipientUserId))] } }, select: { id: true, tenantId: true } });
    const tenantOf = new Map(users.map((user) => [user.id, user.tenantId]));
    const chosen = roundRobin(candidates, (candidate) => tenantOf.get(candidate.recipientUserId) ?? "").slice(0, this.options.batchSize);
    const leaseUntil = new Date(this.now().getTime() + this.options.leaseMs);
    const claimed = await this.db.reminder.updateManyAndReturn({
      where: { id: { in: chosen.map((candidate) => candidate.id) }, ...due },
      data: { status: "claimed", leaseUntil, claimedBy: this.options.instanceId },
      select: { id: true, recipientUserId: true },
    });
    return claimed.map((row) => ({ id: row.id, lane: tenantOf.get(row.recipientUserId) ?? "" }));
  }

  /**
   * The claim on PostgreSQL, in one statement: the due reminders (in due order, four batches'
   * worth) that no other claim holds at this moment, taken across tenants in turn, marked
   * claimed and returned with their recipient's tenant. Rows another instance is claiming are
   * skipped, not waited for and lost: two instances claiming at once take different batches.
   */
  private async claimSkippingLocked(): Promise<Claimed[] | undefined> {
    const now = this.now();
    const leaseUntil = new Date(now.getTime() + this.options.leaseMs);
    const rows = await this.db.$queryRawUnsafe<{ id: string; lane: string }[]>(
      `WITH candidates AS (
         SELECT r."id", u."tenantId", r."nextAttemptAt"
         FROM "Reminder" r JOIN "User" u ON u."id" = r."recipientUserId"
         WHERE (r."status" = 'pending' AND r."nextAttemptAt" <= $1) OR (r."status" = 'claimed' AND r."leaseUntil" < $1)
         ORDER BY r."nextAttemptAt", r."id"
         LIMIT $2
         FOR UPDATE OF r SKIP LOCKED
       ), chosen AS (
         SELECT "id", "tenantId", row_number() OVER (PARTITION BY "tenantId" ORDER BY "nextAttemptAt", "id") AS "turn" FROM candidates
         ORDER BY "turn", "tenantId"
         LIMIT $3
       ), claimed AS (
         UPDATE "Reminder" r SET "status" = 'claimed', "leaseUntil" = $4, "claimedBy" = $5, "updatedAt" = $1
         FROM chosen WHERE r."id" = chosen."id"
         RETURNING r."id" AS "id", chosen."tenantId" AS "lane"
       )
       SELECT "id", "lane" FROM claimed`,
      now,
      this.options.batchSize * 4,
      this.options.batchSize,
      leaseUntil,
      this.options.instanceId,
    );
    if (rows.length) return rows.map((row) => ({ id: row.id, lane: row.lane }));
    // None claimed: none due, or every due one held by another claim right now (possibly empty).
    return (await this.db.reminder.count({ where: dueAt(now) })) ? [] : undefined;
  }

  /** `subscriptions`: read less than PREFETCH_FRESH_MS ago; `sent`: where a sent reminder is noted, for its lane to record (finishSent). */
  private async process(id: string, reminders: Prefetched["reminders"], subscriptions: Prefetched["subscriptions"], sent: { id: string; at: Date }[]): Promise<Outcome> {
    const reminder = reminders.get(id) ?? (await this.db.reminder.findUniqueOrThrow({ where: { id } }));
    const subscription = subscriptions.get(reminder.subscriptionId) ?? (await this.db.subscription.findUnique({ where: { id: reminder.subscriptionId }, include: { customer: { select: { companyName: true } } } }));
    if (!subscription || !stillApplies(reminder, subscription, this.now(), this.options.monthlyRenewals)) {
      await this.finish(id, { status: "skipped", lastError: "the subscription changed since the reminder was due" });
      return "skipped";
    }
    let delivery: Delivery;
    try {
      const convertsTo = subscription.isTrial && this.sync ? await this.sync.convertsTo(subscription) : null;
      const orderSize = reminder.kind === "provisioned" && subscription.orderId ? await this.db.subscription.count({ where: { orderId: subscription.orderId } }) : undefined;
      delivery = await this.channel.deliver({
        id,
        kind: reminder.kind as ReminderKind,
        eventAt: reminder.eventAt,
        leadDays: reminder.leadDays,
        recipientUserId: reminder.recipientUserId,
        subscription: { ...subscription, customerName: subscription.customer.companyName, convertsTo },
        orderSize,
      });
    } catch (error) {
      delivery = { outcome: "retry", error: error instanceof Error ? error.message : String(error) };
    }
    const now = this.now();
    if (delivery.outcome === "sent") {
      sent.push({ id, at: now });
      return "sent";
    }
    const attempts = reminder.attempts + 1;
    if (delivery.outcome === "failed" || attempts >= this.options.maxAttempts) {
      await this.finish(id, { status: "failed", attempts, lastError: delivery.error });
      this.logger.warn({ reminderId: id, attempts, error: delivery.error }, "reminder failed");
      return "failed";
    }
    // Counted from now (when the answer came), and never an invalid or endless wait, whatever a header said.
    // A Retry-After is what the service asked for (plus a quarter second at most, so that the
    // throttled do not all come back at once); without one, backoff doubling with each attempt.
    const wait = Number.isFinite(delivery.retryAfterMs)
      ? Math.min(Math.max(0, delivery.retryAfterMs!) + RETRY_AFTER_JITTER_MS * this.options.random(), MAX_RETRY_DELAY_MS)
      : Math.min(this.options.baseBackoffMs * 2 ** (attempts - 1), this.options.maxBackoffMs) * (0.5 + this.options.random());
    await this.finish(id, { status: "pending", attempts, lastError: delivery.error, nextAttemptAt: new Date(now.getTime() + wait) });
    return "retried";
  }

  /**
   * Records sent reminders (lanes' that ended together), only those this instance still holds,
   * in one statement; their sentAt is when the first of them went out (a lane lasts a second or two).
   */
  private async finishSent(sent: { id: string; at: Date }[]): Promise<void> {
    if (!sent.length) return;
    await this.db.reminder.updateMany({
      where: { id: { in: sent.map((item) => item.id) }, status: "claimed", claimedBy: this.options.instanceId },
      data: { status: "sent", sentAt: sent[0].at, attempts: { increment: 1 }, leaseUntil: null, claimedBy: null },
    });
  }

  /** Records an outcome, only if this instance still holds the claim. */
  private async finish(id: string, data: { status: string; attempts?: number; lastError?: string; sentAt?: Date; nextAttemptAt?: Date }): Promise<void> {
    await this.db.reminder.updateMany({ where: { id, status: "claimed", claimedBy: this.options.instanceId }, data: { ...data, leaseUntil: null, claimedBy: null } });
  }
}

/** The 7-day deadlines still ahead of a New Commerce subscription: each seat batch's, and its cancellation's. */
export function windowDeadlines(subscription: { productType: string; status: string; refundableSeats: string; cancellableUntil: Date | null }, now: Date): Date[] {
  const times = new Set(seatWindows(subscription, now).map((window) => window.until.getTime()));
  if (subscription.cancellableUntil && subscription.cancellableUntil.getTime() > now.getTime()) times.add(subscription.cancellableUntil.getTime());
  return [...times].sort((a, b) => a - b).map((time) => new Date(time));
}

/**
 * Whether a coming term end is worth a reminder: always for annual and triennial terms; for a
 * month-to-month one only when it will not simply renew as it is (auto-renew off, changes
 * scheduled, suspended), unless the partner asked for those too.
 */
export function renewalWorthTelling(subscription: { termDuration: string; autoRenew: boolean; scheduledNextTerm: string | null; status: string }, monthlyRenewals: boolean): boolean {
  if (subscription.termDuration !== "P1M") return true;
  const rollsOverUnchanged = subscription.status === "active" && subscription.autoRenew && !subscription.scheduledNextTerm;
  return monthlyRenewals || !rollsOverUnchanged;
}

/** A reminder applies only while its subscription is still in the state, and at the date, it warns about. */
function stillApplies(
  reminder: { kind: string; eventAt: Date },
  subscription: { status: string; productType: string; deletionAt: Date | null; trialEndsAt: Date | null; termEndAt: Date; termDuration: string; autoRenew: boolean; scheduledNextTerm: string | null; remindersMuted: boolean; refundableSeats: string; cancellableUntil: Date | null },
  now: Date,
  monthlyRenewals: boolean,
): boolean {
  if (reminder.kind === "deleted") return subscription.status === "deleted";
  if (reminder.kind === "provisioned") return true;
  if (subscription.remindersMuted) return false;
  const at = reminder.eventAt.getTime();
  switch (reminder.kind) {
    case "windowClosing":
      return subscription.status === "active" && windowDeadlines(subscription, now).some((deadline) => deadline.getTime() === at);
    case "renewalAhead":
      return (subscription.status === "active" || subscription.status === "suspended") && subscription.termEndAt.getTime() === at && renewalWorthTelling(subscription, monthlyRenewals);
    case "deletion":
      return subscription.status === "suspended" && subscription.deletionAt?.getTime() === at;
    case "trialEnd":
      return subscription.status === "active" && subscription.trialEndsAt?.getTime() === at;
    default:
      return false;
  }
}
