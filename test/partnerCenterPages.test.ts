/**
 * The seeds' Partner Center pages, complete in a Teams client (issue 12): each defect found in a
 * real client, and each missing piece, through the card JSON the bot really sends and the data
 * its buttons carry.
 */
import type { Activity } from "botbuilder";
import MarkdownIt from "markdown-it";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConnectorSender } from "../bot/reminders/connectorSender.js";
import { TeamsReminderChannel } from "../bot/reminders/teamsReminderChannel.js";
import { LocalSendBudget } from "../bot/teams/sendBudget.js";
import type { Config } from "../src/config.js";
import { ConversationRefStore } from "../bot/teams/conversationRefs.js";
import { NO_CONVERSATION, ReminderScheduler } from "../src/reminders/reminderScheduler.js";
import { actionData, cardOf, Conversation, texts, type TeamsUser } from "./helpers/conversation.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { callerOf, PROVIDER_TENANT, validAccount, newCustomer, OFFERS } from "./helpers/fixtures.js";
import { testBot, testConfig, testServices } from "./helpers/harness.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

type Card = ReturnType<typeof cardOf>;
const json = (card: unknown) => JSON.stringify(card);
const DAY = 86_400_000;
const RESELLER_TENANT = "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e";
const markdown = new MarkdownIt();

const alex: TeamsUser = { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber" };
const megan: TeamsUser = { tenantId: PROVIDER_TENANT, aadObjectId: "aad-megan", name: "Megan Bowen" };
const rita: TeamsUser = { tenantId: RESELLER_TENANT, aadObjectId: "aad-rita", name: "Rita Reseller", locale: "fr-FR" };

describe(`the seeds' Partner Center pages in Teams (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let config: Config;
  const log = memoryLogger("warn");

  // Each test: its own database, the catalog, Alex (the provider's admin) and Megan (an agent).
  beforeEach(async () => {
    database = await createTestDatabase();
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution" });
    await chat(alex).say("hello");
    await chat(megan).say("hello");
  });
  afterEach(() => database.drop());

  const chat = (user: TeamsUser, notifier = new RecordingNotifier()) => new Conversation(testBot(config, database, log.logger, { notifier }), user);
  const press = (c: Conversation, data: Record<string, unknown>, replyToId = "card") => c.send({ type: "message", value: data, replyToId } as Partial<Activity>);
  const services = () => testServices(database.db);
  /** A customer of the provider, created by Alex (agreement attested), with these subscriptions (productId:skuId → licences). */
  const customer = async (domainPrefix: string, quantities: Record<string, number>, overrides: Record<string, string> = {}, term: "P1M" | "P1Y" = "P1Y") => {
    const created = await newCustomer(services(), await callerOf(database.db, "aad-alex"), { account: { domainPrefix, ...overrides }, quantities, term });
    return created.customer;
  };
  /** Rita's organisation, an active indirect reseller of the provider (she accepted the invitation). */
  const reseller = async () => {
    const { partnerships } = services();
    const { code } = await partnerships.invite(await callerOf(database.db, "aad-alex"), { email: "sales@northwind.example", companyName: "Northwind Traders" });
    return partnerships.accept(code, { tenantId: RESELLER_TENANT, aadObjectId: "aad-rita", displayName: "Rita Reseller" });
  };

  it("item 2: muting reminders does not invalidate an open card: the other person's Reactivate still works", async () => {
    const { id } = await customer("mutesafe", { [OFFERS.e1Legacy]: 25 });
    const { subscriptions } = services();
    const sub = await database.db.subscription.findFirstOrThrow({ where: { customerId: id } });
    await subscriptions.suspend(await callerOf(database.db, "aad-megan"), { subscriptionId: sub.id, reason: "nonPayment", version: sub.version });
    // Both get the reminder card through the Bot Connector, as Teams would show it.
    const connector = await new FakeConnector().start();
    try {
      const refs = new ConversationRefStore(database.db);
      for (const who of ["aad-alex", "aad-megan"]) {
        const user = await database.db.user.findFirstOrThrow({ where: { aadObjectId: who } });
        await refs.remember(user.id, `a:rem-${who}`, { channelId: "msteams", serviceUrl: connector.url, conversation: { id: `a:rem-${who}`, conversationType: "personal" }, bot: { id: "28:bot" }, user: { id: `29:${who}` } });
      }
      const suspended = await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } });
      const at = new Date(suspended.deletionAt!.getTime() - 7 * DAY + 1000);
      const channel = new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, new LocalSendBudget(), () => at);
      await new ReminderScheduler(database.db, channel, log.logger, { clock: () => at }, services().sync).sweep();
      const cardFor = (who: string) => connector.received.find((request) => request.path.includes(encodeURIComponent(`a:rem-${who}`)))!.body.attachments![0].content;
      const meganCard = cardFor("aad-megan");
      const alexCard = cardFor("aad-alex");
      expect(texts(await press(chat(megan), actionData(meganCard, "subscription.mute")))[0]).toBe("Reminders muted for this subscription.");
      expect(texts(await press(chat(alex), actionData(alexCard, "subscription.reactivate")))[0]).toBe("Subscription reactivated.");
      expect((await database.db.subscription.findUniqueOrThrow({ where: { id: sub.id } })).status).toBe("active");
    } finally {
      await connector.stop();
    }
  });

  it("item 3: the country list is the current ISO 3166-1 list: no withdrawn codes, no duplicate names, sorted in the user's language", async () => {
    for (const [locale, first] of [["en-US", "Afghanistan"], ["fr-FR", "Afghanistan"]] as const) {
      const card = cardOf(await chat({ ...alex, locale }).say("new customer"));
      const countries = (card.body as unknown as { id?: string; choices?: { title: string; value: string }[] }[]).find((element) => element.id === "country")!.choices!;
      expect(countries).toHaveLength(249);
      expect(new Set(countries.map((country) => country.title)).size).toBe(249);
      for (const withdrawn of ["FX", "DD", "UK", "SU", "YU", "CS", "TP", "BU", "ZR", "AN", "NT"]) expect(countries.map((country) => country.value)).not.toContain(withdrawn);
      expect(countries[0].title).toBe(first);
      const titles = countries.map((country) => country.title);
      expect(titles).toEqual([...titles].sort(new Intl.Collator(locale).compare));
    }
    const french = cardOf(await chat({ ...alex, locale: "fr-FR" }).say("nouveau client"));
    expect(json(french)).toContain('{"title":"Afrique du Sud","value":"ZA"}');
  });

  it("item 4: help keeps its placeholders; history alone or unknown says what to do; no 'Hello .' and French reads well", async () => {
    const help = cardOf(await chat(alex).say("help"));
    const lines = (help.body as unknown as { type: string; text?: string }[]).map((element) => element.text ?? "").join("\n");
    expect(markdown.render(lines)).toContain("new subscription for &lt;customer&gt;");
    expect(markdown.render(lines)).toContain("history for &lt;customer&gt;");
    expect(texts(await chat(alex).say("history"))).toEqual([expect.stringContaining("For which customer? Type **history for**")]);
    expect(texts(await chat(alex).say("history for nobody-like-this"))).toEqual([expect.stringContaining("No customer matches “nobody-like-this”")]);
    const nameless = cardOf(await chat({ tenantId: PROVIDER_TENANT, aadObjectId: "aad-nameless", name: "", locale: "fr-FR" }).say("menu"));
    expect(json(nameless)).not.toMatch(/Bonjour \./);
    expect(json(nameless)).toContain("Vous êtes agent chez Contoso Distribution.");
    expect(json(cardOf(await chat({ ...megan, locale: "fr-FR" }).say("menu")))).toContain("Bonjour Megan Bowen. Vous êtes agent chez Contoso Distribution.");
  });

  it("item 5: history reads as sentences in the user's language, with names and local dates; no-op changes are not recorded", async () => {
    const { id } = await customer("historic", { [OFFERS.e3]: 25 });
    const north = await reseller();
    const alexCaller = await callerOf(database.db, "aad-alex");
    const { subscriptions } = services();
    let sub = await database.db.subscription.findFirstOrThrow({ where: { customerId: id } });
    await subscriptions.assignResellers(alexCaller, { subscriptionId: sub.id, resellerOfRecordId: north.resellerOrgId, supportContactId: null, version: sub.version });
    sub = await database.db.subscription.findFirstOrThrow({ where: { customerId: id } });
    await expect(subscriptions.changeQuantity(alexCaller, { subscriptionId: sub.id, licences: 25, version: sub.version })).rejects.toThrow();
    await subscriptions.suspend(alexCaller, { subscriptionId: sub.id, reason: "nonPayment", version: sub.version });
    expect(await database.db.auditEntry.count({ where: { subscriptionId: sub.id, action: "subscription.licencesChanged" } })).toBe(0);

    const paris = await chat({ ...alex, locale: "fr-FR" }).send({ type: "message", text: "historique de historic", localTimezone: "Europe/Paris" } as Partial<Activity>);
    const card = json(cardOf(paris));
    expect(card).toContain("Alex Wilber a suspendu Office 365 E3 (non-paiement) ; le renouvellement automatique a été désactivé.");
    expect(card).toContain("Alex Wilber a désigné Northwind Traders comme revendeur officiel et personne comme contact de support de Office 365 E3.");
    expect(card).toContain("Alex Wilber a commandé Office 365 E3 : 25 licences, 1 an, facturation mensuelle.");
    expect(card).toContain("Alex Wilber a attesté le Contrat client Microsoft, accepté par Ana Bowman le 2026-11-01.");
    expect(card).toMatch(/UTC\+1|CET|HNEC/);
    for (const internal of ["resellerOfRecordId", "nonPayment", north.resellerOrgId, "T00:", "→", "licences: 25"]) expect(card).not.toContain(internal);
  });

  it("item 6: a licence count above the offer's maximum on the order card is refused with the range, not capped", async () => {
    const { id } = await customer("ordercap", {});
    const c = chat(alex);
    const term = cardOf(await press(c, { verb: "subscription.new", customerId: id }));
    const flowId = actionData(term, "order.term.next").flowId;
    const catalog = cardOf(await press(c, { verb: "order.term.next", flowId, termCycle: "P1M/monthly" }));
    expect(json(catalog)).not.toMatch(/"id":"qty_[^"]+"[^}]*"max"/);
    const refused = cardOf(await press(c, { verb: "order.catalog.next", flowId, [`qty_${OFFERS.businessBasic}`]: "500" }));
    expect(json(refused)).toContain("Enter a number of licences from 1 to 300.");
    expect(await database.db.subscription.count({ where: { customerId: id } })).toBe(0);
  });

  it("item 7: a 30-day trial gets no reminder at once; its reminder says it plainly and offers to buy the full subscription", async () => {
    const created = new Date();
    const { id } = await customer("trialco", { [OFFERS.businessPremiumTrial]: 5 });
    const trial = await database.db.subscription.findFirstOrThrow({ where: { customerId: id } });
    const connector = await new FakeConnector().start();
    try {
      const refs = new ConversationRefStore(database.db);
      const alexUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-alex" } });
      await refs.remember(alexUser.id, "a:trial", { channelId: "msteams", serviceUrl: connector.url, conversation: { id: "a:trial", conversationType: "personal" }, bot: { id: "28:bot" }, user: { id: "29:aad-alex" } });
      const sweep = (at: Date) => new ReminderScheduler(database.db, new TeamsReminderChannel(new ConnectorSender(), database.db, refs, "en", log.logger, new LocalSendBudget(), () => at), log.logger, { clock: () => at }, services().sync).sweep();
      expect(await sweep(new Date(created.getTime() + 60_000))).toMatchObject({ recorded: 0, sent: 0 });
      await sweep(new Date(trial.trialEndsAt!.getTime() - 7 * DAY + 60_000));
      const card = connector.received.find((request) => request.body.attachments)!.body.attachments![0].content;
      expect(json(card)).toContain("Trial ends in 7 days: Microsoft 365 Business Premium Trial");
      expect(json(card)).not.toMatch(/Trial trial/i);
      const buy = actionData(card, "subscription.new");
      const alexChat = chat(alex);
      const term = cardOf(await press(alexChat, buy));
      const order = cardOf(await press(alexChat, { verb: "order.term.next", flowId: actionData(term, "order.term.next").flowId, termCycle: "P1Y/monthly" }));
      expect(json(order)).toMatch(new RegExp(`"id":"qty_${OFFERS.businessPremium}"[^}]*"value":5`));
    } finally {
      await connector.stop();
    }
  });

  it("item 8: a reseller admin who has just accepted is reachable at once; a reminder that failed for want of a conversation is sent again", async () => {
    const { partnerships } = services();
    const { code } = await partnerships.invite(await callerOf(database.db, "aad-alex"), { email: "sales@northwind.example", companyName: "Northwind Traders" });
    const ritaChat = chat(rita);
    const offer = cardOf(await ritaChat.say(`accept ${code}`));
    await press(ritaChat, actionData(offer, "partnership.accept"));
    const ritaUser = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-rita" } });
    expect(await new ConversationRefStore(database.db).activeFor(ritaUser.id)).toHaveLength(1);

    // A reminder recorded before she could be reached failed; it goes out again once she can.
    const { id } = await customer("laterreach", { [OFFERS.e1]: 2 });
    const sub = await database.db.subscription.findFirstOrThrow({ where: { customerId: id } });
    await database.db.conversationRef.updateMany({ where: { userId: ritaUser.id }, data: { active: false } });
    const failed = await database.db.reminder.create({ data: { subscriptionId: sub.id, kind: "renewalAhead", eventAt: new Date(Date.now() + 7 * DAY), leadDays: 7, recipientUserId: ritaUser.id, status: "failed", lastError: NO_CONVERSATION, nextAttemptAt: new Date() } });
    await ritaChat.say("aide");
    expect(await database.db.reminder.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({ status: "pending", lastError: null });
  });

  it("item 9: a reseller's users see only what they may do, in the menu and in help", async () => {
    await reseller();
    const menu = json(cardOf(await chat(rita).say("menu")));
    for (const verb of ["customer.new", "reseller.invite", "reseller.list"]) expect(menu).not.toContain(`"verb":"${verb}"`);
    expect(menu).toContain('"verb":"customer.list"');
    const help = json(cardOf(await chat(rita).say("aide")));
    expect(help).not.toContain("nouveau client");
    expect(help).not.toContain("inviter un revendeur");
    expect(help).not.toContain("demander une relation");
    expect(help).toContain("clients");
    const providerHelp = json(cardOf(await chat(alex).say("help")));
    expect(providerHelp).toContain("new customer");
    expect(providerHelp).toContain("request relationship");
  });

  it("item 10: the customer card opens its Azure portal; an Azure plan explains access control; an existing customer can be delegated to a reseller", async () => {
    const north = await reseller();
    const { id } = await customer("azureco", { [OFFERS.azurePlan]: 1 }, {}, "P1M");
    const c = chat({ ...alex, locale: "fr-FR" });
    const details = cardOf(await press(c, { verb: "customer.open", customerId: id }));
    expect(json(details)).toContain('"title":"Portail de gestion Microsoft Azure","url":"https://portal.azure.com/#@azureco.onmicrosoft.com"');
    const sub = await database.db.subscription.findFirstOrThrow({ where: { customerId: id } });
    const subCard = json(cardOf(await press(c, { verb: "subscription.open", subscriptionId: sub.id })));
    expect(subCard).toContain("Contrôle d'accès (IAM)");
    expect(subCard).toContain("Ajouter une attribution de rôle");
    expect(json(cardOf(await press(chat(alex), { verb: "subscription.open", subscriptionId: sub.id })))).toContain("Access control (IAM)");

    const delegate = actionData(details, "customer.reseller.set");
    expect(texts(await press(c, { ...delegate, resellerOrgId: north.resellerOrgId }))[0]).toBe("Fabrikam Ltd est maintenant délégué à Northwind Traders.");
    expect((await database.db.customer.findUniqueOrThrow({ where: { id } })).resellerOrgId).toBe(north.resellerOrgId);
    expect(json(cardOf(await chat(rita).say("clients")))).toContain("azureco.onmicrosoft.com");
    expect(await database.db.auditEntry.count({ where: { customerId: id, action: "customer.resellerChanged" } })).toBe(1);
  });

  it("item 10: 'request a relationship' gives the link a customer accepts, for the provider or for one of its resellers", async () => {
    const north = await reseller();
    const c = chat(alex);
    const card = cardOf(await c.say("request a relationship"));
    const link = (card.body as unknown as { id?: string; value?: string }[]).find((element) => element.id === "link")!.value!;
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe("https://admin.microsoft.com/Adminportal/Home");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ invType: "ResellerRelationship", partnerId: PROVIDER_TENANT, DAP: "false" });
    const forReseller = cardOf(await press(c, { ...actionData(card, "relationship.request"), resellerOrgId: north.resellerOrgId }));
    const resellerLink = new URL((forReseller.body as unknown as { id?: string; value?: string }[]).find((element) => element.id === "link")!.value!);
    expect(Object.fromEntries(resellerLink.searchParams)).toMatchObject({ invType: "IndirectResellerRelationship", partnerId: RESELLER_TENANT, indirectCSPId: PROVIDER_TENANT });
    expect(texts(await chat(rita).say("demander une relation"))).toEqual(["Vous n'avez pas accès à cet élément."]);
  });

  it("item 11: the customer list finds a full domain, filters by reseller visibly across a search, and a customer card has History", async () => {
    const north = await reseller();
    await customer("contoso", {});
    const partnered = await customer("northclient", {}, { companyName: "North Client" });
    await services().customers.setReseller(await callerOf(database.db, "aad-alex"), { customerId: partnered.id, resellerOrgId: north.resellerOrgId });
    const c = chat(alex);
    const found = cardOf(await c.say("customer contoso.onmicrosoft.com"));
    expect(found.body[0].text).toBe("Fabrikam Ltd");
    expect(json(found)).toContain('"verb":"customer.history"');

    const list = cardOf(await c.say("customers"));
    expect(json(list)).toContain('{"title":"Northwind Traders","value":"' + north.resellerOrgId + '"}');
    const filtered = cardOf(await press(c, { ...actionData(list, "customer.list"), query: "", resellerOrgId: north.resellerOrgId }));
    expect(json(filtered)).toContain("North Client");
    expect(json(filtered)).not.toContain("contoso.onmicrosoft.com");
    expect(json(filtered)).toContain("Reseller: Northwind Traders");
    // A search keeps the filter: it is on the card, and the search button sends it.
    const searched = cardOf(await press(c, { ...actionData(filtered, "customer.list"), query: "client", resellerOrgId: north.resellerOrgId }));
    expect(json(searched)).toContain(`"value":"${north.resellerOrgId}"`);
    expect(json(searched)).toContain("Reseller: Northwind Traders");
    const history = cardOf(await press(c, actionData(found, "customer.history")));
    expect(json(history)).toContain("History for Fabrikam Ltd");
  });

  it("item 11: the invitation draft has Copy next to Open in email; withdrawing an invitation asks first", async () => {
    const c = chat(alex);
    const form = cardOf(await c.say("invite reseller"));
    const draft = cardOf(await press(c, { ...actionData(form, "reseller.invite.submit"), email: "it@tailspin.example", companyName: "Tailspin Toys" }));
    const actions = draft.actions as unknown as { type: string; title: string; card?: { body: { type: string; value?: string }[] } }[];
    expect(actions.map((action) => action.title)).toEqual(["Open in email", "Copy to clipboard", "Done"]);
    const copy = actions[1].card!.body.find((element) => element.type === "Input.Text")!;
    expect(copy.value).toContain("Tailspin Toys");
    expect(copy.value).not.toContain("\\");
    const list = cardOf(await c.say("resellers"));
    const withdraw = json(list).match(/"type":"Action.ShowCard","title":"Withdraw invitation","card":\{[^]*?"verb":"reseller.revoke"/);
    expect(withdraw?.[0]).toContain("Withdraw the invitation to Tailspin Toys? The link it carries will stop working.");
  });

  it("item 12: French in Partner Center's words, offer descriptions translated, plurals right in both languages", async () => {
    const { id } = await customer("plurals", { [OFFERS.e1]: 1 });
    await customer("plurals2", { [OFFERS.e1]: 1, [OFFERS.exchange1]: 2 });
    const french = chat({ ...alex, locale: "fr-FR" });
    const list = json(cardOf(await french.say("clients plurals")));
    expect(list).toContain("plurals.onmicrosoft.com · 1 abonnement");
    expect(list).toContain("plurals2.onmicrosoft.com · 2 abonnements");
    const english = json(cardOf(await chat(alex).say("customers plurals")));
    expect(english).toContain("plurals.onmicrosoft.com · 1 subscription\"");
    expect(english).toContain("plurals2.onmicrosoft.com · 2 subscriptions");
    const details = json(cardOf(await press(french, { verb: "customer.open", customerId: id })));
    expect(details).toContain("Office 365 E1 · 1 licence · Actif");
    const term = cardOf(await press(french, { verb: "subscription.new", customerId: id }));
    expect(json(term)).toContain("1 an, facturation mensuelle");
    const catalog = json(cardOf(await press(french, { verb: "order.term.next", flowId: actionData(term, "order.term.next").flowId, termCycle: "P1Y/monthly" })));
    expect(catalog).toContain("Versions web des applications Office, Teams, Exchange et SharePoint pour les entreprises.");
    expect(catalog).toContain('"text":"Essai"');
  });
});
