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
import type { ConversationRefStore } from "../teams/conversationRefs.js";
import { LocalSendBudget, perConversation, perTenant, type SendBudget } from "../teams/sendBudget.js";
import { NO_CONVERSATION, reminderKinds, type Delivery, type ReminderChannel, type ReminderToSend } from "../../src/reminders/reminderScheduler.js";
import { renderCard } from "../cards/render.js";
import type { Lang } from "../customers/customerCards.js";
import type { ConnectorSender } from "./connectorSender.js";
import { formatDate, timeLeft } from "../subscriptions/subscriptionCards.js";
import { formatDateTime, money } from "../cards/format.js";
import { termLabel } from "../subscriptions/orderCards.js";
import { isNceProduct } from "../../src/catalog/catalogService.js";
import { DAY } from "../../src/partnerCenter/terms.js";
import { nextTerm, proratedCents, seatWindows, termEndBehaviour } from "../../src/subscriptions/nce.js";

/** What a reminder says and offers, by kind: the decision still open, and the buttons to make it right there. */
export function reminderCardData(lang: Lang, reminder: ReminderToSend, now: Date) {
  const { t, locale } = lang;
  const s = reminder.subscription;
  const days = Math.max(1, Math.ceil((reminder.eventAt.getTime() - now.getTime()) / DAY));
  const base = { offer: s.offerName, customer: s.customerName, date: formatDate(lang, reminder.eventAt), licences: s.licences, days };
  const windows = seatWindows({ ...s, status: "active" }, now).filter((window) => window.until.getTime() <= reminder.eventAt.getTime());
  // At least one licence stays: removing them all is cancelling.
  const removable = Math.min(windows.reduce((sum, window) => sum + window.quantity, 0), Math.max(0, s.licences - 1));
  const cancellable = Boolean(s.cancellableUntil && s.cancellableUntil.getTime() >= reminder.eventAt.getTime() - 60_000 && s.cancellableUntil.getTime() > now.getTime());
  const next = nextTerm(s);
  const behaviour = termEndBehaviour(s);
  let title = "";
  let body = "";
  switch (reminder.kind) {
    case "windowClosing":
      title = t("reminder.windowClosing.title", { ...base, left: timeLeft(lang, reminder.eventAt, now) });
      body = t("reminder.windowClosing.body", {
        ...base,
        count: removable,
        until: formatDateTime(lang, reminder.eventAt),
        renewal: formatDate(lang, s.termEndAt),
        cancel: cancellable ? "yes" : "no",
        refund: money(locale, proratedCents(s, s.licences, now), s.currency),
      });
      break;
    case "renewalAhead":
      title = t("reminder.renewalAhead.title", { ...base, behaviour });
      body =
        behaviour === "ends"
          ? t("reminder.renewalAhead.ends", base)
          : next
            ? t("reminder.renewalAhead.renewsChanged", { ...base, licences: next.quantity, choice: termLabel(lang, next.termDuration, next.billingCycle).toLowerCase() })
            : t("reminder.renewalAhead.renews", { ...base, term: t(`term.${s.termDuration}` as MessageKey).toLowerCase(), price: money(locale, s.unitPriceCents * s.licences, s.currency) });
      break;
    case "provisioned":
      title = t("reminder.provisioned.title", base);
      body = t("reminder.provisioned.body", { ...base, count: reminder.orderSize ?? 1 });
      break;
    default:
      title = t(`reminder.${reminder.kind}.title` as MessageKey, base);
      body = t(`reminder.${reminder.kind}.body` as MessageKey, base);
  }
  const isNce = isNceProduct(s.productType);
  return {
    title,
    body,
    color: reminder.kind === "deletion" || reminder.kind === "deleted" || reminder.kind === "windowClosing" ? "Attention" : reminder.kind === "provisioned" ? "Good" : "Warning",
    canReactivate: reminder.kind === "deletion",
    canMute: reminder.kind !== "deleted" && reminder.kind !== "provisioned",
    // At the end of a trial: buy the full subscription, with as many licences as the trial had.
    canBuy: reminder.kind === "trialEnd" && Boolean(s.convertsTo),
    canReduce: reminder.kind === "windowClosing" && removable > 0 && s.status === "active",
    canCancel: reminder.kind === "windowClosing" && cancellable,
    canTurnOffAutoRenew: reminder.kind === "renewalAhead" && s.autoRenew && s.status === "active",
    canScheduleFewer: reminder.kind === "renewalAhead" && isNce && s.autoRenew && s.status === "active" && s.licences > 1,
    buyLabel: t("reminder.trialEnd.buy"),
    reduceLabel: t("reminder.reduce"),
    keepLabel: t("reminder.keepLicences"),
    keep: Math.max(1, s.licences - removable),
    reviewLabel: t("sub.reviewLicences"),
    cancelLabel: t("sub.cancel"),
    autoRenewOffLabel: t("sub.autoRenewOff"),
    fewerLabel: t("reminder.fewerAtRenewal"),
    nextLicencesLabel: t("sub.renewal.licences"),
    nextLicences: Math.max(1, (next?.quantity ?? s.licences) - 1),
    scheduleLabel: t("sub.renewal.schedule"),
    customerId: s.customerId,
    fullOffer: s.convertsTo ?? "",
    licences: s.licences,
    subscriptionId: s.id,
    version: s.version,
    reactivateLabel: t("sub.reactivate"),
    openLabel: t("reminder.open"),
    muteLabel: t("reminder.mute"),
  };
}

export const reminderCard = (data: ReturnType<typeof reminderCardData>): Attachment => renderCard("reminder", data);

type Recipient = { user: NonNullable<Awaited<ReturnType<Db["user"]["findUnique"]>>>; refs: { id: string; reference: Record<string, unknown> }[] };

export class TeamsReminderChannel implements ReminderChannel {
  /** What `prepare` read for the lanes being delivered (several at once), by user, with when it was read. */
  private readonly recipients = new Map<string, Recipient & { readAt: number }>();
  /** Each prepared reminder's reserved slot on its first conversation (used once). */
  private readonly slots = new Map<string, { conversationId: string; at: number; reservedAt: number }>();

  constructor(
    private readonly sender: ConnectorSender,
    private readonly db: Db,
    private readonly refs: ConversationRefStore,
    private readonly defaultLocale: Locale,
    private readonly logger: Logger,
    private readonly budget: SendBudget = new LocalSendBudget(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The lanes' recipients and their conversations read in two statements, and every send slot of every lane reserved in one step (none sooner than `aheadMs` from now). */
  async prepare(lanes: { id: string; recipientUserId: string }[][], aheadMs = 0): Promise<Map<string, number>> {
    const ids = [...new Set(lanes.flat().map((item) => item.recipientUserId))];
    if (!ids.length) return new Map();
    const users = await this.db.user.findMany({ where: { id: { in: ids } } });
    const refs = await this.refs.activeForMany(ids);
    const readAt = Date.now();
    for (const [id, recipient] of this.recipients) if (readAt - recipient.readAt > PREPARED_FRESH_MS) this.recipients.delete(id);
    // Slots of reminders that were skipped (no longer applying) are forgotten, not kept forever.
    for (const [id, slot] of this.slots) if (readAt - slot.reservedAt > 10 * PREPARED_FRESH_MS) this.slots.delete(id);
    const recipients = new Map(users.map((user) => [user.id, { user, refs: order(refs.get(user.id) ?? []), readAt }]));
    for (const [id, recipient] of recipients) this.recipients.set(id, recipient);
    // Each lane's reminders in their order: a lane delivers one after the other, so its slots follow each other.
    const planned = lanes.flat().flatMap((item) => {
      const recipient = recipients.get(item.recipientUserId);
      const first = recipient?.refs[0];
      return recipient && first ? [{ id: item.id, conversationId: conversationOf(first), tenantId: recipient.user.tenantId }] : [];
    });
    const slots = await this.budget.reserve(
      planned.map((item) => budgetKeys(item.conversationId, item.tenantId)),
      aheadMs,
    );
    planned.forEach((item, i) => this.slots.set(item.id, { conversationId: item.conversationId, at: slots[i], reservedAt: readAt }));
    return new Map(planned.map((item, i) => [item.id, slots[i]]));
  }

  /**
   * Cards of each kind in each language made and serialized, then dropped, WARM_UP_ROUNDS times:
   * the template parsed, the date and money formatters made, and the card code run often enough
   * for V8 to optimize it before the first sweep's cards are due. A cold instance's first cards
   * took several times as long (interpreted code), and its first sends were hundreds of ms late
   * for their slots: bunched against another instance's punctual ones, Teams answered 429.
   */
  warmUp(): void {
    const now = this.now();
    const subscription = {
      id: "warm-up", version: 1, status: "active", productType: "OnlineServicesNCE", offerName: "Offer", isTrial: false, licences: 5, billingCycle: "monthly", termDuration: "P1Y",
      termStartAt: new Date(now.getTime() - 300 * DAY), termEndAt: new Date(now.getTime() + 30 * DAY), autoRenew: true, cancellableUntil: null, refundableSeats: "[]", scheduledNextTerm: null,
      unitPriceCents: 600, currency: "USD", customerId: "warm-up", customerName: "Customer", convertsTo: null,
    };
    for (let round = 0; round < WARM_UP_ROUNDS; round++)
      for (const locale of ["en", "fr"] as const)
        for (const kind of reminderKinds) {
          const card = reminderCard(reminderCardData({ t: translator(locale), locale }, { id: "warm-up", kind, eventAt: subscription.termEndAt, leadDays: 30, recipientUserId: "warm-up", subscription, orderSize: 1 }, now));
          JSON.stringify(card);
        }
  }

  async deliver(reminder: ReminderToSend): Promise<Delivery> {
    // What prepare read is used while it is fresh (a lane lasts seconds at most); otherwise it is read now.
    const cached = this.recipients.get(reminder.recipientUserId);
    const prepared = cached && Date.now() - cached.readAt < PREPARED_FRESH_MS ? cached : undefined;
    const user = prepared?.user ?? (await this.db.user.findUnique({ where: { id: reminder.recipientUserId } }));
    if (!user) return { outcome: "failed", error: "recipient no longer exists" };
    const locale = localeOf(user.locale, this.defaultLocale);
    const card = reminderCard(reminderCardData({ t: translator(locale), locale, timeZone: user.timeZone ?? undefined }, reminder, this.now()));
    // A personal chat first: a reminder is for its recipient, not for everyone in a channel.
    const refs = prepared?.refs ?? order(await this.refs.activeFor(user.id));
    const reserved = this.slots.get(reminder.id);
    this.slots.delete(reminder.id);
    for (const { id, reference } of refs) {
      const conversationId = conversationOf({ id, reference });
      if (reserved?.conversationId === conversationId) {
        await this.budget.waitUntil(reserved.at);
      } else {
        await this.budget.acquire(budgetKeys(conversationId, user.tenantId));
      }
      const result = await this.sender.send(reference, { attachments: [card] });
      if (result.ok) return { outcome: "sent" };
      const { status } = result;
      const message = result.error ?? "";
      if (status === 403 || status === 404) {
        this.logger.info({ userId: user.id, status }, "conversation reference retired (bot removed, blocked, or conversation gone)");
        await this.refs.deactivate(id);
        if (prepared) prepared.refs = prepared.refs.filter((ref) => ref.id !== id);
        continue;
      }
      if (status === 429) return { outcome: "retry", retryAfterMs: result.retryAfterMs, error: message };
      if (status === undefined || status === 408 || status === 412 || status >= 500) return { outcome: "retry", retryAfterMs: result.retryAfterMs, error: message };
      return { outcome: "failed", error: message };
    }
    return { outcome: "failed", error: NO_CONVERSATION };
  }
}

/** Rounds of warm-up cards (12 a round, about 1 ms each once warm; measured: 25 rounds brought a cold instance's first second of sends from 100-400 ms late at the 90th percentile to 15-35). */
const WARM_UP_ROUNDS = 25;

/** How long a recipient read by `prepare` is trusted (a lane takes seconds at most). */
const PREPARED_FRESH_MS = 5_000;

/** Teams' limits a send to this conversation of this tenant counts against. */
const budgetKeys = (conversationId: string, tenantId: string) => [
  { key: `conversation:${conversationId}`, windows: perConversation },
  { key: `tenant:${tenantId}`, windows: perTenant },
];

const conversationOf = ({ id, reference }: { id: string; reference: Record<string, unknown> }) => String((reference as { conversation?: { id?: string } }).conversation?.id ?? id);

/** Personal chats first. */
const order = <T extends { reference: Record<string, unknown> }>(refs: T[]) => [...refs].sort((a, b) => Number(!isPersonal(a.reference)) - Number(!isPersonal(b.reference)));

function isPersonal(reference: Record<string, unknown>): boolean {
  return (reference.conversation as { conversationType?: string } | undefined)?.conversationType === "personal";
}
