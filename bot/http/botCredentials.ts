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
import { ManagedIdentityCredential } from "@azure/identity";
import { ConfidentialClientApplication, LogLevel } from "@azure/msal-node";
import { AppCredentials, AuthenticationConstants, ManagedIdentityAppCredentials, MicrosoftAppCredentials, ServiceClientCredentialsFactory, type AuthenticatorResult, type ServiceClientCredentials } from "botframework-connector";
import type { Config } from "../../src/config.js";

type Identity = Pick<Config, "microsoftApp"> & { partnerCenter: Pick<Config["partnerCenter"], "authorityUrl"> };

/** A client-secret app (single- or multi-tenant) signing in to Entra for the Bot Framework's audience. */
class EntraAppCredentials extends AppCredentials {
  private readonly msal: ConfidentialClientApplication;

  constructor(appId: string, secret: string, authority: string, scope: string) {
    super(appId, undefined, scope);
    const loggerOptions = { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => {} };
    this.msal = new ConfidentialClientApplication({ auth: { clientId: appId, clientSecret: secret, authority, knownAuthorities: [new URL(authority).host] }, system: { loggerOptions } });
  }

  protected async refreshToken(): Promise<AuthenticatorResult> {
    const scope = this.oAuthScope.endsWith("/.default") ? this.oAuthScope : `${this.oAuthScope}/.default`;
    const result = await this.msal.acquireTokenByClientCredential({ scopes: [scope] });
    if (!result?.accessToken) throw new Error("Microsoft Entra answered without an access token for the Bot Framework");
    return { accessToken: result.accessToken, expiresOn: result.expiresOn ?? new Date(Date.now() + 50 * 60_000) };
  }
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
      const tokenProviders = { createAzureServiceTokenProvider: (clientId: string) => new ManagedIdentityCredential({ clientId }) };
      return new ManagedIdentityAppCredentials(id!, scope, tokenProviders as unknown as ConstructorParameters<typeof ManagedIdentityAppCredentials>[2]);
    }
    return new EntraAppCredentials(id!, password ?? "", this.authority, scope);
  }
}
