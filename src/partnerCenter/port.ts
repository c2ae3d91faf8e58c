/**
 * The Partner Center port: every operation the bot needs, shaped like the REST API. Two
 * adapters implement it: the embedded sandbox (the default: Partner Center's rules on the bot's
 * own database) and the REST connector. The services call this port; nothing above them knows
 * which adapter runs.
 *
 * Mutating operations take a request id (MS-RequestId, the idempotency key): the same id sent
 * again returns what the first call did, so a retry never creates twice.
 */
import type {
  AddressValidation,
  CatalogEntry,
  CheckoutResult,
  NewCustomer,
  PcAddress,
  PcAgreement,
  PcCart,
  PcCartLineItem,
  PcCustomer,
  PcIndirectReseller,
  PcOrder,
  PcSubscription,
} from "./types.js";

export interface PartnerCenter {
  /** Which adapter this is, for logs and /healthz. */
  readonly kind: "embedded" | "api";

  /** HEAD /v1/domains/{domain}: whether <prefix>.onmicrosoft.com can still be taken. */
  isDomainAvailable(domain: string): Promise<boolean>;
  /** POST /v1/validations/address */
  validateAddress(address: Omit<PcAddress, "firstName" | "lastName" | "phoneNumber">): Promise<AddressValidation>;
  /** POST /v1/customers. The answer carries the admin account and its temporary password, once. */
  createCustomer(customer: NewCustomer, requestId: string): Promise<PcCustomer>;
  /** GET /v1/customers/{id} */
  getCustomer(customerId: string): Promise<PcCustomer>;
  /** GET /v1/customers (continuation token paging), optionally the customers of one indirect reseller. */
  listCustomers(query: { resellerTenantId?: string; continuationToken?: string }): Promise<{ items: PcCustomer[]; continuationToken?: string }>;

  /** GET /v1/agreements?agreementType=MicrosoftCustomerAgreement: the template to attest. */
  customerAgreementTemplateId(): Promise<string>;
  /** POST /v1/customers/{id}/agreements */
  createAgreement(customerId: string, agreement: PcAgreement, requestId: string): Promise<PcAgreement>;
  /** GET /v1/customers/{id}/agreements */
  listAgreements(customerId: string): Promise<PcAgreement[]>;

  /** Products → skus → availabilities of a country and segment, as catalog entries. */
  catalog(query: { country: string; segment: string; language: string }): Promise<CatalogEntry[]>;
  /** POST /v1/customers/{id}/carts */
  createCart(customerId: string, lineItems: PcCartLineItem[], requestId: string): Promise<PcCart>;
  /** POST /v1/customers/{id}/carts/{cartId}/checkout */
  checkout(customerId: string, cartId: string, requestId: string): Promise<CheckoutResult>;
  /** GET /v1/customers/{id}/orders/{orderId}: subscription ids appear once provisioned. */
  getOrder(customerId: string, orderId: string): Promise<PcOrder>;
  /** GET /v1/customers/{id}/orders, newest first. */
  listOrders(customerId: string): Promise<PcOrder[]>;

  /** GET /v1/customers/{id}/subscriptions */
  listSubscriptions(customerId: string): Promise<PcSubscription[]>;
  /** GET /v1/customers/{id}/subscriptions/{subscriptionId} */
  getSubscription(customerId: string, subscriptionId: string): Promise<PcSubscription>;
  /** PATCH /v1/customers/{id}/subscriptions/{subscriptionId} with the whole resource and If-Match. */
  updateSubscription(customerId: string, subscription: PcSubscription, requestId: string): Promise<PcSubscription>;

  /** GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf */
  indirectResellers(): Promise<PcIndirectReseller[]>;
  /** GET /v1/compliance/csp/agreementstatus?mpnId={id}: whether the reseller signed the Microsoft Partner Agreement. */
  resellerAgreementSigned(mpnId: string): Promise<boolean>;
  /** GET /v1/customers/relationshiprequests: the link a customer accepts to have this partner (or a reseller). */
  relationshipRequestUrl(resellerTenantId?: string): Promise<string>;
}
