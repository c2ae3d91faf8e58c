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
import { staffCommands } from "../staffCommands.js";
import type { OfferView } from "../../src/catalog/catalogService.js";
import type { Locale } from "../../src/config.js";
import { accountCardData, createdCardData, customerDetailsCardData, customerListCardData, relationshipRequestData, reviewCardData, subscriptionsCardData } from "../customers/customerCards.js";
import { historyData, licenceChangeData, orderCatalogData, orderReviewData, subscriptionCardData, subscriptionListData, type SubscriptionDetails } from "../subscriptions/subscriptionCards.js";
import { invitationDraftData, inviteCardData, partnershipOfferData, resellerListData } from "../resellers/resellerCards.js";
import { staffCardData } from "../staffCommands.js";
import { reminderCardData } from "../reminders/teamsReminderChannel.js";
import { helpCardData, menuCardData, notEnrolledCardData, profileCardData } from "./basicCards.js";

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
  ...customerCommands(null as never, null as never, null as never),
  newSubscriptionCommand(null as never, null as never, null as never),
  ...subscriptionCommands(null as never, null as never),
  ...resellerCommands(null as never, undefined),
  ...staffCommands(null as never),
]);

const sampleOffers: OfferView[] = [
  { id: "m365-business-standard", name: "Microsoft 365 Business Standard", description: "Desktop Office apps and Teams.", descriptionFr: "Applications Office de bureau et Teams.", unitPriceCents: 1250, currency: "USD", minLicences: 1, maxLicences: 300, onePerCustomer: false, isTrial: false, trialDays: null, fullOfferId: null, parentOfferId: null },
  { id: "m365-business-standard-trial", name: "Microsoft 365 Business Standard Trial", description: "Free trial.", descriptionFr: "Essai gratuit.", unitPriceCents: 0, currency: "USD", minLicences: 1, maxLicences: 25, onePerCustomer: true, isTrial: true, trialDays: 30, fullOfferId: "m365-business-standard", parentOfferId: null },
];
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
  providerOrgId: "p",
  resellerOrgId: null,
  searchName: "fabrikam ltd",
  language: "en",
  adminAccount: "admin@fabrikam.onmicrosoft.com",
  adminPasswordHash: "scrypt$...",
  openedAt: new Date("2026-09-01T00:00:00Z"),
  firstBillingAt: new Date("2026-09-16T00:00:00Z"),
  creationKey: "k",
  createdById: "u",
  createdAt: new Date("2026-09-01T00:00:00Z"),
  updatedAt: new Date("2026-09-01T00:00:00Z"),
};
const sampleSubscriptionOffer = { ...sampleOffers[0], id: "o365-e3", name: "Office 365 E3", sortOrder: 5, createdAt: new Date(), updatedAt: new Date() };
/** A suspended subscription, as the subscription card shows it (deletion date under the status). */
export const sampleSuspendedSubscription: SubscriptionDetails = {
  id: "s-1",
  customerId: "c-1",
  offerId: "o365-e3",
  orderId: "o-1",
  licences: 25,
  billingCycle: "annual",
  status: "suspended",
  termEndAt: new Date("2027-09-16T00:00:00Z"),
  autoRenew: true,
  trialEndsAt: null,
  parentId: null,
  resellerOfRecordId: "r-1",
  supportContactId: null,
  suspensionReason: "nonPayment",
  suspendedAt: new Date("2026-11-21T00:00:00Z"),
  deletionAt: new Date("2027-03-06T00:00:00Z"),
  version: 3,
  remindersMuted: false,
  createdById: "u",
  createdAt: new Date("2026-09-16T00:00:00Z"),
  updatedAt: new Date("2026-11-21T00:00:00Z"),
  offer: sampleSubscriptionOffer,
  customer: sampleCustomer,
  parent: null,
  addOns: [{ ...({} as SubscriptionDetails["addOns"][number]), id: "s-2", licences: 50, status: "suspended", offer: { ...sampleSubscriptionOffer, id: "o365-extra-file-storage", name: "Office 365 Extra File Storage (per GB)" } }],
  resellerOfRecordName: "Northwind Reseller",
  supportContactName: null,
  addOnOffers: [{ ...sampleSubscriptionOffer, id: "audio-conferencing-e3", name: "Microsoft Teams Audio Conferencing", parentOfferId: "o365-e3" }],
  deletionIfSuspendedNow: new Date("2027-03-06T00:00:00Z"),
};
const lang = (t: Translate) => ({ t, locale: (t("cancel.button") === "Annuler" ? "fr" : "en") as Locale });

export const cardSamples: Record<string, (t: Translate) => object> = {
  menu: (t) => menuCardData(t, sampleCaller, registry.menuEntries(sampleCaller)),
  help: (t) => helpCardData(t, registry.helpLines(sampleCaller)),
  profile: (t) => profileCardData(t, sampleCaller),
  notEnrolled: (t) => notEnrolledCardData(t, "9b1d5c3a-1111-4222-8333-444455556666"),
  customerAccount: (t) =>
    accountCardData(lang(t), "flow-1", { ...sampleAccount, domainPrefix: "fabrikam" }, [{ field: "domainPrefix", code: "domainTaken", params: { domain: "fabrikam.onmicrosoft.com" } }], "Northwind Reseller"),
  customerSubscriptions: (t) =>
    subscriptionsCardData(lang(t), { flowId: "flow-1", company: "Fabrikam Ltd", segment: "commercial", cycle: "monthly", offers: sampleOffers, quantities: { "m365-business-standard": 10 }, issues: [{ field: "m365-business-standard-trial", code: "outOfRange", params: { min: 1, max: 25 } }] }),
  customerReview: (t) => reviewCardData(lang(t), { flowId: "flow-1", account: sampleAccount, cycle: "annual", lines: [{ offer: sampleOffers[0], licences: 10 }] }),
  customerCreated: (t) => createdCardData(lang(t), { company: "Fabrikam Ltd", adminAccount: "admin@fabrikam.onmicrosoft.com", password: "Xy7#kP2m!Qa9rT4w", customerId: "c-1" }),
  submitted: (t) => ({ title: `${t("customer.account.title")}: ${t("flow.cardSubmitted")}`, lines: ["Fabrikam Ltd", "fabrikam.onmicrosoft.com"] }),
  customerList: (t) =>
    customerListCardData(lang(t), { items: [{ id: "c-1", companyName: "Fabrikam Ltd", domainPrefix: "fabrikam", adminAccount: "admin@fabrikam.onmicrosoft.com", segment: "commercial", resellerOrgId: null, providerOrgId: "p", resellerName: "Northwind Reseller", subscriptionCount: 2 }], total: 9, page: 1, pageCount: 2 }, "fab"),
  subscription: (t) => subscriptionCardData(lang(t), sampleSuspendedSubscription, { isProvider: true, resellers: [{ id: "r-1", name: "Northwind Reseller" }] }),
  orderCatalog: (t) =>
    orderCatalogData(lang(t), {
      flowId: "flow-2",
      customer: "Fabrikam Ltd",
      segment: "commercial",
      cycle: "monthly",
      choices: [{ offer: sampleOffers[0], state: "available" }, { offer: { ...sampleOffers[0], id: "azure-plan", name: "Azure plan", onePerCustomer: true }, state: "reactivate", subscriptionId: "s-9" }, { offer: sampleOffers[1], state: "held", subscriptionId: "s-8" }],
      quantities: { "m365-business-standard": 5 },
      issues: [],
      resellers: [{ id: "r-1", name: "Northwind Reseller" }],
    }),
  orderReview: (t) => orderReviewData(lang(t), { flowId: "flow-2", customer: "Fabrikam Ltd", cycle: "monthly", lines: [{ offer: sampleOffers[0], licences: 5 }], resellerName: "Northwind Reseller" }),
  subscriptionList: (t) => subscriptionListData(lang(t), [{ id: "s-1", licences: 25, status: "suspended", offer: { name: "Office 365 E3" }, customer: { companyName: "Fabrikam Ltd" } }]),
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
  reminder: (t) =>
    reminderCardData(
      lang(t),
      {
        id: "rem-1",
        kind: "deletion",
        eventAt: new Date("2027-03-06T00:00:00Z"),
        leadDays: 7,
        recipientUserId: "u-1",
        subscription: { id: "s-1", version: 3, status: "suspended", licences: 25, offerId: "o365-e3", offerName: "Office 365 E3", customerName: "Fabrikam Ltd", customerId: "c-1", fullOfferId: null },
      },
      new Date("2027-02-27T09:00:00Z"),
    ),
  licenceChange: (t) =>
    licenceChangeData(lang(t), {
      subscription: { id: "s-1", version: 3, offer: { name: "Office 365 E3" }, customer: { companyName: "Fabrikam Ltd", domainPrefix: "fabrikam" } },
      from: 25,
      to: 30,
      unitPriceCents: 2300,
      currency: "USD",
      monthlyDeltaCents: 11_500,
    }),
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
      subscriptions: [{ id: "s-1", licences: 10, status: "suspended", offer: { name: "Microsoft 365 Business Standard" } }],
    }),
};
