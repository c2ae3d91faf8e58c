/**
 * Contract tests of the REST connector: the whole service layer against the fake Partner Center
 * over HTTPS, signing in at the fake Entra. They assert what the services do and the requests
 * Partner Center received (paths, headers, request ids reused or renewed).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Caller } from "../src/identity/identityService.js";
import { makeCaller, newCustomer, OFFERS, order, validAccount } from "./helpers/fixtures.js";
import { startApiStack, type ApiStack } from "./helpers/partnerCenterApi.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

const T0 = new Date("2027-01-04T10:00:00Z");

describe(`the REST connector against a fake Partner Center (${providerUnderTest})`, () => {
  let database: TestDatabase;
  let stack: ApiStack;
  let clock: Date;
  let admin: Caller;

  beforeEach(async () => {
    clock = T0;
    database = await createTestDatabase();
    stack = await startApiStack(database.db, { now: () => clock });
    admin = await makeCaller(database.db, { kind: "provider", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", name: "Contoso Distribution" });
  });
  afterEach(async () => {
    await stack.stop();
    await database.drop();
  });

  it("creates a customer: domain check, address check, POST /v1/customers with an app-only token and the request ids", async () => {
    const { customers } = stack.services;
    expect(await customers.checkAccount(validAccount({ domainPrefix: "contractco" }))).toMatchObject({ ok: true });
    const created = await customers.create(admin, { account: validAccount({ domainPrefix: "contractco" }), creationKey: "key-1" });
    expect(created).toMatchObject({ created: true, adminAccount: "admin@contractco.onmicrosoft.com" });
    const head = stack.fake.requests("HEAD", /^\/v1\/domains\//);
    expect(head.map((request) => request.path)).toEqual(["/v1/domains/contractco.onmicrosoft.com"]);
    const [post] = stack.fake.requests("POST", /^\/v1\/customers$/);
    expect(post.body).toMatchObject({ companyProfile: { domain: "contractco.onmicrosoft.com" }, billingProfile: { email: "ana@fabrikam.com", culture: "en-US", defaultAddress: { country: "US" } } });
    expect(post.headers["ms-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.headers["ms-correlationid"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.headers.authorization).toMatch(/^Bearer app\./);
    expect(post.status).toBe(201);
  });

  it("orders through cart and checkout, with the agreement first; the catalog comes from products, skus, availabilities and the price sheet", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    const placed = await order(stack.services, admin, customerId, { [OFFERS.e3]: 5 });
    expect(placed.subscriptionIds).toHaveLength(1);
    const subscription = await database.db.subscription.findUniqueOrThrow({ where: { id: placed.subscriptionIds[0] } });
    expect(subscription).toMatchObject({ offerName: "Office 365 E3", licences: 5, unitPriceCents: 2300, termDuration: "P1Y" });
    expect(stack.fake.requests("POST", /\/agreements$/)).toHaveLength(1);
    expect(stack.fake.requests("POST", /\/carts$/)).toHaveLength(1);
    expect(stack.fake.requests("POST", /\/checkout$/)).toHaveLength(1);
    expect(stack.fake.requests("GET", /pricesheets/)).toHaveLength(1);
  });

  it("a reseller's customer needs App+User: refused with 900329 until a Partner Center user is connected (device code, with MFA); then created with the user's token", async () => {
    const { customers } = stack.services;
    const reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", name: "Northwind", providerOrgId: admin.organisation.id });
    await stack.fake.addReseller("5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", "Northwind");
    const refused = await customers.create(admin, { account: validAccount({ domainPrefix: "resellerco" }), creationKey: "r-1", resellerOrgId: reseller.organisation.id }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 900329, reason: "appUserRequired" });
    expect(stack.fake.requests("POST", /^\/v1\/customers$/)).toHaveLength(0);
    // An admin connects a Partner Center user: the device code is shown, the user signs in with MFA.
    stack.entra.userTokenLifetimeSeconds = 60;
    const connected = stack.tokens.connect((prompt) => setTimeout(() => stack.entra.approve(prompt.code, { userName: "admin@contoso.onmicrosoft.com", mfa: true }), 10));
    expect(await connected).toMatchObject({ userName: "admin@contoso.onmicrosoft.com", mfa: true });
    // The refresh token is kept sealed: not in clear anywhere in the database.
    const stored = await database.db.appSetting.findUniqueOrThrow({ where: { key: "partnerCenter.tokenCache" } });
    expect(stored.value).not.toContain("rt.");
    const created = await customers.create(admin, { account: validAccount({ domainPrefix: "resellerco" }), creationKey: "r-2", resellerOrgId: reseller.organisation.id });
    expect(created.created).toBe(true);
    const [post] = stack.fake.requests("POST", /^\/v1\/customers$/);
    expect(post.headers.authorization).toMatch(/^Bearer user\./);
    expect(post.body).toMatchObject({ associatedPartnerId: "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" });
    // The refresh token rolls: each use redeems it for a new one (the old one then fails).
    const redeemed = stack.entra.received.filter((request) => request.form.grant_type === "refresh_token").map((request) => request.form.refresh_token);
    expect(redeemed.length).toBeGreaterThanOrEqual(1);
    await customers.create(admin, { account: validAccount({ domainPrefix: "resellerco2" }), creationKey: "r-3", resellerOrgId: reseller.organisation.id });
    const after = stack.entra.received.filter((request) => request.form.grant_type === "refresh_token").map((request) => request.form.refresh_token);
    expect(after.length).toBeGreaterThan(redeemed.length);
    expect(new Set(after).size).toBe(after.length);
  });

  it("a user signed in without MFA is refused by Partner Center (401 900421), and the admins are told what to do", async () => {
    const problems: number[] = [];
    const strict = await startApiStack(database.db, { now: () => clock, rest: { onSignInProblem: (error) => problems.push(error.code) } });
    try {
      const reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "6e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", name: "Southwind", providerOrgId: admin.organisation.id });
      await strict.fake.addReseller("6e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", "Southwind");
      strict.entra.userTokenLifetimeSeconds = 60;
      await strict.tokens.connect((prompt) => setTimeout(() => strict.entra.approve(prompt.code, { userName: "agent@contoso.onmicrosoft.com", mfa: false }), 10));
      const refused = await strict.services.customers.create(admin, { account: validAccount({ domainPrefix: "nomfa" }), creationKey: "m-1", resellerOrgId: reseller.organisation.id }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 900421, reason: "mfaRequired", httpStatus: 401 });
      expect(problems).toEqual([900421]);
      // Consent revoked: the refresh token no longer works; that too is an admin's to fix.
      strict.entra.revokeRefreshTokens();
      const expired = await strict.services.customers.create(admin, { account: validAccount({ domainPrefix: "nomfa2" }), creationKey: "m-2", resellerOrgId: reseller.organisation.id }).catch((error: unknown) => error);
      expect(expired).toMatchObject({ reason: "signInExpired" });
    } finally {
      await strict.stop();
    }
  });

  it("orders with provisioning that lags: the order is recorded, followed up, and its subscriptions appear", async () => {
    const lagging = await startApiStack(database.db, { now: () => clock, provisioningLagMs: 10 * 60_000 });
    try {
      const { customerId } = await newCustomer(lagging.services, admin);
      const placed = await order(lagging.services, admin, customerId, { [OFFERS.e3]: 3 });
      expect(placed).toMatchObject({ provisioning: true, subscriptionIds: [] });
      expect(await lagging.services.orders.followUp()).toEqual([]);
      clock = new Date(T0.getTime() + 11 * 60_000);
      const [ready] = await lagging.services.orders.followUp();
      expect(ready.subscriptionIds).toHaveLength(1);
      expect(lagging.fake.requests("GET", /\/orders\/[^/]+$/).length).toBeGreaterThanOrEqual(2);
    } finally {
      await lagging.stop();
    }
  });

  it("subscription changes are PATCHes of the whole resource with If-Match: seats in the window, suspend, reactivate, renewal settings, cancel", async () => {
    const { subscriptionIds: [id] } = await newCustomer(stack.services, admin, { quantities: { [OFFERS.e3]: 10 } });
    const { subscriptions } = stack.services;
    let sub = await subscriptions.get(admin, id);
    await subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 8, version: sub.version });
    sub = await subscriptions.get(admin, id);
    await subscriptions.scheduleNextTerm(admin, { subscriptionId: id, version: sub.version, licences: 6, termDuration: "P1Y", billingCycle: "annual" });
    sub = await subscriptions.get(admin, id);
    await subscriptions.suspend(admin, { subscriptionId: id, version: sub.version, reason: "nonPayment" });
    sub = await subscriptions.get(admin, id);
    await subscriptions.reactivate(admin, { subscriptionId: id, version: sub.version });
    sub = await subscriptions.get(admin, id);
    await subscriptions.cancel(admin, { subscriptionId: id, version: sub.version });
    const patches = stack.fake.requests("PATCH", /\/subscriptions\//);
    expect(patches.map((patch) => [(patch.body as { quantity: number }).quantity, (patch.body as { status: string }).status, patch.status])).toEqual([
      [8, "active", 200],
      [8, "active", 200],
      [8, "suspended", 200],
      [8, "active", 200],
      [8, "deleted", 200],
    ]);
    expect((patches[1].body as { scheduledNextTermInstructions: { quantity: number } }).scheduledNextTermInstructions.quantity).toBe(6);
    for (const patch of patches) expect(patch.headers["if-match"]).toEqual((patch.body as { attributes: { etag: string } }).attributes.etag);
    expect(new Set(patches.map((patch) => patch.headers["ms-requestid"])).size).toBe(5);
    expect((await database.db.subscription.findUniqueOrThrow({ where: { id } })).status).toBe("deleted");
  });

  it("outside the 7-day window the service refuses before calling; Partner Center's own refusals (800090, 900117) come back with their codes", async () => {
    const { customerId, subscriptionIds: [id] } = await newCustomer(stack.services, admin, { quantities: { [OFFERS.e3]: 10 } });
    clock = new Date(T0.getTime() + 8 * 86_400_000);
    const sub = await stack.services.subscriptions.get(admin, id, { refresh: true });
    await expect(stack.services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 5, version: sub.version })).rejects.toMatchObject({ code: 800090 });
    expect(stack.fake.requests("PATCH", /\/subscriptions\//)).toHaveLength(0);
    const { pcCustomerId } = await database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
    const current = await stack.pc.getSubscription(pcCustomerId, sub.pcSubscriptionId);
    await expect(stack.pc.updateSubscription(pcCustomerId, { ...current, quantity: 5 }, crypto.randomUUID())).rejects.toMatchObject({ code: 800090, reason: "reductionWindowPassed", httpStatus: 400 });
    await expect(stack.pc.updateSubscription(pcCustomerId, { ...current, status: "deleted" }, crypto.randomUUID())).rejects.toMatchObject({ code: 900117, reason: "cancellationWindowPassed" });
  });

  it("429 with Retry-After is waited for, then the same request is sent again with the same MS-RequestId", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    stack.fake.faults.push({ method: "POST", path: /\/carts$/, times: 1, respond: { status: 429, headers: { "Retry-After": "3" }, body: { statusCode: 429, message: "Rate limit is exceeded." } } });
    await order(stack.services, admin, customerId, { [OFFERS.e3]: 2 });
    expect(stack.waits).toContain(3_000);
    const carts = stack.fake.requests("POST", /\/carts$/);
    expect(carts.map((cart) => cart.status)).toEqual([429, 201]);
    expect(carts[0].headers["ms-requestid"]).toBe(carts[1].headers["ms-requestid"]);
    expect(carts[0].headers["ms-correlationid"]).not.toBe(carts[1].headers["ms-correlationid"]);
  });

  it("a Retry-After longer than the connector waits is 'busy' at once, with the seconds to wait", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    stack.fake.faults.push({ method: "POST", path: /\/carts$/, times: 1, respond: { status: 429, headers: { "Retry-After": "600" } } });
    await expect(order(stack.services, admin, customerId, { [OFFERS.e3]: 2 })).rejects.toMatchObject({ reason: "throttled", details: { retryAfterSeconds: 600 } });
  });

  it("a burst of 503s is retried with backoff and jitter under the same MS-RequestId: one cart, one order", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    stack.fake.faults.push({ method: "POST", path: /\/checkout$/, times: 3, respond: { status: 503, body: { code: 503, description: "Service unavailable" } } });
    const placed = await order(stack.services, admin, customerId, { [OFFERS.e3]: 2 });
    expect(placed.subscriptionIds).toHaveLength(1);
    const checkouts = stack.fake.requests("POST", /\/checkout$/);
    expect(checkouts.map((checkout) => checkout.status)).toEqual([503, 503, 503, 201]);
    expect(new Set(checkouts.map((checkout) => checkout.headers["ms-requestid"])).size).toBe(1);
    expect(stack.waits.slice(-3)).toEqual([500, 1_000, 2_000]);
    expect(await database.db.pcOrder.count()).toBe(1);
  });

  it("a timeout after Partner Center committed: the same MS-RequestId is sent again, and there is one customer and one order", async () => {
    const quick = await startApiStack(database.db, { now: () => clock, rest: { timeoutMs: 400 } });
    try {
      quick.fake.faults.push({ method: "POST", path: /^\/v1\/customers$/, times: 1, afterCommit: { hangMs: 1_500 } });
      const { customerId } = await newCustomer(quick.services, admin);
      const posts = quick.fake.requests("POST", /^\/v1\/customers$/);
      expect(posts).toHaveLength(2);
      expect(posts[0].headers["ms-requestid"]).toBe(posts[1].headers["ms-requestid"]);
      expect(await database.db.pcCustomer.count()).toBe(1);
      quick.fake.faults.push({ method: "POST", path: /\/checkout$/, times: 1, afterCommit: { hangMs: 1_500 } });
      await order(quick.services, admin, customerId, { [OFFERS.e3]: 2 });
      const checkouts = quick.fake.requests("POST", /\/checkout$/);
      expect(checkouts).toHaveLength(2);
      expect(checkouts[0].headers["ms-requestid"]).toBe(checkouts[1].headers["ms-requestid"]);
      expect(await database.db.pcOrder.count()).toBe(1);
      expect(await database.db.pcSubscription.count()).toBe(1);
    } finally {
      await quick.stop();
    }
  });

  it("a restart between sending checkout and recording its answer: the outbox resends the same id, and the order is read back", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    // Partner Center commits, then the bot "dies" before it records anything: the outbox row is left pending.
    stack.fake.faults.push({ method: "POST", path: /\/checkout$/, times: 1, afterCommit: { status: 503 } });
    const quickGiveUp = await startApiStack(database.db, { now: () => clock, rest: { maxAttempts: 1 } });
    try {
      quickGiveUp.fake.faults.push({ method: "POST", path: /\/checkout$/, times: 1, afterCommit: { status: 503 } });
      await expect(order(quickGiveUp.services, admin, customerId, { [OFFERS.e3]: 2 }, { key: "order-after-crash" })).rejects.toMatchObject({ reason: "unavailable" });
      expect(await database.db.pcOutbox.count({ where: { status: "pending", operation: "checkout" } })).toBe(1);
      expect(await database.db.pcOrder.count()).toBe(1);
      // The same submit again (Teams redelivers it after the restart): one order, the one made before.
      const placed = await order(stack.services, admin, customerId, { [OFFERS.e3]: 2 }, { key: "order-after-crash" });
      expect(placed.subscriptionIds).toHaveLength(1);
      expect(await database.db.pcOrder.count()).toBe(1);
      const ids = [...quickGiveUp.fake.requests("POST", /\/checkout$/), ...stack.fake.requests("POST", /\/checkout$/)].map((request) => request.headers["ms-requestid"]);
      expect(new Set(ids).size).toBe(1);
      expect(await database.db.pcOutbox.count({ where: { status: "pending" } })).toBe(0);
    } finally {
      await quickGiveUp.stop();
    }
  });

  it("after a refusal (an HTTP answer), the next attempt of the same operation gets a new MS-RequestId", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    stack.fake.faults.push({ method: "POST", path: /\/carts$/, times: 1, respond: { status: 400, body: { code: 10015, description: "Quantity out of range.", data: [{ min: 1, max: 300 }] } } });
    await expect(order(stack.services, admin, customerId, { [OFFERS.e3]: 2 }, { key: "retried" })).rejects.toMatchObject({ code: 10015, reason: "quantityOutOfRange", details: { min: 1, max: 300 } });
    await order(stack.services, admin, customerId, { [OFFERS.e3]: 2 }, { key: "retried" });
    const carts = stack.fake.requests("POST", /\/carts$/);
    expect(carts.map((cart) => cart.status)).toEqual([400, 201]);
    expect(carts[0].headers["ms-requestid"]).not.toBe(carts[1].headers["ms-requestid"]);
  });

  it("a stale etag (2055): the subscription changed in Partner Center is read again, audited as Partner Center's, and the card is stale", async () => {
    const { customerId, subscriptionIds: [id] } = await newCustomer(stack.services, admin, { quantities: { [OFFERS.e3]: 10 } });
    const shown = await stack.services.subscriptions.get(admin, id);
    const { pcCustomerId } = await database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
    const inPortal = await stack.fake.sandbox.getSubscription(pcCustomerId, shown.pcSubscriptionId);
    await stack.fake.sandbox.updateSubscription(pcCustomerId, { ...inPortal, quantity: 12 }, crypto.randomUUID());
    await expect(stack.services.subscriptions.changeQuantity(admin, { subscriptionId: id, licences: 11, version: shown.version })).rejects.toMatchObject({ name: "StaleVersion" });
    expect(stack.fake.requests("PATCH", /\/subscriptions\//).map((patch) => patch.status)).toEqual([400]);
    expect(await database.db.auditEntry.count({ where: { subscriptionId: id, action: "subscription.changedInPartnerCenter" } })).toBe(1);
  });

  it("a catalog item that changed (400019) fails the order with its own reason; the catalog is read again and the order then goes through", async () => {
    const { customerId } = await newCustomer(stack.services, admin);
    const { choices } = await stack.services.orders.catalogFor(admin, customerId, "P1Y", "monthly");
    const e3 = choices.find((choice) => choice.offer.name === "Office 365 E3")!.offer;
    (stack.fake as unknown as { catalog: { renewAvailabilities(): void } }).catalog.renewAvailabilities();
    const failed = await stack.services.orders.place(admin, { customerId, termDuration: "P1Y", billingCycle: "monthly", lines: [{ catalogItemId: e3.catalogItemId, quantity: 2 }], idempotencyKey: "stale-catalog" }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 400019, reason: "catalogItemChanged" });
    const placed = await order(stack.services, admin, customerId, { [OFFERS.e3]: 2 });
    expect(placed.subscriptionIds).toHaveLength(1);
  });

  it("indirect resellers come from the relationships; the reseller of record is the cart's transaction_reseller; one without the partner agreement is refused (900123)", async () => {
    const reseller = await makeCaller(database.db, { kind: "reseller", tenantId: "7e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", name: "Westwind", providerOrgId: admin.organisation.id });
    const mpnId = await stack.fake.addReseller("7e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", "Westwind");
    const { customerId } = await newCustomer(stack.services, admin);
    await order(stack.services, admin, customerId, { [OFFERS.e3]: 2 }, { resellerOfRecordId: reseller.organisation.id });
    const [cart] = stack.fake.requests("POST", /\/carts$/);
    expect((cart.body as { lineItems: { participants: unknown }[] }).lineItems[0].participants).toEqual([{ key: "transaction_reseller", value: mpnId }]);
    expect(stack.fake.requests("GET", /^\/v1\/compliance\/csp\/agreementstatus$/)[0].query).toEqual({ mpnId });
    await stack.fake.addReseller("7e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", "Westwind");
    await database.db.pcReseller.update({ where: { tenantId: "7e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" }, data: { agreementSigned: false } });
    await expect(order(stack.services, admin, customerId, { [OFFERS.e5]: 2 }, { resellerOfRecordId: reseller.organisation.id })).rejects.toMatchObject({ code: 900123 });
  });

  it("customers are listed page by page with the continuation token, and filtered by indirect reseller", async () => {
    for (let i = 0; i < 41; i++) await stack.fake.sandbox.createCustomer({ companyProfile: { domain: `page${i}.onmicrosoft.com` }, billingProfile: { email: "x@example.com", culture: "en-US", language: "en", companyName: `Page ${i}`, defaultAddress: { addressLine1: "1 Main St", city: "Redmond", state: "WA", postalCode: "98052", country: "US" } } }, crypto.randomUUID());
    const first = await stack.pc.listCustomers({});
    expect(first.items).toHaveLength(40);
    expect(first.continuationToken).toBeTruthy();
    const second = await stack.pc.listCustomers({ continuationToken: first.continuationToken });
    expect(second.items).toHaveLength(1);
    expect(second.continuationToken).toBeUndefined();
    const paged = stack.fake.requests("GET", /^\/v1\/customers$/);
    expect(paged[1].headers["ms-continuationtoken"]).toBe(first.continuationToken);
    expect(paged[1].query).toMatchObject({ size: "40", seekOperation: "Next" });
    await stack.pc.listCustomers({ resellerTenantId: "7e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" });
    expect(JSON.parse(stack.fake.requests("GET", /^\/v1\/customers$/)[2].query.filter)).toEqual({ Field: "IndirectReseller", Value: "7e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e", Operator: "starts_with" });
  });

  it("statuses and fields Partner Center adds pass through: a subscription 'disabled', with unknown properties, is shown as Partner Center says", async () => {
    const { customerId, subscriptionIds: [id] } = await newCustomer(stack.services, admin, { quantities: { [OFFERS.e3]: 10 } });
    const { pcCustomerId } = await database.db.customer.findUniqueOrThrow({ where: { id: customerId } });
    const row = await database.db.subscription.findUniqueOrThrow({ where: { id } });
    const current = await stack.fake.sandbox.getSubscription(pcCustomerId, row.pcSubscriptionId);
    stack.fake.faults.push({ method: "GET", path: /\/subscriptions\/[^/]+$/, times: 1, respond: { status: 200, body: { ...current, status: "disabled", attributes: { etag: "new-etag", objectType: "Subscription" }, hasPurchasableAddons: true, consumptionType: "None" } } });
    const shown = await stack.services.subscriptions.get(admin, id, { refresh: true });
    expect(shown.status).toBe("disabled");
    expect(shown.canCancel).toBe(false);
  });

  it("every call carries a bearer token, a fresh MS-CorrelationId and an MS-RequestId; the budget keeps calls under the partner tenant's limit", async () => {
    await newCustomer(stack.services, admin, { quantities: { [OFFERS.e3]: 2 } });
    const correlations = stack.fake.received.map((request) => request.headers["ms-correlationid"]);
    expect(new Set(correlations).size).toBe(correlations.length);
    for (const request of stack.fake.received) {
      expect(request.headers.authorization).toMatch(/^Bearer (app|user)\./);
      expect(request.headers["ms-requestid"]).toMatch(/^[0-9a-f-]{36}$/);
    }
    // A budget of 3 calls a minute: the fourth call waits for the window.
    const slow = await startApiStack(database.db, { now: () => clock, rest: { requestsPerMinute: 3 } });
    try {
      const started = Date.now();
      const timings: number[] = [];
      for (let i = 0; i < 3; i++) {
        await slow.pc.isDomainAvailable(`free${i}.onmicrosoft.com`);
        timings.push(Date.now() - started);
      }
      expect(timings.every((ms) => ms < 5_000)).toBe(true);
      const fourth = Promise.race([slow.pc.isDomainAvailable("free4.onmicrosoft.com").then(() => "answered"), new Promise((resolve) => setTimeout(() => resolve("waiting"), 1_500))]);
      expect(await fourth).toBe("waiting");
    } finally {
      await slow.stop();
    }
  });
});
