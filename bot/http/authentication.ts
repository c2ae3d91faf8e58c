/**
 * Who may post activities, decided before any turn runs. With an app id, a Bot Framework token
 * signed by the keys the Bot Framework publishes, whose `serviceurl` claim names the activity's
 * serviceUrl (replies go only where the token says). Without one (local or lab use), only
 * serviceUrls on loopback or in ALLOWED_SERVICE_URLS. A bad token is 401 with no detail; an
 * unreachable key endpoint is 503, logged once per outage rather than once per request.
 */
import {
  AuthenticationConstants,
  BotFrameworkAuthenticationFactory,
  type AuthenticateRequestResult,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type ConnectorFactory,
  type UserTokenClient,
} from "botframework-connector";
import { CallerIdConstants, type Activity } from "botbuilder";
import { isLoopbackHost, type Config } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import { BotCredentialFactory } from "./botCredentials.js";

export type AuthOutcome = { ok: true; result: AuthenticateRequestResult } | { ok: false; status: 401 | 403 | 503 };

/**
 * The Bot Framework authentication of this bot: public cloud endpoints, with the key endpoint
 * configurable; its own outgoing tokens from the bot's identity, whatever its type; its connector
 * clients reused from turn to turn.
 */
export function botFrameworkAuthentication(config: Pick<Config, "microsoftApp" | "security" | "partnerCenter">, credentials = new BotCredentialFactory(config)): BotFrameworkAuthentication {
  const auth = BotFrameworkAuthenticationFactory.create(
    "",
    true,
    AuthenticationConstants.ToChannelFromBotLoginUrl,
    AuthenticationConstants.ToChannelFromBotOAuthScope,
    AuthenticationConstants.ToBotFromChannelTokenIssuer,
    AuthenticationConstants.OAuthUrl,
    config.security.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerIdConstants.PublicAzureChannel,
    credentials,
    { requiredEndorsements: [] },
  );
  return reusingConnectorClients(auth);
}

/** At most this many connector (and user token) clients are kept (one per bot identity, service URL and audience: a handful). */
const CONNECTOR_CLIENTS = 100;

/**
 * The same authentication, with the Bot Connector clients it makes kept and reused: botbuilder
 * makes a connector client for every turn (its request pipeline and policies built anew, a tenth
 * of a chat turn's CPU in bench:profile). A client is the same for every turn of one bot
 * identity at one service URL and audience; its credentials keep their token between turns too.
 */
export function reusingConnectorClients(auth: BotFrameworkAuthentication): BotFrameworkAuthentication {
  const clients = new Map<string, Promise<ConnectorClient>>();
  const reusing = (factory: ConnectorFactory, identity: ClaimsIdentity): ConnectorFactory => {
    // The identity the factory's clients act as (parameterizedBotFrameworkAuthentication's getAppId).
    const appId = identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? "";
    return {
      create: (serviceUrl: string, audience?: string) => {
        const key = JSON.stringify([appId, serviceUrl, audience ?? null]);
        let client = clients.get(key);
        if (!client) {
          if (clients.size >= CONNECTOR_CLIENTS) clients.delete(clients.keys().next().value!);
          client = factory.create(serviceUrl, audience);
          clients.set(key, client);
          client.catch(() => clients.delete(key));
        }
        return client;
      },
    };
  };
  // A turn's connector factory comes with its authentication (CloudAdapter's processActivity), or is asked for (proactive sends).
  const authenticated = async (result: Promise<AuthenticateRequestResult>) => {
    const outcome = await result;
    return { ...outcome, connectorFactory: outcome.connectorFactory && reusing(outcome.connectorFactory, outcome.claimsIdentity) };
  };
  // The user token client (OAuth sign-in) is made for every turn too; one per identity serves them all.
  const tokenClients = new Map<string, Promise<UserTokenClient>>();
  const createUserTokenClient = (identity: ClaimsIdentity) => {
    const key = identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? identity.getClaimValue(AuthenticationConstants.AppIdClaim) ?? "";
    let client = tokenClients.get(key);
    if (!client) {
      if (tokenClients.size >= CONNECTOR_CLIENTS) tokenClients.delete(tokenClients.keys().next().value!);
      client = auth.createUserTokenClient(identity);
      tokenClients.set(key, client);
      client.catch(() => tokenClients.delete(key));
    }
    return client;
  };
  const overrides: Partial<BotFrameworkAuthentication> = {
    createConnectorFactory: (identity) => reusing(auth.createConnectorFactory(identity), identity),
    createUserTokenClient,
    authenticateRequest: (activity, authHeader) => authenticated(auth.authenticateRequest(activity, authHeader)),
    authenticateStreamingRequest: (authHeader, channelIdHeader) => authenticated(auth.authenticateStreamingRequest(authHeader, channelIdHeader)),
  };
  return new Proxy(auth, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof typeof overrides];
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export class RequestAuthenticator {
  private keyEndpointDown = false;

  constructor(
    private readonly auth: BotFrameworkAuthentication,
    private readonly config: Pick<Config, "microsoftApp" | "security">,
    private readonly logger: Logger,
  ) {}

  async authenticate(activity: Activity, authorization: string): Promise<AuthOutcome> {
    const authenticated = Boolean(this.config.microsoftApp.id);
    if (!authenticated && !this.serviceUrlAllowed(activity.serviceUrl)) {
      this.logger.warn({ serviceUrl: activity.serviceUrl }, "refused: serviceUrl is neither loopback nor in ALLOWED_SERVICE_URLS");
      return { ok: false, status: 403 };
    }
    try {
      const result = await this.auth.authenticateRequest(activity, authenticated ? authorization : "");
      this.keyEndpointUp();
      if (authenticated && result.claimsIdentity.getClaimValue(AuthenticationConstants.ServiceUrlClaim) !== activity.serviceUrl) {
        this.logger.info({ serviceUrl: activity.serviceUrl }, "refused: the token does not name this serviceUrl");
        return { ok: false, status: 401 };
      }
      return { ok: true, result };
    } catch (error) {
      if (isKeyEndpointFailure(error)) {
        if (!this.keyEndpointDown) this.logger.error({ err: error, metadataUrl: this.config.security.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl }, "cannot reach the Bot Framework's signing keys: requests get 503 until they can be read");
        this.keyEndpointDown = true;
        return { ok: false, status: 503 };
      }
      this.logger.info({ reason: error instanceof Error ? error.name : "unknown" }, "refused: authentication failed");
      return { ok: false, status: 401 };
    }
  }

  private keyEndpointUp(): void {
    if (!this.keyEndpointDown) return;
    this.keyEndpointDown = false;
    this.logger.info("the Bot Framework's signing keys can be read again");
  }

  private serviceUrlAllowed(serviceUrl: string | undefined): boolean {
    if (!serviceUrl) return false;
    try {
      const url = new URL(serviceUrl);
      return isLoopbackHost(url.hostname) || this.config.security.allowedServiceUrls.includes(url.origin);
    } catch {
      return false;
    }
  }
}

/** The keys could not be fetched (network, DNS, or the endpoint's own error), as opposed to a bad token. */
function isKeyEndpointFailure(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, statusCode, code, message } = error as { name?: string; statusCode?: number; code?: string; message?: string };
  if (name === "FetchError" || name === "AbortError") return true;
  if (code && ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "ECONNRESET", "EAI_AGAIN", "EHOSTUNREACH"].includes(code)) return true;
  return statusCode === 500 && /Failed to load (openID config|Keys)/.test(message ?? "");
}
