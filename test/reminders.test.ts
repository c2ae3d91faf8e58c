import { ConnectorSender } from "../bot/reminders/connectorSender.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testSecrets } from "./helpers/harness.js";
import { TeamsReminderChannel } from "../bot/reminders/teamsReminderChannel.js";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import { CustomerService } from "../src/customers/customerService.js";
import type { Caller } from "../src/identity/identityService.js";
import { ConversationRefStore } from "../src/proactive/conversationRefs.js";
import { earliestSlot, LocalSendBudget, perConversation, perTenant, SharedSendBudget } from "../bot/teams/sendBudget.js";
import { defaultSchedulerOptions, ReminderScheduler } from "../src/reminders/reminderScheduler.js";
import { SubscriptionService } from "../src/subscriptions/subscriptionService.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { makeCaller, validAccount } from "./helpers/fixtures.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const DAY = 86_400_000;
const T0 = new Date("2027-01-01T09:00:00Z");

describe("send budget (Teams' per-conversation and per-tenant limits)", () => {
  it("lets 7 sends through in a second, then waits for the window (with 30 ms to spare)", async () => {
    let now = 0;
    const slept: number[] = [];
    const budget = new LocalSendBudget(() => now, async (ms: number) => {
      slept.push(ms);
      now += ms;
    });
    for (let i = 0; i < 7; i++) await budget.acquire([{ key: "c", windows: perConversation }]);
    expect(slept).toEqual([]);
    await budget.acquire([{ key: "c", windows: perConversation }]);
    expect(slept).toEqual([1030]);
    // 8 in 2 s: the 9th waits until the first sends are 2 s old.
    await budget.acquire([{ key: "c", windows: perConversation }]);
    expect(now).toBe(2030);
    await budget.acquire([{ key: "other", windows: perConversation }]);
    expect(now).toBe(2030);
  });

  it("packs concurrent senders into slots that keep every sliding window within its limit", () => {
    const history = new Map<string, number[]>();
    const windows = [...perConversation, ...perTenant];
    let seed = 42;
    const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const sends: { key: string; at: number }[] = [];
    let now = 0;
    for (let i = 0; i < 600; i++) {
      now += Math.floor(random() * 40);
      const conversation = `c${Math.floor(random() * 5)}`;
      const keys = [{ key: conversation, windows: perConversation }, { key: "tenant", windows: perTenant }];
      const slot = earliestSlot(now, keys, history);
      expect(slot).toBeGreaterThanOrEqual(now);
      for (const key of [conversation, "tenant"]) history.set(key, [...(history.get(key) ?? []), slot].sort((a, b) => a - b));
      sends.push({ key: conversation, at: slot });
    }
    for (const window of windows) {
      const groups = window.limit === 30 ? [sends] : [0, 1, 2, 3, 4].map((n) => sends.filter((send) => send.key === `c${n}`));
      for (const group of groups) {
        const times = group.map((send) => send.at).sort((a, b) => a - b);
        for (let i = 0; i + window.limit < times.length; i++) expect(times[i + window.limit] - times[i]).toBeGreaterThanOrEqual(window.ms);
      }
    }
  });
});

describe(`expiry reminders over HTTP to a fake Teams connector (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let connector: FakeConnector;
  let admin: Caller;
  let agent: Caller;
  let resellerUser: Caller;
  let customers: CustomerService;
  let subscriptions: SubscriptionService;
  let clock: Date;
  const log = memoryLogger("warn");
  let n = 0;

  const scheduler = (instanceId = "instance-a") => {
    const refs = new ConversationRefStore(database.db);
    const channel = new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, new LocalSendBudget(() => clock.getTime(), async () => {}), () => clock);
    return new ReminderScheduler(database.db, channel, log.logger, { instanceId, random: () => 0.5, baseBackoffMs: 2_000, maxAttempts: 4, clock: () => clock });
  };
  /** A sweep at a moment of the test's clock (which is as it was afterwards). */
  const sweepAt = async (sweeper: ReminderScheduler, at: Date) => {
    const saved = clock;
    clock = at;
    try {
      return await sweeper.sweep();
    } finally {
      clock = saved;
    }
  };
  const referenceFor = (caller: Caller) => ({
    channelId: "msteams",
    serviceUrl: connector.url,
    conversation: { id: `a:conv-${caller.userId}`, conversationType: "personal", tenantId: caller.tenantId, isGroup: false, name: "" },
    bot: { id: "28:bot", name: "bot" },
    user: { id: `29:${caller.aadObjectId}`, name: caller.displayName, aadObjectId: caller.aadObjectId },
  });
  const cardsTo = (caller: Caller) => connector.received.filter((request) => request.path.includes(encodeURIComponent(`a:conv-${caller.userId}`)) && request.body.attachments);
  const titleOf = (request: { body: { attachments?: { content: Record<string, unknown> }[] } }) => (request.body.attachments![0].content.body as { text: string }[])[0].text;

  /** A customer delegated to the reseller, with one subscription suspended at T0 (90-day retention). */
  const suspendedSubscription = async () => {
    clock = T0;
    const customer = await customers.create(agent, { account: validAccount({ domainPrefix: `rem${++n}` }), billingCycle: "monthly", lines: [{ offerId: "o365-e1", licences: 4 }], resellerOrgId: resellerUser.organisation.id, creationKey: `rem-${n}` });
    const sub = await database.db.subscription.findFirstOrThrow({ where: { customerId: customer.customer.id } });
    await subscriptions.suspend(agent, { subscriptionId: sub.id, reason: "nonPayment", version: sub.version });
    return database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    await seedCatalog(database.db);
    connector = await new FakeConnector().start();
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-rem", name: "Contoso Distribution" });
    agent = await makeCaller(database.db, { kind: "provider", role: "agent", tenantId: "prov-rem" });
    resellerUser = await makeCaller(database.db, { kind: "reseller", tenantId: "res-rem", name: "Northwind", providerOrgId: admin.organisation.id });
    customers = new CustomerService(database.db, { secrets: testSecrets(), now: () => clock });
    subscriptions = new SubscriptionService(database.db, customers, () => clock);
    const refs = new ConversationRefStore(database.db);
    for (const caller of [admin, agent, resellerUser]) await refs.remember(caller.userId, `a:conv-${caller.userId}`, referenceFor(caller));
  });
  beforeEach(async () => {
    // Each test watches only its own subscription: earlier ones no longer expire.
    await database.db.subscription.updateMany({ where: { status: { in: ["active", "suspended"] } }, data: { status: "cancelled" } });
    connector.received.splice(0);
    connector.respond = () => ({ status: 200 });
    await database.db.reminder.deleteMany();
    await database.db.conversationRef.updateMany({ data: { active: true } });
  });
  afterEach(() => {
    connector.respond = () => ({ status: 200 });
  });
  afterAll(async () => {
    await connector.stop();
    await database.drop();
  });

  it("sends the 30-day deletion warning once to the admin, the agent who suspended it and the reseller's users", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - 30 * DAY + 60_000);
    const report = await sweepAt(scheduler(), clock);
    expect(report).toMatchObject({ recorded: 3, sent: 3, failed: 0 });
    for (const caller of [admin, agent, resellerUser]) {
      const [card] = cardsTo(caller);
      expect(titleOf(card)).toBe("Data deletion in 30 days: Office 365 E1");
      expect(JSON.stringify(card.body)).toContain('"verb":"subscription.reactivate"');
      expect(JSON.stringify(card.body)).toContain('"verb":"subscription.mute"');
    }
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ recorded: 0, sent: 0 });
    expect(connector.received).toHaveLength(3);
  });

  it("after downtime, sends only the most urgent warning that is due (7 days, not 30 and 7)", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - 3 * DAY);
    await sweepAt(scheduler(), clock);
    const rows = await database.db.reminder.findMany({ where: { subscriptionId: sub.id } });
    expect(new Set(rows.map((row) => row.leadDays))).toEqual(new Set([7]));
    expect(titleOf(cardsTo(admin)[0])).toBe("Data deletion in 3 days: Office 365 E1");
  });

  it("honours Retry-After on 429, then delivers", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - DAY + 1000);
    connector.respond = () => ({ status: 429, headers: { "retry-after": "120" }, body: { error: { code: "Throttled", message: "slow down" } } });
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ retried: 3, sent: 0 });
    const pending = await database.db.reminder.findFirstOrThrow({ where: { subscriptionId: sub.id, recipientUserId: admin.userId } });
    expect(pending.nextAttemptAt.getTime() - clock.getTime()).toBeGreaterThanOrEqual(120_000);
    connector.respond = () => ({ status: 200 });
    expect(await sweepAt(scheduler(), new Date(clock.getTime() + 60_000))).toMatchObject({ sent: 0 });
    expect(await sweepAt(scheduler(), new Date(clock.getTime() + 121_000))).toMatchObject({ sent: 3 });
  });

  it("retries 503 with growing backoff, then marks the reminder failed and visible", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - DAY + 1000);
    connector.respond = () => ({ status: 503, body: { error: { code: "ServiceUnavailable", message: "down" } } });
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      await sweepAt(scheduler(), clock);
      const row = await database.db.reminder.findFirstOrThrow({ where: { subscriptionId: sub.id, recipientUserId: admin.userId } });
      if (row.status === "pending") {
        delays.push(row.nextAttemptAt.getTime() - clock.getTime());
        clock = row.nextAttemptAt;
      }
    }
    expect(delays).toEqual([2_000, 4_000, 8_000]);
    const failed = await database.db.reminder.findFirstOrThrow({ where: { subscriptionId: sub.id, recipientUserId: admin.userId } });
    expect(failed).toMatchObject({ status: "failed", attempts: 4 });
    expect(failed.lastError).toContain("503");
  });

  it.each([403, 404])("%i retires the conversation reference: terminal for that recipient", async (status) => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - DAY + 1000);
    connector.respond = (request) => (request.path.includes(encodeURIComponent(`a:conv-${resellerUser.userId}`)) ? { status, body: { error: { code: "Gone", message: "blocked or gone" } } } : { status: 200 });
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ sent: 2, failed: 1 });
    expect(await database.db.conversationRef.findFirstOrThrow({ where: { userId: resellerUser.userId } })).toMatchObject({ active: false });
    const row = await database.db.reminder.findFirstOrThrow({ where: { subscriptionId: sub.id, recipientUserId: resellerUser.userId } });
    expect(row).toMatchObject({ status: "failed", lastError: "no active conversation with the recipient" });
    // The user talks to the bot again (reinstall): the reference is active again.
    await new ConversationRefStore(database.db).remember(resellerUser.userId, `a:conv-${resellerUser.userId}`, referenceFor(resellerUser));
    expect(await database.db.conversationRef.findFirstOrThrow({ where: { userId: resellerUser.userId } })).toMatchObject({ active: true });
  });

  it("does not send a reminder whose subscription was reactivated in between, nor one for a muted subscription", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - DAY + 1000);
    connector.respond = () => ({ status: 503 });
    await sweepAt(scheduler(), clock);
    await subscriptions.reactivate(agent, { subscriptionId: sub.id, version: sub.version });
    connector.respond = () => ({ status: 200 });
    clock = new Date(clock.getTime() + 60_000);
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ skipped: 3, sent: 0 });

    const muted = await suspendedSubscription();
    await subscriptions.setRemindersMuted(resellerUser, { subscriptionId: muted.id, muted: true });
    clock = new Date(muted.deletionAt!.getTime() - DAY + 1000);
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ recorded: 0, sent: 0 });
  });

  it("deletes a subscription whose retention ran out, even when the sweep comes days late, and tells its people", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() + 5 * DAY);
    const report = await sweepAt(scheduler(), clock);
    expect(report).toMatchObject({ deleted: 1, sent: 3 });
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("deleted");
    expect(await database.db.auditEntry.count({ where: { subscriptionId: sub.id, action: "subscription.deleted", actorUserId: "system" } })).toBe(1);
    expect(titleOf(cardsTo(admin)[0])).toBe("Subscription deleted: Office 365 E1");
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ deleted: 0, sent: 0 });
  });

  it("warns before a trial ends and before a non-renewing term ends", async () => {
    clock = T0;
    const customer = await customers.create(admin, { account: validAccount({ domainPrefix: `trial${++n}` }), billingCycle: "monthly", lines: [{ offerId: "o365-e3-trial", licences: 5 }, { offerId: "o365-e1", licences: 2 }], creationKey: `trial-${n}` });
    const e1 = await database.db.subscription.findFirstOrThrow({ where: { customerId: customer.customer.id, offerId: "o365-e1" } });
    await database.db.subscription.update({ where: { id: e1.id }, data: { autoRenew: false } });
    clock = new Date(T0.getTime() + 24 * DAY);
    await sweepAt(scheduler(), clock);
    const titles = cardsTo(admin).map(titleOf).sort();
    expect(titles).toEqual(["Subscription ends in 7 days: Office 365 E1", "Trial ends in 6 days: Office 365 E3 Trial"]);
  });

  it("two instances sweeping at once send each reminder once", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - 7 * DAY + 1000);
    const reports = await Promise.all([sweepAt(scheduler("a"), clock), sweepAt(scheduler("b"), clock)]);
    expect(reports[0].sent + reports[1].sent).toBe(3);
    expect(connector.received.filter((request) => request.body.attachments)).toHaveLength(3);
    expect(await database.db.reminder.count({ where: { subscriptionId: sub.id, status: "sent" } })).toBe(3);
  });

  it("a claim whose instance died is taken over once its lease expires", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - 7 * DAY + 1000);
    const dead = scheduler("dead");
    // Recorded and claimed, then the instance "dies" before sending: simulate by claiming without processing.
    connector.respond = () => ({ status: 503 });
    await sweepAt(dead, clock);
    await database.db.reminder.updateMany({ where: { subscriptionId: sub.id }, data: { status: "claimed", claimedBy: "dead", leaseUntil: new Date(clock.getTime() + 60_000) } });
    connector.respond = () => ({ status: 200 });
    expect(await sweepAt(scheduler("alive"), new Date(clock.getTime() + 30_000))).toMatchObject({ sent: 0 });
    expect(await sweepAt(scheduler("alive"), new Date(clock.getTime() + 61_000))).toMatchObject({ sent: 3 });
  });

  /** The reminder cards the connector received for one recipient, with when they arrived. */
  const arrivals: { path: string; at: number }[] = [];
  const timed = (answer: () => { status: number }) => (request: { path: string }) => {
    arrivals.push({ path: request.path, at: Date.now() });
    return answer();
  };

  it("item 11: a sweep reads the time at each claim and renews its leases: a slow connector and a second instance send nothing twice", { timeout: 60_000 }, async () => {
    clock = new Date();
    const subs = [await suspendedSubscription(), await suspendedSubscription(), await suspendedSubscription(), await suspendedSubscription()];
    const now = () => new Date(subs[0].deletionAt!.getTime() - DAY + 1000 + (Date.now() - started));
    const started = Date.now();
    connector.respond = () => ({ status: 200, delayMs: 150 });
    const refs = new ConversationRefStore(database.db);
    const instance = (id: string) =>
      new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, new LocalSendBudget(), now), log.logger, { instanceId: id, clock: now, leaseMs: 400, concurrency: 1, batchSize: 50 });
    const first = instance("slow-a").sweep();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const second = await instance("late-b").sweep();
    const report = await first;
    expect(report.sent + second.sent).toBe(12);
    const sent = connector.received.filter((request) => request.body.attachments);
    expect(sent).toHaveLength(12);
    expect(await database.db.reminder.count({ where: { subscriptionId: { in: subs.map((sub) => sub.id) }, status: "sent" } })).toBe(12);
    expect(defaultSchedulerOptions.leaseMs).toBeLessThanOrEqual(60_000);
  });

  it("item 11: Retry-After is counted from the moment the 429 came back, not from the sweep's start", async () => {
    const sub = await suspendedSubscription();
    const start = new Date(sub.deletionAt!.getTime() - DAY + 1000);
    clock = start;
    const sweeper = new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, new ConversationRefStore(database.db), "en", log.logger, new LocalSendBudget(() => clock.getTime(), async () => {}), () => clock), log.logger, { clock: () => clock, concurrency: 1, random: () => 0.5 });
    // Each post takes 10 s; then Teams asks for 15 s more.
    connector.respond = () => {
      clock = new Date(clock.getTime() + 10_000);
      return { status: 429, headers: { "retry-after": "15" } };
    };
    await sweeper.sweep();
    const rows = await database.db.reminder.findMany({ where: { subscriptionId: sub.id }, orderBy: { nextAttemptAt: "asc" } });
    expect(rows).toHaveLength(3);
    for (const [i, row] of rows.entries()) expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(start.getTime() + (i + 1) * 10_000 + 15_000);
  });

  it("item 11: an absurd Retry-After (1e20) is clamped; the sweep goes on and the other reminders are sent", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() - DAY + 1000);
    connector.respond = (request) => (request.path.includes(encodeURIComponent(`a:conv-${admin.userId}`)) ? { status: 429, headers: { "retry-after": "1e20" } } : { status: 200 });
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ sent: 2, retried: 1 });
    const row = await database.db.reminder.findFirstOrThrow({ where: { subscriptionId: sub.id, recipientUserId: admin.userId } });
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.nextAttemptAt.getTime() - clock.getTime()).toBeLessThanOrEqual(3_600_000);
    expect(row.nextAttemptAt.getTime() - clock.getTime()).toBeGreaterThan(0);
  });

  it("item 11: a deletion and its notices are one transaction: if the notices cannot be written, the subscription is not deleted", async () => {
    const sub = await suspendedSubscription();
    const late = new Date(sub.deletionAt!.getTime() + DAY);
    const sqlite = database.provider === "sqlite";
    await database.db.$executeRawUnsafe(
      sqlite
        ? `CREATE TRIGGER refuse_notices BEFORE INSERT ON "Reminder" WHEN NEW."kind" = 'deleted' BEGIN SELECT RAISE(ABORT, 'notices cannot be written'); END`
        : `CREATE FUNCTION refuse_notices() RETURNS trigger AS $$ BEGIN IF NEW."kind" = 'deleted' THEN RAISE EXCEPTION 'notices cannot be written'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
    );
    if (!sqlite) await database.db.$executeRawUnsafe(`CREATE TRIGGER refuse_notices BEFORE INSERT ON "Reminder" FOR EACH ROW EXECUTE FUNCTION refuse_notices()`);
    try {
      await expect(sweepAt(scheduler(), late)).rejects.toThrow();
      expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("suspended");
    } finally {
      await database.db.$executeRawUnsafe(sqlite ? `DROP TRIGGER refuse_notices` : `DROP TRIGGER refuse_notices ON "Reminder"`);
      if (!sqlite) await database.db.$executeRawUnsafe(`DROP FUNCTION refuse_notices()`);
    }
    expect(await sweepAt(scheduler(), late)).toMatchObject({ deleted: 1, sent: 3 });
    expect(await database.db.reminder.count({ where: { subscriptionId: sub.id, kind: "deleted" } })).toBe(3);
  });

  it.skipIf(providerUnderTest !== "postgresql")("item 11: two instances share Teams' per-conversation budget: never more than 7 cards a second, or 8 in 2 s, to one chat", { timeout: 60_000 }, async () => {
    clock = new Date();
    const subs: { id: string; deletionAt: Date | null }[] = [];
    for (let i = 0; i < 14; i++) subs.push(await suspendedSubscription());
    const now = () => new Date(subs[0].deletionAt!.getTime() - DAY + 1000 + (Date.now() - started));
    const started = Date.now();
    arrivals.splice(0);
    connector.respond = timed(() => ({ status: 200 }));
    const url = (database.config as { url: string }).url;
    const budgets = [new SharedSendBudget(url), new SharedSendBudget(url)];
    try {
      const refs = new ConversationRefStore(database.db);
      const instances = budgets.map((budget, i) => new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, budget, now), log.logger, { instanceId: `shared-${i}`, clock: now, batchSize: 5 }));
      const reports = await Promise.all(instances.map((instance) => instance.sweep()));
      expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(42);
    } finally {
      await Promise.all(budgets.map((budget) => budget.close()));
    }
    const toAdmin = arrivals.filter((arrival) => arrival.path.includes(encodeURIComponent(`a:conv-${admin.userId}`))).map((arrival) => arrival.at).sort((a, b) => a - b);
    expect(toAdmin).toHaveLength(14);
    for (let i = 0; i + 7 < toAdmin.length; i++) expect(toAdmin[i + 7] - toAdmin[i]).toBeGreaterThanOrEqual(1_000);
    for (let i = 0; i + 8 < toAdmin.length; i++) expect(toAdmin[i + 8] - toAdmin[i]).toBeGreaterThanOrEqual(2_000);
  });
});
