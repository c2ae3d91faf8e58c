/**
 * Reseller commands for the provider: invite (a one-card flow ending with the draft email),
 * list with states, withdraw an invitation; and the invitation gate through which a user of any
 * tenant, enrolled or not, answers a partnership request ("accept <code>" or the card's buttons).
 */
import { randomUUID } from "node:crypto";
import { TurnContext } from "botbuilder";
import type { ConversationRefStore } from "../teams/conversationRefs.js";
import { Dialog, type DialogContext, type DialogTurnResult } from "botbuilder-dialogs";
import { z } from "zod";
import type { Locale } from "../../src/config.js";
import { InvalidInput, NotAllowed } from "../../src/errors.js";
import { localeOf, translator } from "../../src/i18n/index.js";
import { DEFAULT_INVITATION_DAYS, InvitationRefused, type PartnershipService, type Prospect } from "../../src/resellers/partnershipService.js";
import type { Logger } from "../../src/log.js";
import type { Command, CommandInput } from "../commands.js";
import { answerDomainError, replaceCard } from "../domainErrors.js";
import type { Notifier } from "../proactive.js";
import { answerPrivately, executeTurn, isSharedConversation, turnInfo } from "../turn.js";
import { submittedCard } from "../customers/customerCards.js";
import { invitationDraftCard, invitationDraftData, inviteCard, inviteCardData, partnershipOfferCard, partnershipOfferData, resellerListCard, resellerListData } from "./resellerCards.js";
import { partnershipVerbs, resellerVerbs } from "./verbs.js";

export const INVITE_RESELLER_DIALOG = resellerVerbs.invite;

class InviteResellerDialog extends Dialog {
  constructor(
    private readonly partnerships: PartnershipService,
    private readonly appId: string | undefined,
  ) {
    super(INVITE_RESELLER_DIALOG);
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const { caller, t, locale } = turnInfo(dc.context);
    if (caller.organisation.kind !== "provider" || caller.role !== "admin") {
      await dc.context.sendActivity(t("error.notAllowed"));
      return dc.endDialog();
    }
    const flowId = randomUUID();
    dc.activeDialog!.state = { flowId };
    await dc.context.sendActivity({ attachments: [inviteCard(inviteCardData(turnInfo(dc.context).lang, { flowId, days: DEFAULT_INVITATION_DAYS }))] });
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const { caller, t, locale } = turnInfo(dc.context);
    const { flowId } = dc.activeDialog!.state as { flowId: string };
    const submit = z.object({ verb: z.literal(resellerVerbs.inviteSubmit), flowId: z.literal(flowId), email: z.string().max(300).catch(""), companyName: z.string().max(300).catch("") }).safeParse(dc.context.activity.value);
    if (!submit.success) {
      await dc.context.sendActivity(t(dc.context.activity.value ? "unknown.action" : "flow.useTheCard"));
      return Dialog.EndOfTurn;
    }
    // The invitation's code is a secret of the inviter: in a group chat or a channel it is shown
    // only as a Universal Action's private answer; an older client is sent to the personal chat.
    if (isSharedConversation(dc.context) && !executeTurn(dc.context)) {
      await dc.context.sendActivity(t("reseller.invite.privateOnly"));
      return Dialog.EndOfTurn;
    }
    try {
      const { partnership, code } = await this.partnerships.invite(caller, { email: submit.data.email, companyName: submit.data.companyName });
      await replaceCard(dc.context, submittedCard({ title: `${t("reseller.invite.title")}: ${t("flow.cardSubmitted")}`, lines: [partnership.companyName, partnership.email] }));
      const draft = invitationDraftCard(
        invitationDraftData(turnInfo(dc.context).lang, { partnershipId: partnership.id, email: partnership.email, company: partnership.companyName, provider: caller.organisation.name, code, expiresAt: partnership.expiresAt, appId: this.appId }),
      );
      if (!isSharedConversation(dc.context)) await dc.context.sendActivity({ attachments: [draft] });
      else answerPrivately(dc.context, draft);
      return dc.endDialog();
    } catch (error) {
      if (error instanceof InvalidInput) {
        await dc.context.sendActivity({ attachments: [inviteCard(inviteCardData(turnInfo(dc.context).lang, { flowId, days: DEFAULT_INVITATION_DAYS, email: submit.data.email, companyName: submit.data.companyName, issues: error.issues }))] });
        return Dialog.EndOfTurn;
      }
      if (await answerDomainError(dc.context, error)) return dc.endDialog();
      throw error;
    }
  }
}

export function resellerCommands(partnerships: PartnershipService, appId: string | undefined): Command[] {
  const list = async (context: TurnContext) => {
    const { caller } = turnInfo(context);
    const rows = await partnerships.list(caller);
    await context.sendActivity({ attachments: [resellerListCard(resellerListData(turnInfo(context).lang, rows, caller.role === "admin"))] });
  };

  const revoke = async (context: TurnContext, input: CommandInput) => {
    const { caller, t } = turnInfo(context);
    const parsed = z.object({ partnershipId: z.string().uuid() }).safeParse(input.submit);
    if (!parsed.success) return void (await context.sendActivity(t("unknown.action")));
    try {
      await partnerships.revoke(caller, parsed.data.partnershipId);
      await context.sendActivity(t("reseller.revoked"));
      await list(context);
    } catch (error) {
      // A partnership that cannot be withdrawn (already answered, or ended): the button is out of date.
      if (!(error instanceof InvalidInput)) throw error;
      await context.sendActivity(t("unknown.action"));
    }
  };

  /** "Done" on the draft: the card keeps the company and address, not the link with its code. */
  const draftDone = async (context: TurnContext) => {
    const { t } = turnInfo(context);
    await replaceCard(context, submittedCard({ title: t("reseller.invite.title"), lines: [t("reseller.draft.done")] }));
  };

  return [
    {
      id: resellerVerbs.invite,
      verb: resellerVerbs.invite,
      menuLabel: "menu.inviteReseller",
      helpLine: "help.command.inviteReseller",
      allowed: (caller) => caller.organisation.kind === "provider" && caller.role === "admin",
      dialog: new InviteResellerDialog(partnerships, appId),
    },
    { id: resellerVerbs.list, verb: resellerVerbs.list, menuLabel: "menu.resellers", helpLine: "help.command.resellers", allowed: (caller) => caller.organisation.kind === "provider", handler: list },
    { id: resellerVerbs.revoke, verb: resellerVerbs.revoke, phrases: [], handler: revoke },
    { id: resellerVerbs.draftDone, verb: resellerVerbs.draftDone, phrases: [], handler: draftDone },
  ];
}

const acceptText = /^\s*(?:accept|accepter)\s+([A-Za-z0-9_-]{10,100})\s*$/i;
const answerSchema = z.object({ verb: z.enum([partnershipVerbs.accept, partnershipVerbs.decline]), code: z.string().min(10).max(100) });

/** A partnership answer in the activity, if any: typed "accept <code>", or Accept/Decline on the card. */
export function invitationAnswer(activity: { type?: string; text?: string; value?: unknown }): { action: "show" | "accept" | "decline"; code: string } | undefined {
  if (activity.type !== "message") return undefined;
  // Typed text has no card data: nothing to check (a failed parse costs more than the check).
  const submit = activity.value && typeof activity.value === "object" ? answerSchema.safeParse(activity.value) : undefined;
  if (submit?.success) return { action: submit.data.verb === partnershipVerbs.accept ? "accept" : "decline", code: submit.data.code };
  const match = typeof activity.text === "string" ? acceptText.exec(activity.text.replace(/<at>.*?<\/at>/g, "")) : null;
  return match ? { action: "show", code: match[1] } : undefined;
}

/**
 * Answers a partnership request for a user of any tenant: shows the partnership card, or
 * accepts or declines it, and tells the inviting provider user proactively.
 */
export class InvitationGate {
  constructor(
    private readonly partnerships: PartnershipService,
    private readonly notifier: Notifier,
    private readonly refs: ConversationRefStore,
    private readonly logger: Logger,
  ) {}

  async handle(context: TurnContext, answer: { action: "show" | "accept" | "decline"; code: string }, prospect: Prospect, locale: Locale): Promise<void> {
    const t = translator(locale);
    try {
      if (answer.action === "show") {
        const { partnership, providerName, inviterName } = await this.partnerships.peek(answer.code, prospect);
        await context.sendActivity({
          attachments: [partnershipOfferCard(partnershipOfferData({ t, locale }, { provider: providerName, inviter: inviterName, company: partnership.companyName, code: answer.code, expiresAt: partnership.expiresAt }))],
        });
        return;
      }
      const { partnership, providerName, inviterLocale } = await this.partnerships.peek(answer.code, prospect);
      const inviterT = translator(localeOf(inviterLocale, locale));
      if (answer.action === "accept") {
        const accepted = await this.partnerships.accept(answer.code, prospect);
        this.logger.info({ partnershipId: partnership.id, tenantId: prospect.tenantId }, "partnership accepted");
        // The new reseller admin can be reached from now on, before typing anything else.
        await this.refs.remember(accepted.userId, context.activity.conversation.id, TurnContext.getConversationReference(context.activity));
        const pending = accepted.awaitingPartnerCenter;
        await replaceCard(context, submittedCard({ title: t("partnership.title", { provider: providerName }), lines: [t(pending ? "partnershipState.accepted" : "partnershipState.active")] }));
        await context.sendActivity(t(pending ? "partnership.acceptedAwaiting" : "partnership.accepted", { company: partnership.companyName, provider: providerName }));
        await this.notifier.notifyUser(partnership.invitedById, { type: "message", text: inviterT(pending ? "partnership.notify.acceptedAwaiting" : "partnership.notify.accepted", { company: partnership.companyName, user: prospect.displayName }) });
      } else {
        await this.partnerships.decline(answer.code, prospect);
        await replaceCard(context, submittedCard({ title: t("partnership.title", { provider: providerName }), lines: [t("partnershipState.declined")] }));
        await context.sendActivity(t("partnership.declined", { provider: providerName }));
        await this.notifier.notifyUser(partnership.invitedById, { type: "message", text: inviterT("partnership.notify.declined", { company: partnership.companyName }) });
      }
    } catch (error) {
      if (error instanceof InvitationRefused) {
        this.logger.info({ reason: error.reason, tenantId: prospect.tenantId }, "partnership answer refused");
        await context.sendActivity(t(`partnership.refused.${error.reason}`));
        return;
      }
      if (error instanceof NotAllowed) {
        await context.sendActivity(t("error.notAllowed"));
        return;
      }
      throw error;
    }
  }
}
