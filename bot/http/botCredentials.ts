/**
 * The bot's own identity when it calls the Bot Connector: replies, proactive notices (through the
 * adapter) and reminders (through the reminder sender) all take their token from here, so every
 * identity type the configuration accepts works for all three.
 *
 * - SingleTenant (the default) and MultiTenant: a client secret, a token from Microsoft Entra for
 *   `https://api.botframework.com` (the app's own tenant, or botframework.com for the older
 *   multi-tenant bots), through MSAL with the configured authority (ENTRA_AUTHORITY_URL).
 * - UserAssignedMSI: no secret; the token comes from the host's managed identity endpoint (App
 *   Service and Container Apps: IDENTITY_ENDPOINT with IDENTITY_HEADER; a VM: IMDS), for the
 *   identity whose client id is the bot's app id. Only the managed identity is asked: a bot in
 *   production never falls back to a developer's `az login`.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import type { ConfidentialClientApplication } from "@azure/msal-node";
import { AppCredentials, AuthenticationConstants, ManagedIdentityAppCredentials, MicrosoftAppCredentials, ServiceClientCredentialsFactory, type AuthenticatorResult, type ServiceClientCredentials } from "botframework-connector";
import type { Config } from "../../src/config.js";

type Identity = Pick<Config, "microsoftApp"> & { partnerCenter: Pick<Config["partnerCenter"], "authorityUrl"> };

/**
 * A client-secret app (single- or multi-tenant) signing in to Entra for the Bot Framework's
 * audience. MSAL is loaded at the first token, not at start (a bot without an app id never needs it).
 */
class EntraAppCredentials extends AppCredentials {
  private msal?: Promise<ConfidentialClientApplication>;

  constructor(
    appId: string,
    private readonly secret: string,
    private readonly authority: string,
    scope: string,
  ) {
    super(appId, undefined, scope);
  }

  private client(): Promise<ConfidentialClientApplication> {
    this.msal ??= import("@azure/msal-node").then(({ ConfidentialClientApplication, LogLevel }) => {
      const loggerOptions = { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => {} };
      return new ConfidentialClientApplication({ auth: { clientId: this.appId, clientSecret: this.secret, authority: this.authority, knownAuthorities: [new URL(this.authority).host] }, system: { loggerOptions } });
    });
    return this.msal;
  }

  protected async refreshToken(): Promise<AuthenticatorResult> {
    const scope = this.oAuthScope.endsWith("/.default") ? this.oAuthScope : `${this.oAuthScope}/.default`;
    const result = await (await this.client()).acquireTokenByClientCredential({ scopes: [scope] });
    if (!result?.accessToken) throw new Error("Microsoft Entra answered without an access token for the Bot Framework");
    return { accessToken: result.accessToken, expiresOn: result.expiresOn ?? new Date(Date.now() + 50 * 60_000) };
  }
}

/** The host's managed identity for this client id; @azure/identity is loaded at the first token, not at start. */
function managedIdentity(clientId: string): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= import("@azure/identity").then(({ ManagedIdentityCredential }) => new ManagedIdentityCredential({ clientId }));
      return (await credential).getToken(scopes, options);
    },
  };
}

/** Credentials for every Bot Connector call, whatever the identity type. */
export class BotCredentialFactory extends ServiceClientCredentialsFactory {
  constructor(private readonly identity: Identity) {
    super();
  }

  /** Where the secret-based identities get their token: the app's tenant, or botframework.com (multi-tenant). */
  get authority(): string {
    const { type, tenantId } = this.identity.microsoftApp;
    return `${this.identity.partnerCenter.authorityUrl}/${type === "MultiTenant" ? AuthenticationConstants.DefaultChannelAuthTenant : tenantId}`;
  }

  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.identity.microsoftApp.id;
  }

  async isAuthenticationDisabled(): Promise<boolean> {
    return !this.identity.microsoftApp.id;
  }

  async createCredentials(appId: string, audience: string | undefined): Promise<ServiceClientCredentials> {
    const { id } = this.identity.microsoftApp;
    if (!id) return MicrosoftAppCredentials.Empty;
    if (appId !== id) throw new Error("Invalid appId.");
    return this.credentials(audience || AuthenticationConstants.ToChannelFromBotOAuthScope);
  }

  /** A bearer token for the Bot Connector, for the senders outside the adapter (the reminders); none without an app id. */
  tokenSource(): { getToken(): Promise<string> } | undefined {
    if (!this.identity.microsoftApp.id) return undefined;
    const credentials = this.credentials(AuthenticationConstants.ToChannelFromBotOAuthScope);
    return { getToken: () => credentials.getToken() };
  }

  private credentials(scope: string): AppCredentials {
    const { id, password, type } = this.identity.microsoftApp;
    if (type === "UserAssignedMSI") {
      const tokenProviders = { createAzureServiceTokenProvider: (clientId: string) => managedIdentity(clientId) };
      return new ManagedIdentityAppCredentials(id!, scope, tokenProviders as unknown as ConstructorParameters<typeof ManagedIdentityAppCredentials>[2]);
    }
    return new EntraAppCredentials(id!, password ?? "", this.authority, scope);
  }
}
