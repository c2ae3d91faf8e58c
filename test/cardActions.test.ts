/**
 * Every card, rendered by the official Adaptive Cards renderer (in a DOM), with every button
 * pressed (issue 12, item 1): no renderer error, every Submit carries a verb the bot knows and no
 * field a client's renderer refuses (a field named "key" broke the Agents Playground's), every link
 * is a link, and the bot answers the data each button sends.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandCard } from "../bot/cards/render.js";
import { universalActions } from "../bot/cards/universal.js";
import { cardSamples, sampleNames, sampleNceSubscription, templateOfSample } from "../bot/dev/samples.js";
import { subscriptionCardData } from "../bot/subscriptions/subscriptionCards.js";
import { translator } from "../src/i18n/index.js";
import { Conversation, texts } from "./helpers/conversation.js";
import { PROVIDER_TENANT } from "./helpers/fixtures.js";
import { testBot, testConfig } from "./helpers/harness.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, type TestDatabase } from "./helpers/testDatabase.js";

const require = createRequire(import.meta.url);
const bundle = readFileSync(require.resolve("adaptivecards/dist/adaptivecards.js"), "utf8");

/** Names that client renderers treat as their own (React's key and ref, prototypes). */
const reserved = new Set(["key", "ref", "__proto__", "constructor", "prototype"]);
/** Verbs of the flows' own steps (a dialog reads them), beside the registered commands. */
const flowVerbs = [
  "customer.account.next",
  "customer.agreement.next",
  "customer.agreement.back",
  "customer.term.next",
  "customer.term.back",
  "customer.subscriptions.next",
  "customer.subscriptions.term",
  "customer.subscriptions.skip",
  "customer.subscriptions.back",
  "customer.review.submit",
  "customer.review.editAccount",
  "customer.review.editSubscriptions",
  "order.agreement.next",
  "order.term.next",
  "order.catalog.next",
  "order.catalog.term",
  "order.review.submit",
  "order.review.edit",
  "reseller.invite.submit",
  "partnership.accept",
  "partnership.decline",
];

interface Pressed {
  card: string;
  type: string;
  title: string;
  data?: Record<string, unknown>;
  url?: string;
}

/** Renders a card in a DOM with the official renderer and presses each of its actions, ShowCards included. */
function pressEverything(name: string, card: object): { pressed: Pressed[]; errors: string[] } {
  const dom = new JSDOM("<!doctype html><div id=host></div>", { runScripts: "outside-only", pretendToBeVisual: true });
  const window = dom.window as unknown as { eval(code: string): unknown; AdaptiveCards: any; document: Document };
  window.eval(bundle);
  const AC = window.AdaptiveCards;
  const errors: string[] = [];
  const pressed: Pressed[] = [];
  const adaptive = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  adaptive.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) errors.push(context.getEventAt(i).message);
  adaptive.onExecuteAction = (action: any) => {
    const type = action.getJsonTypeName();
    const data = type === "Action.Submit" || type === "Action.Execute" ? (JSON.parse(JSON.stringify(action.data ?? {})) as Record<string, unknown>) : undefined;
    // An Execute's verb is its own property; the bot reads it as the data's verb.
    pressed.push({ card: name, type, title: action.title, data: type === "Action.Execute" ? { ...data, verb: action.verb } : data, url: type === "Action.OpenUrl" ? action.url : undefined });
  };
  const rendered = adaptive.render();
  window.document.getElementById("host")!.appendChild(rendered);
  const press = (actions: any[]) => {
    for (const action of actions) {
      try {
        action.execute();
      } catch (error) {
        errors.push(`${action.title}: ${(error as Error).message}`);
      }
      if (action.getJsonTypeName() === "Action.ShowCard") press(action.card.getAllActions());
    }
  };
  press(adaptive.getAllActions());
  return { pressed, errors };
}

describe("every card's every button, pressed in the official renderer", () => {
  let database: TestDatabase;
  let conversation: Conversation;
  let knownVerbs: Set<string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const bot = testBot(testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution" }), database, memoryLogger("fatal").logger);
    conversation = new Conversation(bot, { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber" });
    await conversation.say("hello");
    const registry = (bot as unknown as { options: { commands: { commands: { verb: string }[] } } }).options.commands;
    knownVerbs = new Set([...registry.commands.map((command) => command.verb), ...flowVerbs]);
  });
  afterAll(() => database.drop());

  const cases = sampleNames().flatMap((name) => (["en", "fr"] as const).map((locale) => [name, locale] as const));
  /** A sample as it is sent: every bot-bound button an Action.Execute. */
  const expandSample = (name: string, locale: "en" | "fr") => universalActions(expandCard(templateOfSample(name), cardSamples[name](translator(locale))));

  it.each(cases)("item 1: %s (%s): no renderer error; every Submit has a known verb and no reserved field; every link is a link", (name, locale) => {
    const { pressed, errors } = pressEverything(name, expandSample(name, locale));
    expect(errors).toEqual([]);
    for (const action of pressed) {
      // Universal Actions: no bare Submit left (its Submit is the fallback of an older client),
      // except a button that opens a dialog (Teams opens dialogs from a Submit with task/fetch).
      if (action.type === "Action.Submit") expect(action.data?.msteams, `${name}: "${action.title}"`).toEqual({ type: "task/fetch" });
      if (action.data) {
        expect(knownVerbs, `${name}: "${action.title}"`).toContain(action.data.verb);
        expect(Object.keys(action.data).filter((field) => reserved.has(field)), `${name}: "${action.title}"`).toEqual([]);
      }
      if (action.url) expect(action.url).toMatch(/^(https:\/\/|mailto:)/);
    }
  });

  it("item 1: the bot answers the data every button of every card sends (a sentence or a card, never an error)", async () => {
    const all = cases.flatMap(([name, locale]) => pressEverything(name, expandSample(name, locale)).pressed).filter((action) => action.data);
    expect(all.length).toBeGreaterThan(60);
    for (const action of all) {
      const updates = conversation.adapter.updatedActivities.length;
      // As Teams sends it (an adaptiveCard/action invoke) and as an older client would (a Submit).
      const value = { action: { type: "Action.Execute", verb: action.data!.verb, data: action.data }, trigger: "manual" };
      const replies = [...(await conversation.send({ type: "invoke", name: "adaptiveCard/action", value, replyToId: "the-card" })), ...(await conversation.send({ type: "message", value: action.data, replyToId: "the-card" }))];
      // An answer, or the card replaced in place ("Done").
      expect(replies.length + conversation.adapter.updatedActivities.length - updates, `${action.card}: "${action.title}"`).toBeGreaterThan(0);
      expect(texts(replies).join(" "), `${action.card}: "${action.title}"`).not.toMatch(/something went wrong|Sorry/);
    }
  });

  it("item 1: the add-on's Add button of the subscription card sends its key under a name renderers accept", () => {
    const active = subscriptionCardData({ t: translator("en"), locale: "en" }, sampleNceSubscription(), { isProvider: true, resellers: [] });
    const { pressed } = pressEverything("subscription", universalActions(expandCard("subscription", active)));
    const add = pressed.find((action) => action.data?.verb === "subscription.addon");
    expect(add?.data).toMatchObject({ addOnKey: expect.any(String), offerId: expect.any(String) });
  });
});
