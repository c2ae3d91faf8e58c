import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";

describe("configuration", () => {
  it("runs locally with nothing set: port 3978, embedded SQLite under data/, loopback, English", () => {
    const result = parseConfig({}, "/srv/bot");
    expect(result).toEqual({
      ok: true,
      config: expect.objectContaining({
        port: 3978,
        host: "127.0.0.1",
        database: { provider: "sqlite", file: "/srv/bot/data/bot.db" },
        defaultLocale: "en",
        logLevel: "info",
        providerTenantId: undefined,
      }),
    });
    if (result.ok) expect(Object.isFrozen(result.config)).toBe(true);
  });

  it("uses PostgreSQL when DATABASE_URL says so, and treats empty values as unset", () => {
    const result = parseConfig({ DATABASE_URL: "postgresql://bot:pw@db:5432/csp", PORT: "", DEFAULT_LOCALE: "fr", PROVIDER_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47" });
    expect(result.ok && result.config.database).toEqual({ provider: "postgresql", url: "postgresql://bot:pw@db:5432/csp" });
    expect(result.ok && result.config.port).toBe(3978);
    expect(result.ok && result.config.defaultLocale).toBe("fr");
  });

  it("listens on all interfaces only once requests are authenticated (an app id is set)", () => {
    const result = parseConfig({ MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", MICROSOFT_APP_PASSWORD: "s3cret", MICROSOFT_APP_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47", PROVIDER_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47" });
    expect(result.ok && result.config.host).toBe("0.0.0.0");
  });

  it("a bot identity is single-tenant unless told otherwise (new multi-tenant Azure Bots cannot be created), and then needs its tenant", () => {
    const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const single = parseConfig({ MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", MICROSOFT_APP_PASSWORD: "s3cret", MICROSOFT_APP_TENANT_ID: tenant, PROVIDER_TENANT_ID: tenant });
    expect(single.ok && single.config.microsoftApp.type).toBe("SingleTenant");
    const managed = parseConfig({ MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", MICROSOFT_APP_TYPE: "UserAssignedMSI", PROVIDER_TENANT_ID: tenant });
    expect(managed.ok && managed.config.microsoftApp).toEqual({ id: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", type: "UserAssignedMSI" });
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT must be between 1 and 65535"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL must start with postgresql://"],
    [{ MICROSOFT_APP_ID: "not-a-guid", MICROSOFT_APP_PASSWORD: "x" }, "MICROSOFT_APP_ID must be a GUID"],
    [{ MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", MICROSOFT_APP_PASSWORD: "x" }, "PROVIDER_TENANT_ID is required when MICROSOFT_APP_ID is set"],
    [{ HOST: "0.0.0.0" }, "HOST must be a loopback address (127.0.0.1, ::1, localhost) while MICROSOFT_APP_ID is unset"],
    [{ ALLOWED_SERVICE_URLS: "smba.example.com" }, "ALLOWED_SERVICE_URLS must be a comma-separated list of http(s) origins"],
    [{ ENCRYPTION_KEY: "short" }, "ENCRYPTION_KEY must be 32 random bytes, base64-encoded"],
    [{ MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e" }, "MICROSOFT_APP_PASSWORD is required when MICROSOFT_APP_ID is set"],
    [{ MICROSOFT_APP_ID: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e", MICROSOFT_APP_PASSWORD: "x", PROVIDER_TENANT_ID: "72f988bf-86f1-41af-91ab-2d7cd011db47" }, "MICROSOFT_APP_TENANT_ID is required for a single-tenant bot, the default"],
    [{ MICROSOFT_APP_TYPE: "Everyone" }, "MICROSOFT_APP_TYPE must be SingleTenant (the default), UserAssignedMSI or MultiTenant"],
    [{ DEFAULT_LOCALE: "de" }, "DEFAULT_LOCALE must be en or fr"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL must be one of"],
    [{ PROVIDER_TENANT_ID: "contoso tenant" }, "PROVIDER_TENANT_ID must be the provider's Microsoft Entra tenant id"],
  ])("rejects %o naming the field and what it must be", (env, message) => {
    const result = parseConfig(env);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.join("\n")).toContain(message);
  });

  it("accepts the names Teams samples and the Agents Toolkit use for the bot's identity, refuses two different values, and refuses a near miss rather than start unauthenticated", () => {
    const id = "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e";
    const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    const samples = parseConfig({ MicrosoftAppId: id, MicrosoftAppPassword: "s3cret", MicrosoftAppType: "SingleTenant", MicrosoftAppTenantId: tenant, PROVIDER_TENANT_ID: tenant });
    expect(samples.ok && samples.config.microsoftApp).toEqual({ id, password: "s3cret", type: "SingleTenant", tenantId: tenant });
    const toolkit = parseConfig({ BOT_ID: id, SECRET_BOT_PASSWORD: "s3cret", MICROSOFT_APP_TENANT_ID: tenant, PROVIDER_TENANT_ID: tenant });
    expect(toolkit.ok && toolkit.config.microsoftApp).toMatchObject({ id, password: "s3cret" });
    expect(parseConfig({ MICROSOFT_APP_ID: id, BOT_ID: "11111111-2222-4333-8444-555555555555", MICROSOFT_APP_PASSWORD: "x", PROVIDER_TENANT_ID: tenant })).toEqual({ ok: false, errors: ["MICROSOFT_APP_ID is set differently as MICROSOFT_APP_ID and BOT_ID: keep one (MICROSOFT_APP_ID is the bot's own name for it)"] });
    expect(parseConfig({ MicrosoftAppID: id, MicrosoftAppPassword: "x" })).toEqual({ ok: false, errors: ["MicrosoftAppID is not a setting: did you mean MICROSOFT_APP_ID (or MicrosoftAppId)?"] });
    expect(parseConfig({ microsoft_app_password: "x" })).toEqual({ ok: false, errors: ["microsoft_app_password is not a setting: did you mean MICROSOFT_APP_PASSWORD (or MicrosoftAppPassword)?"] });
  });

  it("lists every bad field at once", () => {
    const result = parseConfig({ PORT: "0", DEFAULT_LOCALE: "de", LOG_LEVEL: "loud" });
    expect(!result.ok && result.errors).toHaveLength(3);
  });

  it("npm start with a bad value prints the field and exits non-zero without starting", () => {
    const root = join(import.meta.dirname, "..");
    const run = spawnSync(process.execPath, ["--import", "tsx", join(root, "bot", "index.ts")], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: "not-a-port", DEFAULT_LOCALE: "de" },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("PORT");
    expect(run.stderr).toContain("DEFAULT_LOCALE must be en or fr");
  });
});
