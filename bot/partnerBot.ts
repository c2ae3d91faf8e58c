/**
 * The Teams activity handler: resolves who is talking, then runs the dialog stack for
 * messages and greets on install. Users of organisations that are not enrolled get one
 * polite card and nothing else.
 */
import { ActivityHandler, ActivityTypes, TurnContext, type BotState, type InvokeResponse } from "botbuilder";
import { runDialog, type Dialog, type DialogState } from "botbuilder-dialogs";
import type { Locale } from "../src/config.js";
import { localeOf, translator } from "../src/i18n/index.js";
import type { IdentityService } from "../src/identity/identityService.js";
import type { Logger } from "../src/log.js";
import { menuCard, menuCardData, notEnrolledCard, notEnrolledCardData } from "./cards/basicCards.js";
import type { ConversationRefStore } from "../src/proactive/conversationRefs.js";
import type { ActivityLedger } from "../src/state/activityLedger.js";
import type { TurnLock } from "../src/db/turnLock.js";
import type { CommandRegistry } from "./commands.js";
import { invitationAnswer, type InvitationGate } from "./resellers/resellerCommands.js";
import { setTurnInfo, turnInfo } from "./turn.js";

export interface PartnerBotOptions {
  identity: IdentityService;
  invitations: InvitationGate;
  conversationRefs: ConversationRefStore;
  ledger: ActivityLedger;
  turnLock: TurnLock;
  state: BotState;
  dialog: Dialog;
  commands: CommandRegistry;
  defaultLocale: Locale;
  logger: Logger;
}

export class PartnerBot extends ActivityHandler {
  private readonly dialogState;

  constructor(private readonly options: PartnerBotOptions) {
    super();
    this.dialogState = options.state.createProperty<DialogState>("dialogState");

    this.onTurn(async (context, next) => {
      if (await this.identify(context)) await next();
      // An invoke always gets an answer, even when it is refused.
      else if (context.activity.type === ActivityTypes.Invoke) await context.sendActivity({ type: "invokeResponse", value: { status: 200 } });
    });
    this.onMessage(async (context, next) => {
      await runDialog(options.dialog, context, this.dialogState);
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

  /** Invokes (Action.Execute, message extensions, …) are not features of this bot: acknowledged politely, never a 5xx. */
  protected override async onInvokeActivity(): Promise<InvokeResponse> {
    return { status: 200 };
  }

  override async run(context: TurnContext): Promise<void> {
    // Two fast submits of one user in one conversation run one after the other, so the second
    // sees the state the first left, even when two instances receive them.
    const key = `turn:${context.activity.conversation?.id}/${context.activity.from?.aadObjectId ?? context.activity.from?.id}`;
    await this.options.turnLock.run(key, () => this.runOnce(context));
  }

  private async runOnce(context: TurnContext): Promise<void> {
    const { id, type, channelId, conversation } = context.activity;
    const key = id && (type === ActivityTypes.Message || type === ActivityTypes.Invoke) ? `${channelId}/${conversation?.id}/${id}` : undefined;
    if (key && !(await this.options.ledger.claim(key))) {
      this.options.logger.info({ activityId: id, conversationId: conversation?.id }, "activity delivered again: already handled, ignored");
      return;
    }
    try {
      await super.run(context);
      await this.options.state.saveChanges(context);
    } catch (error) {
      if (key) await this.options.ledger.release(key);
      throw error;
    }
  }

  /** Resolves the caller into the turn state; false (after telling the user, where fitting) if not enrolled. */
  private async identify(context: TurnContext): Promise<boolean> {
    const activity = context.activity;
    const log = this.options.logger.child({ activityId: activity.id, conversationId: activity.conversation?.id, activityType: activity.type });
    const userId = activity.from?.aadObjectId ?? activity.from?.id;
    const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    log.debug({ from: activity.from, conversation: activity.conversation, channelData: activity.channelData, locale: activity.locale }, "activity received");
    const provisional = localeOf(activity.locale, this.options.defaultLocale);
    if (!userId || !tenantId) {
      log.warn({ hasUser: Boolean(userId), hasTenant: Boolean(tenantId) }, "activity without a user or a tenant: ignored");
      if (activity.type === ActivityTypes.Message) await this.refuse(context, provisional, tenantId ?? "?");
      return false;
    }
    const answer = invitationAnswer(activity);
    if (answer) {
      // Partnership requests are answered from any tenant, enrolled or not (the invited reseller is not yet).
      await this.options.invitations.handle(context, answer, { tenantId, aadObjectId: userId, displayName: typeof activity.from?.name === "string" ? activity.from.name : "", locale: typeof activity.locale === "string" ? activity.locale : undefined }, provisional);
      return false;
    }
    const resolution = await this.options.identity.resolve({ tenantId, aadObjectId: userId, displayName: typeof activity.from?.name === "string" ? activity.from.name : "", locale: typeof activity.locale === "string" ? activity.locale : undefined });
    if (resolution.status === "notEnrolled") {
      log.info({ tenantId }, "activity from a tenant that is not enrolled");
      if (activity.type === ActivityTypes.Message || activity.type === ActivityTypes.InstallationUpdate) await this.refuse(context, provisional, tenantId);
      return false;
    }
    const locale = localeOf(activity.locale, this.options.defaultLocale);
    const removal = activity.type === ActivityTypes.InstallationUpdate && activity.action?.startsWith("remove");
    if (activity.conversation?.id && !removal) await this.options.conversationRefs.remember(resolution.caller.userId, activity.conversation.id, TurnContext.getConversationReference(activity));
    setTurnInfo(context, { caller: resolution.caller, locale, t: translator(locale), log: log.child({ userId: resolution.caller.userId }) });
    return true;
  }

  private async refuse(context: TurnContext, locale: Locale, tenantId: string): Promise<void> {
    await context.sendActivity({ attachments: [notEnrolledCard(notEnrolledCardData(translator(locale), tenantId))] });
  }

  private async welcome(context: TurnContext): Promise<void> {
    const { t, caller } = turnInfo(context);
    await context.sendActivity(t("welcome.text"));
    await context.sendActivity({ attachments: [menuCard(menuCardData(t, caller, this.options.commands.menuEntries()))] });
  }
}
