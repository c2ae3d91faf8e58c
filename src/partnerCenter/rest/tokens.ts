/**
 * Signing in to Partner Center with @azure/msal-node, as partners are required to:
 * - app-only (client credentials, a client secret or a certificate) for what Partner Center
 *   allows it: domains, direct customers, carts, checkout, subscriptions;
 * - App+User (the "secure application model") for what needs a user: a partner admin connects a
 *   Partner Center user once (device code, with MFA), and the refresh token that MSAL keeps is
 *   redeemed silently afterwards. MSAL's token cache (the refresh token in it) is stored in the
 *   database sealed with the configured key, rolled on every use, and never logged.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AccountInfo, ConfidentialClientApplication, ICachePlugin, LogLevel, NodeSystemOptions, PublicClientApplication, TokenCacheContext } from "@azure/msal-node";
import type { Db } from "../../db/database.js";
import type { Logger } from "../../log.js";
import type { SecretBox } from "../../security/secretBox.js";
import { PartnerCenterError } from "../errors.js";

/** Partner Center's resource: the audience of every token, whatever URL the API is reached at. */
export const PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com";
const appScopes = [`${PARTNER_CENTER_RESOURCE}/.default`];
const userScopes = [`${PARTNER_CENTER_RESOURCE}/user_impersonation`, "offline_access"];

const CACHE_KEY = "partnerCenter.tokenCache";
const cacheContext = "partner-center-token-cache";

export interface TokenSettings {
  authorityUrl: string;
  tenantId: string;
  appId: string;
  appSecret?: string;
  certificate?: { path: string; thumbprint: string };
}

/** Who is connected for App+User calls. */
export interface ConnectedUser {
  userName: string;
  name?: string;
  /** The sign-in used multi-factor authentication (Partner Center refuses App+User tokens without it). */
  mfa: boolean;
}

export interface TokenProvider {
  /** An app-only access token for Partner Center. */
  appToken(): Promise<string>;
  /** An App+User access token, from the connected user's refresh token; refused (900329) when nobody is connected. */
  userToken(): Promise<string>;
}

/** MSAL's token cache, sealed in the database (AppSetting), read before and written after each use. */
class SealedCachePlugin implements ICachePlugin {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    const row = await this.db.appSetting.findUnique({ where: { key: CACHE_KEY } });
    if (row) context.tokenCache.deserialize(this.secrets.open(row.value, cacheContext));
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    const value = this.secrets.seal(context.tokenCache.serialize(), cacheContext);
    await this.db.appSetting.upsert({ where: { key: CACHE_KEY }, create: { key: CACHE_KEY, value }, update: { value } });
  }
}

export class MsalTokens implements TokenProvider {
  /** App-only tokens (client credentials): the app's own identity. */
  private readonly app: ConfidentialClientApplication;
  /** App+User tokens: the connected user's, from the refresh token in the sealed cache (device code to connect). */
  private readonly user: PublicClientApplication;

  constructor(db: Db, settings: TokenSettings, secrets: SecretBox, logger: Logger) {
    // MSAL is loaded when Partner Center is connected (PARTNER_CENTER=api), not at every start.
    const msal = createRequire(import.meta.url)("@azure/msal-node") as typeof import("@azure/msal-node");
    const { ConfidentialClientApplication, LogLevel, PublicClientApplication } = msal;
    const authority = `${settings.authorityUrl}/${settings.tenantId}`;
    // The authority's host is trusted as given (Microsoft Entra's, or a stand-in's): no instance discovery.
    const knownAuthorities = [new URL(settings.authorityUrl).host];
    const loggerOptions: NonNullable<NodeSystemOptions["loggerOptions"]> = {
      // MSAL's own messages carry no secret unless PII logging is on, which it is not.
      piiLoggingEnabled: false,
      logLevel: LogLevel.Warning,
      loggerCallback: (level: LogLevel, message: string) => (level <= LogLevel.Error ? logger.warn({ msal: message }, "MSAL") : logger.debug({ msal: message }, "MSAL")),
    };
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: settings.appId,
        authority,
        knownAuthorities,
        ...(settings.certificate
          ? { clientCertificate: { thumbprint: settings.certificate.thumbprint, privateKey: readFileSync(settings.certificate.path, "utf8") } }
          : { clientSecret: settings.appSecret ?? "" }),
      },
      system: { loggerOptions },
    });
    this.user = new PublicClientApplication({ auth: { clientId: settings.appId, authority, knownAuthorities }, cache: { cachePlugin: new SealedCachePlugin(db, secrets) }, system: { loggerOptions } });
  }

  async appToken(): Promise<string> {
    try {
      const result = await this.app.acquireTokenByClientCredential({ scopes: appScopes });
      if (!result?.accessToken) throw new Error("no access token");
      return result.accessToken;
    } catch (error) {
      throw signInError(error);
    }
  }

  async userToken(): Promise<string> {
    const account = await this.account();
    if (!account) throw new PartnerCenterError(900329, "No Partner Center user is connected: this call needs App+User.", 403, undefined, { connect: 1 });
    try {
      const result = await this.user.acquireTokenSilent({ account, scopes: userScopes });
      if (!result?.accessToken) throw new Error("no access token");
      return result.accessToken;
    } catch (error) {
      throw signInError(error);
    }
  }

  /** The connected Partner Center user, if any. */
  async connectedUser(): Promise<ConnectedUser | undefined> {
    const account = await this.account();
    if (!account) return undefined;
    const amr = (account.idTokenClaims as { amr?: string[] } | undefined)?.amr ?? [];
    return { userName: account.username, name: account.name, mfa: amr.includes("mfa") };
  }

  /**
   * Connects a Partner Center user with the device code flow: `show` receives the URL and the
   * code to give the user; resolves once they have signed in (or rejects when they did not).
   */
  async connect(show: (prompt: { url: string; code: string; message: string; expiresInSeconds: number }) => void): Promise<ConnectedUser> {
    // One connected user at a time: a new connection replaces the old one.
    await this.disconnect();
    const result = await this.user.acquireTokenByDeviceCode({
      scopes: userScopes,
      deviceCodeCallback: (response) => show({ url: response.verificationUri, code: response.userCode, message: response.message, expiresInSeconds: response.expiresIn }),
    });
    if (!result?.account) throw new Error("the sign-in returned no account");
    const amr = (result.idTokenClaims as { amr?: string[] } | undefined)?.amr ?? [];
    return { userName: result.account.username, name: result.account.name, mfa: amr.includes("mfa") };
  }

  /** Forgets the connected user (their refresh token is erased). */
  async disconnect(): Promise<void> {
    for (const account of await this.user.getTokenCache().getAllAccounts()) await this.user.getTokenCache().removeAccount(account);
  }

  private async account(): Promise<AccountInfo | undefined> {
    const [account] = await this.user.getTokenCache().getAllAccounts();
    return account;
  }
}

/** A failed sign-in as Partner Center's refusal: consent missing or revoked, a bad secret, no MFA. */
function signInError(error: unknown): PartnerCenterError {
  if (error instanceof PartnerCenterError) return error;
  const text = error instanceof Error ? `${(error as { errorCode?: string }).errorCode ?? ""} ${error.message}` : String(error);
  if (/AADSTS50076|AADSTS50079|mfa/i.test(text)) return new PartnerCenterError(900421, "The Partner Center user must sign in again with multi-factor authentication.", 401);
  if (/invalid_grant|interaction_required|AADSTS700082|AADSTS50173|AADSTS65001|consent/i.test(text)) return new PartnerCenterError(900422, "The Partner Center user's sign-in or consent has expired: connect again.", 401, undefined, { connect: 1 });
  if (/invalid_client|AADSTS7000215|AADSTS700027|unauthorized_client/i.test(text)) return new PartnerCenterError(900423, "The bot's app credentials for Partner Center are not accepted.", 401);
  return new PartnerCenterError(503, `Signing in to Partner Center failed: ${text.slice(0, 200)}`, 503);
}
