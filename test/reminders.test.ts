import { ConnectorSender } from "../bot/reminders/connectorSender.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testServices } from "./helpers/harness.js";
import { TeamsReminderChannel } from "../bot/reminders/teamsReminderChannel.js";
import type { Caller } from "../src/identity/identityService.js";
import { ConversationRefStore } from "../bot/teams/conversationRefs.js";
import { ClockOffset, earliestSlot, LocalSendBudget, perConversation, perTenant, SharedSendBudget } from "../bot/teams/sendBudget.js";
import { defaultSchedulerOptions, ReminderScheduler, roundRobin, type SchedulerOptions } from "../src/reminders/reminderScheduler.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { makeCaller, newCustomer, OFFERS, order } from "./helpers/fixtures.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = new Date("2027-01-01T09:00:00Z");

describe("a batch of reminders is taken across tenants in turn", () => {
  it("one of each tenant, then the next of each, each tenant's own order kept", () => {
    const items = ["a1", "a2", "a3", "b1", "c1", "c2"].map((id) => ({ id, tenant: id[0] }));
    expect(roundRobin(items, (item) => item.tenant).map((item) => item.id)).toEqual(["a1", "b1", "c1", "a2", "c2", "a3"]);
  });
});

describe("send budget (Teams' per-conversation and per-tenant limits)", () => {
  it("lets 7 sends through in a second, then waits for the window (with 150 ms to spare in one chat)", async () => {
    let now = 0;
    const slept: number[] = [];
    const budget = new LocalSendBudget(() => now, async (ms: number) => {
      slept.push(ms);
      now += ms;
    });
    for (let i = 0; i < 7; i++) await budget.acquire([{ key: "c", windows: perConversation }]);
    expect(slept).toEqual([]);
    await budget.acquire([{ key: "c", windows: perConversation }]);
    expect(slept).toEqual([1150]);
    // 8 in 2 s: the 9th waits until the first sends are 2 s old.
    await budget.acquire([{ key: "c", windows: perConversation }]);
    expect(now).toBe(2150);
    await budget.acquire([{ key: "other", windows: perConversation }]);
    expect(now).toBe(2150);
  });

  it("a tenant's sends are spaced 34 ms apart, and its window keeps only 30 ms of room: the 31st after 1,030 ms", async () => {
    let now = 0;
    const budget = new LocalSendBudget(() => now, async (ms: number) => {
      now += ms;
    });
    const at: number[] = [];
    for (let i = 0; i < 31; i++) {
      await budget.acquire([{ key: `c${i}`, windows: perConversation }, { key: "tenant", windows: perTenant }]);
      at.push(now);
    }
    expect(at.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i * 34));
    expect(at[30]).toBe(1030);
  });

  it("a reservation made ahead gives no slot sooner than asked, the slots after it at the tenant's pace; the room before it stays usable", async () => {
    const budget = new LocalSendBudget(() => 1_000);
    const keys = (i: number) => [{ key: `c${i}`, windows: perConversation }, { key: "tenant", windows: perTenant }];
    expect(await budget.reserve([keys(1), keys(2), keys(3)], 150)).toEqual([1_150, 1_184, 1_218]);
    // A send wanted now fits 150 ms before them; the next one ahead of time goes after them.
    expect(await budget.reserve([keys(4)], 0)).toEqual([1_000]);
    expect(await budget.reserve([keys(5)], 150)).toEqual([1_252]);
  });

  it("the database's clock is read as NTP does: the reading with the shortest round trip is trusted", () => {
    const clock = new ClockOffset();
    // A round trip of 400 ms (it waited for a lock): the reading could be from any moment of it.
    clock.sample(10_000, 0, 400);
    expect(clock.toLocal(20_000)).toBe(20_000 - 9_800);
    // 10 ms: the database's clock is 10,000 - 205 = 9,795 ms ahead, give or take 5.
    clock.sample(10_200, 200, 210);
    expect(clock.toLocal(20_000)).toBe(20_000 - 9_995);
    // A slower reading afterwards does not override it.
    clock.sample(10_900, 600, 1_000);
    expect(clock.toLocal(20_000)).toBe(20_000 - 9_995);
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

describe(`reminders over HTTP to a fake Teams connector (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let connector: FakeConnector;
  let admin: Caller;
  let agent: Caller;
  let resellerUser: Caller;
  let services: ReturnType<typeof testServices>;
  let clock: Date;
  const log = memoryLogger("warn");
  let n = 0;

  const scheduler = (instanceId = "instance-a", options: Partial<SchedulerOptions> = {}) => {
    const refs = new ConversationRefStore(database.db);
    const channel = new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, new LocalSendBudget(() => clock.getTime(), async () => {}), () => clock);
    return new ReminderScheduler(database.db, channel, log.logger, { instanceId, random: () => 0.5, baseBackoffMs: 2_000, maxAttempts: 4, clock: () => clock, provider: providerUnderTest, ...options }, services.sync);
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
  const bodyOf = (request: { body: { attachments?: { content: Record<string, unknown> }[] } }) => (request.body.attachments![0].content.body as { text: string }[])[1].text;
  /** The verbs of the card's buttons (each an Action.Execute, its Submit fallback not counted twice). */
  const verbsOf = (request: { body: { attachments?: { content: Record<string, unknown> }[] } }) => [...JSON.stringify(request.body.attachments![0].content).matchAll(/"type":"Action\.Execute"[^{}]*?"verb":"([^"]+)"/g)].map((match) => match[1]);

  /** A customer delegated to the reseller, with one legacy subscription suspended at T0 (90-day retention). */
  const suspendedSubscription = async () => {
    clock = T0;
    const { subscriptionIds: [id] } = await newCustomer(services, agent, { quantities: { [OFFERS.e1Legacy]: 4 }, resellerOrgId: resellerUser.organisation.id, key: `rem-${++n}-${crypto.randomUUID()}` });
    const sub = await database.db.subscription.findUniqueOrThrow({ where: { id } });
    await services.subscriptions.suspend(agent, { subscriptionId: sub.id, reason: "nonPayment", version: sub.version });
    return database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
  };
  /** A New Commerce subscription bought at T0 by the agent, for a customer delegated to the reseller. */
  const nceSubscription = async (quantities: Record<string, number>, term: "P1M" | "P1Y" | "P3Y" = "P1Y") => {
    clock = T0;
    const { subscriptionIds } = await newCustomer(services, agent, { quantities, term, resellerOrgId: resellerUser.organisation.id, key: `nce-${++n}-${crypto.randomUUID()}` });
    return Promise.all(subscriptionIds.map((id) => database.db.subscription.findUniqueOrThrow({ where: { id } })));
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    services = testServices(database.db, () => clock);
    connector = await new FakeConnector().start();
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "prov-rem", name: "Contoso Distribution" });
    agent = await makeCaller(database.db, { kind: "provider", role: "agent", tenantId: "prov-rem" });
    resellerUser = await makeCaller(database.db, { kind: "reseller", tenantId: "res-rem", name: "Northwind", providerOrgId: admin.organisation.id });
    const refs = new ConversationRefStore(database.db);
    for (const caller of [admin, agent, resellerUser]) await refs.remember(caller.userId, `a:conv-${caller.userId}`, referenceFor(caller));
  });
  beforeEach(async () => {
    // Each test watches only its own subscriptions: earlier ones are gone, here and in Partner Center.
    await database.db.subscription.updateMany({ where: { status: { in: ["active", "suspended"] } }, data: { status: "deleted" } });
    await database.db.pcSubscription.updateMany({ where: { status: { in: ["active", "suspended"] } }, data: { status: "deleted" } });
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
      expect(titleOf(card)).toBe("Data deletion in 30 days: Office 365 E1 (legacy)");
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
    expect(titleOf(cardsTo(admin)[0])).toBe("Data deletion in 3 days: Office 365 E1 (legacy)");
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
    await services.subscriptions.reactivate(agent, { subscriptionId: sub.id, version: sub.version });
    connector.respond = () => ({ status: 200 });
    clock = new Date(clock.getTime() + 60_000);
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ skipped: 3, sent: 0 });

    const muted = await suspendedSubscription();
    await services.subscriptions.setRemindersMuted(resellerUser, { subscriptionId: muted.id, muted: true });
    clock = new Date(muted.deletionAt!.getTime() - DAY + 1000);
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ recorded: 0, sent: 0 });
  });

  it("learns from Partner Center that a legacy subscription's retention ran out (even when the sweep comes days late), and tells its people", async () => {
    const sub = await suspendedSubscription();
    clock = new Date(sub.deletionAt!.getTime() + 5 * DAY);
    const report = await sweepAt(scheduler(), clock);
    expect(report).toMatchObject({ refreshed: 1, deleted: 1, sent: 3 });
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("deleted");
    expect(await database.db.auditEntry.count({ where: { subscriptionId: sub.id, action: "subscription.deleted", actorUserId: "partner-center" } })).toBe(1);
    expect(titleOf(cardsTo(admin)[0])).toBe("Subscription deleted: Office 365 E1 (legacy)");
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ deleted: 0, sent: 0 });
  });

  it("warns before a trial ends, with 'buy the full subscription' for as many licences", async () => {
    clock = T0;
    const { subscriptionIds: [trial] } = await newCustomer(services, admin, { quantities: { [OFFERS.e3Trial]: 5 }, key: `trial-${++n}-${crypto.randomUUID()}` });
    clock = new Date(T0.getTime() + 24 * DAY);
    await sweepAt(scheduler(), clock);
    const [card] = cardsTo(admin);
    expect(titleOf(card)).toBe("Trial ends in 6 days: Office 365 E3 Trial");
    expect(JSON.stringify(card.body)).toContain(`"offer":"${OFFERS.e3}","licences":5`);
    expect(await database.db.reminder.count({ where: { subscriptionId: trial } })).toBe(1);
  });

  it("window closing: the day before a purchase's 7-day window closes, the seats still removable, with Remove and Cancel right there", async () => {
    const [sub] = await nceSubscription({ [OFFERS.e3]: 10 });
    // Nothing before the last 24 hours of the window.
    expect(await sweepAt(scheduler(), new Date(T0.getTime() + 143 * HOUR))).toMatchObject({ recorded: 0 });
    clock = new Date(T0.getTime() + 144 * HOUR + 60_000);
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ recorded: 3, sent: 3 });
    for (const caller of [admin, agent, resellerUser]) {
      const [card] = cardsTo(caller);
      expect(titleOf(card)).toBe("Last chance to remove licences (about 24 hours left): Office 365 E3");
      expect(bodyOf(card)).toContain("9 licences of the 10 of");
      expect(bodyOf(card)).toContain("Until then it can also be cancelled, with a refund of about $");
      expect(verbsOf(card)).toEqual(["subscription.licences.review", "subscription.cancel.review", "subscription.open", "subscription.mute"]);
    }
    const row = await database.db.reminder.findFirstOrThrow({ where: { subscriptionId: sub.id, recipientUserId: admin.userId } });
    expect(row).toMatchObject({ kind: "windowClosing", eventAt: new Date(T0.getTime() + 168 * HOUR) });
    expect(await sweepAt(scheduler(), new Date(clock.getTime() + HOUR))).toMatchObject({ recorded: 0, sent: 0 });
  });

  it("window closing for seats added mid-term: their own window, their own reminder, the cancellation long gone", async () => {
    const [sub] = await nceSubscription({ [OFFERS.e3]: 10 });
    clock = new Date(T0.getTime() + 20 * DAY);
    const shown = await services.subscriptions.get(admin, sub.id, { refresh: true });
    await services.subscriptions.changeQuantity(admin, { subscriptionId: sub.id, licences: 13, version: shown.version });
    clock = new Date(T0.getTime() + 20 * DAY + 150 * HOUR);
    await sweepAt(scheduler(), clock);
    const [card] = cardsTo(admin);
    expect(titleOf(card)).toBe("Last chance to remove licences (about 18 hours left): Office 365 E3");
    expect(bodyOf(card)).toContain("3 licences of the 13 of");
    expect(verbsOf(card)).not.toContain("subscription.cancel.review");
  });

  it("a reminder for a window whose seats were removed meanwhile is not sent", async () => {
    const [sub] = await nceSubscription({ [OFFERS.e3]: 10 });
    clock = new Date(T0.getTime() + 150 * HOUR);
    connector.respond = () => ({ status: 503 });
    await sweepAt(scheduler(), clock);
    await services.subscriptions.cancel(admin, { subscriptionId: sub.id, version: (await services.subscriptions.get(admin, sub.id)).version });
    connector.respond = () => ({ status: 200 });
    expect(await sweepAt(scheduler(), new Date(clock.getTime() + 60_000))).toMatchObject({ sent: 0, skipped: 3 });
  });

  it("renewal ahead of an annual term, 30 then 7 days before: whether it renews, with what seats, at what price, with the buttons to change it", async () => {
    const [sub] = await nceSubscription({ [OFFERS.e3]: 10 });
    const termEnd = sub.termEndAt;
    expect(await sweepAt(scheduler(), new Date(termEnd.getTime() - 31 * DAY))).toMatchObject({ recorded: 0 });
    clock = new Date(termEnd.getTime() - 30 * DAY + 60_000);
    expect(await sweepAt(scheduler(), clock)).toMatchObject({ recorded: 3, sent: 3 });
    const [card] = cardsTo(admin);
    expect(titleOf(card)).toBe("Renews in 30 days: Office 365 E3");
    expect(bodyOf(card)).toContain("renews on January 1, 2028 for another 1 year: 10 licences, $230.00 per month");
    expect(verbsOf(card)).toEqual(["subscription.autoRenew", "subscription.nextTerm", "subscription.open", "subscription.mute"]);
    connector.received.splice(0);
    // Fewer seats scheduled, then the 7-day reminder says so.
    const shown = await services.subscriptions.get(admin, sub.id, { refresh: true });
    await services.subscriptions.scheduleNextTerm(admin, { subscriptionId: sub.id, version: shown.version, licences: 6, termDuration: "P1Y", billingCycle: "annual" });
    clock = new Date(termEnd.getTime() - 7 * DAY + 60_000);
    await sweepAt(scheduler(), clock);
    expect(titleOf(cardsTo(admin)[0])).toBe("Renews in 7 days: Office 365 E3");
    expect(bodyOf(cardsTo(admin)[0])).toContain("with the changes scheduled: 6 licences, 1 year, billed annually");
  });

  it("renewal ahead of a term that will end (auto-renew off) says it ends, without an auto-renew button", async () => {
    const [sub] = await nceSubscription({ [OFFERS.e3]: 2 });
    const shown = await services.subscriptions.get(admin, sub.id);
    await services.subscriptions.setAutoRenew(admin, { subscriptionId: sub.id, version: shown.version, autoRenew: false });
    await sweepAt(scheduler(), new Date(sub.termEndAt.getTime() - 7 * DAY + 60_000));
    const [card] = cardsTo(admin);
    expect(titleOf(card)).toBe("Ends in 7 days: Office 365 E3");
    expect(bodyOf(card)).toContain("will not renew: it ends on January 1, 2028");
    expect(verbsOf(card)).toEqual(["subscription.open", "subscription.mute"]);
  });

  it("month-to-month subscriptions that simply roll over get no renewal reminder, unless the partner asks for them; one that will end or change does", async () => {
    const [rolling] = await nceSubscription({ [OFFERS.e3]: 5 }, "P1M");
    const [ending] = await nceSubscription({ [OFFERS.e5]: 5 }, "P1M");
    const shown = await services.subscriptions.get(admin, ending.id);
    await services.subscriptions.setAutoRenew(admin, { subscriptionId: ending.id, version: shown.version, autoRenew: false });
    const week = new Date(rolling.termEndAt.getTime() - 7 * DAY + 60_000);
    await sweepAt(scheduler(), week);
    expect(cardsTo(admin).map(titleOf)).toEqual(["Ends in 7 days: Office 365 E5"]);
    connector.received.splice(0);
    await sweepAt(scheduler("instance-a", { monthlyRenewals: true }), new Date(week.getTime() + 60_000));
    expect(cardsTo(admin).map(titleOf)).toEqual(["Renews in 7 days: Office 365 E3"]);
  });

  it("a renewal found on a sweep opens a new window, and its 'window closing' reminder follows", async () => {
    const [sub] = await nceSubscription({ [OFFERS.e3]: 10 });
    const renewal = sub.termEndAt;
    expect(await sweepAt(scheduler(), new Date(renewal.getTime() + HOUR))).toMatchObject({ refreshed: 1 });
    const renewed = await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(renewed.termStartAt).toEqual(renewal);
    expect(renewed.windowClosesAt).toEqual(new Date(renewal.getTime() + 168 * HOUR));
    connector.received.splice(0);
    await sweepAt(scheduler(), new Date(renewal.getTime() + 150 * HOUR));
    expect(cardsTo(admin).map(titleOf)).toEqual(["Last chance to remove licences (about 18 hours left): Office 365 E3"]);
  });

  it("an order Partner Center was still provisioning: its creator is told once it is ready", async () => {
    const lagging = testServices(database.db, () => clock, { provisioningLagMs: 15 * 60_000 });
    clock = T0;
    const { customerId } = await newCustomer(lagging, agent, { key: `lag-${++n}-${crypto.randomUUID()}` });
    const placed = await order(lagging, agent, customerId, { [OFFERS.e3]: 3, [OFFERS.exchange1]: 1 });
    expect(placed.provisioning).toBe(true);
    const sweeper = () => new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, new ConversationRefStore(database.db), "en", log.logger, new LocalSendBudget(() => clock.getTime(), async () => {}), () => clock), log.logger, { clock: () => clock }, lagging.sync);
    expect(await sweepAt(sweeper(), new Date(T0.getTime() + 5 * 60_000))).toMatchObject({ provisioned: 0, sent: 0 });
    expect(await sweepAt(sweeper(), new Date(T0.getTime() + 16 * 60_000))).toMatchObject({ provisioned: 1, sent: 1 });
    expect(cardsTo(agent).map(titleOf)).toEqual([expect.stringMatching(/^Order ready: /)]);
    expect(bodyOf(cardsTo(agent)[0])).toContain("the 2 subscriptions ordered for");
    expect(await sweepAt(sweeper(), new Date(T0.getTime() + 17 * 60_000))).toMatchObject({ provisioned: 0, sent: 0 });
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
      new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, new LocalSendBudget(), now), log.logger, { instanceId: id, clock: now, leaseMs: 400, concurrency: 1, batchSize: 50, provider: providerUnderTest });
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

  it("a lane's cards go out at their reserved slots, each made shortly before it: a slow answer to one card does not hold back the next", { timeout: 30_000 }, async () => {
    const subs = [await suspendedSubscription(), await suspendedSubscription()];
    const started = Date.now();
    const now = () => new Date(subs[0].deletionAt!.getTime() - DAY + 1000 + (Date.now() - started));
    arrivals.splice(0);
    // Every answer takes 400 ms.
    connector.respond = (request) => ({ ...timed(() => ({ status: 200 }))(request), delayMs: 400 });
    const channel = new TeamsReminderChannel(new ConnectorSender(), database.db, new ConversationRefStore(database.db), "en", log.logger, new LocalSendBudget(), now);
    const report = await new ReminderScheduler(database.db, channel, log.logger, { clock: now, provider: providerUnderTest }).sweep();
    expect(report.sent).toBe(6);
    // The provider's four cards (two to the admin, two to the agent): one tenant's lane, paced
    // 34 ms apart by the tenant's budget, all sent before the first answer came back.
    const provider = arrivals.filter((arrival) => [admin, agent].some((caller) => arrival.path.includes(encodeURIComponent(`a:conv-${caller.userId}`)))).map((arrival) => arrival.at).sort((a, b) => a - b);
    expect(provider).toHaveLength(4);
    expect(provider[3] - provider[0]).toBeGreaterThanOrEqual(3 * 34 - 30);
    expect(provider[3] - provider[0]).toBeLessThan(400);
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

  it("item 11: a deletion and its notices are one transaction: if the notices cannot be written, the deletion is not recorded either (and is on the next sweep)", async () => {
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
      expect(await sweepAt(scheduler(), late)).toMatchObject({ deleted: 0, sent: 0 });
      expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("suspended");
      expect(log.lines.some((line) => line.includes("could not read a subscription from Partner Center"))).toBe(true);
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
      const instances = budgets.map((budget, i) => new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, budget, now), log.logger, { instanceId: `shared-${i}`, clock: now, batchSize: 5, provider: providerUnderTest }));
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
