import type { Activity } from "botbuilder";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testBot, testConfig, testServices } from "./helpers/harness.js";
import { createBot } from "../bot/app.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import { parseConfig, type Config } from "../src/config.js";
import { cardOf, Conversation, texts } from "./helpers/conversation.js";
import { everyStoredValue, PROVIDER_TENANT, validAccount } from "./helpers/fixtures.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

type Card = ReturnType<typeof cardOf>;
const flowIdOf = (card: Card) => (card.actions![0].data as { flowId: string }).flowId;
const textOf = (card: Card) => JSON.stringify(card);
/** The password as the user reads it on the card (the card escapes it as Markdown). */
const passwordOf = (card: Card) => (card.body[2] as unknown as { facts: { value: string }[] }).facts[1].value.replace(/\\(.)/g, "$1");

describe(`adding a customer in Teams (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let config: Config;
  const log = memoryLogger("trace");

  // Each test has its own database, with the catalog and no customer.
  beforeEach(async () => {
    database = await createTestDatabase();
    await seedCatalog(database.db);
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution" });
  });
  afterEach(() => database.drop());

  /** A customer created beforehand, by Alex (who becomes the provider's admin). */
  const existing = async (domainPrefix: string, companyName: string, lines: { offerId: string; licences: number }[] = []) => {
    await chat("conv-setup").say("hello");
    const alex = await database.db.user.findFirstOrThrow({ where: { aadObjectId: "aad-alex" }, include: { org: true } });
    const caller = { userId: alex.id, tenantId: alex.tenantId, aadObjectId: alex.aadObjectId, displayName: alex.displayName, role: "admin" as const, organisation: { id: alex.org.id, kind: "provider" as const, name: alex.org.name } };
    return testServices(database.db).customers.create(caller, { account: validAccount({ domainPrefix, companyName }), billingCycle: "monthly", lines, creationKey: crypto.randomUUID() });
  };

  const chat = (conversationId: string, locale = "en-US") =>
    new Conversation(testBot(config, database, log.logger), { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber", locale, conversationId });
  const submit = (c: Conversation, data: Record<string, unknown>, replyToId = "card-1") => c.send({ type: "message", value: data, replyToId } as Partial<Activity>);

  it("walks account info → subscriptions → review (with Edit) → submit, creating the customer and its subscriptions", async () => {
    const c = chat("conv-wizard");
    const account = cardOf(await c.say("new customer"));
    expect(textOf(account)).toContain("Add a new customer: Account info");
    const flowId = flowIdOf(account);

    // Invalid values: the card comes back with the values kept and each error next to its field.
    const invalid = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ contactEmail: "not-an-email", domainPrefix: "Bad Domain" }) }));
    expect(textOf(invalid)).toContain("Enter a valid email address");
    expect(textOf(invalid)).toContain("Use 1 to 27 lower-case letters and digits");
    expect(textOf(invalid)).toContain('"value":"Fabrikam Ltd"');
    expect(await database.db.customer.count()).toBe(0);

    const accountReplies = await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "fabrikamteams" }) });
    expect(c.adapter.updatedActivities.at(-1)?.id).toBe("card-1");
    const subs = cardOf(accountReplies);
    expect(textOf(subs)).toContain("Microsoft 365 Business Standard");
    expect(textOf(subs)).toContain("Trial");
    expect(textOf(subs)).not.toContain("Microsoft 365 A3");

    // A licence count out of bounds is refused next to its offer.
    expect(textOf(cardOf(await submit(c, { verb: "customer.subscriptions.next", flowId, "qty_m365-business-basic": "301" })))).toContain("Enter a number of licences from 1 to 300");
    const review = cardOf(await submit(c, { verb: "customer.subscriptions.next", flowId, "qty_m365-business-standard": "10", "qty_o365-e3-trial": "5", "qty_o365-e1": "0" }));
    expect(textOf(review)).toContain("Microsoft 365 Business Standard: 10 licences, $125.00 per month");
    expect(textOf(review)).toContain("fabrikamteams.onmicrosoft.com");

    // Edit from review goes back with everything kept.
    const again = cardOf(await submit(c, { verb: "customer.review.editAccount", flowId }));
    expect(textOf(again)).toContain('"value":"fabrikamteams"');
    const subsAgain = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "fabrikamteams", companyName: "Fabrikam Teams" }) }));
    expect(textOf(subsAgain)).toMatch(/"id":"qty_m365-business-standard"[^}]*"value":10/);
    cardOf(await submit(c, { verb: "customer.subscriptions.next", flowId, "qty_m365-business-standard": "10", "qty_o365-e3-trial": "5" }));

    const created = cardOf(await submit(c, { verb: "customer.review.submit", flowId }, "review-card"));
    expect(textOf(created)).toContain("admin@fabrikamteams.onmicrosoft.com");
    expect(textOf(created)).toContain("Press Done once you have them: the password is then erased");
    const password = passwordOf(created);
    expect(password).toHaveLength(16);

    const customer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "fabrikamteams" }, include: { subscriptions: true } });
    expect(customer.companyName).toBe("Fabrikam Teams");
    expect(customer.subscriptions.map((s) => `${s.offerId}:${s.licences}`).sort()).toEqual(["m365-business-standard:10", "o365-e3-trial:5"]);

    // The same submit again (double click, or Teams redelivering it) creates nothing more.
    expect(texts(await submit(c, { verb: "customer.review.submit", flowId }, "review-card"))).toEqual([expect.stringContaining("no longer active")]);
    expect(await database.db.customer.count({ where: { domainPrefix: "fabrikamteams" } })).toBe(1);
    expect(await database.db.subscription.count({ where: { customerId: customer.id } })).toBe(2);

    // Until Done it is kept sealed, never in plain text.
    expect(await everyStoredValue(database.db, database.provider)).not.toContain(password);
    expect(await database.db.customerCredential.count({ where: { customerId: customer.id } })).toBe(1);

    // Done removes the password from the card, in place, and erases it.
    await submit(c, { verb: "customer.created.done", customerId: customer.id }, "created-card");
    const closed = c.adapter.updatedActivities.at(-1)!;
    expect(closed.id).toBe("created-card");
    expect(JSON.stringify(closed)).not.toContain(password);

    // The password is in no log line and no column.
    expect(log.lines.join("\n")).not.toContain(password);
    expect(await everyStoredValue(database.db, database.provider)).not.toContain(password);
  });

  it("the same Submit delivered twice at once (Teams retry, two instances) creates one customer", async () => {
    const c = chat("conv-double");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "doubleclick" }) });
    await submit(c, { verb: "customer.subscriptions.next", flowId, "qty_o365-e1": "4" });
    const twin = chat("conv-double");
    const results = await Promise.allSettled([submit(c, { verb: "customer.review.submit", flowId }), submit(twin, { verb: "customer.review.submit", flowId })]);
    expect(results.some((result) => result.status === "fulfilled")).toBe(true);
    expect(await database.db.customer.count({ where: { domainPrefix: "doubleclick" } })).toBe(1);
    expect(await database.db.subscription.count({ where: { customer: { domainPrefix: "doubleclick" } } })).toBe(1);
  });

  it("two fast submits in the same instance run one after the other: the second sees the first's outcome", async () => {
    const c = chat("conv-fast");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "fastclick" }) });
    await submit(c, { verb: "customer.subscriptions.next", flowId, "qty_o365-e1": "2" });
    const [first, second] = await Promise.all([submit(c, { verb: "customer.review.submit", flowId }), submit(c, { verb: "customer.review.submit", flowId })]);
    const all = [...first, ...second];
    expect(all.filter((reply) => JSON.stringify(reply).includes("admin@fastclick.onmicrosoft.com"))).toHaveLength(1);
    expect(all.filter((reply) => reply.text?.includes("no longer active"))).toHaveLength(1);
    expect(await database.db.customer.count({ where: { domainPrefix: "fastclick" } })).toBe(1);
  });

  it("cancel midway saves nothing, and the old card's buttons then do nothing", async () => {
    const c = chat("conv-cancel");
    const flowId = flowIdOf(cardOf(await c.say("nouveau client")));
    await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "cancelled" }) });
    expect(texts(await c.say("cancel"))).toEqual(["Cancelled. Nothing was saved."]);
    expect(texts(await submit(c, { verb: "customer.subscriptions.next", flowId, "qty_o365-e1": "3" }))).toEqual([expect.stringContaining("no longer active")]);
    expect(await database.db.customer.count({ where: { domainPrefix: "cancelled" } })).toBe(0);
  });

  it("item 13: a NUL byte in a company name is refused on the card with its reason, and the corrected submit works", async () => {
    const c = chat("conv-nul");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    const refused = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "nulbyte", companyName: "Fabrikam\u0000 Ltd" }) }));
    expect(textOf(refused)).toContain("Remove the control or invisible formatting characters from this value.");
    const next = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "nulbyte", companyName: "Fabrikam Ltd" }) }));
    expect(textOf(next)).toContain("Add a new customer: Subscriptions");
    await submit(c, { verb: "customer.subscriptions.skip", flowId });
    expect(textOf(cardOf(await submit(c, { verb: "customer.review.submit", flowId })))).toContain("admin@nulbyte.onmicrosoft.com");
  });

  it("a taken domain is reported on the account card", async () => {
    await existing("fabrikamteams", "Fabrikam Teams");
    const c = chat("conv-taken");
    const flowId = flowIdOf(cardOf(await c.say("add customer")));
    const card = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "fabrikamteams" }) }));
    expect(textOf(card)).toContain("fabrikamteams.onmicrosoft.com is already taken");
  });

  it("skipping subscriptions creates a customer without any; the flow works in French", async () => {
    const c = chat("conv-fr", "fr-FR");
    const account = cardOf(await c.say("ajouter un client"));
    expect(textOf(account)).toContain("Ajouter un nouveau client : Informations sur le compte");
    const flowId = flowIdOf(account);
    const subs = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "sansabo", culture: "fr-FR", country: "FR" }) }));
    expect(textOf(subs)).toContain("Ignorer les abonnements");
    const review = cardOf(await submit(c, { verb: "customer.subscriptions.skip", flowId }));
    expect(textOf(review)).toContain("Aucun abonnement.");
    const created = cardOf(await submit(c, { verb: "customer.review.submit", flowId }));
    expect(textOf(created)).toContain("Mot de passe temporaire");
    const customer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "sansabo" }, include: { subscriptions: true } });
    expect(customer).toMatchObject({ language: "fr", country: "FR", subscriptions: [] });
  });

  it("typing during the flow asks to use the card; help keeps the flow where it was", async () => {
    const c = chat("conv-typing");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    expect(texts(await c.say("Fabrikam"))).toEqual([expect.stringContaining("fill in the card")]);
    expect(cardOf(await c.say("help")).body[0].text).toBe("Help");
    expect(textOf(cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "afterhelp" }) })))).toContain("subscriptions");
  });

  it("lists, searches and opens customers", async () => {
    await existing("fabrikamteams", "Fabrikam Teams", [{ offerId: "m365-business-standard", licences: 10 }]);
    await existing("sansabo", "Fabrikam Ltd");
    const c = chat("conv-list");
    const list = cardOf(await c.say("customers"));
    expect(textOf(list)).toContain("Fabrikam Teams");
    expect(textOf(list)).toContain("sansabo.onmicrosoft.com");
    const details = cardOf(await c.say("customer fabrikamteams"));
    expect(details.body[0].text).toBe("Fabrikam Teams");
    expect(textOf(details)).toContain("Microsoft 365 Business Standard · 10 licences · Active");
    const customer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "sansabo" } });
    expect(cardOf(await c.submit({ verb: "customer.open", customerId: customer.id })).body[0].text).toBe("Fabrikam Ltd");
    expect(textOf(cardOf(await c.submit({ verb: "customer.list", query: "zzz", page: 1 })))).toContain("No customer found.");
  });

  it("a submit naming a customer of another provider is refused and changes nothing", async () => {
    const other = await database.db.organisation.create({ data: { tenantId: "another-provider", kind: "provider", name: "Other" } });
    const foreign = await database.db.customer.create({
      data: { ...validAccount({ domainPrefix: "foreign" }), providerOrgId: other.id, searchName: "fabrikam ltd", language: "en", adminAccount: "admin@foreign.onmicrosoft.com", adminPasswordHash: "x", creationKey: "foreign", createdById: "x" },
    });
    const c = chat("conv-foreign");
    expect(texts(await c.submit({ verb: "customer.open", customerId: foreign.id }))).toEqual(["You don't have access to that."]);
    expect(texts(await c.submit({ verb: "customer.open", customerId: "not-a-uuid" }))).toEqual([expect.stringContaining("no longer active")]);
  });
});
