import { ActivityTypes } from "botbuilder";
import { ComponentDialog, TextPrompt, WaterfallDialog } from "botbuilder-dialogs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testBot, testConfig } from "./helpers/harness.js";
import { createBot } from "../bot/app.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import type { Command } from "../bot/commands.js";
import { parseConfig, type Config } from "../src/config.js";
import { cardOf, cardText, Conversation, texts } from "./helpers/conversation.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const STRANGER = "11111111-2222-4333-8444-555555555555";

/** A two-question flow standing in for the real ones, to show cancel and help at any step. */
class SampleDialog extends ComponentDialog {
  constructor() {
    super("sample");
    this.addDialog(new TextPrompt("sample.prompt"));
    this.addDialog(
      new WaterfallDialog("sample.steps", [
        async (step) => step.prompt("sample.prompt", "First answer?"),
        async (step) => {
          (step.values as { first?: string }).first = step.result;
          return step.prompt("sample.prompt", "Second answer?");
        },
        async (step) => {
          await step.context.sendActivity(`Got ${(step.values as { first?: string }).first} and ${step.result}`);
          return step.endDialog();
        },
      ]),
    );
    this.initialDialogId = "sample.steps";
  }
}

const sampleFlow = (): Command => ({ id: "sample", verb: "sample.start", phrases: ["sample flow"], dialog: new SampleDialog() });

describe(`the bot in a Teams conversation (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let config: Config;
  const { logger } = memoryLogger("warn");

  const alex = { tenantId: PROVIDER, aadObjectId: "aad-alex", name: "Alex Wilber" };
  const megan = { tenantId: PROVIDER, aadObjectId: "aad-megan", name: "Megan Bowen" };

  // Each test has its own database in which Alex, the provider's first user, is its admin.
  beforeAll(() => {
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER, PROVIDER_NAME: "Contoso Distribution" });
  });
  beforeEach(async () => {
    database = await createTestDatabase();
    await new Conversation(bot(), alex).say("hello");
  });
  afterEach(() => database.drop());

  const bot = () => testBot(config, database, logger);
  // The sample flow is registered through the same mechanism the product's flows use.
  const botWithSample = () => testBot(config, database, logger, { features: [sampleFlow()] });

  it("greets on install with the menu, whose buttons are the registered commands", async () => {
    const chat = new Conversation(bot(), alex);
    const replies = await chat.send({ type: ActivityTypes.InstallationUpdate, action: "add" });
    expect(texts(replies)[0]).toContain("Welcome");
    const menu = cardOf(replies);
    const verbs = (menu.body as unknown as { type: string; actions?: { data: { verb: string } }[] }[]).flatMap((element) => element.actions?.map((action) => action.data.verb) ?? []);
    expect(verbs).toEqual(["customer.new", "customer.list", "reseller.invite", "reseller.list", "staff", "approvals", "help", "profile"]);
    expect(JSON.stringify(menu.body)).toContain("administrator of Contoso");
  });

  it.each([
    ["help", "en-US", "Help", "cancel: stop what you are doing"],
    ["Aide !", "fr-FR", "Aide", "annuler : arrêter ce que vous faites"],
    ["HELP", "fr-FR", "Aide", "profil : votre organisation"],
  ])("answers %s (%s) with the help card", async (text, locale, title, line) => {
    const replies = await new Conversation(bot(), { ...alex, locale }).say(text);
    expect(cardOf(replies).body[0].text).toBe(title);
    expect(cardText(replies)).toContain(line);
  });

  it("shows the caller's organisation and role from a menu button (a card submit has no text)", async () => {
    const replies = await new Conversation(bot(), alex).submit({ verb: "profile" });
    const facts = cardOf(replies).body[1].facts!;
    expect(facts).toEqual(expect.arrayContaining([{ title: "Role", value: "administrator" }, { title: "Organisation type", value: "indirect provider" }]));
  });

  it("a second user of the provider is an agent", async () => {
    const replies = await new Conversation(bot(), { ...megan, locale: "fr-FR" }).say("profil");
    expect(cardOf(replies).body[1].facts).toEqual(expect.arrayContaining([{ title: "Rôle", value: "agent" }]));
  });

  it("the team card lets an admin, and only an admin, change a colleague's role", async () => {
    await new Conversation(bot(), megan).say("hello");
    const meganUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-megan" } });
    const team = cardOf(await new Conversation(bot(), alex).say("team"));
    expect(JSON.stringify(team)).toContain("Megan Bowen");
    expect(texts(await new Conversation(bot(), alex).submit({ verb: "staff.setRole", userId: meganUser.id, role: "admin" }))[0]).toBe("Megan Bowen is now administrator.");
    const alexUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-alex" } });
    await new Conversation(bot(), alex).submit({ verb: "staff.setRole", userId: meganUser.id, role: "agent" });
    const meganChat = new Conversation(bot(), megan);
    expect(texts(await meganChat.submit({ verb: "staff.setRole", userId: alexUser.id, role: "agent" }))).toEqual(["You don't have access to that."]);
    expect((await database.db.user.findUniqueOrThrow({ where: { id: alexUser.id } })).role).toBe("admin");
  });

  it.each([
    ["what is the weather", "en-US", "I didn't understand \"what is the weather\"", ["help", "customers", "menu"]],
    ["quel temps fait-il", "fr-FR", "Je n'ai pas compris « quel temps fait-il »", ["aide", "clients", "menu"]],
  ])("answers unknown text %s helpfully, with the next steps suggested in the user's words", async (text, locale, answer, next) => {
    const chat = new Conversation(bot(), { ...alex, locale });
    const replies = await chat.say(text);
    expect(texts(replies)).toEqual([expect.stringContaining(answer)]);
    const actions = replies[0].suggestedActions!.actions;
    expect(actions.map((action) => action.value)).toEqual(next);
    // Each suggestion is words the bot understands.
    for (const action of actions) expect(texts(await chat.say(String(action.value))).join(" ")).not.toMatch(/understand|compris/);
  });

  it.each([
    [{ verb: "customer.create.submit", customerId: "x" }],
    [{ notAVerb: true }],
    [{ verb: "" }],
  ])("a card submit it does not know (%o) is answered politely and changes nothing", async (value) => {
    const before = await database.db.user.count();
    const replies = await new Conversation(bot(), alex).submit(value);
    expect(texts(replies)).toEqual([expect.stringContaining("no longer active")]);
    expect(await database.db.user.count()).toBe(before);
  });

  it("a message with neither text nor value does not crash", async () => {
    const replies = await new Conversation(bot(), alex).send({ type: ActivityTypes.Message });
    expect(texts(replies)).toHaveLength(1);
  });

  it("'cancel' with nothing running says so", async () => {
    expect(texts(await new Conversation(bot(), alex).say("cancel"))).toEqual(["There is nothing to cancel."]);
  });

  it("'cancel' in the middle of a flow ends it; the next message starts afresh", async () => {
    const chat = new Conversation(botWithSample(), { ...alex, conversationId: "conv-cancel" });
    expect(texts(await chat.say("sample flow"))).toEqual(["First answer?"]);
    expect(texts(await chat.say("one"))).toEqual(["Second answer?"]);
    expect(texts(await chat.say("annuler"))).toEqual(["Cancelled. Nothing was saved."]);
    expect(texts(await chat.say("two"))).toEqual([expect.stringContaining("I didn't understand \"two\"")]);
  });

  it("'help' in the middle of a flow shows help and the flow carries on at the same step", async () => {
    const chat = new Conversation(botWithSample(), { ...alex, conversationId: "conv-help" });
    await chat.say("sample flow");
    await chat.say("one");
    const help = await chat.say("help");
    expect(cardOf(help).body[0].text).toBe("Help");
    expect(texts(await chat.say("two"))).toEqual(["Got one and two"]);
  });

  it("the flow's progress is durable: a new bot instance on the same database continues it", async () => {
    const user = { ...alex, conversationId: "conv-durable" };
    await new Conversation(botWithSample(), user).say("sample flow");
    await new Conversation(botWithSample(), user).say("first");
    expect(texts(await new Conversation(botWithSample(), user).say("second"))).toEqual(["Got first and second"]);
  });

  it("the same activity delivered again (Teams' retry) is handled once; a failed one can run again", async () => {
    const chat = new Conversation(bot(), alex);
    const first = await chat.send({ type: ActivityTypes.Message, text: "profile", id: "teams-activity-1" });
    expect(first).toHaveLength(1);
    expect(await chat.send({ type: ActivityTypes.Message, text: "profile", id: "teams-activity-1" })).toEqual([]);
    const both = await Promise.all([chat.send({ type: ActivityTypes.Message, text: "help", id: "teams-activity-2" }), chat.send({ type: ActivityTypes.Message, text: "help", id: "teams-activity-2" })]);
    expect(both.map((replies) => replies.length).sort()).toEqual([0, 1]);
  });

  it("a turn that only answers writes nothing; one that starts a flow is recorded with its state, and another instance does not run it again", async () => {
    const handled = (id: string) => database.db.processedActivity.count({ where: { key: { endsWith: `/${id}` } } });
    const states = await database.db.botState.count();
    const chat = new Conversation(bot(), { ...alex, conversationId: "conv-read-only" });
    expect(cardOf(await chat.send({ type: ActivityTypes.Message, text: "help", id: "read-only-1" })).body[0].text).toBe("Help");
    expect(await handled("read-only-1")).toBe(0);
    expect(await database.db.botState.count()).toBe(states);
    // Delivered again to the same instance: not answered twice, though nothing was written.
    expect(await chat.send({ type: ActivityTypes.Message, text: "help", id: "read-only-1" })).toEqual([]);

    const flow = { ...alex, conversationId: "conv-flow-start" };
    expect(texts(await new Conversation(botWithSample(), flow).send({ type: ActivityTypes.Message, text: "sample flow", id: "flow-1" }))).toEqual(["First answer?"]);
    // Recorded in the one write the turn makes anyway: the user's state in the conversation, with the flow it started.
    expect(await handled("flow-1")).toBe(0);
    const flowState = await database.db.botState.findFirstOrThrow({ where: { key: { contains: "conv-flow-start" } } });
    expect(JSON.parse(flowState.data)).toMatchObject({ handledActivities: ["flow-1"], dialogState: { dialogStack: [{ id: "main" }] } });
    expect(await new Conversation(botWithSample(), flow).send({ type: ActivityTypes.Message, text: "sample flow", id: "flow-1" })).toEqual([]);
    expect(texts(await new Conversation(botWithSample(), flow).say("one"))).toEqual(["Second answer?"]);
  });

  it("remembers where to reach a user, forgets it on uninstall, and remembers again on reinstall", async () => {
    const user = { ...alex, conversationId: "conv-install" };
    const chat = new Conversation(bot(), user);
    await chat.send({ type: ActivityTypes.InstallationUpdate, action: "add" });
    const alexUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-alex" } });
    const ref = () => database.db.conversationRef.findFirstOrThrow({ where: { userId: alexUser.id, conversationId: "conv-install" } });
    expect(JSON.parse((await ref()).reference)).toMatchObject({ conversation: { id: "conv-install" }, serviceUrl: "https://smba.example.invalid/" });
    expect(await chat.send({ type: ActivityTypes.InstallationUpdate, action: "remove" })).toHaveLength(0);
    expect((await ref()).active).toBe(false);
    await new Conversation(bot(), user).send({ type: ActivityTypes.InstallationUpdate, action: "add" });
    expect((await ref()).active).toBe(true);
  });

  it("a user of a tenant that is not enrolled gets the not-enrolled card and nothing else", async () => {
    const before = { users: await database.db.user.count(), orgs: await database.db.organisation.count(), state: await database.db.botState.count() };
    const stranger = new Conversation(bot(), { tenantId: STRANGER, aadObjectId: "aad-eve", name: "Eve", locale: "fr-FR" });
    const replies = await stranger.say("help");
    expect(replies).toHaveLength(1);
    expect(cardOf(replies).body[0].text).toBe("Cette organisation n'est pas inscrite");
    expect(await stranger.submit({ verb: "profile" })).toHaveLength(1);
    expect(await stranger.send({ type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: "29:aad-eve", name: "Eve" }] })).toHaveLength(0);
    expect({ users: await database.db.user.count(), orgs: await database.db.organisation.count(), state: await database.db.botState.count() }).toEqual(before);
  });
});
