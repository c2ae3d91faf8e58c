/**
 * The bot's configuration: one zod schema, parsed once at start from the environment
 * (and an optional `.env` file). Nothing else in the project reads `process.env`.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47");

export const locales = ["en", "fr"] as const;
export type Locale = (typeof locales)[number];

const configSchema = z
  .object({
    PORT: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a port number" }).int("must be a whole number").min(1, "must be between 1 and 65535").max(65535, "must be between 1 and 65535").default(3978)),
    HOST: optional(z.string().min(1)),
    DATABASE_URL: optional(
      z.string().regex(/^(postgres(ql)?:\/\/|file:)/, "must start with postgresql:// (PostgreSQL) or file: (a SQLite file), or be unset for the embedded SQLite database"),
    ),
    DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("data")),
    MICROSOFT_APP_ID: optional(guid),
    MICROSOFT_APP_PASSWORD: optional(z.string()),
    MICROSOFT_APP_TYPE: z.preprocess(emptyAsUndefined, z.enum(["MultiTenant", "SingleTenant", "UserAssignedMSI"], { error: "must be SingleTenant (the default), UserAssignedMSI or MultiTenant" }).default("SingleTenant")),
    MICROSOFT_APP_TENANT_ID: optional(guid),
    PROVIDER_TENANT_ID: optional(z.string().regex(/^[\w.-]{1,100}$/, "must be the provider's Microsoft Entra tenant id (a GUID)")),
    PROVIDER_NAME: z.preprocess(emptyAsUndefined, z.string().max(200, "must be at most 200 characters").default("Indirect provider")),
    REMINDER_INTERVAL_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of seconds" }).int("must be a whole number of seconds").min(0, "must be 0 (off) or more").max(86_400, "must be at most 86400").default(60)),
    REMINDER_LEAD_DAYS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d{1,3}(,\d{1,3})*$/, "must be a comma-separated list of days, such as 30,7,1")
        .default("30,7,1"),
    ),
    REMINDER_WINDOW_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of hours" }).int("must be a whole number of hours").min(1, "must be between 1 and 167").max(167, "must be between 1 and 167 (the window is 168 hours)").default(24)),
    REMINDER_RENEWAL_DAYS: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^\d{1,4}(,\d{1,4})*$/, "must be a comma-separated list of days, such as 30,7")
        .default("30,7"),
    ),
    REMINDER_MONTHLY_RENEWALS: z.preprocess(emptyAsUndefined, z.enum(["true", "false"], { error: "must be true or false" }).default("false")),
    PARTNER_CENTER: z.preprocess(emptyAsUndefined, z.enum(["embedded", "api"], { error: "must be embedded (the built-in sandbox) or api (the real Partner Center)" }).default("embedded")),
    PARTNER_CENTER_API_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://api.partnercenter.microsoft.com")),
    ENTRA_AUTHORITY_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https$/, error: "must be an https URL (Microsoft Entra's, or a stand-in's)" }).default("https://login.microsoftonline.com")),
    PARTNER_CENTER_APP_ID: optional(guid),
    PARTNER_CENTER_APP_SECRET: optional(z.string()),
    PARTNER_CENTER_CERTIFICATE_PATH: optional(z.string()),
    PARTNER_CENTER_CERTIFICATE_THUMBPRINT: optional(z.string().regex(/^[0-9a-f]{40}$/i, "must be the certificate's SHA-1 thumbprint, 40 hex digits")),
    PARTNER_CENTER_TIMEOUT_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of seconds" }).min(1, "must be at least 1").max(300, "must be at most 300").default(30)),
    PARTNER_CENTER_REQUESTS_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(500, "must be at most 500 (Partner Center's limit per tenant)").default(300)),
    PARTNER_CENTER_REFRESH_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of hours" }).min(0, "must be 0 (off) or more").max(168, "must be at most 168").default(6)),
    PARTNER_CENTER_WEBHOOK_CERTIFICATE_HOSTS: optional(z.string().max(2000)),
    SANDBOX_PROVISIONING_LAG_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of seconds" }).min(0, "must be 0 (at once) or more").max(86_400, "must be at most 86400").default(0)),
    DEFAULT_LOCALE: z.preprocess(emptyAsUndefined, z.enum(locales, { error: "must be en or fr" }).default("en")),
    LOG_FORMAT: z.preprocess(emptyAsUndefined, z.enum(["json", "pretty"], { error: "must be json (production) or pretty (development, needs the dev dependencies)" }).default("json")),
    LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "must be one of fatal, error, warn, info, debug, trace, silent" }).default("info")),
    INSECURE_UNAUTHENTICATED_LAB: z.preprocess(emptyAsUndefined, z.enum(["true", "false"], { error: "must be true or false" }).default("false")),
    ALLOWED_SERVICE_URLS: optional(z.string().max(4000)),
    BOT_OPENID_METADATA_URL: optional(z.url({ protocol: /^https?$/, error: "must be an http(s) URL" })),
    ENCRYPTION_KEY: optional(z.string().refine((value) => decodeKey(value) !== undefined, "must be 32 random bytes, base64-encoded (generate one with: openssl rand -base64 32)")),
    DIALOG_STATE_TTL_DAYS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of days" }).min(0.01, "must be more than 0").max(365, "must be at most 365").default(7)),
    SHUTDOWN_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of seconds" }).int("must be a whole number").min(1, "must be at least 1").max(600, "must be at most 600").default(25)),
    TYPING_DELAY_MS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of milliseconds" }).int("must be a whole number").min(0, "must be 0 (off) or more").max(10_000, "must be at most 10000").default(700)),
    TURN_LOCK_WAIT_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number({ error: "must be a number of seconds" }).min(1, "must be at least 1").max(60, "must be at most 60").default(10)),
  })
  .superRefine((env, ctx) => {
    if (!env.REMINDER_RENEWAL_DAYS.split(",").some((days) => Number(days) > 0)) {
      ctx.addIssue({ code: "custom", path: ["REMINDER_RENEWAL_DAYS"], message: "must name at least one day count above 0" });
    }
    if (!env.REMINDER_LEAD_DAYS.split(",").some((days) => Number(days) > 0)) {
      ctx.addIssue({ code: "custom", path: ["REMINDER_LEAD_DAYS"], message: "must name at least one day count above 0" });
    }
    if (env.MICROSOFT_APP_ID && env.MICROSOFT_APP_TYPE !== "UserAssignedMSI" && !env.MICROSOFT_APP_PASSWORD) {
      ctx.addIssue({ code: "custom", path: ["MICROSOFT_APP_PASSWORD"], message: "is required when MICROSOFT_APP_ID is set (the bot's client secret)" });
    }
    if (env.MICROSOFT_APP_ID && env.MICROSOFT_APP_TYPE === "SingleTenant" && !env.MICROSOFT_APP_TENANT_ID) {
      ctx.addIssue({
        code: "custom",
        path: ["MICROSOFT_APP_TENANT_ID"],
        message: "is required for a single-tenant bot, the default (the directory id of the tenant where the bot's app is registered); a bot registered as multi-tenant before 2025 sets MICROSOFT_APP_TYPE=MultiTenant, one with a managed identity MICROSOFT_APP_TYPE=UserAssignedMSI",
      });
    }
    if (env.MICROSOFT_APP_ID && !env.PROVIDER_TENANT_ID) {
      ctx.addIssue({ code: "custom", path: ["PROVIDER_TENANT_ID"], message: "is required when MICROSOFT_APP_ID is set (the provider's Microsoft Entra tenant id; \"the first tenant becomes the provider\" is for local use only)" });
    }
    if (!env.MICROSOFT_APP_ID && env.HOST && !isLoopbackHost(env.HOST) && env.INSECURE_UNAUTHENTICATED_LAB !== "true") {
      ctx.addIssue({
        code: "custom",
        path: ["HOST"],
        message: `must be a loopback address (127.0.0.1, ::1, localhost) while MICROSOFT_APP_ID is unset: without an app id requests are not authenticated, and anyone who reaches ${env.HOST} could act as any Teams user. Set MICROSOFT_APP_ID (and its password), or, for an isolated lab network only, INSECURE_UNAUTHENTICATED_LAB=true`,
      });
    }
    if (env.PARTNER_CENTER === "api") {
      const required = { PARTNER_CENTER_APP_ID: "the Entra app (client) id the bot signs in to Partner Center with", PROVIDER_TENANT_ID: "the partner's Microsoft Entra tenant id, where the bot signs in to Partner Center" } as const;
      for (const [field, what] of Object.entries(required)) {
        if (!env[field as keyof typeof required]) ctx.addIssue({ code: "custom", path: [field], message: `is required when PARTNER_CENTER=api (${what})` });
      }
      if (!env.PARTNER_CENTER_APP_SECRET && !env.PARTNER_CENTER_CERTIFICATE_PATH) ctx.addIssue({ code: "custom", path: ["PARTNER_CENTER_APP_SECRET"], message: "is required when PARTNER_CENTER=api, unless PARTNER_CENTER_CERTIFICATE_PATH (and its thumbprint) is set" });
      if (env.PARTNER_CENTER_CERTIFICATE_PATH && !env.PARTNER_CENTER_CERTIFICATE_THUMBPRINT) ctx.addIssue({ code: "custom", path: ["PARTNER_CENTER_CERTIFICATE_THUMBPRINT"], message: "is required with PARTNER_CENTER_CERTIFICATE_PATH" });
      if (env.PARTNER_CENTER_CERTIFICATE_PATH && !existsSync(env.PARTNER_CENTER_CERTIFICATE_PATH)) ctx.addIssue({ code: "custom", path: ["PARTNER_CENTER_CERTIFICATE_PATH"], message: `names no file (${env.PARTNER_CENTER_CERTIFICATE_PATH.slice(0, 200)})` });
      const api = new URL(env.PARTNER_CENTER_API_URL);
      if (api.protocol !== "https:" && !isLoopbackHost(api.hostname)) ctx.addIssue({ code: "custom", path: ["PARTNER_CENTER_API_URL"], message: "must be https (plain http only for a stand-in on loopback)" });
    }
    for (const url of splitList(env.ALLOWED_SERVICE_URLS)) {
      if (!/^https?:\/\/[^/\s]+/.test(url)) ctx.addIssue({ code: "custom", path: ["ALLOWED_SERVICE_URLS"], message: `must be a comma-separated list of http(s) origins, such as http://10.0.0.5:56150 (not "${url.slice(0, 60)}")` });
    }
  });

const dayList = (value: string) => [...new Set(value.split(",").map(Number))].filter((days) => days > 0).sort((a, b) => b - a);
const splitList = (value: string | undefined) => (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);

/** Loopback names and addresses: where an unauthenticated bot may listen. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A 32-byte key from base64 (or hex), or undefined. */
function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  return key.length === 32 ? key : undefined;
}

export interface Config {
  readonly port: number;
  /** Interface to listen on: loopback unless the bot authenticates its callers. */
  readonly host: string;
  readonly database: { readonly provider: "sqlite"; readonly file: string } | { readonly provider: "postgresql"; readonly url: string };
  readonly microsoftApp: {
    readonly id?: string;
    readonly password?: string;
    readonly type: "MultiTenant" | "SingleTenant" | "UserAssignedMSI";
    readonly tenantId?: string;
  };
  readonly providerTenantId?: string;
  /** Name shown for the provider organisation when it is first recorded. */
  readonly providerName: string;
  readonly defaultLocale: Locale;
  /** How often the reminder sweep runs (0: not in this process; run `npm run reminders` from cron). */
  readonly reminderIntervalSeconds: number;
  /** Days before a trial ends, or a legacy suspended subscription's data is deleted, when reminders are sent. */
  readonly reminderLeadDays: number[];
  readonly reminders: {
    /** Hours before a 7-day New Commerce window closes when "window closing" is sent. */
    readonly windowHours: number;
    /** Days before the term end of an annual or triennial subscription when "renewal ahead" is sent. */
    readonly renewalLeadDays: number[];
    /** Also remind of month-to-month subscriptions that renew unchanged. */
    readonly monthlyRenewals: boolean;
  };
  readonly partnerCenter: {
    /** embedded: the built-in sandbox (the default); api: the real Partner Center REST API. */
    readonly mode: "embedded" | "api";
    /** Embedded sandbox: how long checked-out subscriptions take to appear (Partner Center's provisioning). */
    readonly provisioningLagSeconds: number;
    readonly apiUrl: string;
    readonly authorityUrl: string;
    readonly appId?: string;
    /** The app's client secret (never logged). */
    readonly appSecret?: string;
    readonly certificate?: { readonly path: string; readonly thumbprint: string };
    readonly timeoutMs: number;
    /** Calls per minute this bot allows itself per partner tenant (Partner Center's limit is about 500). */
    readonly requestsPerMinute: number;
    /** How often each subscription of the mirror is read again on a schedule (0: only on open, on events and when a date passes). */
    readonly refreshHours: number;
    /** Hosts a webhook's signing certificate may come from (besides Partner Center's). */
    readonly webhookCertificateHosts: readonly string[];
  };
  readonly logLevel: string;
  /** JSON lines (production, what log collectors read) or human-readable (development). */
  readonly logFormat: "json" | "pretty";
  readonly security: {
    /** Unauthenticated and reachable beyond loopback, on purpose (INSECURE_UNAUTHENTICATED_LAB). */
    readonly labMode: boolean;
    /** Without an app id: the serviceUrls (origins) replies may go to, besides loopback. */
    readonly allowedServiceUrls: readonly string[];
    /** Where the Bot Framework's token signing keys are published (a stand-in in tests). */
    readonly openIdMetadataUrl?: string;
  };
  /** Key for secrets kept for a while (a customer's temporary password until its creator has seen it). */
  readonly encryptionKey?: Buffer;
  /** Idle dialog state older than this is forgotten. */
  readonly dialogStateTtlDays: number;
  /** How long a turn waits for the previous turn of the same user in the same conversation. */
  readonly turnLockWaitMs: number;
  /** On SIGTERM, how long the turns in flight and the sweep have to finish before the process exits anyway. */
  readonly shutdownSeconds: number;
  /** A message turn still running after this long shows Teams' typing indicator (0: never). */
  readonly typingDelayMs: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/**
 * The names Teams samples and the Agents Toolkit use for the bot's identity, and the setting each
 * stands for. Either name works; both, with different values, is refused with both names.
 */
export const identityAliases: Record<string, string[]> = {
  MICROSOFT_APP_ID: ["MicrosoftAppId", "BOT_ID"],
  MICROSOFT_APP_PASSWORD: ["MicrosoftAppPassword", "SECRET_BOT_PASSWORD"],
  MICROSOFT_APP_TYPE: ["MicrosoftAppType"],
  MICROSOFT_APP_TENANT_ID: ["MicrosoftAppTenantId"],
};

/** The environment with each alias read as the setting it names; conflicts listed, never guessed. */
function withAliases(env: Record<string, string | undefined>): { env: Record<string, string | undefined>; errors: string[] } {
  const out = { ...env };
  const errors: string[] = [];
  for (const [name, aliases] of Object.entries(identityAliases)) {
    const given = [name, ...aliases].filter((key) => env[key] !== undefined && env[key] !== "");
    const values = new Set(given.map((key) => env[key]));
    if (values.size > 1) errors.push(`${name} is set differently as ${given.join(" and ")}: keep one (${name} is the bot's own name for it)`);
    else if (given.length && !env[name]) out[name] = env[given[0]];
    // A near miss (MicrosoftAppID, MICROSOFTAPPID, microsoft_app_id…) would leave the bot unauthenticated: refused, with the name to use.
    const squash = (key: string) => key.toLowerCase().replace(/_/g, "");
    for (const key of Object.keys(env)) {
      if (env[key] && squash(key) === squash(name) && key !== name && !aliases.includes(key)) errors.push(`${key} is not a setting: did you mean ${name} (or ${aliases[0]})?`);
    }
  }
  return { env: out, errors };
}

/** Parses an environment into a frozen config, or lists every bad field with what it must be. */
export function parseConfig(raw: Record<string, string | undefined>, cwd = process.cwd()): ConfigResult {
  const { env, errors: aliasErrors } = withAliases(raw);
  if (aliasErrors.length) return { ok: false, errors: aliasErrors };
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"} ${issue.message}`) };
  }
  const e = parsed.data;
  const database: Config["database"] = !e.DATABASE_URL
    ? { provider: "sqlite", file: resolve(cwd, e.DATA_DIR, "bot.db") }
    : e.DATABASE_URL.startsWith("file:")
      ? { provider: "sqlite", file: resolve(cwd, e.DATABASE_URL.slice("file:".length)) }
      : { provider: "postgresql", url: e.DATABASE_URL };
  const config: Config = {
    port: e.PORT,
    host: e.HOST ?? (e.MICROSOFT_APP_ID ? "0.0.0.0" : "127.0.0.1"),
    database,
    microsoftApp: { id: e.MICROSOFT_APP_ID, password: e.MICROSOFT_APP_PASSWORD, type: e.MICROSOFT_APP_TYPE, tenantId: e.MICROSOFT_APP_TENANT_ID },
    providerTenantId: e.PROVIDER_TENANT_ID,
    providerName: e.PROVIDER_NAME,
    defaultLocale: e.DEFAULT_LOCALE,
    reminderIntervalSeconds: e.REMINDER_INTERVAL_SECONDS,
    reminderLeadDays: dayList(e.REMINDER_LEAD_DAYS),
    reminders: { windowHours: e.REMINDER_WINDOW_HOURS, renewalLeadDays: dayList(e.REMINDER_RENEWAL_DAYS), monthlyRenewals: e.REMINDER_MONTHLY_RENEWALS === "true" },
    partnerCenter: {
      mode: e.PARTNER_CENTER,
      provisioningLagSeconds: e.SANDBOX_PROVISIONING_LAG_SECONDS,
      apiUrl: e.PARTNER_CENTER_API_URL.replace(/\/+$/, ""),
      authorityUrl: e.ENTRA_AUTHORITY_URL.replace(/\/+$/, ""),
      appId: e.PARTNER_CENTER_APP_ID,
      appSecret: e.PARTNER_CENTER_APP_SECRET,
      certificate: e.PARTNER_CENTER_CERTIFICATE_PATH ? { path: e.PARTNER_CENTER_CERTIFICATE_PATH, thumbprint: e.PARTNER_CENTER_CERTIFICATE_THUMBPRINT! } : undefined,
      timeoutMs: e.PARTNER_CENTER_TIMEOUT_SECONDS * 1000,
      requestsPerMinute: e.PARTNER_CENTER_REQUESTS_PER_MINUTE,
      refreshHours: e.PARTNER_CENTER_REFRESH_HOURS,
      webhookCertificateHosts: splitList(e.PARTNER_CENTER_WEBHOOK_CERTIFICATE_HOSTS),
    },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    security: {
      labMode: e.INSECURE_UNAUTHENTICATED_LAB === "true",
      allowedServiceUrls: splitList(e.ALLOWED_SERVICE_URLS).map((url) => new URL(url).origin),
      openIdMetadataUrl: e.BOT_OPENID_METADATA_URL,
    },
    encryptionKey: e.ENCRYPTION_KEY ? decodeKey(e.ENCRYPTION_KEY) : undefined,
    dialogStateTtlDays: e.DIALOG_STATE_TTL_DAYS,
    turnLockWaitMs: e.TURN_LOCK_WAIT_SECONDS * 1000,
    typingDelayMs: e.TYPING_DELAY_MS,
    shutdownSeconds: e.SHUTDOWN_SECONDS,
  };
  return { ok: true, config: Object.freeze(config) };
}

/**
 * What `npm run package` needs, and nothing more (no password: building a zip is not running the
 * bot): the bot's app id, from MICROSOFT_APP_ID or one of its aliases, and the Teams app id
 * (TEAMS_APP_ID, which the Agents Toolkit writes; the bot's id when unset).
 */
export function packageIdentity(raw: Record<string, string | undefined>): { ok: true; botId: string; teamsAppId: string } | { ok: false; errors: string[] } {
  const { env, errors } = withAliases(raw);
  const own = errors.filter((error) => error.includes("MICROSOFT_APP_ID"));
  if (own.length) return { ok: false, errors: own };
  const botId = emptyAsUndefined(env.MICROSOFT_APP_ID) as string | undefined;
  if (!botId) return { ok: false, errors: ["Set MICROSOFT_APP_ID (or BOT_ID: the Azure Bot's app id, in the environment or .env) before packaging: the manifest names the bot by it. No password is needed to package."] };
  const problems = [["MICROSOFT_APP_ID", botId], ["TEAMS_APP_ID", emptyAsUndefined(env.TEAMS_APP_ID) as string | undefined]].flatMap(([name, value]) => {
    const checked = value === undefined ? undefined : guid.safeParse(value);
    return checked && !checked.success ? [`${name} ${checked.error.issues[0].message}`] : [];
  });
  if (problems.length) return { ok: false, errors: problems };
  return { ok: true, botId, teamsAppId: (emptyAsUndefined(env.TEAMS_APP_ID) as string | undefined) ?? botId };
}

/**
 * For the one-off commands (npm run reminders, backup, partner-center): the configuration from
 * the environment and .env, or each bad field on stderr and exit 1.
 */
export function configForCommand(): Config {
  loadDotEnv();
  const parsed = parseConfig(process.env);
  if (parsed.ok) return parsed.config;
  for (const error of parsed.errors) console.error(`configuration: ${error}`);
  process.exit(1);
}

/** Reads `.env` (if present) into the process environment without overriding what is set. */
export function loadDotEnv(cwd = process.cwd()): void {
  const file = resolve(cwd, ".env");
  if (existsSync(file)) process.loadEnvFile(file);
}
