import type { Activity } from "botbuilder";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testBot, testConfig, testServices } from "./helpers/harness.js";
import { createBot } from "../bot/app.js";
import { RecordingNotifier } from "./helpers/recordingNotifier.js";
import { parseConfig, type Config } from "../src/config.js";
import { cardOf, Conversation, texts } from "./helpers/conversation.js";
import { callerOf, everyStoredValue, newCustomer, OFFERS, PROVIDER_TENANT, validAccount, validAttestation } from "./helpers/fixtures.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import { startApiStack, type ApiStack } from "./helpers/partnerCenterApi.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

type Card = ReturnType<typeof cardOf>;
const flowIdOf = (card: Card) => (card.actions!.find((action) => (action.data as { flowId?: string } | undefined)?.flowId)!.data as { flowId: string }).flowId;
const textOf = (card: Card) => JSON.stringify(card);
/** The password as the user reads it on the card (the card escapes it as Markdown). */
const passwordOf = (card: Card) => (card.body[2] as unknown as { facts: { value: string }[] }).facts[1].value.replace(/\\(.)/g, "$1");

describe.each(["embedded", "api"] as const)(`adding a customer in Teams (Partner Center: %s; ${providerUnderTest})`, (adapter) => {
  let database: TestDatabase;
  let config: Config;
  let stack: ApiStack | undefined;
  let services: ReturnType<typeof testServices>;
  const log = memoryLogger("trace");

  // Each test has its own database, with no customer.
  beforeEach(async () => {
    database = await createTestDatabase();
    stack = adapter === "api" ? await startApiStack(database.db) : undefined;
    services = stack ? stack.services : testServices(database.db);
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER_TENANT, PROVIDER_NAME: "Contoso Distribution" });
  });
  afterEach(async () => {
    await stack?.stop();
    await database.drop();
  });

  /** A customer created beforehand, by Alex (who becomes the provider's admin). */
  const existing = async (domainPrefix: string, companyName: string, quantities: Record<string, number> = {}) => {
    await chat("conv-setup").say("hello");
    return newCustomer(services, await callerOf(database.db, "aad-alex"), { account: { domainPrefix, companyName }, quantities });
  };
  /** The steps before the catalog: account, agreement, term and billing. */
  const toCatalog = async (c: Conversation, flowId: string, account: Record<string, string>, termCycle = "P1Y/monthly") => {
    await submit(c, { verb: "customer.account.next", flowId, ...validAccount(account) });
    await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation() });
    return cardOf(await submit(c, { verb: "customer.term.next", flowId, termCycle }));
  };

  const chat = (conversationId: string, locale = "en-US") =>
    new Conversation(testBot(config, database, log.logger, { domain: services }), { tenantId: PROVIDER_TENANT, aadObjectId: "aad-alex", name: "Alex Wilber", locale, conversationId });
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

    // The Microsoft Customer Agreement: the primary contact and today, unless changed; the box must be ticked.
    const agreement = cardOf(accountReplies);
    expect(textOf(agreement)).toContain("Microsoft Customer Agreement: Fabrikam Ltd");
    expect(textOf(agreement)).toContain('"id":"firstName","label":"Primary contact first name","value":"Ana"');
    expect(textOf(agreement)).toContain("https://www.microsoft.com/licensing/docs/customeragreement");
    const unticked = cardOf(await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation({ accepted: "false", dateAgreed: "2999-01-01" }) }));
    expect(textOf(unticked)).toContain("Tick this box");
    expect(textOf(unticked)).toContain("The date can't be in the future.");
    const term = cardOf(await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation() }));

    // Term and billing first (as in Partner Center), then the offers sold on it, with the price on that term.
    expect(textOf(term)).toContain("Add a new customer: Term and billing");
    expect(term.body.find((element) => (element as { id?: string }).id === "termCycle")).toMatchObject({ choices: expect.arrayContaining([{ title: "1 month, billed monthly", value: "P1M/monthly" }, { title: "3 years, billed every 3 years", value: "P3Y/triennial" }]) });
    const subs = cardOf(await submit(c, { verb: "customer.term.next", flowId, termCycle: "P1Y/annual" }));
    expect(textOf(subs)).toContain("Term and billing: 1 year, billed annually");
    expect(textOf(subs)).toContain("Microsoft 365 Business Standard");
    expect(textOf(subs)).toContain("$12.50 per licence per month");
    expect(textOf(subs)).toContain("**Legacy offer**");
    expect(textOf(subs)).toContain("Trial");
    expect(textOf(subs)).not.toContain("Microsoft 365 A3");
    expect(textOf(subs)).not.toContain("Azure plan");

    // A licence count out of bounds is refused next to its offer.
    expect(textOf(cardOf(await submit(c, { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.businessBasic}`]: "301" })))).toContain("Enter a number of licences from 1 to 300");
    const review = cardOf(await submit(c, { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.businessStandard}`]: "10", [`qty_${OFFERS.e3Trial}`]: "5", [`qty_${OFFERS.e1}`]: "0" }));
    expect(textOf(review)).toContain("Microsoft 365 Business Standard: 10 licences × $12.50 per licence per month = $125.00 per month");
    expect(textOf(review)).toContain("Total: $125.00 per month, billed annually ($1,500.00 a year)");
    expect(textOf(review)).toContain("Accepted by Ana Bowman on 2026-11-01");
    expect(textOf(review)).toContain("fabrikamteams.onmicrosoft.com");

    // Edit from review goes back with everything kept.
    const again = cardOf(await submit(c, { verb: "customer.review.editAccount", flowId }));
    expect(textOf(again)).toContain('"value":"fabrikamteams"');
    const agreementAgain = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "fabrikamteams", companyName: "Fabrikam Teams" }) }));
    expect(textOf(agreementAgain)).toContain('"value":"2026-11-01"');
    await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation() });
    const subsAgain = cardOf(await submit(c, { verb: "customer.term.next", flowId, termCycle: "P1Y/annual" }));
    expect(textOf(subsAgain)).toMatch(new RegExp(`"id":"qty_${OFFERS.businessStandard}"[^}]*"value":10`));
    cardOf(await submit(c, { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.businessStandard}`]: "10", [`qty_${OFFERS.e3Trial}`]: "5" }));

    const created = cardOf(await submit(c, { verb: "customer.review.submit", flowId }, "review-card"));
    expect(textOf(created)).toContain("admin@fabrikamteams.onmicrosoft.com");
    expect(textOf(created)).toContain("Press Done once you have them: the password is then erased");
    const password = passwordOf(created);
    expect(password).toHaveLength(16);

    const customer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "fabrikamteams" }, include: { subscriptions: true } });
    expect(customer.companyName).toBe("Fabrikam Teams");
    expect(customer.mcaAttestedAt?.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(customer.subscriptions.map((s) => `${s.offerName}:${s.licences}:${s.termDuration}:${s.billingCycle}`).sort()).toEqual(["Microsoft 365 Business Standard:10:P1Y:annual", "Office 365 E3 Trial:5:P1M:monthly"]);
    // In Partner Center: the customer, its agreement, one order.
    expect(await database.db.pcAgreement.count({ where: { customerId: customer.pcCustomerId } })).toBe(1);
    expect(await database.db.pcOrder.count({ where: { customerId: customer.pcCustomerId } })).toBe(1);

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
    await toCatalog(c, flowId, { domainPrefix: "doubleclick" });
    await submit(c, { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.e1}`]: "4" });
    const twin = chat("conv-double");
    const results = await Promise.allSettled([submit(c, { verb: "customer.review.submit", flowId }), submit(twin, { verb: "customer.review.submit", flowId })]);
    expect(results.some((result) => result.status === "fulfilled")).toBe(true);
    expect(await database.db.customer.count({ where: { domainPrefix: "doubleclick" } })).toBe(1);
    expect(await database.db.subscription.count({ where: { customer: { domainPrefix: "doubleclick" } } })).toBe(1);
    expect(await database.db.pcCustomer.count()).toBe(1);
    expect(await database.db.pcSubscription.count()).toBe(1);
  });

  it("two fast submits in the same instance run one after the other: the second sees the first's outcome", async () => {
    const c = chat("conv-fast");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    await toCatalog(c, flowId, { domainPrefix: "fastclick" });
    await submit(c, { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.e1}`]: "2" });
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
    expect(texts(await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation() }))).toEqual([expect.stringContaining("no longer active")]);
    expect(await database.db.customer.count({ where: { domainPrefix: "cancelled" } })).toBe(0);
  });

  it("item 13: a NUL byte in a company name is refused on the card with its reason, and the corrected submit works", async () => {
    const c = chat("conv-nul");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    const refused = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "nulbyte", companyName: "Fabrikam\u0000 Ltd" }) }));
    expect(textOf(refused)).toContain("Remove the control or invisible formatting characters from this value.");
    const next = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "nulbyte", companyName: "Fabrikam Ltd" }) }));
    expect(textOf(next)).toContain("Microsoft Customer Agreement: Fabrikam Ltd");
    await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation() });
    expect(textOf(cardOf(await submit(c, { verb: "customer.term.next", flowId, termCycle: "P1M/monthly" })))).toContain("Add a new customer: Subscriptions");
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
    const agreement = cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "sansabo", culture: "fr-FR", country: "FR", postalCode: "75007" }) }));
    expect(textOf(agreement)).toContain("Contrat client Microsoft : Fabrikam Ltd");
    const term = cardOf(await submit(c, { verb: "customer.agreement.next", flowId, ...validAttestation() }));
    expect(textOf(term)).toContain("1 an, facturation mensuelle");
    const subs = cardOf(await submit(c, { verb: "customer.term.next", flowId, termCycle: "P1Y/monthly" }));
    expect(textOf(subs)).toContain("Ignorer les abonnements");
    expect(textOf(subs)).toContain("12,50");
    const review = cardOf(await submit(c, { verb: "customer.subscriptions.skip", flowId }));
    expect(textOf(review)).toContain("Aucun abonnement.");
    const created = cardOf(await submit(c, { verb: "customer.review.submit", flowId }));
    expect(textOf(created)).toContain("Mot de passe temporaire");
    const customer = await database.db.customer.findUniqueOrThrow({ where: { domainPrefix: "sansabo" }, include: { subscriptions: true } });
    expect(customer).toMatchObject({ language: "fr", country: "FR", subscriptions: [] });
    expect(customer.mcaAttestedAt).not.toBeNull();
  });

  it("typing during the flow asks to use the card; help keeps the flow where it was", async () => {
    const c = chat("conv-typing");
    const flowId = flowIdOf(cardOf(await c.say("new customer")));
    expect(texts(await c.say("Fabrikam"))).toEqual([expect.stringContaining("fill in the card")]);
    expect(cardOf(await c.say("help")).body[0].text).toBe("Help");
    expect(textOf(cardOf(await submit(c, { verb: "customer.account.next", flowId, ...validAccount({ domainPrefix: "afterhelp" }) })))).toContain("Microsoft Customer Agreement");
  });

  it("lists, searches and opens customers", async () => {
    await existing("fabrikamteams", "Fabrikam Teams", { [OFFERS.businessStandard]: 10 });
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
      data: { ...validAccount({ domainPrefix: "foreign" }), pcCustomerId: crypto.randomUUID(), providerOrgId: other.id, searchName: "fabrikam ltd", language: "en", adminAccount: "admin@foreign.onmicrosoft.com", creationKey: "foreign", createdById: "x" },
    });
    const c = chat("conv-foreign");
    expect(texts(await c.submit({ verb: "customer.open", customerId: foreign.id }))).toEqual(["You don't have access to that."]);
    expect(texts(await c.submit({ verb: "customer.open", customerId: "not-a-uuid" }))).toEqual([expect.stringContaining("no longer active")]);
  });

  it("an order that Partner Center refuses after the customer was created keeps the customer and its password, and says what to do", async () => {
    const c = chat("conv-refused");
    await c.say("hello");
    const admin = await callerOf(database.db, "aad-alex");
    const reseller = await database.db.organisation.create({ data: { tenantId: "res-unsigned", kind: "reseller", name: "Unsigned Reseller" } });
    await database.db.partnership.create({ data: { providerOrgId: admin.organisation.id, resellerOrgId: reseller.id, email: "r@example.com", companyName: "Unsigned Reseller", tokenHash: "h", status: "active", expiresAt: new Date(Date.now() + 86_400_000), invitedById: admin.userId } });
    if (stack) {
      // The real Partner Center: the relationship exists, and a user is connected for the reseller's customer (App+User).
      await stack.fake.addReseller("res-unsigned", "Unsigned Reseller", { agreementSigned: false });
      await stack.tokens.connect((prompt) => setTimeout(() => stack!.entra.approve(prompt.code, { userName: "admin@contoso.onmicrosoft.com", mfa: true }), 10));
    } else {
      await services.pc.indirectResellers();
      await (services.pc as unknown as { setResellerAgreementSigned(tenantId: string, signed: boolean): Promise<void> }).setResellerAgreementSigned("res-unsigned", false);
    }
    const flowId = flowIdOf(cardOf(await c.submit({ verb: "customer.new", resellerOrgId: reseller.id })));
    await toCatalog(c, flowId, { domainPrefix: "refusedorder" });
    await submit(c, { verb: "customer.subscriptions.next", flowId, [`qty_${OFFERS.e3}`]: "2" });
    const replies = await submit(c, { verb: "customer.review.submit", flowId });
    expect(textOf(cardOf(replies))).toContain("admin@refusedorder.onmicrosoft.com");
    expect(texts(replies).join(" ")).toContain("Fabrikam Ltd was created, but its subscriptions were not ordered. Unsigned Reseller has not signed the Microsoft Partner Agreement");
    expect(await database.db.customer.count({ where: { domainPrefix: "refusedorder" } })).toBe(1);
    expect(await database.db.pcSubscription.count()).toBe(0);
  });
});
