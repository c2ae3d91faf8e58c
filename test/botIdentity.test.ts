/**
 * The bot's own identity on the way out: replies, a proactive notice through the adapter and a
 * reminder from the sweep each reach the connector with a token the identity's issuer gave, for
 * every identity type the configuration accepts. The issuers are stand-ins on loopback: Microsoft
 * Entra (client credentials, for the single- and multi-tenant app) and the App Service / Container
 * Apps managed identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER). The connector refuses a
 * request whose Authorization is not a token one of them issued.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReminderScheduler, startApp, type App } from "../bot/app.js";
import { sendProactive } from "../bot/proactive.js";
import { reusingConnectorClients } from "../bot/http/authentication.js";
import { AuthenticationConstants, ClaimsIdentity, type BotFrameworkAuthentication, type ConnectorClient, type UserTokenClient } from "botframework-connector";
import type { Activity } from "botbuilder";
import { ConversationRefStore } from "../bot/teams/conversationRefs.js";
import { BotFrameworkKeys } from "./helpers/botFrameworkKeys.js";
import { FakeConnector } from "./helpers/fakeConnector.js";
import { FakeEntra } from "./helpers/fakeEntra.js";
import { makeCaller, newCustomer, OFFERS } from "./helpers/fixtures.js";
import { testConfig, testServices } from "./helpers/harness.js";
import { memoryLogger } from "./helpers/silentLogger.js";
import type { ScratchDatabase } from "../src/db/scratch.js";
import { emptyDatabase, providerUnderTest } from "./helpers/testDatabase.js";

const PROVIDER = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const DAY = 86_400_000;

/** The managed identity endpoint of App Service and Container Apps (api-version 2019-08-01). */
class FakeManagedIdentity {
  readonly received: { query: URLSearchParams; header?: string }[] = [];
  readonly tokens = new Set<string>();
  readonly secret = randomUUID();
  private server?: Server;
  url = "";

  constructor(readonly clientId: string) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const header = request.headers["x-identity-header"] as string | undefined;
      this.received.push({ query: url.searchParams, header });
      const answer = (status: number, body: object) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
      };
      if (header !== this.secret) return answer(401, { error: "unauthorized", error_description: "X-IDENTITY-HEADER is missing or wrong" });
      if (url.searchParams.get("client_id") !== this.clientId) return answer(400, { error: "invalid_request", error_description: "No identity with this client id is assigned to this resource" });
      const token = `msi.${randomUUID()}`;
      this.tokens.add(token);
      const resource = url.searchParams.get("resource") ?? "";
      answer(200, { access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource, token_type: "Bearer", client_id: this.clientId });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/msi/token`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface Issuer {
  issued(token: string): boolean;
  /** What the issuer was asked, for the audience and the client. */
  requests(): { clientId?: string; audience?: string; secretPresented: boolean }[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

const identities: { type: "SingleTenant" | "MultiTenant" | "UserAssignedMSI"; issuer: (appId: string) => Promise<Issuer> }[] = [
  {
    type: "SingleTenant",
    issuer: async (appId) => {
      const tenant = "5d1b3c4e-2f6a-4b7c-8d9e-0a1b2c3d4e5f";
      const entra = await new FakeEntra(tenant).start(appId, "bot-secret");
      return {
        issued: (token) => entra.tokens.has(token),
        requests: () => entra.received.filter((request) => request.path === `/${tenant}/oauth2/v2.0/token`).map(({ form }) => ({ clientId: form.client_id, audience: form.scope, secretPresented: form.client_secret === "bot-secret" })),
        env: { MICROSOFT_APP_TYPE: "SingleTenant", MICROSOFT_APP_TENANT_ID: tenant, MICROSOFT_APP_PASSWORD: "bot-secret", ENTRA_AUTHORITY_URL: entra.url },
        stop: () => entra.stop(),
      };
    },
  },
  {
    type: "MultiTenant",
    issuer: async (appId) => {
      const entra = await new FakeEntra("botframework.com").start(appId, "bot-secret");
      return {
        issued: (token) => entra.tokens.has(token),
        requests: () => entra.received.filter((request) => request.path === "/botframework.com/oauth2/v2.0/token").map(({ form }) => ({ clientId: form.client_id, audience: form.scope, secretPresented: form.client_secret === "bot-secret" })),
        env: { MICROSOFT_APP_TYPE: "MultiTenant", MICROSOFT_APP_PASSWORD: "bot-secret", ENTRA_AUTHORITY_URL: entra.url },
        stop: () => entra.stop(),
      };
    },
  },
  {
    type: "UserAssignedMSI",
    issuer: async (appId) => {
      const msi = await new FakeManagedIdentity(appId).start();
      const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
      // What App Service and Container Apps put in the environment of a resource with a managed identity.
      process.env.IDENTITY_ENDPOINT = msi.url;
      process.env.IDENTITY_HEADER = msi.secret;
      return {
        issued: (token) => msi.tokens.has(token),
        requests: () => msi.received.map(({ query, header }) => ({ clientId: query.get("client_id") ?? undefined, audience: query.get("resource") ?? undefined, secretPresented: header === msi.secret })),
        env: { MICROSOFT_APP_TYPE: "UserAssignedMSI" },
        stop: async () => {
          for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
          }
          await msi.stop();
        },
      };
    },
  },
];

describe.each(identities)(`the bot's identity on the way out: $type (${providerUnderTest})`, ({ type, issuer: makeIssuer }) => {
  // Each identity its own app id: the SDK caches tokens per app id for the whole process.
  const appId = randomUUID();
  let scratch: ScratchDatabase;
  let keys: BotFrameworkKeys;
  let connector: FakeConnector;
  let issuer: Issuer;
  let app: App;
  const log = memoryLogger("warn");
  const refused: string[] = [];
  let config: ReturnType<typeof testConfig>;

  beforeAll(async () => {
    scratch = await emptyDatabase();
    keys = await new BotFrameworkKeys().start();
    issuer = await makeIssuer(appId);
    connector = await new FakeConnector().start();
    connector.enrol("29:alex", { tenantId: PROVIDER, aadObjectId: "aad-alex" });
    // Teams' connector: only a token from the bot's identity gets in.
    connector.respond = (request) => {
      const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
      if (bearer && issuer.issued(bearer)) return { status: 200 };
      refused.push(request.path);
      return { status: 401, body: { message: "Authorization has been denied for this request." } };
    };
    config = testConfig({ PROVIDER_TENANT_ID: PROVIDER, MICROSOFT_APP_ID: appId, BOT_OPENID_METADATA_URL: keys.metadataUrl, HOST: "127.0.0.1", ...issuer.env });
    app = await startApp({ ...config, port: 0, database: scratch.database }, log.logger);
  });
  afterAll(async () => {
    await app?.close();
    await keys.stop();
    await connector.stop();
    await issuer.stop();
    await scratch.drop();
  });

  /**
   * A provider admin reachable in a personal chat on the fake connector, with a legacy subscription
   * suspended 60 days ago whose data is deleted in a little under 30 days: its 30-day warning is due.
   */
  const adminWithDueWarning = async () => {
    const services = testServices(app.database.db);
    const admin = await makeCaller(app.database.db, { kind: "provider", tenantId: PROVIDER });
    await new ConversationRefStore(app.database.db).remember(admin.userId, `a:conv-${admin.userId}`, {
      channelId: "msteams",
      serviceUrl: connector.url,
      conversation: { id: `a:conv-${admin.userId}`, conversationType: "personal", tenantId: PROVIDER, isGroup: false, name: "" },
      bot: { id: `28:${appId}`, name: "bot" },
      user: { id: `29:${admin.aadObjectId}`, name: admin.displayName, aadObjectId: admin.aadObjectId },
    });
    const { subscriptionIds: [id] } = await newCustomer(services, admin, { quantities: { [OFFERS.e1Legacy]: 2 } });
    const subscription = await app.database.db.subscription.findUniqueOrThrow({ where: { id } });
    await services.subscriptions.suspend(admin, { subscriptionId: id, reason: "nonPayment", version: subscription.version });
    await app.database.db.subscription.update({ where: { id }, data: { suspendedAt: new Date(Date.now() - 60 * DAY), deletionAt: new Date(Date.now() + 30 * DAY - 60_000) } });
    return admin;
  };

  it("the configuration reads the identity as this type", () => {
    expect(config.microsoftApp).toMatchObject({ id: appId, type });
  });

  it("a reply, a proactive notice through the adapter and a reminder from the sweep each carry a token the identity's issuer gave", async () => {
    // A reply to a message from Teams.
    const activity = { type: "message", id: randomUUID(), text: "help", locale: "en-US", channelId: "msteams", serviceUrl: connector.url, from: { id: "29:alex", aadObjectId: "aad-alex", name: "Alex" }, recipient: { id: `28:${appId}` }, conversation: { id: "a:identity", conversationType: "personal", tenantId: PROVIDER } };
    const response = await fetch(`http://127.0.0.1:${app.port}/api/messages`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${keys.token(appId, connector.url)}` }, body: JSON.stringify(activity) });
    expect(response.status).toBe(200);
    const replies = connector.received.filter((request) => request.path.includes(encodeURIComponent("a:identity")));
    expect(replies.length).toBeGreaterThan(0);

    // A notice, sent later through the adapter (as approvals and partnership notices are).
    const before = connector.received.length;
    await sendProactive(app.adapter, appId, { channelId: "msteams", serviceUrl: connector.url, conversation: { id: "a:identity", conversationType: "personal", tenantId: PROVIDER }, bot: { id: `28:${appId}` }, user: { id: "29:alex" } }, { type: "message", text: "An approval is waiting for you." });
    expect(connector.received.slice(before).map((request) => request.body.text)).toContain("An approval is waiting for you.");

    // A reminder, from the sweep's own sender.
    const admin = await adminWithDueWarning();
    const report = await createReminderScheduler(config, app.database, log.logger).sweep();
    expect(report.sent).toBeGreaterThan(0);
    expect(report.failed).toBe(0);
    expect(connector.received.some((request) => request.path.includes(encodeURIComponent(`a:conv-${admin.userId}`)) && request.body.attachments)).toBe(true);

    // Every request reached the connector with a good token; none was refused.
    expect(refused).toEqual([]);
    // The issuer was asked for the Bot Framework's audience, by this app, with its proof.
    const asked = issuer.requests();
    expect(asked.length).toBeGreaterThan(0);
    for (const request of asked) {
      expect(request.clientId).toBe(appId);
      expect(request.audience).toMatch(/^https:\/\/api\.botframework\.com/);
      expect(request.secretPresented).toBe(true);
    }
  });

  it("a connector that refuses the token: the reminder is recorded as failed, not as sent", async () => {
    const saved = connector.respond;
    connector.respond = () => ({ status: 401, body: { message: "Authorization has been denied for this request." } });
    try {
      await app.database.db.subscription.updateMany({ where: { status: "suspended" }, data: { status: "deleted" } });
      await adminWithDueWarning();
      const report = await createReminderScheduler(config, app.database, log.logger).sweep();
      expect(report.sent).toBe(0);
      expect(report.failed).toBeGreaterThan(0);
    } finally {
      connector.respond = saved;
    }
  });
});

describe("connector clients reused from turn to turn", () => {
  const identity = (appId: string) => new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: appId }], true);
  const fakeAuth = () => {
    const made: string[] = [];
    let failNext = false;
    const factory = (appId: string) => ({
      create: async (serviceUrl: string, audience?: string) => {
        made.push(`${appId} ${serviceUrl} ${audience ?? ""}`);
        if (failNext) {
          failNext = false;
          throw new Error("token endpoint down");
        }
        return { serviceUrl } as unknown as ConnectorClient;
      },
    });
    const auth = {
      createConnectorFactory: (claims: ClaimsIdentity) => factory(claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? ""),
      authenticateRequest: async () => ({ audience: "https://api.botframework.com", claimsIdentity: identity("bot-1"), connectorFactory: factory("bot-1") }),
      createUserTokenClient: async () => ({}) as UserTokenClient,
      getOriginatingAudience: () => "origin",
    } as unknown as BotFrameworkAuthentication;
    return { auth, made, failNext: () => (failNext = true) };
  };

  it("one client per bot identity, service URL and audience; a failed creation is tried again next time", async () => {
    const { auth, made, failNext } = fakeAuth();
    const reused = reusingConnectorClients(auth);
    const first = await reused.createConnectorFactory(identity("bot-1")).create("https://smba.example/emea/", "aud");
    expect(await reused.createConnectorFactory(identity("bot-1")).create("https://smba.example/emea/", "aud")).toBe(first);
    // Each turn's authentication brings its own factory: its clients are the same ones.
    const { connectorFactory } = await reused.authenticateRequest({} as Activity, "");
    expect(await connectorFactory!.create("https://smba.example/emea/", "https://api.botframework.com")).toBe(await connectorFactory!.create("https://smba.example/emea/", "https://api.botframework.com"));
    expect(await reused.createConnectorFactory(identity("bot-1")).create("https://smba.example/amer/", "aud")).not.toBe(first);
    expect(await reused.createConnectorFactory(identity("bot-2")).create("https://smba.example/emea/", "aud")).not.toBe(first);
    expect(made).toEqual(["bot-1 https://smba.example/emea/ aud", "bot-1 https://smba.example/emea/ https://api.botframework.com", "bot-1 https://smba.example/amer/ aud", "bot-2 https://smba.example/emea/ aud"]);
    failNext();
    await expect(reused.createConnectorFactory(identity("bot-3")).create("https://smba.example/emea/", "aud")).rejects.toThrow("token endpoint down");
    await reused.createConnectorFactory(identity("bot-3")).create("https://smba.example/emea/", "aud");
    expect(made.filter((line) => line.startsWith("bot-3"))).toHaveLength(2);
    // Everything else is the authentication's own.
    expect(reused.getOriginatingAudience()).toBe("origin");
    expect(await reused.createUserTokenClient(identity("bot-1"))).toBe(await reused.createUserTokenClient(identity("bot-1")));
  });
});
