/**
 * Delivers reminder cards in Teams, within Teams' rate limits (a send budget per conversation
 * and per tenant, shared by the instances on PostgreSQL); 429 → retry after Retry-After; 408, 412, 5xx and network errors →
 * retry (the scheduler backs off with jitter); 403/404 → that conversation reference is retired,
 * and the next one of the user is tried; any other status fails the reminder.
 */
import type { Attachment } from "botbuilder";
import type { Db } from "../../src/db/database.js";
import { localeOf, translator, type MessageKey } from "../../src/i18n/index.js";
import type { Locale } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import type { ConversationRefStore } from "../../src/proactive/conversationRefs.js";
import { LocalSendBudget, perConversation, perTenant, type SendBudget } from "../teams/sendBudget.js";
import { NO_CONVERSATION, type Delivery, type ReminderChannel, type ReminderToSend } from "../../src/reminders/reminderScheduler.js";
import { renderCard } from "../cards/render.js";
import type { Lang } from "../customers/customerCards.js";
import type { ConnectorSender } from "./connectorSender.js";
import { formatDate } from "../subscriptions/subscriptionCards.js";

const DAY = 86_400_000;

export function reminderCardData(lang: Lang, reminder: ReminderToSend, now: Date) {
  const { t } = lang;
  const days = Math.max(1, Math.ceil((reminder.eventAt.getTime() - now.getTime()) / DAY));
  const params = { days, offer: reminder.subscription.offerName, customer: reminder.subscription.customerName, date: formatDate(lang, reminder.eventAt), licences: reminder.subscription.licences };
  return {
    title: t(`reminder.${reminder.kind}.title` as MessageKey, params),
    body: t(`reminder.${reminder.kind}.body` as MessageKey, params),
    color: reminder.kind === "deletion" || reminder.kind === "deleted" ? "Attention" : "Warning",
    canReactivate: reminder.kind === "deletion",
    canMute: reminder.kind !== "deleted",
    // At the end of a trial: buy the full subscription, with as many licences as the trial had.
    canBuy: reminder.kind === "trialEnd" && Boolean(reminder.subscription.fullOfferId),
    buyLabel: t("reminder.trialEnd.buy"),
    customerId: reminder.subscription.customerId,
    fullOfferId: reminder.subscription.fullOfferId ?? "",
    licences: reminder.subscription.licences,
    subscriptionId: reminder.subscription.id,
    version: reminder.subscription.version,
    reactivateLabel: t("sub.reactivate"),
    openLabel: t("reminder.open"),
    muteLabel: t("reminder.mute"),
  };
}

export const reminderCard = (data: ReturnType<typeof reminderCardData>): Attachment => renderCard("reminder", data);

export class TeamsReminderChannel implements ReminderChannel {
  constructor(
    private readonly sender: ConnectorSender,
    private readonly db: Db,
    private readonly refs: ConversationRefStore,
    private readonly defaultLocale: Locale,
    private readonly logger: Logger,
    private readonly budget: SendBudget = new LocalSendBudget(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deliver(reminder: ReminderToSend): Promise<Delivery> {
    const user = await this.db.user.findUnique({ where: { id: reminder.recipientUserId } });
    if (!user) return { outcome: "failed", error: "recipient no longer exists" };
    const locale = localeOf(user.locale, this.defaultLocale);
    const card = reminderCard(reminderCardData({ t: translator(locale), locale, timeZone: user.timeZone ?? undefined }, reminder, this.now()));
    // A personal chat first: a reminder is for its recipient, not for everyone in a channel.
    const refs = (await this.refs.activeFor(user.id)).sort((a, b) => Number(!isPersonal(a.reference)) - Number(!isPersonal(b.reference)));
    for (const { id, reference } of refs) {
      const conversationId = String((reference as { conversation?: { id?: string } }).conversation?.id ?? id);
      await this.budget.acquire([
        { key: `conversation:${conversationId}`, windows: perConversation },
        { key: `tenant:${user.tenantId}`, windows: perTenant },
      ]);
      const result = await this.sender.send(reference, { attachments: [card] });
      if (result.ok) return { outcome: "sent" };
      const { status } = result;
      const message = result.error ?? "";
      if (status === 403 || status === 404) {
        this.logger.info({ userId: user.id, status }, "conversation reference retired (bot removed, blocked, or conversation gone)");
        await this.refs.deactivate(id);
        continue;
      }
      if (status === 429) return { outcome: "retry", retryAfterMs: result.retryAfterMs, error: message };
      if (status === undefined || status === 408 || status === 412 || status >= 500) return { outcome: "retry", retryAfterMs: result.retryAfterMs, error: message };
      return { outcome: "failed", error: message };
    }
    return { outcome: "failed", error: NO_CONVERSATION };
  }
}

function isPersonal(reference: Record<string, unknown>): boolean {
  return (reference.conversation as { conversationType?: string } | undefined)?.conversationType === "personal";
}
