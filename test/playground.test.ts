/**
 * End to end through the Microsoft 365 Agents Playground: the real bot process, the real
 * Playground (its mock Bot Connector and its chat API, as its web UI uses them), one complete
 * flow: add a customer with a subscription, then suspend that subscription.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { openDatabase } from "../src/db/database.js";
import { validAccount, validAttestation } from "./helpers/fixtures.js";
import { TEST_ENCRYPTION_KEY } from "./helpers/harness.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, "..");
const pool = Number(process.env.VITEST_POOL_ID ?? 0);
const BOT_PORT = 39_780 + pool;
const PLAYGROUND_PORT = 56_170 + pool;
const base = `http://localhost:${PLAYGROUND_PORT}`;

interface ChatMessage {
  messageId: string;
  from: { id: string };
  text?: string;
  attachments?: { content: { body: unknown[]; actions?: { data?: Record<string, unknown> }[] } }[];
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe(`the bot in the Agents Playground (${providerUnderTest})`, () => {
  const children: ChildProcess[] = [];
  const botLog: string[] = [];
  const messages: ChatMessage[] = [];
  const updated: ChatMessage[] = [];
  let scratch: ScratchDatabase;
  let databaseUrl = "";
  let socket: WebSocket;
  let conversationId = "";
  let userId = "";

  beforeAll(async () => {
    scratch = await emptyDatabase();
    databaseUrl = scratch.database.provider === "sqlite" ? `file:${scratch.database.file}` : scratch.database.url;
    const bot = spawn(process.execPath, ["--import", "tsx", join(root, "bot", "index.ts")], { cwd: root, env: { PATH: process.env.PATH, PORT: String(BOT_PORT), DATABASE_URL: databaseUrl, REMINDER_INTERVAL_SECONDS: "1", ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }, stdio: ["ignore", "pipe", "pipe"] });
    bot.stdout!.on("data", (chunk) => botLog.push(String(chunk)));
    bot.stderr!.on("data", (chunk) => botLog.push(String(chunk)));
    children.push(bot);
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${BOT_PORT}/healthz`)).ok ? true : undefined), "the bot");

    const shims = mkdtempSync(join(tmpdir(), "pg-shim-"));
    writeFileSync(join(shims, "xdg-open"), "#!/bin/sh\nexit 0\n");
    chmodSync(join(shims, "xdg-open"), 0o755);
    const cli = join(dirname(require.resolve("@microsoft/m365agentsplayground/package.json")), "cli.js");
    children.push(spawn(process.execPath, [cli, "-e", `http://127.0.0.1:${BOT_PORT}/api/messages`, "-c", "msteams", "-p", String(PLAYGROUND_PORT)], { env: { ...process.env, PATH: `${shims}${delimiter}${process.env.PATH}` }, stdio: "ignore" }));
    const config = await waitFor(async () => (await (await fetch(`${base}/_internal/v1/config`)).json()) as { config: { personalChat: { id: string }; currentUser: { id: string } } }, "the Playground");
    conversationId = config.config.personalChat.id;
    userId = config.config.currentUser.id;
    socket = new WebSocket(`ws://localhost:${PLAYGROUND_PORT}/_ws_conversation/v1/conversations/stream`);
    socket.on("message", (data) => {
      const event = JSON.parse(String(data)) as { action: string; message?: ChatMessage };
      if (process.env.DEBUG_PLAYGROUND) console.log("WS", String(data).slice(0, 300));
      if (event.action === "createMessage" && event.message && event.message.from.id !== userId) messages.push(event.message);
      if (event.action === "updateMessage" && event.message) updated.push(event.message);
    });
    await new Promise((resolve) => socket.on("open", resolve));
  }, 90_000);

  afterAll(async () => {
    socket?.close();
    for (const child of children) child.kill("SIGTERM");
    await scratch?.drop();
  });

  /** Sends and waits for the bot's next card. */
  async function nextCard(send: () => Promise<Response>): Promise<ChatMessage> {
    const before = messages.length;
    const response = await send();
    expect(response.status).toBe(200);
    return waitFor(() => messages.slice(before).find((message) => message.attachments?.length), "a card from the bot", 15_000);
  }
  const say = (text: string) => nextCard(() => fetch(`${base}/_conversation/v1/conversations/${conversationId}/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from: { id: userId }, text, textFormat: "plain" }) }));
  const press = (card: ChatMessage, value: Record<string, unknown>) =>
    nextCard(() => fetch(`${base}/_conversation/v1/submit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ conversation: { id: conversationId }, from: { id: userId }, replyToId: card.messageId, value }) }));
  const text = (message: ChatMessage) => JSON.stringify(message.attachments?.[0].content);
  const verbData = (message: ChatMessage, verb: string) => {
    const found = JSON.stringify(message.attachments?.[0].content).match(new RegExp(`\\{"verb":"${verb.replace(".", "\\.")}"[^}]*\\}`));
    if (!found) throw new Error(`no ${verb} in ${text(message).slice(0, 200)}`);
    return JSON.parse(found[0]) as Record<string, unknown>;
  };

  it("adds a customer with a subscription, then suspends it, as a person would in its chat", async () => {
    const account = await say("new customer");
    expect(text(account)).toContain("Add a new customer: Account info");
    const { flowId } = verbData(account, "customer.account.next");
    const agreement = await press(account, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "playgroundco", companyName: "Playground Co" }) });
    expect(text(agreement)).toContain("Microsoft Customer Agreement: Playground Co");
    const term = await press(agreement, { verb: "customer.agreement.next", flowId, ...validAttestation() });
    const subscriptions = await press(term, { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" });
    expect(text(subscriptions)).toContain("Add a new customer: Subscriptions");
    const review = await press(subscriptions, { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8R:0001": "12" });
    expect(text(review)).toContain("Office 365 E3: 12 licences");
    const created = await press(review, { verb: "customer.review.submit", flowId });
    expect(text(created)).toContain("admin@playgroundco.onmicrosoft.com");
    expect(updated.length).toBeGreaterThanOrEqual(3);

    const details = await say("customer playgroundco");
    const sub = await press(details, verbData(details, "subscription.open"));
    expect(text(sub)).toContain("Status: Active");
    // The action answers with a sentence and replaces the subscription card in place.
    const before = messages.length;
    const response = await fetch(`${base}/_conversation/v1/submit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ conversation: { id: conversationId }, from: { id: userId }, replyToId: sub.messageId, value: { ...verbData(sub, "subscription.suspend"), reason: "nonPayment" } }) });
    expect(response.status).toBe(200);
    const sentence = await waitFor(() => messages.slice(before).find((message) => message.text), "the bot's answer", 15_000);
    expect(sentence.text).toMatch(/^Subscription suspended\. The customer is still billed, and auto-renew is off: it ends on /);
    const replaced = await waitFor(() => updated.find((message) => message.messageId === sub.messageId), "the card replaced in place", 15_000);
    expect(text(replaced)).toContain("Status: Suspended (Non-payment)");
    expect(text(replaced)).toContain("The customer is still billed while the subscription is suspended");
    expect(botLog.join("")).not.toMatch(/"level":(50|60)/);
  });

  /** Waits for the next message from the bot that has text; resolves with it. */
  const nextText = async (send: () => Promise<Response>) => {
    const before = messages.length;
    expect((await send()).status).toBe(200);
    return waitFor(() => messages.slice(before).find((message) => message.text), "the bot's answer", 15_000);
  };
  const submit = (card: ChatMessage, value: Record<string, unknown>) => () => fetch(`${base}/_conversation/v1/submit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ conversation: { id: conversationId }, from: { id: userId }, replyToId: card.messageId, value }) });

  it("issue 12: an add-on's Add button adds it, and a reminder's Reactivate still works after Mute", { timeout: 120_000 }, async () => {
    const account = await say("new customer");
    const { flowId } = verbData(account, "customer.account.next");
    const agreement = await press(account, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "addonco", companyName: "Add-on Co" }) });
    const term = await press(agreement, { verb: "customer.agreement.next", flowId, ...validAttestation() });
    const subscriptions = await press(term, { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" });
    const review = await press(subscriptions, { verb: "customer.subscriptions.next", flowId, "qty_CFQ7TTC0LF8R:0001": "10", "qty_91FD106F-4B2C-4938-95AC-F54F74E9A239:0001": "2" });
    await press(review, { verb: "customer.review.submit", flowId });
    const details = await say("customer addonco");
    const ids = await (async () => {
      const database = openDatabase(scratch.database);
      try {
        const rows = await database.db.subscription.findMany({ where: { customer: { domainPrefix: "addonco" } } });
        return { e3: rows.find((row) => row.offerName === "Office 365 E3")!.id, legacy: rows.find((row) => row.offerName === "Office 365 E1 (legacy)")!.id };
      } finally {
        await database.close();
      }
    })();
    const sub = await press(details, { verb: "subscription.open", subscriptionId: ids.e3 });
    const add = verbData(sub, "subscription.addon");
    const firstAddOn = /"id":"offerId"[^}]*"value":"([^"]+)"/.exec(text(sub))![1];
    expect((await nextText(submit(sub, { ...add, offerId: firstAddOn, addOnLicences: "2" }))).text).toBe("Add-on added.");

    // A legacy offer, suspended: its data would be deleted after the retention period.
    const opened = await press(details, { verb: "subscription.open", subscriptionId: ids.legacy });
    expect((await nextText(submit(opened, { ...verbData(opened, "subscription.suspend"), reason: "customerRequest" }))).text).toMatch(/^Subscription suspended\. Its data will be deleted on /);
    // The deletion is a day away: the bot's next reminder sweep (every second here) sends its card into this chat.
    const before = messages.length;
    const database = openDatabase(scratch.database);
    try {
      const customer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "addonco" } });
      await database.db.subscription.updateMany({ where: { customerId: customer.id, status: "suspended" }, data: { suspendedAt: new Date(Date.now() - 89 * 86_400_000), deletionAt: new Date(Date.now() + 86_400_000 - 60_000) } });
    } finally {
      await database.close();
    }
    const reminder = await waitFor(() => messages.slice(before).find((message) => text(message).includes("Data deletion in 1 day")), "the reminder card", 15_000);
    expect((await nextText(submit(reminder, verbData(reminder, "subscription.mute")))).text).toBe("Reminders muted for this subscription.");
    expect((await nextText(submit(reminder, verbData(reminder, "subscription.reactivate")))).text).toBe("Subscription reactivated.");
    expect(botLog.join("")).not.toMatch(/"level":(50|60)/);
  });

  const invoke = async (name: string, value: unknown, replyToId?: string) => {
    const response = await fetch(`${base}/_conversation/v1/invoke`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, value, from: { id: userId }, conversation: { id: conversationId }, ...(replyToId ? { replyToId } : {}) }) });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  it("issue 15: the compose box's New customer opens the form in a dialog, and a Universal Action answers with the updated card in place", { timeout: 120_000 }, async () => {
    // The message extension's action command: the Playground asks the bot for the dialog, then sends its form.
    const fetched = (await invoke("composeExtension/fetchTask", { commandId: "newCustomer", commandContext: "compose" })) as { task?: { type: string; value: { title: string; card: { content: unknown } } } };
    expect(fetched.task?.type).toBe("continue");
    expect(fetched.task!.value.title).toBe("Add customer");
    expect(JSON.stringify(fetched.task!.value.card.content)).toContain("Add a new customer: Account info");
    const form = JSON.stringify(fetched.task!.value.card.content);
    const { flowId } = JSON.parse(form.match(/\{"verb":"customer\.account\.next"[^}]*\}/)![0]) as { flowId: string };
    // Each step's form comes back in the dialog; the last one closes it, and the confirmation is in the chat.
    const step = async (data: Record<string, unknown>) => (await invoke("composeExtension/submitAction", { commandId: "newCustomer", commandContext: "compose", data: { flowId, ...data } })) as { task?: { type: string; value: unknown } };
    const agreement = await step({ verb: "customer.account.next", ...validAccount({ domainPrefix: "dialogco", companyName: "Dialog Co" }) });
    expect(agreement.task?.type).toBe("continue");
    expect(JSON.stringify(agreement.task?.value)).toContain("Microsoft Customer Agreement: Dialog Co");
    expect((await step({ verb: "customer.agreement.next", ...validAttestation() })).task?.type).toBe("continue");
    expect((await step({ verb: "customer.term.next", termCycle: "P1Y/monthly" })).task?.type).toBe("continue");
    expect(JSON.stringify((await step({ verb: "customer.subscriptions.next", "qty_CFQ7TTC0LF8R:0001": "6" })).task?.value)).toContain("Office 365 E3: 6 licences");
    const before = messages.length;
    expect((await step({ verb: "customer.review.submit" })).task?.type).not.toBe("continue");
    await waitFor(() => messages.slice(before).find((message) => text(message).includes("admin@dialogco.onmicrosoft.com")), "the confirmation in the chat", 15_000);

    // A Universal Action on the subscription card: the answer is the card as it is now, shown in place.
    const details = await say("customer dialogco");
    const sub = await press(details, verbData(details, "subscription.open"));
    expect(text(sub)).toContain('"type":"Action.Execute"');
    const data = verbData(sub, "subscription.autoRenew");
    const answer = (await invoke("adaptiveCard/action", { action: { type: "Action.Execute", verb: "subscription.autoRenew", data: { ...data, autoRenew: "false" } }, trigger: "manual" }, sub.messageId)) as { type: string; value: unknown };
    // (The Playground passes on the invoke answer's type and value.)
    expect(answer.type).toBe("application/vnd.microsoft.card.adaptive");
    expect(JSON.stringify(answer.value)).toContain("Auto-renew");
    const replaced = await waitFor(() => updated.find((message) => message.messageId === sub.messageId), "the card replaced in place", 15_000);
    expect(JSON.stringify(replaced.attachments?.[0].content)).toContain('"refresh"');
    const database = openDatabase(scratch.database);
    try {
      expect((await database.db.subscription.findFirstOrThrow({ where: { customer: { domainPrefix: "dialogco" } } })).autoRenew).toBe(false);
    } finally {
      await database.close();
    }
    expect(botLog.join("")).not.toMatch(/"level":(50|60)/);
  });
});
