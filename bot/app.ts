/**
 * The composition root: from a validated config it builds the database (migrated and seeded),
 * the services, the durable state, the dialogs, the adapter and the HTTP server, and passes
 * each its dependencies. Nothing below this file reads the environment.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from "botbuilder";
import restify from "restify";
import { z } from "zod";
import { seedCatalog } from "../src/catalog/catalogSeed.js";
import type { Config } from "../src/config.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { isDatabaseUnavailable } from "../src/db/errors.js";
import { localeOf, translator } from "../src/i18n/index.js";
import { IdentityService } from "../src/identity/identityService.js";
import type { Logger } from "../src/log.js";
import { ActivityLedger } from "../src/state/activityLedger.js";
import { ETagConflict, StateStore } from "../src/state/stateStore.js";
import { CatalogService } from "../src/catalog/catalogService.js";
import { CustomerService } from "../src/customers/customerService.js";
import { CommandRegistry, type Command } from "./commands.js";
import { customerCommands } from "./customers/customerCommands.js";
import { NewSubscriptionDialog } from "./subscriptions/newSubscriptionDialog.js";
import { subscriptionCommands } from "./subscriptions/subscriptionCommands.js";
import { SubscriptionService } from "../src/subscriptions/subscriptionService.js";
import { MainDialog } from "./dialogs/mainDialog.js";
import { UserConversationState } from "./durableState.js";
import { PartnerBot } from "./partnerBot.js";
import { PrismaStorage } from "./prismaStorage.js";
import { staffCommands } from "./staffCommands.js";
import { TeamsReminderChannel } from "./reminders/teamsReminderChannel.js";
import { ConnectorSender } from "./reminders/connectorSender.js";
import { MicrosoftAppCredentials } from "botframework-connector";
import { ReminderScheduler } from "../src/reminders/reminderScheduler.js";
import { ProactiveNotifier, type Notifier } from "./proactive.js";
import { InvitationGate, resellerCommands } from "./resellers/resellerCommands.js";
import { PartnershipService } from "../src/resellers/partnershipService.js";
import { ConversationRefStore } from "../src/proactive/conversationRefs.js";

const activityEnvelope = z.looseObject({
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  conversation: z.looseObject({ id: z.string().min(1).max(1024) }),
  from: z.looseObject({ id: z.string().min(1).max(1024) }),
  // Optional fields the bot reads are dropped when malformed rather than trusted.
  locale: z.string().max(35).optional().catch(undefined),
  text: z.string().max(100_000).optional().catch(undefined),
});

export interface App {
  readonly server: restify.Server;
  readonly database: Database;
  readonly adapter: CloudAdapter;
  readonly bot: PartnerBot;
  /** The port actually listened on (useful with PORT=0 in tests). */
  readonly port: number;
  close(): Promise<void>;
}

export interface BotParts {
  /** Proactive messages; without one (a bot driven by TestAdapter), a notifier must be given. */
  notifier: Notifier;
  /** Extra commands (tests register sample flows through the same mechanism). */
  features?: Command[];
}

/** The bot's parts, without HTTP: what tests drive through botbuilder's TestAdapter. */
export function createBot(config: Config, database: Database, logger: Logger, parts: BotParts): PartnerBot {
  const features = parts.features ?? [];
  const identity = new IdentityService(database.db, { providerTenantId: config.providerTenantId, providerName: config.providerName, logger });
  const state = new UserConversationState(new PrismaStorage(new StateStore(database.db)));
  const customers = new CustomerService(database.db);
  const catalog = new CatalogService(database.db);
  const subscriptions = new SubscriptionService(database.db, customers);
  const newSubscription: Command = {
    id: "subscription.new",
    verb: "subscription.new",
    phrases: ["new subscription", "nouvel abonnement", "order", "commander"],
    prefixes: ["new subscription for ", "new subscription ", "nouvel abonnement pour ", "nouvel abonnement "],
    helpLine: "help.command.newSubscription",
    dialog: new NewSubscriptionDialog(subscriptions, customers, catalog),
  };
  const partnerships = new PartnershipService(database.db);
  const commands = new CommandRegistry([
    ...customerCommands(customers, catalog, partnerships),
    newSubscription,
    ...subscriptionCommands(subscriptions, customers),
    ...resellerCommands(partnerships, config.microsoftApp.id),
    ...staffCommands(identity),
    ...features,
  ]);
  return new PartnerBot({
    identity,
    invitations: new InvitationGate(partnerships, parts.notifier, logger),
    conversationRefs: new ConversationRefStore(database.db),
    ledger: new ActivityLedger(database.db),
    turnLock: database.turnLock,
    state,
    dialog: new MainDialog(commands),
    commands,
    defaultLocale: config.defaultLocale,
    logger,
  });
}

/** The reminder sweep, sending through Teams with the app's adapter. */
export function createReminderScheduler(config: Config, database: Database, logger: Logger): ReminderScheduler {
  const { id, password, type, tenantId } = config.microsoftApp;
  // Bot Framework tokens for the connector; none in local, unauthenticated mode (the Playground).
  const credentials = id && type !== "UserAssignedMSI" ? new MicrosoftAppCredentials(id, password ?? "", type === "SingleTenant" ? tenantId : undefined) : undefined;
  const channel = new TeamsReminderChannel(new ConnectorSender(credentials), database.db, new ConversationRefStore(database.db), config.defaultLocale, logger);
  return new ReminderScheduler(database.db, channel, logger, { leadDays: config.reminderLeadDays });
}

/** Runs the sweep every interval, never two at once in this process; returns a stop function. */
function startReminders(scheduler: ReminderScheduler, seconds: number, logger: Logger): () => void {
  if (seconds <= 0) return () => {};
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const report = await scheduler.sweep(new Date());
      if (Object.values(report).some((count) => count > 0)) logger.info(report, "reminder sweep");
    } catch (error) {
      logger.error({ err: error }, "reminder sweep failed; the next one will try again");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}

/** Migrates, seeds and starts listening. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const started = Date.now();
  const database = openDatabase(config.database);
  const applied = await database.migrate();
  logger.info({ database: database.description, applied }, applied.length ? "applied database migrations" : "database schema is up to date");
  const seeded = await seedCatalog(database.db);
  logger.info(seeded, "offer catalog seeded");

  const adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: config.microsoftApp.id ?? "",
      MicrosoftAppPassword: config.microsoftApp.password ?? "",
      MicrosoftAppType: config.microsoftApp.type,
      MicrosoftAppTenantId: config.microsoftApp.tenantId ?? "",
    }),
  );
  adapter.onTurnError = (context, error) => onTurnError(context, error, config, logger);
  const notifier = new ProactiveNotifier(adapter, config.microsoftApp.id ?? "", new ConversationRefStore(database.db), logger);
  const bot = createBot(config, database, logger, { notifier });

  const server = restify.createServer({ name: "csp-partner-bot", handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
  server.post("/api/messages", async (req, res) => {
    // The envelope every Bot Framework activity has; anything else is refused before the adapter sees it.
    const envelope = activityEnvelope.safeParse(req.body);
    if (!envelope.success) {
      res.send(400, { error: "not a Bot Framework activity" });
      return;
    }
    req.body = envelope.data;
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.get("/healthz", async (_req, res) => {
    try {
      await database.db.$queryRawUnsafe("SELECT 1");
      res.send(200, { status: "ok", database: database.provider });
    } catch (error) {
      logger.error({ err: error }, "health check: database unavailable");
      res.send(503, { status: "unavailable", database: database.provider });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const pruneTimer = setInterval(() => void new ActivityLedger(database.db).prune(new Date(Date.now() - 86_400_000)).catch((error: unknown) => logger.warn({ err: error }, "could not prune handled activities")), 3_600_000);
  pruneTimer.unref();
  const stopReminders = startReminders(createReminderScheduler(config, database, logger), config.reminderIntervalSeconds, logger);
  logger.info({ url: `http://${config.host}:${port}/api/messages`, database: database.description, startupMs: Date.now() - started }, "bot is ready");
  if (!config.microsoftApp.id && !["127.0.0.1", "localhost", "::1"].includes(config.host)) {
    logger.warn({ host: config.host }, "SECURITY: MICROSOFT_APP_ID is not set, so requests are NOT authenticated, and HOST makes the bot listen beyond loopback. Anyone who reaches this port can act as any Teams user. Set MICROSOFT_APP_ID, or unset HOST.");
  } else if (!config.microsoftApp.id) {
    logger.warn("MICROSOFT_APP_ID is not set: requests are not authenticated, so the bot listens on loopback only (local development)");
  }

  return {
    server,
    database,
    adapter,
    bot,
    port,
    close: async () => {
      stopReminders();
      clearInterval(pruneTimer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

/** Logs the whole error; tells the user only a short, localized apology, never internals. */
export async function onTurnError(context: TurnContext, error: unknown, config: Pick<Config, "defaultLocale">, logger: Logger): Promise<void> {
  const activity = context.activity;
  logger.error({ err: error, activityId: activity.id, conversationId: activity.conversation?.id, activityType: activity.type }, "turn failed");
  try {
    if (activity.type === "message") {
      const t = translator(localeOf(activity.locale, config.defaultLocale));
      await context.sendActivity(t(error instanceof ETagConflict ? "error.busy" : isDatabaseUnavailable(error) ? "error.dbUnavailable" : "error.apology"));
    } else if (activity.type === "invoke") {
      await context.sendActivity({ type: "invokeResponse", value: { status: 500 } });
    }
  } catch (sendError) {
    logger.error({ err: sendError, activityId: activity.id }, "could not tell the user about the failed turn");
  }
}
