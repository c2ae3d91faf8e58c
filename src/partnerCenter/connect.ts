/**
 * Which Partner Center the bot speaks to, from the configuration: the embedded sandbox (the
 * default: `npm start` needs no account) or the real REST API (PARTNER_CENTER=api), signed in
 * with MSAL and paced by a budget shared by the instances on PostgreSQL.
 */
import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import type { Logger } from "../log.js";
import type { SecretBox } from "../security/secretBox.js";
import { LocalSendBudget, SharedSendBudget, type SendBudget } from "../util/slidingWindowBudget.js";
import type { PartnerCenterError } from "./errors.js";
import type { PartnerCenter } from "./port.js";
import { Outbox } from "./rest/outbox.js";
import { RestPartnerCenter } from "./rest/restPartnerCenter.js";
import { MsalTokens } from "./rest/tokens.js";
import { EmbeddedPartnerCenter } from "./sandbox/embeddedPartnerCenter.js";

export interface PartnerCenterConnection {
  pc: PartnerCenter;
  /** The REST connector's sign-in (undefined in embedded mode). */
  tokens?: MsalTokens;
  close(): Promise<void>;
}

export function connectPartnerCenter(
  config: Pick<Config, "partnerCenter" | "providerTenantId" | "database">,
  db: Db,
  options: { secrets: SecretBox; logger: Logger; now?: () => Date; providerTenantId: () => Promise<string | undefined>; onSignInProblem?: (error: PartnerCenterError) => void; onCall?: (method: string, status: number | "network") => void },
): PartnerCenterConnection {
  const settings = config.partnerCenter;
  if (settings.mode === "embedded") {
    return { pc: new EmbeddedPartnerCenter(db, { secrets: options.secrets, now: options.now, provisioningLagMs: settings.provisioningLagSeconds * 1000, partnerTenantId: options.providerTenantId }), close: async () => {} };
  }
  const tenantId = config.providerTenantId!;
  const tokens = new MsalTokens(db, { authorityUrl: settings.authorityUrl, tenantId, appId: settings.appId!, appSecret: settings.appSecret, certificate: settings.certificate }, options.secrets, options.logger);
  const budget: SendBudget = config.database.provider === "postgresql" ? new SharedSendBudget(config.database.url) : new LocalSendBudget();
  const pc = new RestPartnerCenter({
    baseUrl: settings.apiUrl,
    tokens,
    outbox: new Outbox(db),
    budget,
    requestsPerMinute: settings.requestsPerMinute,
    timeoutMs: settings.timeoutMs,
    logger: options.logger,
    partnerTenantId: tenantId,
    onSignInProblem: options.onSignInProblem,
    onCall: options.onCall,
  });
  return { pc, tokens, close: () => budget.close() };
}
