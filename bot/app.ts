/**
 * The composition root: from a validated config it builds the database (migrated), the Partner
 * Center adapter,
 * the services, the durable state, the dialogs, the adapter and the HTTP server, and passes
 * each its dependencies. Nothing below this file reads the environment.
 */
import { ActivityTypes, ShowTypingMiddleware, type TurnContext } from "botbuilder";
import type restify from "restify";
import type { Config } from "../src/config.js";
import { openDatabase, type Database } from "../src/db/database.js";
import { isDatabaseUnavailable } from "../src/db/errors.js";
import { localeOf, translator } from "../src/i18n/index.js";
import { IdentityService } from "../src/identity/identityService.js";
import type { Logger } from "../src/log.js";
import { ETagConflict, StateStore } from "./turns/stateStore.js";
import { CustomerService } from "../src/customers/customerService.js";
import { createDomain, type Domain } from "../src/domain.js";
import { connectPartnerCenter, type PartnerCenterConnection } from "../src/partnerCenter/connect.js";
import type { PartnerCenterError } from "../src/partnerCenter/errors.js";
import { SignInAlerts } from "./partnerCenter/partnerCenterAlerts.js";
import { partnerCenterCommands } from "./partnerCenter/partnerCenterCommands.js";
import { PartnerCenterEvents, WebhookVerifier } from "../src/partnerCenter/rest/webhooks.js";
import { CommandRegistry, type Command } from "./commands.js";
import { customerCommands } from "./customers/customerCommands.js";
import { approvalCommands, sweepApprovals } from "./approvals/approvalCommands.js";
import { searchExtension } from "./messageExtension.js";
import { newSubscriptionCommand } from "./subscriptions/newSubscriptionDialog.js";
import { subscriptionCommands } from "./subscriptions/subscriptionCommands.js";
import { MainDialog } from "./dialogs/mainDialog.js";
import { UserConversationState } from "./durableState.js";
import { PartnerBot } from "./partnerBot.js";
import { PrismaStorage } from "./prismaStorage.js";
import { staffCommands } from "./staff/staffCommands.js";
import { TeamsReminderChannel } from "./reminders/teamsReminderChannel.js";
import { ConnectorSender } from "./reminders/connectorSender.js";
import { BotCredentialFactory } from "./http/botCredentials.js";
import { ReminderScheduler } from "../src/reminders/reminderScheduler.js";
import { ProactiveNotifier, type Notifier } from "./proactive.js";
import { InvitationGate, resellerCommands } from "./resellers/resellerCommands.js";
import { ConversationRefStore } from "./teams/conversationRefs.js";
import { encryptionKeyFor, SecretBox } from "../src/security/secretBox.js";
import { botFrameworkAuthentication, RequestAuthenticator } from "./http/authentication.js";
import { createHttpServer, PartnerAdapter } from "./http/server.js";
import { TeamsRoster, type MemberDirectory } from "./teams/memberDirectory.js";
import { ActivityLedger } from "./turns/activityLedger.js";
import { TurnRecords } from "./turns/turnRecords.js";
import { InProcessTurnLock, PostgresTurnLock, type TurnLock } from "./turns/turnLock.js";
import { LocalSendBudget, SharedSendBudget } from "./teams/sendBudget.js";
import { readMigrations } from "../src/db/migrations.js";
import { explainStartup, StartupProblem } from "./startupProblems.js";
import { DatabaseInUse, lockSqliteFile, type SqliteLock } from "../src/db/sqliteLock.js";
import { Metrics } from "./metrics.js";

export interface App {
  readonly server: restify.Server;
  readonly database: Database;
  readonly adapter: PartnerAdapter;
  readonly bot: PartnerBot;
  /** The port actually listened on (useful with PORT=0 in tests). */
  readonly port: number;
  close(): Promise<void>;
}

export interface BotParts {
  /** Proactive messages; without one (a bot driven by TestAdapter), a notifier must be given. */
  notifier: Notifier;
  /** Who each sender is: the Teams roster in production, a stand-in with TestAdapter (which has no connector). */
  directory: MemberDirectory;
  /** Extra commands (tests register sample flows through the same mechanism). */
  features?: Command[];
  /** The domain services (one set per process: the reminder sweep shares them); built from the config when not given. */
  domain?: Domain;
}

/** The domain services of this configuration: its Partner Center (the embedded sandbox, or the REST API), the mirror, the services. */
export function domainFor(config: Config, database: Database, logger: Logger, options: { identity?: IdentityService; onSignInProblem?: (error: PartnerCenterError) => void; metrics?: Metrics } = {}): Domain & { connection: PartnerCenterConnection } {
  const secrets = new SecretBox(encryptionKeyFor({ encryptionKey: config.encryptionKey, database: database.config }));
  const providerTenantId = options.identity ? () => options.identity!.providerTenantId() : async () => config.providerTenantId;
  const metrics = options.metrics;
  const connection = connectPartnerCenter(config, database.db, { secrets, logger, providerTenantId, onSignInProblem: options.onSignInProblem, onCall: metrics ? (method, status) => metrics.partnerCenterCall(method, status) : undefined });
  return { ...createDomain(database.db, { secrets, partnerCenter: connection.pc, providerTenantId }), connection };
}

/** The bot's parts, without HTTP: what tests drive through botbuilder's TestAdapter. */
export function createBot(config: Config, database: Database, logger: Logger, parts: BotParts): PartnerBot {
  const features = parts.features ?? [];
  const identity = new IdentityService(database.db, { providerTenantId: config.providerTenantId, providerName: config.providerName, logger, provider: database.provider });
  const storage = new PrismaStorage(new StateStore(database.db, { ttlMs: config.dialogStateTtlDays * 86_400_000 }));
  const state = new UserConversationState(storage);
  const domain = parts.domain ?? domainFor(config, database, logger, { identity });
  const { customers, catalog, orders, subscriptions, partnerships, approvals } = domain;
  const notifier = parts.notifier;
  const commands = new CommandRegistry([
    ...customerCommands(customers, catalog, orders, partnerships),
    newSubscriptionCommand({ subscriptions, customers, catalog, orders, approvals, notifier }),
    ...subscriptionCommands(subscriptions, customers, { approvals, notifier }),
    ...resellerCommands(partnerships, config.microsoftApp.id),
    ...staffCommands(identity),
    ...approvalCommands(approvals, notifier),
    ...partnerCenterCommands((domain as Partial<{ connection: PartnerCenterConnection }>).connection?.tokens, parts.notifier, logger),
    ...features,
  ]);
  return new PartnerBot({
    identity,
    invitations: new InvitationGate(partnerships, parts.notifier, new ConversationRefStore(database.db), logger),
    conversationRefs: new ConversationRefStore(database.db),
    ledger: new ActivityLedger(database.db),
    records: new TurnRecords(database, storage),
    turnLock: turnLockFor(database),
    turnLockWaitMs: config.turnLockWaitMs,
    directory: parts.directory,
    state,
    dialog: new MainDialog(commands),
    commands,
    search: searchExtension(customers, subscriptions),
    defaultLocale: config.defaultLocale,
    logger,
  });
}

/** Orders the turns of one user in one conversation: in this process, and across instances on PostgreSQL. */
function turnLockFor(database: Database): TurnLock {
  return database.config.provider === "postgresql" ? new PostgresTurnLock(database.config.url) : new InProcessTurnLock();
}

/** The reminder sweep, sending through Teams with the app's adapter, reading Partner Center through the domain's port. */
export function createReminderScheduler(config: Config, database: Database, logger: Logger, domain: Domain = domainFor(config, database, logger)): ReminderScheduler {
  // Bot Framework tokens for the connector, from the bot's identity of any type; none in local, unauthenticated mode (the Playground).
  const credentials = new BotCredentialFactory(config).tokenSource();
  const budget = database.config.provider === "postgresql" ? new SharedSendBudget(database.config.url) : new LocalSendBudget();
  const channel = new TeamsReminderChannel(new ConnectorSender(credentials), database.db, new ConversationRefStore(database.db), config.defaultLocale, logger, budget);
  // A sweep waits up to 10 s for retries about to fall due (a 429's Retry-After) rather than leave them to the next sweep.
  return new ReminderScheduler(database.db, channel, logger, { leadDays: config.reminderLeadDays, ...config.reminders, staleAfterMs: config.partnerCenter.refreshHours * 3_600_000, settleMs: 10_000, provider: database.config.provider }, domain.sync);
}

/**
 * Partnerships accepted in Teams and now found in Partner Center's relationships (the real
 * Partner Center only): made active, and the inviter and the reseller's admin told.
 */
export async function confirmResellers(domain: Domain, database: Database, notifier: Notifier, config: Pick<Config, "defaultLocale">, logger: Logger): Promise<number> {
  if (domain.pc.kind !== "api") return 0;
  const confirmed = await domain.resellerSync.confirm();
  for (const partnership of confirmed) {
    logger.info({ partnershipId: partnership.partnershipId }, "partnership confirmed by Partner Center");
    for (const [userId, key] of [[partnership.invitedById, "partnership.notify.confirmed"], [partnership.respondedById, "partnership.confirmed"]] as const) {
      if (!userId) continue;
      const user = await database.db.user.findUnique({ where: { id: userId } });
      await notifier.notifyUser(userId, { type: "message", text: translator(localeOf(user?.locale, config.defaultLocale))(key, { company: partnership.companyName }) });
    }
  }
  return confirmed.length;
}

/** Customers the partner has in Partner Center, brought into chat a few pages per sweep (the real Partner Center only). */
export async function importCustomers(domain: Domain, logger: Logger): Promise<number> {
  if (domain.pc.kind !== "api") return 0;
  const imported = await domain.customerImport.run();
  if (imported) logger.info({ imported }, "customers read from Partner Center");
  return imported;
}

/**
 * Runs the sweep (and the other periodic work) every interval, never two at once in this
 * process; returns a stop function that resolves once a sweep under way has finished.
 */
function startReminders(scheduler: ReminderScheduler, seconds: number, logger: Logger, also: (() => Promise<unknown>)[] = [], metrics?: Metrics): () => Promise<void> {
  if (seconds <= 0) return async () => {};
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        const report = await scheduler.sweep();
        metrics?.sweep(report as unknown as Record<string, number>);
        if (Object.values(report).some((count) => count > 0)) logger.info(report, "reminder sweep");
        for (const task of also) if (!stopped) await task();
      } catch (error) {
        logger.error({ err: error }, "reminder sweep failed; the next one will try again");
      }
    })();
    await running;
    running = undefined;
  };
  const timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
  void tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}

/** Migrates and starts listening. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const started = Date.now();
  // A mistake in the settings (a data directory that cannot be written, a database that does not
  // exist, refused credentials, a port in use) stops the start with what to do about it.
  const explained = (error: unknown) => {
    const sentence = explainStartup(error, config);
    return sentence ? new StartupProblem(sentence, error) : error;
  };
  let database: Database;
  let applied: string[];
  let lock: SqliteLock | undefined;
  const metrics = new Metrics();
  try {
    database = openDatabase(config.database, { onQuery: metrics.databaseStatement });
    // One process per SQLite file (several instances need PostgreSQL).
    if (config.database.provider === "sqlite") lock = lockSqliteFile(config.database.file);
    applied = await database.migrate();
  } catch (error) {
    lock?.release();
    if (error instanceof DatabaseInUse) throw new StartupProblem(error.message, error);
    throw explained(error);
  }
  logger.info({ database: database.description, applied }, applied.length ? "applied database migrations" : "database schema is up to date");

  const auth = botFrameworkAuthentication(config);
  const adapter = new PartnerAdapter(auth);
  // A message whose answer waits on the database or Partner Center shows "typing…" after a moment.
  if (config.typingDelayMs > 0) adapter.use(new ShowTypingMiddleware(config.typingDelayMs, 2_000));
  adapter.onTurnError = (context, error) => onTurnError(context, error, config, logger);
  const notifier = new ProactiveNotifier(adapter, config.microsoftApp.id ?? "", new ConversationRefStore(database.db), logger);
  const identity = new IdentityService(database.db, { providerTenantId: config.providerTenantId, providerName: config.providerName, logger, provider: database.provider });
  const alerts = new SignInAlerts(database.db, notifier, config.defaultLocale, logger);
  const domain = domainFor(config, database, logger, { identity, onSignInProblem: (error) => void alerts.report(error), metrics });
  logger.info(
    domain.pc.kind === "api" ? { partnerCenter: "api", url: config.partnerCenter.apiUrl, authority: config.partnerCenter.authorityUrl } : { partnerCenter: "embedded", provisioningLagSeconds: config.partnerCenter.provisioningLagSeconds },
    "Partner Center adapter",
  );
  const bot = createBot(config, database, logger, { notifier, directory: new TeamsRoster(), domain });

  const server = createHttpServer({
    partnerCenterEvents: domain.pc.kind === "api" ? { verifier: new WebhookVerifier(webhookCertificateHosts(config)), events: new PartnerCenterEvents(database.db, domain.mirror, logger) } : undefined,
    adapter,
    authenticator: new RequestAuthenticator(auth, config, logger),
    run: (context) => bot.run(context),
    health: readinessProbe(database, logger),
    metrics,
    logger,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    await database.close();
    lock?.release();
    throw explained(error);
  }
  const port = (server.address() as { port: number }).port;
  const maintenance = setInterval(() => void maintain(database, config, logger), 3_600_000);
  maintenance.unref();
  const stopReminders = startReminders(createReminderScheduler(config, database, logger, domain), config.reminderIntervalSeconds, logger, [() => confirmResellers(domain, database, notifier, config, logger), () => importCustomers(domain, logger), () => sweepApprovals(domain.approvals, notifier)], metrics);
  logger.info({ url: `http://${config.host}:${port}/api/messages`, database: database.description, startupMs: Date.now() - started }, "bot is ready");
  if (!config.microsoftApp.id && config.security.labMode) {
    logger.warn({ host: config.host }, "SECURITY: INSECURE_UNAUTHENTICATED_LAB is on: requests are NOT authenticated and the bot listens beyond loopback. Anyone who reaches this port can act as any Teams user. Use this on an isolated lab network only.");
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
      // No new requests; the turns in flight and the sweep under way finish; then the database closes.
      clearInterval(maintenance);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections with no request in flight would hold the close until they time out.
      server.server.closeIdleConnections();
      await Promise.all([closed, stopReminders()]);
      await bot.close();
      await domain.connection.close();
      await database.close();
      lock?.release();
    },
  };
}

/** Hosts a webhook's signing certificate may come from: Partner Center's, and those configured. */
function webhookCertificateHosts(config: Config): string[] {
  return [...new Set(["api.partnercenter.microsoft.com", new URL(config.partnerCenter.apiUrl).host, ...config.partnerCenter.webhookCertificateHosts].map((host) => host.toLowerCase()))];
}

/**
 * /readyz: 200 while the database answers and holds every migration of this build; 503 while it
 * does not. The failure is logged once when the state changes, not at every probe.
 */
function readinessProbe(database: Database, logger: Logger): () => Promise<{ status: number; body: object }> {
  let databaseDown = false;
  const expected = readMigrations(database.provider).migrationDirectories.map((migration) => migration.path);
  return async () => {
    try {
      const rows = await database.db.$queryRawUnsafe<{ migration_name: string }[]>("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL");
      const applied = new Set(rows.map((row) => row.migration_name));
      const missing = expected.filter((name) => !applied.has(name));
      if (missing.length) {
        if (!databaseDown) logger.error({ missing }, "not ready: the database lacks migrations of this build (npm run db:migrate)");
        databaseDown = true;
        return { status: 503, body: { status: "unavailable", database: database.provider, reason: "migrations", missing } };
      }
      if (databaseDown) logger.info("ready: the database answers again");
      databaseDown = false;
      return { status: 200, body: { status: "ok", database: database.provider } };
    } catch (error) {
      if (!databaseDown) logger.error({ err: error }, "not ready: database unavailable");
      databaseDown = true;
      return { status: 503, body: { status: "unavailable", database: database.provider } };
    }
  };
}

/** Hourly housekeeping: handled activities past the redelivery window, idle dialog state, unclaimed temporary passwords. */
async function maintain(database: Database, config: Config, logger: Logger): Promise<void> {
  const now = Date.now();
  try {
    const activities = await new ActivityLedger(database.db).prune(new Date(now - 86_400_000));
    const states = await new StateStore(database.db, { ttlMs: config.dialogStateTtlDays * 86_400_000 }).pruneExpired();
    const passwords = await CustomerService.pruneExpiredCredentials(database.db, new Date(now));
    if (activities + states + passwords > 0) logger.info({ activities, states, passwords }, "housekeeping");
  } catch (error) {
    logger.warn({ err: error }, "housekeeping failed; the next run will try again");
  }
}

/** Logs the whole error; tells the user only a short, localized apology, never internals. */
export async function onTurnError(context: TurnContext, error: unknown, config: Pick<Config, "defaultLocale">, logger: Logger): Promise<void> {
  const activity = context.activity;
  logger.error({ err: error, activityId: activity.id, conversationId: activity.conversation?.id, activityType: activity.type }, "turn failed");
  try {
    const t = translator(localeOf(activity.locale, config.defaultLocale));
    const sentence = t(error instanceof ETagConflict ? "error.busy" : isDatabaseUnavailable(error) ? "error.dbUnavailable" : "error.apology");
    if (activity.type === ActivityTypes.Message) {
      await context.sendActivity(sentence);
    } else if (activity.type === ActivityTypes.Invoke) {
      // An invoke gets an invoke response: for a card action, the error in the form Teams shows.
      const body = activity.name === "adaptiveCard/action" ? { statusCode: 500, type: "application/vnd.microsoft.error", value: { code: "InternalError", message: sentence } } : undefined;
      await context.sendActivity({ type: "invokeResponse", value: { status: 200, body } });
    }
  } catch (sendError) {
    logger.error({ err: sendError, activityId: activity.id }, "could not tell the user about the failed turn");
  }
}
