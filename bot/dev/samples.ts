/**
 * Sample data for every card template, in any language: the card test renders each template
 * with it, and the card gallery will picture them. A template without a sample fails the test.
 */
import type { Translate } from "../../src/i18n/index.js";
import type { Caller } from "../../src/identity/identityService.js";
import { CommandRegistry } from "../commands.js";
import { customerCommands } from "../customers/customerCommands.js";
import { subscriptionCommands } from "../subscriptions/subscriptionCommands.js";
import { newSubscriptionCommand } from "../subscriptions/newSubscriptionDialog.js";
import { resellerCommands } from "../resellers/resellerCommands.js";
import { staffCommands } from "../staff/staffCommands.js";
import { offerOf, soldOn, type Offer } from "../../src/catalog/catalogService.js";
import { SandboxCatalog } from "../../src/partnerCenter/sandbox/sandboxCatalog.js";
import type { ReminderToSend } from "../../src/reminders/reminderScheduler.js";
import { subscriptionFacts } from "../../src/subscriptions/subscriptionService.js";
import { agreementCardData, termCardData } from "../subscriptions/orderCards.js";
import type { Locale } from "../../src/config.js";
import type { ApprovalView } from "../../src/approvals/approvalService.js";
import { approvalCardData, approvalPolicyCardData } from "../approvals/approvalCards.js";
import { accountCardData, createdCardData, createdSharedCardData, customerDetailsCardData, customerListCardData, relationshipRequestData, reviewCardData, subscriptionsCardData } from "../customers/customerCards.js";
import { cancelReviewData, historyData, licenceChangeData, orderCatalogData, orderReviewData, subscriptionCardData, subscriptionListData, type SubscriptionDetails } from "../subscriptions/subscriptionCards.js";
import { invitationDraftData, inviteCardData, partnershipOfferData, resellerListData } from "../resellers/resellerCards.js";
import { staffCardData } from "../staff/staffCommands.js";
import { partnerCenterCommands } from "../partnerCenter/partnerCenterCommands.js";
import { reminderCardData } from "../reminders/teamsReminderChannel.js";
import { helpCardData, menuCardData, notEnrolledCardData, profileCardData } from "../cards/basicCards.js";
import { orderVerbs } from "../subscriptions/verbs.js";
import { customerVerbs } from "../customers/verbs.js";

export const sampleCaller: Caller = {
  userId: "7d3f2c1e-0000-4000-8000-000000000001",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  aadObjectId: "00000000-0000-0000-0000-000000000020",
  displayName: "Alex Wilber",
  role: "admin",
  organisation: { id: "org-1", kind: "provider", name: "Contoso Distribution" },
};

/** The commands as the bot registers them (their services are never called here: only their names, menu and help lines are read). */
const registry = new CommandRegistry([
  ...customerCommands(null as never, null as never, null as never, null as never),
  newSubscriptionCommand(null as never),
  ...subscriptionCommands(null as never, null as never),
  ...resellerCommands(null as never, undefined),
  ...staffCommands(null as never),
  ...partnerCenterCommands(undefined, null as never, null as never),
]);

/** The embedded sandbox's catalog for a US commercial customer, as the bot's offers, in a language. */
const catalog = new SandboxCatalog();
const offersIn = (locale: Locale): Offer[] => catalog.entries("US", "commercial", locale).map(offerOf);
const offerNamed = (locale: Locale, name: string) => offersIn(locale).find((offer) => offer.name === name)!;

/** A valid account, as the add-customer card submits it. */
export const sampleAccount = {
  companyName: "Fabrikam Ltd",
  segment: "commercial",
  addressLine1: "1 Microsoft Way",
  addressLine2: "",
  city: "Redmond",
  region: "WA",
  postalCode: "98052",
  country: "US",
  phone: "+1 425 555 0100",
  contactFirstName: "Ana",
  contactLastName: "Bowman",
  contactEmail: "ana@fabrikam.com",
  culture: "en-US",
  domainPrefix: "fabrikam",
};
const sampleCustomer = {
  ...sampleAccount,
  id: "c-1",
  pcCustomerId: "9a1f3c2e-4b5d-4e6f-8a7b-1c2d3e4f5a6b",
  providerOrgId: "p",
  resellerOrgId: null,
  searchName: "fabrikam ltd",
  language: "en",
  adminAccount: "admin@fabrikam.onmicrosoft.com",
  openedAt: new Date("2026-09-01T00:00:00Z"),
  firstBillingAt: new Date("2026-09-16T00:00:00Z"),
  mcaAttestedAt: new Date("2026-09-01T00:00:00Z"),
  creationKey: "k",
  createdById: "u",
  etag: "e",
  readAt: new Date("2026-11-22T09:00:00Z"),
  createdAt: new Date("2026-09-01T00:00:00Z"),
  updatedAt: new Date("2026-09-01T00:00:00Z"),
};

/** The moment the sample cards are shown. */
export const sampleNow = new Date("2026-11-22T09:00:00Z");

/** A subscription row of the mirror, as the sample cards show it. */
function sampleRow(overrides: Partial<Parameters<typeof subscriptionFacts>[0]>): Parameters<typeof subscriptionFacts>[0] {
  return {
    id: "s-1",
    pcSubscriptionId: "0f9e8d7c-6b5a-4f3e-9d2c-1b0a9f8e7d6c",
    customerId: "c-1",
    offerId: "CFQ7TTC0LF8R:0001:ABC",
    productId: "CFQ7TTC0LF8R",
    skuId: "0001",
    offerName: "Office 365 E3",
    productType: "OnlineServicesNCE",
    isTrial: false,
    orderId: "o-1",
    licences: 25,
    billingCycle: "monthly",
    termDuration: "P1Y",
    status: "active",
    termStartAt: new Date("2026-11-16T02:00:00Z"),
    termEndAt: new Date("2027-11-16T02:00:00Z"),
    autoRenew: true,
    cancellableUntil: new Date("2026-11-23T02:00:00Z"),
    refundableSeats: JSON.stringify([{ quantity: 20, until: "2026-11-23T02:00:00.000Z" }, { quantity: 5, until: "2026-11-28T08:00:00.000Z" }]),
    windowClosesAt: new Date("2026-11-28T08:00:00Z"),
    scheduledNextTerm: JSON.stringify({ product: { productId: "CFQ7TTC0LF8R", skuId: "0001", availabilityId: "ABC", billingCycle: "Annual", termDuration: "P1Y" }, quantity: 20 }),
    unitPriceCents: 2300,
    currency: "USD",
    trialEndsAt: null,
    parentId: null,
    resellerOfRecordId: "r-1",
    supportContactId: null,
    suspensionReason: null,
    suspendedAt: null,
    deletionAt: null,
    remindersMuted: false,
    version: 3,
    createdById: "u",
    etag: "e",
    readAt: sampleNow,
    createdAt: new Date("2026-11-16T02:00:00Z"),
    updatedAt: new Date("2026-11-21T08:00:00Z"),
    customer: sampleCustomer,
    ...overrides,
  };
}

/** A New Commerce subscription in its 7-day window, with fewer licences scheduled for the renewal. */
export function sampleNceSubscription(locale: Locale = "en"): SubscriptionDetails {
  const offers = offersIn(locale);
  const offer = offerNamed(locale, "Office 365 E3");
  return subscriptionFacts(sampleRow({}), {
    parent: null,
    addOns: [{ ...sampleRow({ id: "s-2", offerName: "Office 365 Extra File Storage", licences: 50 }), parentId: "s-1" }],
    offer,
    addOnOffers: offers.filter((candidate) => candidate.addOnOf.includes(offer.productId) && soldOn(candidate, "P1Y", "monthly")),
    resellerOfRecordName: "Northwind Reseller",
    supportContactName: null,
    stale: false,
  }, sampleNow);
}

/** A suspended legacy subscription, as the subscription card shows it (deletion date under the status). */
export function sampleSuspendedSubscription(locale: Locale = "en"): SubscriptionDetails {
  return subscriptionFacts(
    sampleRow({
      offerName: "Office 365 E1 (legacy)",
      productId: "91FD106F-4B2C-4938-95AC-F54F74E9A239",
      productType: "OnlineServices",
      billingCycle: "annual",
      status: "suspended",
      termStartAt: new Date("2026-09-16T00:00:00Z"),
      termEndAt: new Date("2027-09-16T00:00:00Z"),
      cancellableUntil: null,
      refundableSeats: "[]",
      windowClosesAt: null,
      scheduledNextTerm: null,
      unitPriceCents: 800,
      suspensionReason: "nonPayment",
      suspendedAt: new Date("2026-11-21T00:00:00Z"),
      deletionAt: new Date("2027-03-06T00:00:00Z"),
    }),
    { parent: null, addOns: [], offer: offerNamed(locale, "Office 365 E1 (legacy)"), addOnOffers: [], resellerOfRecordName: "Northwind Reseller", supportContactName: null, stale: false },
    sampleNow,
  );
}

/** An approval request as its card shows it (25 licences of E3, over a limit of 10). */
function sampleApproval(status: ApprovalView["status"]): ApprovalView {
  return {
    id: "a-1",
    kind: "order",
    status,
    summary: { customer: "Fabrikam Ltd", lines: [{ offer: "Office 365 E3", licences: 25 }], monthlyCents: 57_500, currency: "USD", term: "P1Y", cycle: "monthly", because: ["licences"], limits: { licences: 10 } },
    requester: { id: "u-2", name: "Megan Bowen" },
    decider: status === "pending" ? undefined : { id: "u-3", name: "Nestor Wilke" },
    reason: status === "rejected" ? "Budget frozen until January" : null,
    outcome: status === "done" ? { orderId: "o-1", subscriptions: 1 } : null,
    createdAt: new Date("2026-11-22T09:00:00Z"),
    expiresAt: new Date("2026-11-25T09:00:00Z"),
    decidedAt: status === "pending" ? null : new Date("2026-11-22T10:00:00Z"),
  };
}
const sampleAdmin = { userId: "u-3", tenantId: "t", aadObjectId: "a", displayName: "Nestor Wilke", role: "admin", organisation: { id: "o", kind: "provider", name: "Contoso Distribution" } } as const;

/** A reminder of each kind, about the sample subscription. */
function sampleReminder(kind: ReminderToSend["kind"], eventAt: Date, overrides: Partial<ReminderToSend["subscription"]> = {}): ReminderToSend {
  const row = sampleRow({});
  return { id: "rem-1", kind, eventAt, leadDays: 0, recipientUserId: "u-1", subscription: { ...row, customerName: "Fabrikam Ltd", convertsTo: null, ...overrides } };
}

const lang = (t: Translate) => ({ t, locale: (t("cancel.button") === "Annuler" ? "fr" : "en") as Locale });

export const cardSamples: Record<string, (t: Translate) => object> = {
  menu: (t) => menuCardData(t, sampleCaller, registry.menuEntries(sampleCaller)),
  help: (t) => helpCardData(t, registry.helpLines(sampleCaller)),
  profile: (t) => profileCardData(t, sampleCaller),
  notEnrolled: (t) => notEnrolledCardData(t, "9b1d5c3a-1111-4222-8333-444455556666"),
  // The two long forms as they open in a Teams dialog (from the menu, a customer's card or the compose box).
  "customerAccount.dialog": (t) => accountCardData(lang(t), "flow-1", { ...sampleAccount, domainPrefix: "fabrikam" }, [], undefined),
  "orderCatalog.dialog": (t) => cardSamples.orderCatalog(t),
  customerAccount: (t) =>
    accountCardData(lang(t), "flow-1", { ...sampleAccount, domainPrefix: "fabrikam" }, [{ field: "domainPrefix", code: "domainTaken", params: { domain: "fabrikam.onmicrosoft.com" } }], "Northwind Reseller"),
  customerSubscriptions: (t) => {
    const offers = offersIn(lang(t).locale).filter((offer) => !offer.addOnOf.length && (soldOn(offer, "P1Y", "monthly") || offer.isTrial));
    return subscriptionsCardData(lang(t), { flowId: "flow-1", company: "Fabrikam Ltd", segment: "commercial", term: "P1Y", cycle: "monthly", offers: offers.filter((offer) => !offer.isTrial).slice(0, 4).concat(offers.filter((offer) => offer.isTrial).slice(0, 1)), quantities: { "CFQ7TTC0LDPB:0001": 10 }, issues: [{ field: "CFQ7TTC0LDPB:0002", code: "outOfRange", params: { min: 1, max: 25 } }] });
  },
  customerReview: (t) =>
    reviewCardData(lang(t), { flowId: "flow-1", account: sampleAccount, agreement: { firstName: "Ana", lastName: "Bowman", dateAgreed: "2026-11-22" }, term: "P1Y", cycle: "annual", lines: [{ offer: offerNamed(lang(t).locale, "Microsoft 365 Business Standard"), licences: 10 }] }),
  agreement: (t) =>
    agreementCardData(lang(t), {
      flowId: "flow-1",
      company: "Fabrikam Ltd",
      values: { firstName: "Ana", lastName: "Bowman", email: "ana@fabrikam.com", phone: "+1 425 555 0100", dateAgreed: "2026-11-22", accepted: "false" },
      issues: [{ field: "accepted", code: "required" }],
      context: "newCustomer",
      nextVerb: customerVerbs.agreementNext,
      backVerb: customerVerbs.agreementBack,
    }),
  "agreement.beforeOrder": (t) =>
    agreementCardData(lang(t), { flowId: "flow-2", company: "Fabrikam Ltd", values: { firstName: "Ana", lastName: "Bowman", email: "ana@fabrikam.com", phone: "", dateAgreed: "2026-11-22", accepted: "true" }, issues: [], context: "beforeOrder", nextVerb: orderVerbs.agreementNext }),
  orderTerm: (t) =>
    termCardData(lang(t), {
      flowId: "flow-2",
      title: t("order.title", { customer: "Fabrikam Ltd" }),
      intro: t("order.termIntro", { customer: "Fabrikam Ltd" }),
      choices: [
        { term: "P1M", cycle: "monthly" },
        { term: "P1Y", cycle: "monthly" },
        { term: "P1Y", cycle: "annual" },
        { term: "P3Y", cycle: "monthly" },
        { term: "P3Y", cycle: "annual" },
        { term: "P3Y", cycle: "triennial" },
      ],
      selected: { term: "P1Y", cycle: "monthly" },
      nextVerb: orderVerbs.termNext,
    }),
  customerCreated: (t) => createdCardData(lang(t), { company: "Fabrikam Ltd", adminAccount: "admin@fabrikam.onmicrosoft.com", password: "Xy7#kP2m!Qa9rT4w", customerId: "c-1" }),
  approval: (t) => approvalCardData(lang(t), sampleApproval("pending"), sampleAdmin),
  "approval.requester": (t) => approvalCardData(lang(t), sampleApproval("pending"), { ...sampleAdmin, userId: "u-2", role: "agent", displayName: "Megan Bowen" }),
  "approval.done": (t) => approvalCardData(lang(t), sampleApproval("done"), sampleAdmin),
  "approval.rejected": (t) => approvalCardData(lang(t), sampleApproval("rejected"), sampleAdmin),
  approvalPolicy: (t) => approvalPolicyCardData(lang(t), { orderLicencesAbove: 10, orderMonthlyCentsAbove: 100_000, cancellations: true, suspensions: false, resellerCustomers: true, expiryHours: 72 }, { canEdit: true }),
  customerCreatedShared: (t) => createdSharedCardData(lang(t), { company: "Fabrikam Ltd", adminAccount: "admin@fabrikam.onmicrosoft.com", createdBy: "Alex Wilber", customerId: "c-1" }),
  submitted: (t) => ({ title: `${t("customer.account.title")}: ${t("flow.cardSubmitted")}`, lines: ["Fabrikam Ltd", "fabrikam.onmicrosoft.com"] }),
  customerList: (t) =>
    customerListCardData(lang(t), { items: [{ ...sampleCustomer, resellerName: "Northwind Reseller", subscriptionCount: 2 }], total: 9, page: 1, pageCount: 2 }, "fab"),
  subscription: (t) => subscriptionCardData(lang(t), sampleNceSubscription(lang(t).locale), { isProvider: true, resellers: [{ id: "r-1", name: "Northwind Reseller" }] }),
  "subscription.legacySuspended": (t) => subscriptionCardData(lang(t), sampleSuspendedSubscription(lang(t).locale), { isProvider: true, resellers: [{ id: "r-1", name: "Northwind Reseller" }] }),
  cancelReview: (t) => {
    const subscription = sampleNceSubscription(lang(t).locale);
    return cancelReviewData(lang(t), { subscription, refundCents: subscription.cancelRefundCents, currency: "USD", until: subscription.cancellableUntil });
  },
  orderCatalog: (t) => {
    const offers = offersIn(lang(t).locale);
    const named = (name: string) => offers.find((offer) => offer.name === name)!;
    return orderCatalogData(lang(t), {
      flowId: "flow-2",
      customer: "Fabrikam Ltd",
      segment: "commercial",
      term: "P1Y",
      cycle: "monthly",
      choices: [
        { offer: named("Microsoft 365 Business Standard"), state: "available" },
        { offer: named("Office 365 E1 (legacy)"), state: "available" },
        { offer: named("Azure plan"), state: "reactivate", subscriptionId: "s-9" },
        { offer: named("Microsoft 365 Business Premium Trial"), state: "held", subscriptionId: "s-8" },
      ],
      quantities: { "CFQ7TTC0LDPB:0001": 5 },
      issues: [],
      resellers: [{ id: "r-1", name: "Northwind Reseller" }],
    });
  },
  orderReview: (t) =>
    orderReviewData(lang(t), { flowId: "flow-2", customer: "Fabrikam Ltd", term: "P1Y", cycle: "annual", lines: [{ offer: offerNamed(lang(t).locale, "Microsoft 365 Business Standard"), licences: 5 }, { offer: offerNamed(lang(t).locale, "Exchange Online (Plan 1)"), licences: 2 }], resellerName: "Northwind Reseller" }),
  subscriptionList: (t) => subscriptionListData(lang(t), [{ id: "s-1", licences: 25, status: "suspended", offerName: "Office 365 E3", customer: { companyName: "Fabrikam Ltd" } }]),
  history: (t) =>
    historyData(lang(t), "Fabrikam Ltd", {
      organisations: new Map([["r-1", "Northwind Reseller"]]),
      entries: [
        { at: new Date("2026-11-21T09:30:00Z"), action: "subscription.suspended", actorUserId: "u-1", actorName: "Alex Wilber", offerName: "Office 365 E3", before: { status: "active" }, after: { status: "suspended", reason: "nonPayment", deletionAt: "2027-02-19T09:30:00.000Z" } },
        { at: new Date("2026-10-02T15:10:00Z"), action: "subscription.licencesChanged", actorUserId: "u-2", actorName: "Megan Bowen", offerName: "Office 365 E3", before: { licences: 25 }, after: { licences: 30 } },
        { at: new Date("2026-09-01T10:05:00Z"), action: "subscription.resellersSet", actorUserId: "u-1", actorName: "Alex Wilber", offerName: "Office 365 E3", before: { resellerOfRecordId: null, supportContactId: null }, after: { resellerOfRecordId: "r-1", supportContactId: "r-1" } },
        { at: new Date("2026-09-01T10:00:00Z"), action: "customer.created", actorUserId: "u-1", actorName: "Alex Wilber", offerName: "", before: null, after: { companyName: "Fabrikam Ltd", domain: "fabrikam.onmicrosoft.com" } },
      ],
    }),
  inviteReseller: (t) => inviteCardData(lang(t), { flowId: "flow-3", days: 14, email: "sales@northwind", companyName: "Northwind Traders", issues: [{ field: "email", code: "invalidEmail" }] }),
  invitationDraft: (t) =>
    invitationDraftData(lang(t), {
      partnershipId: "p-1",
      email: "sales@northwind.example",
      company: "Northwind Traders",
      provider: "Contoso Distribution",
      code: "Q2hhbmdlTWVQbGVhc2U",
      expiresAt: new Date("2026-12-05T00:00:00Z"),
      appId: "0b5f2a9c-6f5e-4a57-9a55-6a1f0a1c2d3e",
    }),
  partnershipOffer: (t) => partnershipOfferData(lang(t), { provider: "Contoso Distribution", inviter: "Alex Wilber", company: "Northwind Traders", code: "Q2hhbmdlTWVQbGVhc2U", expiresAt: new Date("2026-12-05T00:00:00Z") }),
  resellerList: (t) =>
    resellerListData(
      lang(t),
      [
        { id: "p-1", companyName: "Northwind Traders", email: "sales@northwind.example", state: "active", resellerOrgId: "r-1" },
        { id: "p-2", companyName: "Tailspin Toys", email: "it@tailspin.example", state: "invited", resellerOrgId: null },
      ],
      true,
    ),
  staff: (t) =>
    staffCardData(t, sampleCaller, [
      { id: sampleCaller.userId, displayName: "Alex Wilber", role: "admin" },
      { id: "u-2", displayName: "Megan Bowen", role: "agent" },
    ]),
  reminder: (t) => reminderCardData(lang(t), sampleReminder("windowClosing", new Date("2026-11-23T02:00:00Z")), sampleNow),
  "reminder.renewalAhead": (t) => reminderCardData(lang(t), sampleReminder("renewalAhead", new Date("2027-11-16T02:00:00Z"), { scheduledNextTerm: null }), new Date("2027-10-17T02:00:00Z")),
  "reminder.deletion": (t) =>
    reminderCardData(lang(t), sampleReminder("deletion", new Date("2027-03-06T00:00:00Z"), { offerName: "Office 365 E1 (legacy)", productType: "OnlineServices", status: "suspended" }), new Date("2027-02-27T09:00:00Z")),
  licenceChange: (t) =>
    licenceChangeData(
      lang(t),
      {
        subscription: { id: "s-1", version: 3, offerName: "Office 365 E3", isNce: true, customer: { companyName: "Fabrikam Ltd", domainPrefix: "fabrikam" } },
        from: 25,
        to: 30,
        unitPriceCents: 2300,
        currency: "USD",
        monthlyDeltaCents: 11_500,
        proratedCents: 9_200,
        dropsScheduled: true,
      },
      sampleNow,
    ),
  relationshipRequest: (t) =>
    relationshipRequestData(lang(t), {
      provider: "Contoso Distribution",
      providerTenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      resellers: [{ id: "r-1", name: "Northwind Reseller", tenantId: "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" }],
      reseller: { id: "r-1", name: "Northwind Reseller", tenantId: "5e7d3a1b-2c4f-4a6b-8d9e-0f1a2b3c4d5e" },
    }),
  customerDetails: (t) =>
    customerDetailsCardData(lang(t), {
      id: "c-1",
      ...sampleAccount,
      openedAt: new Date("2026-11-01T00:00:00Z"),
      reseller: null,
      mcaAttestedAt: new Date("2026-11-01T00:00:00Z"),
      subscriptions: [{ id: "s-1", licences: 10, status: "suspended", offerName: "Microsoft 365 Business Standard" }],
    }),
};

/** Every sample: a template's name, or template.variant for another state of it. */
export const sampleNames = () => Object.keys(cardSamples).sort();

/** Samples shown as Teams shows them in a dialog, with its title. */
export const dialogTitles: Record<string, (t: Translate) => string> = {
  "customerAccount.dialog": (t) => t("menu.newCustomer"),
  "orderCatalog.dialog": (t) => t("order.formTitle"),
};
/** The template a sample fills. */
export const templateOfSample = (sample: string) => sample.split(".")[0];
