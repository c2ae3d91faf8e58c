/**
 * Sample data for every card template, in any language: the card test renders each template
 * with it, and the card gallery will picture them. A template without a sample fails the test.
 */
import type { Translate } from "../../src/i18n/index.js";
import type { Caller } from "../../src/identity/identityService.js";
import { CommandRegistry } from "../commands.js";
import type { OfferView } from "../../src/catalog/catalogService.js";
import type { Locale } from "../../src/config.js";
import { accountCardData, createdCardData, customerDetailsCardData, customerListCardData, reviewCardData, subscriptionsCardData } from "../customers/customerCards.js";
import { helpCardData, menuCardData, notEnrolledCardData, profileCardData } from "./basicCards.js";

export const sampleCaller: Caller = {
  userId: "7d3f2c1e-0000-4000-8000-000000000001",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  aadObjectId: "00000000-0000-0000-0000-000000000020",
  displayName: "Alex Wilber",
  role: "admin",
  organisation: { id: "org-1", kind: "provider", name: "Contoso Distribution" },
};

const registry = new CommandRegistry();

const sampleOffers: OfferView[] = [
  { id: "m365-business-standard", name: "Microsoft 365 Business Standard", description: "Desktop Office apps and Teams.", unitPriceCents: 1250, currency: "USD", minLicences: 1, maxLicences: 300, onePerCustomer: false, isTrial: false, trialDays: null, parentOfferId: null },
  { id: "m365-business-standard-trial", name: "Microsoft 365 Business Standard Trial", description: "Free trial.", unitPriceCents: 0, currency: "USD", minLicences: 1, maxLicences: 25, onePerCustomer: true, isTrial: true, trialDays: 30, parentOfferId: null },
];
const sampleAccount = {
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
const lang = (t: Translate) => ({ t, locale: (t("cancel.button") === "Annuler" ? "fr" : "en") as Locale });

export const cardSamples: Record<string, (t: Translate) => object> = {
  menu: (t) => menuCardData(t, sampleCaller, registry.menuEntries()),
  help: (t) => helpCardData(t, registry.helpLines()),
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
  customerDetails: (t) =>
    customerDetailsCardData(lang(t), {
      id: "c-1",
      ...sampleAccount,
      openedAt: new Date("2026-11-01T00:00:00Z"),
      reseller: null,
      subscriptions: [{ id: "s-1", licences: 10, status: "suspended", offer: { name: "Microsoft 365 Business Standard" } }],
    }),
};
