/**
 * The REST connector: the Partner Center port over Partner Center's REST API, exactly as
 * documented (../shared/PARTNER_CENTER.md). Every call carries a new MS-CorrelationId and an
 * MS-RequestId; a call that changes something takes its request id from the outbox, recorded
 * before it is sent, so a retry after a timeout, a 5xx, a network error or a restart sends the
 * same id and Partner Center does it once. Calls wait for a slot of the partner tenant's and the
 * customer's budgets (below Partner Center's limits), honour Retry-After on 429, back off with
 * jitter on 5xx and network errors, and time out. Refusals come back as PartnerCenterError with
 * Partner Center's code and the correlation id. Unknown fields and statuses pass through.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../log.js";
import { relationshipRequestUrl } from "../../customers/relationshipRequest.js";
import type { SendBudget, Window } from "../../util/slidingWindowBudget.js";
import { PartnerCenterError } from "../errors.js";
import type { PartnerCenter } from "../port.js";
import type {
  AddressValidation,
  CatalogEntry,
  CheckoutResult,
  NewCustomer,
  PcAddress,
  PcAgreement,
  PcAvailability,
  PcCart,
  PcCartLineItem,
  PcCustomer,
  PcIndirectReseller,
  PcOrder,
  PcProduct,
  PcSku,
  PcSubscription,
} from "../types.js";
import type { Outbox } from "./outbox.js";
import { monthlyPrices, parsePriceSheet } from "./priceSheet.js";
import type { TokenProvider } from "./tokens.js";

export interface RestOptions {
  /** https://api.partnercenter.microsoft.com, or a stand-in. */
  baseUrl: string;
  tokens: TokenProvider;
  outbox: Outbox;
  budget: SendBudget;
  /** Calls a minute allowed for the partner tenant (a third of it per customer). */
  requestsPerMinute: number;
  timeoutMs: number;
  logger: Logger;
  /** The partner's own tenant id (for its relationship request link to resellers' customers). */
  partnerTenantId: string;
  /** Attempts of one call (the first included) on 429, 5xx, timeouts and network errors. */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for: the call gives up, as "busy", at once. */
  maxRetryWaitMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a sign-in fails in a way an admin must fix (MFA, consent, credentials). */
  onSignInProblem?: (error: PartnerCenterError) => void;
  /** Told of every HTTP exchange (its status, or "network" when none came back): for metrics. */
  onCall?: (method: string, status: number | "network") => void;
}

interface Call {
  method: "GET" | "POST" | "PATCH" | "PUT" | "HEAD";
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Which token: the app's, or the connected user's (App+User); "app+" tries the user's when the app's is refused with 900329. */
  auth?: "app" | "user" | "app+";
  /** For the per-customer budget. */
  customerId?: string;
  /** A call that changes something: its outbox key (the service's request id) and operation. */
  mutation?: { key: string; operation: string };
  /** Statuses that are answers, not errors (HEAD /domains: 404 = available). */
  accept?: number[];
}

interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const signInCodes = new Set([900420, 900421, 900422, 900423]);

export class RestPartnerCenter implements PartnerCenter {
  readonly kind = "api" as const;
  private readonly partnerWindows: Window[];
  private readonly customerWindows: Window[];
  private templateId?: string;

  constructor(private readonly options: RestOptions) {
    this.partnerWindows = [{ limit: options.requestsPerMinute, ms: 60_000 }];
    this.customerWindows = [{ limit: Math.max(1, Math.floor(options.requestsPerMinute / 3)), ms: 60_000 }];
  }

  // ---- customers -------------------------------------------------------------------------

  async isDomainAvailable(domain: string): Promise<boolean> {
    const answer = await this.call({ method: "HEAD", path: `/v1/domains/${encodeURIComponent(domain)}`, accept: [404] });
    return answer.status === 404;
  }

  async validateAddress(address: Omit<PcAddress, "firstName" | "lastName" | "phoneNumber">): Promise<AddressValidation> {
    const answer = await this.call<AddressValidation>({ method: "POST", path: "/v1/validations/address", body: address });
    return { status: answer.body.status ?? "NotValidated", suggestedAddresses: answer.body.suggestedAddresses ?? [], validationMessage: answer.body.validationMessage };
  }

  async createCustomer(customer: NewCustomer, requestId: string): Promise<PcCustomer> {
    // A reseller's customer needs App+User; a direct one, the app alone.
    const answer = await this.call<PcCustomer>({ method: "POST", path: "/v1/customers", body: customer, auth: customer.associatedPartnerId ? "user" : "app", mutation: { key: requestId, operation: "createCustomer" } });
    return answer.body;
  }

  async getCustomer(customerId: string): Promise<PcCustomer> {
    return (await this.call<PcCustomer>({ method: "GET", path: `/v1/customers/${encodeURIComponent(customerId)}`, customerId })).body;
  }

  async listCustomers(query: { resellerTenantId?: string; continuationToken?: string }): Promise<{ items: PcCustomer[]; continuationToken?: string }> {
    const filter = query.resellerTenantId ? JSON.stringify({ Field: "IndirectReseller", Value: query.resellerTenantId, Operator: "starts_with" }) : undefined;
    const answer = await this.call<{ items?: PcCustomer[]; links?: { next?: { headers?: { key: string; value: string }[] } } }>({
      method: "GET",
      path: "/v1/customers",
      query: { size: "40", filter, ...(query.continuationToken ? { seekOperation: "Next" } : {}) },
      headers: query.continuationToken ? { "MS-ContinuationToken": query.continuationToken } : undefined,
    });
    const next = answer.body.links?.next?.headers?.find((header) => header.key.toLowerCase() === "ms-continuationtoken")?.value;
    return { items: answer.body.items ?? [], continuationToken: next };
  }

  async customerAgreementTemplateId(): Promise<string> {
    if (this.templateId) return this.templateId;
    const answer = await this.call<{ items?: { templateId: string }[] }>({ method: "GET", path: "/v1/agreements", query: { agreementType: "MicrosoftCustomerAgreement" } });
    const templateId = answer.body.items?.[0]?.templateId;
    if (!templateId) throw new PartnerCenterError(404, "Partner Center has no Microsoft Customer Agreement template.", 404);
    this.templateId = templateId;
    return templateId;
  }

  async createAgreement(customerId: string, agreement: PcAgreement, requestId: string): Promise<PcAgreement> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/agreements`;
    return (await this.call<PcAgreement>({ method: "POST", path, body: agreement, auth: "app+", customerId, mutation: { key: requestId, operation: "createAgreement" } })).body;
  }

  async listAgreements(customerId: string): Promise<PcAgreement[]> {
    const answer = await this.call<{ items?: PcAgreement[] }>({ method: "GET", path: `/v1/customers/${encodeURIComponent(customerId)}/agreements`, query: { agreementType: "MicrosoftCustomerAgreement" }, auth: "app+", customerId });
    return answer.body.items ?? [];
  }

  // ---- catalog, carts, orders -------------------------------------------------------------

  /** Products → skus → availabilities of a country and segment, priced from the price sheet. */
  async catalog(query: { country: string; segment: string; language: string }): Promise<CatalogEntry[]> {
    const locale = { "X-Locale": `${query.language}-${query.country}` };
    const products: PcProduct[] = [];
    for (const targetView of ["OnlineServices", "Azure"]) {
      products.push(...((await this.call<{ items?: PcProduct[] }>({ method: "GET", path: "/v1/products", query: { country: query.country, targetView, targetSegment: query.segment }, headers: locale })).body.items ?? []));
    }
    const sheet = parsePriceSheet(
      (await this.call<string>({ method: "GET", path: `/v1/sales/pricesheets(Market='${query.country}',PricesheetView='updatedlicensebased')/$value`, headers: { Accept: "text/csv" } })).body,
    );
    const entries: CatalogEntry[] = [];
    for (const product of products) {
      const skus = (await this.call<{ items?: PcSku[] }>({ method: "GET", path: `/v1/products/${encodeURIComponent(product.id)}/skus`, query: { country: query.country, targetSegment: query.segment }, headers: locale })).body.items ?? [];
      for (const sku of skus) {
        const availabilities =
          (await this.call<{ items?: PcAvailability[] }>({ method: "GET", path: `/v1/products/${encodeURIComponent(product.id)}/skus/${encodeURIComponent(sku.id)}/availabilities`, query: { country: query.country, targetSegment: query.segment }, headers: locale })).body.items ?? [];
        for (const availability of availabilities.filter((candidate) => candidate.isPurchasable !== false && (!candidate.segment || candidate.segment.toLowerCase() === query.segment))) {
          entries.push({ product, sku, availability, description: sku.description || product.description, monthlyPriceCents: monthlyPrices(sheet, product.id, sku.id, query.segment) });
        }
      }
    }
    return entries;
  }

  async createCart(customerId: string, lineItems: PcCartLineItem[], requestId: string): Promise<PcCart> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/carts`;
    const answer = await this.call<PcCart>({ method: "POST", path, body: { lineItems }, customerId, mutation: { key: requestId, operation: "createCart" } });
    // A line refused in the cart (10001, 10012, 10015…) is Partner Center's refusal of the order.
    const refused = answer.body.lineItems?.find((line) => line.error && line.error.errorCode !== 10012);
    if (refused?.error) throw new PartnerCenterError(refused.error.errorCode, refused.error.errorDescription, 400, answer.headers.get("MS-CorrelationId") ?? undefined);
    return answer.body;
  }

  async checkout(customerId: string, cartId: string, requestId: string): Promise<CheckoutResult> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/carts/${encodeURIComponent(cartId)}/checkout`;
    return (await this.call<CheckoutResult>({ method: "POST", path, customerId, mutation: { key: requestId, operation: "checkout" } })).body;
  }

  async getOrder(customerId: string, orderId: string): Promise<PcOrder> {
    return (await this.call<PcOrder>({ method: "GET", path: `/v1/customers/${encodeURIComponent(customerId)}/orders/${encodeURIComponent(orderId)}`, customerId })).body;
  }

  async listOrders(customerId: string): Promise<PcOrder[]> {
    const orders = (await this.call<{ items?: PcOrder[] }>({ method: "GET", path: `/v1/customers/${encodeURIComponent(customerId)}/orders`, customerId })).body.items ?? [];
    return [...orders].sort((a, b) => Date.parse(b.creationDate) - Date.parse(a.creationDate));
  }

  // ---- subscriptions ----------------------------------------------------------------------

  async listSubscriptions(customerId: string): Promise<PcSubscription[]> {
    return (await this.call<{ items?: PcSubscription[] }>({ method: "GET", path: `/v1/customers/${encodeURIComponent(customerId)}/subscriptions`, customerId })).body.items ?? [];
  }

  async getSubscription(customerId: string, subscriptionId: string): Promise<PcSubscription> {
    return (await this.call<PcSubscription>({ method: "GET", path: `/v1/customers/${encodeURIComponent(customerId)}/subscriptions/${encodeURIComponent(subscriptionId)}`, customerId })).body;
  }

  async updateSubscription(customerId: string, subscription: PcSubscription, requestId: string): Promise<PcSubscription> {
    const path = `/v1/customers/${encodeURIComponent(customerId)}/subscriptions/${encodeURIComponent(subscription.id)}`;
    const answer = await this.call<PcSubscription>({ method: "PATCH", path, body: subscription, headers: { "If-Match": subscription.attributes.etag }, customerId, mutation: { key: requestId, operation: "updateSubscription" } });
    return answer.body;
  }

  // ---- indirect resellers ----------------------------------------------------------------

  async indirectResellers(): Promise<PcIndirectReseller[]> {
    return (await this.call<{ items?: PcIndirectReseller[] }>({ method: "GET", path: "/v1/relationships", query: { relationship_type: "IsIndirectCloudSolutionProviderOf" } })).body.items ?? [];
  }

  async resellerAgreementSigned(mpnId: string): Promise<boolean> {
    const answer = await this.call<{ status?: string }>({ method: "GET", path: "/v1/compliance/csp/agreementstatus", query: { mpnId } });
    return ["active", "signed"].includes(String(answer.body.status ?? "").toLowerCase());
  }

  async relationshipRequestUrl(resellerTenantId?: string): Promise<string> {
    // The link for a reseller's customer names the reseller and the provider (built as Partner Center builds it).
    if (resellerTenantId) return relationshipRequestUrl({ providerTenantId: this.options.partnerTenantId, resellerTenantId });
    return (await this.call<{ url: string }>({ method: "GET", path: "/v1/customers/relationshiprequests" })).body.url;
  }

  // ---- webhooks ----------------------------------------------------------------------------

  /** POST /webhooks/v1/registration (PUT when one exists): Partner Center is to POST these events to `url`. */
  async registerWebhooks(url: string, events: string[]): Promise<{ url: string; events: string[] }> {
    const body = { WebhookUrl: url, WebhookEvents: events };
    const answer = await this.call<{ WebhookUrl?: string; WebhookEvents?: string[] }>({ method: "POST", path: "/webhooks/v1/registration", body, accept: [409], mutation: { key: `webhooks:${url}:${events.join(",")}`, operation: "registerWebhooks" } });
    const registered = answer.status === 409 ? (await this.call<{ WebhookUrl?: string; WebhookEvents?: string[] }>({ method: "PUT", path: "/webhooks/v1/registration", body })).body : answer.body;
    return { url: registered.WebhookUrl ?? url, events: registered.WebhookEvents ?? events };
  }

  // ---- the call ----------------------------------------------------------------------------

  /**
   * One call, with its retries: a slot of the budgets, a token, MS-CorrelationId (new per HTTP
   * request) and MS-RequestId (the outbox's, for a change: the same on every retry), a timeout.
   * 429 → Retry-After; 5xx, timeouts and network errors → backoff with jitter. Any other answer
   * closes the outbox row; an error answer becomes a PartnerCenterError with its code.
   */
  private async call<T>(call: Call): Promise<Answer<T>> {
    const { logger } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const sleep = this.options.sleep ?? realSleep;
    const entry = call.mutation ? await this.options.outbox.begin(call.mutation.key, call.mutation.operation) : undefined;
    const requestId = entry?.requestId ?? randomUUID();
    let auth = call.auth === "user" ? "user" : "app";
    let lastProblem = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await this.options.budget.acquire([{ key: "partner-center:partner", windows: this.partnerWindows }, ...(call.customerId ? [{ key: `partner-center:customer:${call.customerId}`, windows: this.customerWindows }] : [])]);
      const correlationId = randomUUID();
      let response: Response;
      try {
        const token = auth === "user" ? await this.options.tokens.userToken() : await this.options.tokens.appToken();
        response = await fetch(this.url(call), {
          method: call.method,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: "application/json",
            "MS-CorrelationId": correlationId,
            "MS-RequestId": requestId,
            ...(call.body !== undefined ? { "Content-Type": "application/json" } : {}),
            ...call.headers,
          },
          body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        if (error instanceof PartnerCenterError) {
          if (signInCodes.has(error.code) || error.code === 900329) this.options.onSignInProblem?.(error);
          throw error;
        }
        this.options.onCall?.(call.method, "network");
        // No answer (timeout, connection refused or reset): the same request id again.
        lastProblem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        logger.warn({ path: call.path, method: call.method, attempt, correlationId, requestId, problem: lastProblem }, "Partner Center did not answer");
        if (attempt < maxAttempts) await sleep(this.backoff(attempt));
        continue;
      }
      this.options.onCall?.(call.method, response.status);
      if (response.status === 429) {
        const retryAfterMs = retryAfter(response.headers.get("Retry-After"));
        await response.body?.cancel().catch(() => undefined);
        logger.warn({ path: call.path, attempt, correlationId, retryAfterMs }, "Partner Center is throttling");
        if (retryAfterMs > (this.options.maxRetryWaitMs ?? 60_000) || attempt === maxAttempts) {
          throw new PartnerCenterError(429, "Partner Center is throttling requests.", 429, correlationId, { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) });
        }
        await sleep(retryAfterMs);
        continue;
      }
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        const text = await response.text().catch(() => "");
        logger.warn({ path: call.path, method: call.method, status: response.status, attempt, correlationId, requestId, body: text.slice(0, 300) }, "Partner Center failed");
        if (attempt < maxAttempts) await sleep(this.backoff(attempt));
        continue;
      }
      // An answer: the operation is no longer in flight, whatever it says.
      if (entry) await this.options.outbox.answered(entry, response.status);
      if (response.ok || call.accept?.includes(response.status)) {
        const text = call.method === "HEAD" ? "" : await response.text();
        const isJson = (response.headers.get("content-type") ?? "").includes("json");
        return { status: response.status, headers: response.headers, body: (text && isJson ? JSON.parse(text) : text) as T };
      }
      const error = await errorOf(response, correlationId);
      if (error.code === 900329 && call.auth === "app+" && auth === "app") {
        // This call needs App+User after all: once more with the connected user's token (a new request id would be wrong: nothing was done).
        auth = "user";
        attempt--;
        continue;
      }
      if (signInCodes.has(error.code) || error.code === 900329) this.options.onSignInProblem?.(error);
      throw error;
    }
    throw new PartnerCenterError(503, `Partner Center is unavailable (${lastProblem}).`, 503, undefined, { requestId });
  }

  private url(call: Call): string {
    const query = Object.entries(call.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined);
    const search = query.length ? `?${new URLSearchParams(query).toString()}` : "";
    return `${this.options.baseUrl}${call.path}${search}`;
  }

  /** Exponential backoff with jitter: about 0.5 s, 1 s, 2 s, 4 s, at most 8 s. */
  private backoff(attempt: number): number {
    const base = Math.min(500 * 2 ** (attempt - 1), 8_000);
    return Math.round(base * (0.5 + (this.options.random ?? Math.random)()));
  }
}

/** Retry-After in seconds (or an HTTP date) as milliseconds; 1 s when absent or absurd. */
function retryAfter(value: string | null): number {
  if (!value) return 1_000;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3_600) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - Date.now()), 3_600_000) : 1_000;
}

/** Partner Center's error body ({ code, description, data, source }) as a PartnerCenterError. */
async function errorOf(response: Response, correlationId: string): Promise<PartnerCenterError> {
  const text = await response.text().catch(() => "");
  let code = response.status;
  let description = text.slice(0, 500) || response.statusText;
  const details: Record<string, string | number> = {};
  try {
    const body = JSON.parse(text) as { code?: number | string; description?: string; message?: string; data?: unknown[] };
    if (body.code !== undefined && Number.isFinite(Number(body.code))) code = Number(body.code);
    description = body.description ?? body.message ?? description;
    for (const item of body.data ?? []) if (item && typeof item === "object") for (const [key, value] of Object.entries(item)) if (typeof value === "string" || typeof value === "number") details[key] = value;
  } catch {
    // Not JSON: the status and the text.
  }
  return new PartnerCenterError(code, description, response.status, response.headers.get("MS-CorrelationId") ?? correlationId, details);
}
