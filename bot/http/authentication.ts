/**
 * Who may post activities, decided before any turn runs. With an app id, a Bot Framework token
 * signed by the keys the Bot Framework publishes, whose `serviceurl` claim names the activity's
 * serviceUrl (replies go only where the token says). Without one (local or lab use), only
 * serviceUrls on loopback or in ALLOWED_SERVICE_URLS. A bad token is 401 with no detail; an
 * unreachable key endpoint is 503, logged once per outage rather than once per request.
 */
import { AuthenticationConstants, BotFrameworkAuthenticationFactory, type AuthenticateRequestResult, type BotFrameworkAuthentication } from "botframework-connector";
import { CallerIdConstants, type Activity } from "botbuilder";
import { isLoopbackHost, type Config } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import { BotCredentialFactory } from "./botCredentials.js";

export type AuthOutcome = { ok: true; result: AuthenticateRequestResult } | { ok: false; status: 401 | 403 | 503 };

/**
 * The Bot Framework authentication of this bot: public cloud endpoints, with the key endpoint
 * configurable; its own outgoing tokens from the bot's identity, whatever its type.
 */
export function botFrameworkAuthentication(config: Pick<Config, "microsoftApp" | "security" | "partnerCenter">, credentials = new BotCredentialFactory(config)): BotFrameworkAuthentication {
  return BotFrameworkAuthenticationFactory.create(
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
