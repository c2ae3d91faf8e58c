/**
 * What most tests build the same way: a valid configuration (with a fixed test encryption key,
 * which PostgreSQL requires), the domain services on a test database, and the real bot driven
 * through TestAdapter with a roster stand-in (TestAdapter has no Bot Connector to ask).
 */
import type { TurnContext } from "botbuilder";
import { createBot, type BotParts } from "../../bot/app.js";
import type { PartnerBot } from "../../bot/partnerBot.js";
import type { MemberDirectory, Membership } from "../../bot/teams/memberDirectory.js";
import { parseConfig, type Config } from "../../src/config.js";
import type { Database, Db } from "../../src/db/database.js";
import { createDomain, type DomainOptions } from "../../src/domain.js";
import type { Logger } from "../../src/log.js";
import { SecretBox } from "../../src/security/secretBox.js";
import { RecordingNotifier } from "./recordingNotifier.js";

/** A fixed key for tests only (32 bytes, base64). */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

/** A configuration as parseConfig makes it, reminders off unless asked, with the test key. */
export function testConfig(env: Record<string, string> = {}): Config {
  // No typing indicator unless a test asks (it would be one more activity to count).
  const parsed = parseConfig({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, REMINDER_INTERVAL_SECONDS: "0", TYPING_DELAY_MS: "0", ...env });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.config;
}

export const testSecrets = () => new SecretBox(Buffer.from(TEST_ENCRYPTION_KEY, "base64"));

/** The domain services on a database (the embedded Partner Center on it), with an injectable clock. */
export function testServices(db: Db, now?: () => Date, options: Partial<DomainOptions> = {}) {
  return createDomain(db, { secrets: testSecrets(), now, providerTenantId: async () => "72f988bf-86f1-41af-91ab-2d7cd011db47", ...options });
}

/**
 * The Teams roster as TestAdapter tests need it: each sender is a member of the conversation's
 * tenant, unless a test says otherwise for a user (a guest, an external member).
 */
export class StaticRoster implements MemberDirectory {
  readonly members = new Map<string, Membership | undefined>();

  async membership(context: TurnContext): Promise<Membership | undefined> {
    const id = context.activity.from.aadObjectId ?? context.activity.from.id;
    if (this.members.has(id)) return this.members.get(id);
    return { tenantId: context.activity.conversation.tenantId ?? (context.activity.channelData as { tenant?: { id?: string } })?.tenant?.id, userRole: "user" };
  }
}

/** The real bot, for TestAdapter: proactive messages recorded, the roster a stand-in. */
export function testBot(config: Config, database: Database, logger: Logger, parts: Partial<BotParts> = {}): PartnerBot {
  return createBot(config, database, logger, { notifier: new RecordingNotifier(), directory: new StaticRoster(), ...parts });
}
