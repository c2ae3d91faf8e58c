/**
 * Partner Center's resources, shaped as its REST API returns them (camelCase, statuses as open
 * strings: Partner Center adds values). Only the fields the bot reads are typed; the rest pass
 * through untouched.
 */

export interface PcAddress {
  firstName?: string;
  lastName?: string;
  addressLine1: string;
  addressLine2?: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  phoneNumber?: string;
}

export interface PcCustomer {
  id: string;
  commerceId?: string;
  companyProfile: { tenantId?: string; domain: string; companyName?: string; organizationRegistrationNumber?: string };
  billingProfile: { email: string; culture: string; language: string; companyName: string; defaultAddress: PcAddress; attributes?: { etag?: string } };
  /** "none", "reseller", … */
  relationshipToPartner?: string;
  /** The indirect reseller (its tenant id) the customer is associated with. */
  associatedPartnerId?: string;
  /** Only in the answer to a creation: the admin account and its temporary password, shown once. */
  userCredentials?: { userName: string; password: string };
  attributes?: { etag?: string; objectType?: string };
}

export interface NewCustomer {
  companyProfile: { domain: string; organizationRegistrationNumber?: string };
  billingProfile: { email: string; culture: string; language: string; companyName: string; defaultAddress: PcAddress };
  associatedPartnerId?: string;
}

export type AddressStatus = "VerifiedShippable" | "Verified" | "InteractionRequired" | "StreetPartial" | "PremisesPartial" | "Multiple" | "None" | "NotValidated" | (string & {});

export interface AddressValidation {
  status: AddressStatus;
  suggestedAddresses: Omit<PcAddress, "firstName" | "lastName" | "phoneNumber">[];
  validationMessage?: string;
}

export interface PcAgreement {
  primaryContact: { firstName: string; lastName: string; email: string; phoneNumber?: string };
  templateId: string;
  dateAgreed: string;
  type: "MicrosoftCustomerAgreement" | (string & {});
}

export type TermDuration = "P1M" | "P1Y" | "P3Y" | (string & {});
export type PcBillingCycle = "Monthly" | "Annual" | "Triennial" | "OneTime" | (string & {});

export interface PcTerm {
  id?: string;
  duration: TermDuration;
  billingCycle: PcBillingCycle;
  description?: string;
}

export interface PcProduct {
  id: string;
  title: string;
  description: string;
  productType: { id: string; displayName?: string };
}

export interface PcSku {
  id: string;
  productId: string;
  title: string;
  description: string;
  minimumQuantity: number;
  maximumQuantity: number;
  isTrial: boolean;
  trialDuration?: string;
  /** For a trial: the sku it converts to (Partner Center: "conversion"). */
  convertsTo?: string;
  /** For an add-on: the products it attaches to. */
  addOnOf?: string[];
  /** Limited to one subscription per customer. */
  limitedToOnePerCustomer?: boolean;
}

export interface PcAvailability {
  id: string;
  productId: string;
  skuId: string;
  /** productId:skuId:availabilityId: what a cart line names. */
  catalogItemId: string;
  segment: string;
  country: string;
  isPurchasable: boolean;
  defaultCurrency: { code: string };
  terms: PcTerm[];
}

/** One offer of the catalog as the bot shows it: product, sku, availability and the prices of its terms. */
export interface CatalogEntry {
  product: PcProduct;
  sku: PcSku;
  availability: PcAvailability;
  /** Description in the requested language. */
  description: string;
  /** Price of one licence for one month, per term duration, in the smallest unit of the currency. */
  monthlyPriceCents: Record<string, number>;
}

export interface PcCartLineItem {
  id: number;
  catalogItemId: string;
  quantity: number;
  billingCycle: PcBillingCycle | Lowercase<PcBillingCycle>;
  termDuration: TermDuration;
  participants?: { key: string; value: string }[];
  /** An add-on bought against an existing base subscription. */
  provisioningContext?: Record<string, string>;
  orderGroup?: string;
  pricing?: { listPrice: number; price: number; extendedPrice: number };
  error?: { errorCode: number; errorDescription: string };
}

export interface PcCart {
  id: string;
  creationTimestamp: string;
  expirationTimestamp: string;
  status: string;
  lineItems: PcCartLineItem[];
}

export interface PcOrderLineItem {
  lineItemNumber: number;
  offerId: string;
  /** Missing while the subscription is still being provisioned. */
  subscriptionId?: string;
  termDuration: TermDuration;
  billingCycle?: PcBillingCycle;
  transactionType?: string;
  friendlyName: string;
  quantity: number;
  partnerIdOnRecord?: string;
  pricing?: { listPrice: number; extendedPrice?: number };
}

export interface PcOrder {
  id: string;
  referenceCustomerId: string;
  billingCycle: string;
  currencyCode: string;
  /** "completed", "pending", "cancelled", … */
  status: string;
  creationDate: string;
  lineItems: PcOrderLineItem[];
}

export interface CheckoutResult {
  orders: PcOrder[];
  orderErrors: { orderGroupId: string; code: number; description: string }[];
}

export interface PcSubscription {
  id: string;
  offerId: string;
  offerName: string;
  friendlyName: string;
  productType?: { id: string };
  quantity: number;
  unitType?: string;
  /** active | suspended | deleted | expired | disabled | pending | … */
  status: string;
  autoRenewEnabled: boolean;
  creationDate: string;
  effectiveStartDate: string;
  commitmentEndDate: string;
  termDuration: TermDuration;
  billingCycle: string;
  cancellationAllowedUntilDate?: string;
  refundOptions?: { type: string; expiresAt: string }[];
  refundableQuantity?: { totalQuantity: number; details: { quantity: number; allowedUntilDateTime: string }[] };
  scheduledNextTermInstructions?: {
    product: { productId: string; skuId: string; availabilityId: string; billingCycle: string; termDuration: TermDuration };
    quantity: number;
    customTermEndDate?: string;
  } | null;
  /** The reseller of record (its PartnerID). */
  partnerId?: string;
  suspensionReasons?: string[];
  orderId?: string;
  parentSubscriptionId?: string;
  isTrial?: boolean;
  attributes: { etag: string; objectType?: string };
}

export interface PcIndirectReseller {
  /** The reseller's tenant id: what associatedPartnerId takes. */
  id: string;
  name: string;
  relationshipType: string;
  state: string;
  /** Its PartnerID (MPN id): what transaction_reseller takes. */
  mpnId: string;
  location?: string;
}
