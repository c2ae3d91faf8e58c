/**
 * The Teams activity handler. A turn: take the turn lock of the sender in the conversation (or say
 * "still working" if the previous turn holds it too long); resolve who is talking (by the user's
 * own tenant, from the Teams roster), refusing strangers without recording anything, with the
 * turn's first statement, which also reads whether the activity was already handled and the
 * user's state; skip an activity already handled; answer (most turns without the dialog
 * machinery, flows through it); save the state; record the activity as done, unless the turn
 * only answered and changed nothing.
 */
import { ActivityHandler, ActivityTypes, INVOKE_RESPONSE_KEY, TurnContext, type InvokeResponse, type StatePropertyAccessor } from "botbuilder";
import { runDialog, type DialogState } from "botbuilder-dialogs";
import type { Locale } from "../src/config.js";
import { localeOf, translator } from "../src/i18n/index.js";
import type { IdentityService, KnownUser } from "../src/identity/identityService.js";
import type { Logger } from "../src/log.js";
import { menuCard, menuCardData, notEnrolledCard, notEnrolledCardData } from "./cards/basicCards.js";
import type { ConversationRefStore } from "./teams/conversationRefs.js";
import type { CommandRegistry } from "./commands.js";
import { invitationAnswer, type InvitationGate } from "./resellers/resellerCommands.js";
import { homeTenant, type MemberDirectory } from "./teams/memberDirectory.js";
import type { ActivityLedger } from "./turns/activityLedger.js";
import type { TurnRecords } from "./turns/turnRecords.js";
import { conversationStateKey, type UserConversationState } from "./durableState.js";
import type { MainDialog } from "./dialogs/mainDialog.js";
import { TurnLockTimeout, type TurnLock } from "./turns/turnLock.js";
import { beginExecute, beginTask, executeAnswer, executeTurn, isReadOnly, isSharedConversation, setTurnInfo, taskAnswer, taskTurn, turnInfo } from "./turn.js";
import { validTimeZone } from "./cards/format.js";
import { REFRESH_USER_LIMIT } from "./cards/universal.js";

export interface PartnerBotOptions {
  identity: IdentityService;
  invitations: InvitationGate;
  conversationRefs: ConversationRefStore;
  ledger: ActivityLedger;
  /** The turn's first read: the activity's handled record and the user's state in the conversation, together. */
  records: TurnRecords;
  turnLock: TurnLock;
  turnLockWaitMs: number;
  directory: MemberDirectory;
  state: UserConversationState;
  dialog: MainDialog;
  commands: CommandRegistry;
  /** The message extension's search (composeExtension/query). */
  search?: (context: TurnContext) => Promise<object>;
  defaultLocale: Locale;
  logger: Logger;
}

/** Read-only turns handled lately in this process (no durable record is kept of them): a redelivery here is not answered twice. */
const ANSWERED_KEPT = 10_000;
/** The ids of the last activities handled in a conversation by a user, kept in their state (Teams redelivers within seconds). */
const HANDLED_KEPT = 16;

export class PartnerBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly handled: StatePropertyAccessor<string[]>;
  private readonly answered = new Set<string>();

  constructor(private readonly options: PartnerBotOptions) {
    super();
    this.dialogState = options.state.createProperty<DialogState>("dialogState");
    this.handled = options.state.createProperty<string[]>("handledActivities");

    this.onMessage(async (context, next) => {
      // In a group chat or a channel the bot answers what is addressed to it: a message that
      // mentions it, or a card's button. Other chatter (delivered with resource-specific consent) is not its business.
      if (isSharedConversation(context) && !context.activity.value && !mentionsBot(context)) {
        turnInfo(context).log.debug("message in a shared conversation without a mention of the bot: not answered");
        return next();
      }
      await this.converse(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.welcome(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await options.conversationRefs.forget(turnInfo(context).caller.userId, context.activity.conversation.id);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // In personal chats Teams also sends installationUpdate; greet once, from conversationUpdate, only in teams and group chats.
      const botAdded = context.activity.membersAdded?.some((member) => member.id === context.activity.recipient.id);
      if (botAdded && context.activity.conversation.conversationType !== "personal") await this.welcome(context);
      await next();
    });
  }

  async close(): Promise<void> {
    await this.options.turnLock.close();
  }

  /**
   * Universal Actions run through the same dialogs as a submit and answer with the card the turn
   * settled on. Other invokes this bot does not offer are acknowledged politely, never a 5xx.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (executeTurn(context)) {
      await this.converse(context);
      return executeAnswer(context);
    }
    if (taskTurn(context)) {
      await this.converse(context);
      return taskAnswer(context);
    }
    if (context.activity.name === "composeExtension/query" && this.options.search) return { status: 200, body: await this.options.search(context) };
    return { status: 200 };
  }

  override async run(context: TurnContext): Promise<void> {
    beginExecute(context) ?? beginTask(context);
    const activity = context.activity;
    // Made when first used: most turns log nothing at the configured level, and a child logger costs.
    let turnLog: Logger | undefined;
    const log = () => (turnLog ??= this.options.logger.child({ activityId: activity.id, conversationId: activity.conversation?.id, activityType: activity.type }));
    const sender = { userId: activity.from?.aadObjectId ?? activity.from?.id, conversationTenant: activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id };
    if (!sender.userId || !sender.conversationTenant || !activity.conversation?.id) {
      log().warn({ hasUser: Boolean(sender.userId), hasTenant: Boolean(sender.conversationTenant) }, "activity without a user or a tenant: ignored");
      if (speaks(context)) await this.refuse(context, localeOf(activity.locale, this.options.defaultLocale), sender.conversationTenant ?? "?");
      return acknowledgeInvoke(context);
    }
    // Two fast submits of one user in one conversation run one after the other, so the second
    // sees the state the first left, even when two instances receive them.
    const key = `turn:${activity.conversation.id}/${sender.userId}`;
    try {
      await this.options.turnLock.run(key, () => this.runOnce(context, { userId: sender.userId!, conversationTenant: sender.conversationTenant! }, log), this.options.turnLockWaitMs);
    } catch (error) {
      if (!(error instanceof TurnLockTimeout)) throw error;
      log().info("the previous turn of this user in this conversation is still running: asked to send again");
      if (speaks(context)) await context.sendActivity(translator(localeOf(activity.locale, this.options.defaultLocale))("turn.stillWorking"));
      await acknowledgeInvoke(context);
    }
  }

  private async runOnce(context: TurnContext, sender: { userId: string; conversationTenant: string }, log: () => Logger): Promise<void> {
    const { id, type, channelId, conversation } = context.activity;
    const key = id && (type === ActivityTypes.Message || type === ActivityTypes.Invoke) ? `${channelId}/${conversation.id}/${id}` : undefined;
    const stateKey = conversationStateKey(context.activity);
    try {
      const known = await this.identify(context, sender, log, (tenantId) => this.options.records.begin({ activityKey: key, stateKey, conversationId: conversation.id, tenantId, aadObjectId: sender.userId }));
      if (!known) return await acknowledgeInvoke(context);
      const { claim, refActive } = known;
      const { caller } = turnInfo(context);
      // Where the user can be reached: stored, or made active again (reminders that waited for it go out), unless the bot is being removed.
      const removal = type === ActivityTypes.InstallationUpdate && context.activity.action?.startsWith("remove");
      if (!refActive && !removal) await this.options.conversationRefs.remember(caller.userId, conversation.id, TurnContext.getConversationReference(context.activity));
      const handled = (key && (await this.handled.get(context))) || [];
      if (claim === "done" || (key && (this.answered.has(key) || handled.includes(id!)))) {
        turnInfo(context).log.info("activity delivered again: already handled, ignored");
        return await acknowledgeInvoke(context);
      }
      if (claim === "again") turnInfo(context).log.warn("activity delivered again after an attempt that never finished: handling it now");
      try {
        await super.run(context);
        // Handled: recorded with the state the turn leaves, in the one conditional write of the
        // turn, unless the turn only answered and left the state as it was (then nothing is written).
        if (key && isReadOnly(context) && !this.options.state.changed(context)) this.rememberAnswered(key);
        else if (key) await this.handled.set(context, [...handled, id!].slice(-HANDLED_KEPT));
        await this.options.state.saveChanges(context);
      } catch (error) {
        if (key) await this.options.ledger.release(key).catch(() => undefined);
        throw error;
      }
    } finally {
      this.options.records.end(stateKey);
    }
  }

  /** The turn's dialogs: with no flow running, a turn that starts none is answered without the dialog machinery (most turns). */
  private async converse(context: TurnContext): Promise<void> {
    const state = await this.dialogState.get(context);
    if (!state?.dialogStack?.length && (await this.options.dialog.answerAtOnce(context))) return;
    await runDialog(this.options.dialog, context, this.dialogState);
  }

  private rememberAnswered(key: string): void {
    if (this.answered.size >= ANSWERED_KEPT) this.answered.delete(this.answered.values().next().value!);
    this.answered.add(key);
  }

  /**
   * Resolves the caller into the turn state, reading the turn's records (`begin`, by the sender's
   * home tenant) with the user; undefined (after telling the user, where fitting) if not enrolled.
   */
  private async identify<T extends { known: KnownUser | undefined }>(context: TurnContext, sender: { userId: string; conversationTenant: string }, log: () => Logger, begin: (tenantId: string) => Promise<T>): Promise<T | undefined> {
    const activity = context.activity;
    const { userId, conversationTenant } = sender;
    const provisional = localeOf(activity.locale, this.options.defaultLocale);
    const home = activity.channelId === "msteams" ? homeTenant(conversationTenant, await this.options.directory.membership(context)) : { tenantId: conversationTenant };
    if ("refused" in home) {
      log().info({ reason: home.refused, conversationTenant }, "sender is not a member of this tenant (guest, anonymous or unknown): not enrolled here");
      if (speaks(context)) await this.refuse(context, provisional, conversationTenant);
      return undefined;
    }
    const displayName = typeof activity.from.name === "string" ? activity.from.name : "";
    const locale = typeof activity.locale === "string" ? activity.locale : undefined;
    const answer = invitationAnswer(activity);
    if (answer) {
      // Partnership requests are answered from any tenant, enrolled or not (the invited reseller is not yet).
      await this.options.invitations.handle(context, answer, { tenantId: home.tenantId, aadObjectId: userId, displayName, locale }, provisional);
      return undefined;
    }
    const records = await begin(home.tenantId);
    const resolution = await this.options.identity.resolve({ tenantId: home.tenantId, aadObjectId: userId, displayName, locale, timeZone: validTimeZone(activity.localTimezone) }, records);
    if (resolution.status === "notEnrolled") {
      log().info({ tenantId: home.tenantId }, "activity from a tenant that is not enrolled");
      if (speaks(context) || activity.type === ActivityTypes.InstallationUpdate) await this.refuse(context, provisional, home.tenantId);
      return undefined;
    }
    const userLocale = localeOf(activity.locale, this.options.defaultLocale);
    const t = translator(userLocale);
    const timeZone = validTimeZone(activity.localTimezone) ?? resolution.caller.timeZone;
    const audience = async () => (activity.conversation.conversationType === "personal" || !activity.conversation.conversationType ? [activity.from.id] : this.options.conversationRefs.membersOf(activity.conversation.id, REFRESH_USER_LIMIT + 1));
    let userLog: Logger | undefined;
    const callerId = resolution.caller.userId;
    setTurnInfo(context, {
      caller: resolution.caller,
      locale: userLocale,
      t,
      lang: { t, locale: userLocale, timeZone },
      get log() {
        return (userLog ??= log().child({ userId: callerId }));
      },
      audience,
    });
    return records;
  }

  private async refuse(context: TurnContext, locale: Locale, tenantId: string): Promise<void> {
    await context.sendActivity({ attachments: [notEnrolledCard(notEnrolledCardData(translator(locale), tenantId))] });
  }

  private async welcome(context: TurnContext): Promise<void> {
    const { t, caller } = turnInfo(context);
    await context.sendActivity(t("welcome.text"));
    await context.sendActivity({ attachments: [menuCard(menuCardData(t, caller, this.options.commands.menuEntries(caller)))] });
  }
}

/** An invoke always gets an answer, even when refused, skipped or deferred (a Universal Action: in the shape Teams expects). */
async function acknowledgeInvoke(context: TurnContext): Promise<void> {
  if (context.activity.type !== ActivityTypes.Invoke || context.turnState.get(INVOKE_RESPONSE_KEY)) return;
  await context.sendActivity({ type: "invokeResponse", value: executeTurn(context) ? executeAnswer(context) : taskTurn(context) ? taskAnswer(context) : { status: 200 } });
}

/** A message, or a button pressed (not a refresh): the activities a person is waiting on an answer to. */
function speaks(context: TurnContext): boolean {
  return context.activity.type === ActivityTypes.Message || executeTurn(context)?.trigger === "manual" || Boolean(taskTurn(context));
}

/** Whether a message mentions the bot (Teams: a mention entity naming the bot's id). */
function mentionsBot(context: TurnContext): boolean {
  const botId = context.activity.recipient?.id;
  return (context.activity.entities ?? []).some((entity) => entity.type === "mention" && (entity as { mentioned?: { id?: string } }).mentioned?.id === botId);
}
