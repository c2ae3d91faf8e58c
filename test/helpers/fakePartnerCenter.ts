/**
 * A stand-in for the Partner Center REST API served over HTTPS on loopback, built from the
 * documented request and response shapes (../shared/PARTNER_CENTER.md): its behaviour (New
 * Commerce's rules, idempotency by MS-RequestId, provisioning lag) is the embedded sandbox's, on
 * its own tables of the test database. It checks the bearer token against the fake Entra (App+User
 * where Partner Center requires it, MFA), records every request (method, path, query, headers,
 * body) and can be told to misbehave: answer 429 with Retry-After, 503 bursts, hang or fail after
 * committing, to show what the connector does.
 */
import { createSign } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer, type Server } from "node:https";
import type { Db } from "../../src/db/database.js";
import { PartnerCenterError } from "../../src/partnerCenter/errors.js";
import { EmbeddedPartnerCenter, MCA_TEMPLATE_ID } from "../../src/partnerCenter/sandbox/embeddedPartnerCenter.js";
import { readCatalogFile, SandboxCatalog } from "../../src/partnerCenter/sandbox/sandboxCatalog.js";
import type { PcSubscription } from "../../src/partnerCenter/types.js";
import type { FakeEntra } from "./fakeEntra.js";
import { testSecrets } from "./harness.js";

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  status?: number;
}

export interface Fault {
  /** Which requests: method and a path pattern. */
  method?: string;
  path: RegExp;
  /** How many matching requests it applies to. */
  times: number;
  /** Answer this instead of processing the request. */
  respond?: { status: number; headers?: Record<string, string>; body?: unknown };
  /** Process the request (commit), then answer this status instead of the real answer. */
  afterCommit?: { status: number } | { hangMs: number };
}

const MPN_OF = (tenantId: string) => String(6_100_000 + (parseInt(tenantId.replace(/-/g, "").slice(0, 6), 16) % 1_000_000));

export class FakePartnerCenter {
  readonly received: Recorded[] = [];
  readonly faults: Fault[] = [];
  readonly sandbox: EmbeddedPartnerCenter;
  private readonly catalog: SandboxCatalog;
  private server?: Server;
  url = "";

  constructor(
    db: Db,
    private readonly entra: FakeEntra,
    options: { now?: () => Date; provisioningLagMs?: number; partnerTenantId: string },
  ) {
    this.catalog = new SandboxCatalog();
    this.sandbox = new EmbeddedPartnerCenter(db, { secrets: testSecrets(), now: options.now, provisioningLagMs: options.provisioningLagMs, partnerTenantId: async () => options.partnerTenantId, catalog: this.catalog, resellers: "own" });
  }

  async start(): Promise<this> {
    this.server = createServer({ cert: readFileSync(process.env.TEST_TLS_CERT!), key: readFileSync(process.env.TEST_TLS_KEY!) }, (request, response) => {
      let raw = "";
      request.on("data", (chunk) => (raw += chunk));
      request.on("end", () => {
        void this.handle(request, raw).then(async ({ status, body, headers, hangMs }) => {
          if (hangMs) await new Promise((resolve) => setTimeout(resolve, hangMs));
          if (response.destroyed) return;
          const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
          response.writeHead(status, { "content-type": typeof body === "string" ? "text/csv" : "application/json", ...headers });
          response.end(request.method === "HEAD" ? undefined : text);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
    this.url = `https://localhost:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests received, by method and path pattern. */
  requests(method: string, path: RegExp): Recorded[] {
    return this.received.filter((request) => request.method === method && path.test(request.path));
  }

  /** An indirect reseller accepts the partner's invitation in Partner Center (it then appears in the relationships). */
  async addReseller(tenantId: string, name: string, options: { agreementSigned?: boolean } = {}): Promise<string> {
    const mpnId = MPN_OF(tenantId);
    await this.sandbox.addReseller({ tenantId, name, mpnId, agreementSigned: options.agreementSigned });
    return mpnId;
  }

  /** Signs a webhook delivery as Partner Center does (Authorization: Signature, x-ms-certificate-url, rsa-sha256). */
  signedEvent(event: { EventName: string; ResourceUri: string; ResourceName?: string }): { body: string; headers: Record<string, string> } {
    const body = JSON.stringify({ ...event, ResourceName: event.ResourceName ?? event.EventName.split("-")[0], AuditUri: null, ResourceChangeUtcDate: new Date().toISOString() });
    const signature = createSign("RSA-SHA256").update(body).sign(readFileSync(process.env.TEST_TLS_KEY!), "base64");
    return { body, headers: { "content-type": "application/json", authorization: `Signature ${signature}`, "x-ms-certificate-url": `${this.url}/webhook-certificate.cer`, "x-ms-signature-algorithm": "rsa-sha256" } };
  }

  private async handle(request: IncomingMessage, raw: string): Promise<{ status: number; body?: unknown; headers?: Record<string, string>; hangMs?: number }> {
    const url = new URL(request.url ?? "/", this.url);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key.toLowerCase(), String(value)]));
    const recorded: Recorded = { method: request.method ?? "GET", path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), headers, body: raw ? safeJson(raw) : undefined };
    if (recorded.path === "/webhook-certificate.cer") return { status: 200, body: readFileSync(process.env.TEST_TLS_CERT!, "utf8"), headers: { "content-type": "application/x-pem-file" } };
    this.received.push(recorded);
    const fault = this.faults.find((candidate) => candidate.times > 0 && (!candidate.method || candidate.method === recorded.method) && candidate.path.test(recorded.path));
    if (fault) fault.times--;
    if (fault?.respond) return (recorded.status = fault.respond.status), { status: fault.respond.status, body: fault.respond.body ?? { code: fault.respond.status, description: "injected" }, headers: fault.respond.headers };
    let answer: { status: number; body?: unknown; headers?: Record<string, string> };
    try {
      answer = await this.route(recorded);
    } catch (error) {
      answer = error instanceof PartnerCenterError ? { status: error.httpStatus, body: { code: error.code, description: error.description, data: Object.keys(error.details).length ? [error.details] : [], source: "PartnerCenter" } } : { status: 500, body: { code: 500, description: String(error) } };
    }
    answer.headers = { ...answer.headers, "MS-CorrelationId": headers["ms-correlationid"] ?? "" };
    recorded.status = answer.status;
    if (fault?.afterCommit) return "hangMs" in fault.afterCommit ? { ...answer, hangMs: fault.afterCommit.hangMs } : { status: fault.afterCommit.status, body: { code: fault.afterCommit.status, description: "injected after commit" } };
    return answer;
  }

  private async route(request: Recorded): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const issued = token ? this.entra.tokens.get(token) : undefined;
    if (!issued) return { status: 401, body: { code: 401, description: "Unauthorized: the token is missing or not valid." } };
    if (issued.kind === "user" && !issued.mfa) throw new PartnerCenterError(900421, "Authentication without multi-factor authentication is not allowed.", 401);
    const requestId = request.headers["ms-requestid"];
    if (!requestId || !request.headers["ms-correlationid"]) throw new PartnerCenterError(400, "MS-RequestId and MS-CorrelationId are required.", 400);
    const { method, path, query } = request;
    const body = request.body as Record<string, unknown>;
    const pc = this.sandbox;
    let match: RegExpExecArray | null;
    const locale = (request.headers["x-locale"] ?? "en-US").slice(0, 2);

    if (method === "HEAD" && (match = /^\/v1\/domains\/(.+)$/.exec(path))) return { status: (await pc.isDomainAvailable(match[1])) ? 404 : 200 };
    if (method === "POST" && path === "/v1/validations/address") return { status: 200, body: await pc.validateAddress(body as never) };
    if (method === "POST" && path === "/v1/customers") {
      if (body.associatedPartnerId && issued.kind !== "user") throw new PartnerCenterError(900329, "This operation needs App+User authentication.", 403);
      return { status: 201, body: await pc.createCustomer(body as never, requestId) };
    }
    if (method === "GET" && path === "/v1/customers") {
      const filter = query.filter ? (JSON.parse(query.filter) as { Value: string }) : undefined;
      const page = await pc.listCustomers({ resellerTenantId: filter?.Value, continuationToken: request.headers["ms-continuationtoken"] });
      return { status: 200, body: { totalCount: page.items.length, items: page.items, links: page.continuationToken ? { next: { uri: "/customers?seekOperation=Next", method: "GET", headers: [{ key: "MS-ContinuationToken", value: page.continuationToken }] } } : {}, attributes: { objectType: "Collection" } } };
    }
    if (method === "GET" && path === "/v1/customers/relationshiprequests") return { status: 200, body: { url: await pc.relationshipRequestUrl(), attributes: { objectType: "RelationshipRequest" } } };
    if (method === "GET" && path === "/v1/agreements") return { status: 200, body: { totalCount: 1, items: [{ templateId: MCA_TEMPLATE_ID, agreementType: "MicrosoftCustomerAgreement", agreementLink: "https://aka.ms/customeragreement" }] } };
    if ((match = /^\/v1\/customers\/([^/]+)\/agreements$/.exec(path))) {
      if (method === "POST") return { status: 201, body: await pc.createAgreement(match[1], body as never, requestId) };
      return { status: 200, body: { totalCount: 0, items: await pc.listAgreements(match[1]) } };
    }
    if (method === "GET" && path === "/v1/products") return { status: 200, body: { items: this.products(query.country, query.targetSegment ?? "commercial", query.targetView, locale) } };
    if (method === "GET" && (match = /^\/v1\/products\/([^/]+)\/skus$/.exec(path))) return { status: 200, body: { items: this.entries(query.country, query.targetSegment ?? "commercial", locale).filter((entry) => entry.product.id === match![1]).map((entry) => entry.sku) } };
    if (method === "GET" && (match = /^\/v1\/products\/([^/]+)\/skus\/([^/]+)\/availabilities$/.exec(path))) {
      return { status: 200, body: { items: this.entries(query.country, query.targetSegment ?? "commercial", locale).filter((entry) => entry.product.id === match![1] && entry.sku.id === match![2]).map((entry) => entry.availability) } };
    }
    if (method === "GET" && (match = /^\/v1\/sales\/pricesheets\(Market='([A-Z]{2})',PricesheetView='updatedlicensebased'\)\/\$value$/.exec(path))) return { status: 200, body: this.priceSheet(match[1]) };
    if ((match = /^\/v1\/customers\/([^/]+)\/carts$/.exec(path)) && method === "POST") return { status: 201, body: await pc.createCart(match[1], (body as { lineItems: never }).lineItems, requestId) };
    if ((match = /^\/v1\/customers\/([^/]+)\/carts\/([^/]+)\/checkout$/.exec(path)) && method === "POST") return { status: 201, body: await pc.checkout(match[1], match[2], requestId) };
    if ((match = /^\/v1\/customers\/([^/]+)\/orders$/.exec(path)) && method === "GET") return { status: 200, body: { items: await pc.listOrders(match[1]) } };
    if ((match = /^\/v1\/customers\/([^/]+)\/orders\/([^/]+)$/.exec(path)) && method === "GET") return { status: 200, body: await pc.getOrder(match[1], match[2]) };
    if ((match = /^\/v1\/customers\/([^/]+)\/subscriptions$/.exec(path)) && method === "GET") return { status: 200, body: { totalCount: 0, items: await pc.listSubscriptions(match[1]) } };
    if ((match = /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)$/.exec(path))) {
      if (method === "GET") return { status: 200, body: await pc.getSubscription(match[1], match[2]) };
      if (method === "PATCH") {
        const requested = body as unknown as PcSubscription;
        // The etag that counts is If-Match's.
        return { status: 200, body: await pc.updateSubscription(match[1], { ...requested, id: match[2], attributes: { ...requested.attributes, etag: request.headers["if-match"] ?? "" } }, requestId) };
      }
    }
    if ((match = /^\/v1\/customers\/([^/]+)$/.exec(path)) && method === "GET") return { status: 200, body: await pc.getCustomer(match[1]) };
    if ((method === "POST" || method === "PUT") && path === "/webhooks/v1/registration") return { status: method === "POST" ? 201 : 200, body: { SubscriberId: "11111111-2222-3333-4444-555555555555", ...body } };
    if (method === "GET" && path === "/v1/relationships") return { status: 200, body: { totalCount: 0, items: await pc.indirectResellers(), attributes: { objectType: "Collection" } } };
    if (method === "GET" && path === "/v1/compliance/csp/agreementstatus") return { status: 200, body: { mpnId: query.mpnId, status: (await pc.resellerAgreementSigned(query.mpnId)) ? "Active" : "NotSigned" } };
    return { status: 404, body: { code: 404, description: `No route ${method} ${path}` } };
  }

  private entries(country: string, segment: string, language: string) {
    return this.catalog.entries(country, segment, language);
  }

  private products(country: string, segment: string, targetView: string, language: string) {
    const wanted = (type: string) => (targetView === "Azure" ? type === "Azure" : type !== "Azure");
    const seen = new Map<string, unknown>();
    for (const entry of this.entries(country, segment, language)) if (wanted(entry.product.productType.id)) seen.set(entry.product.id, entry.product);
    return [...seen.values()];
  }

  /** The license-based price sheet of a market, as CSV: one row per sku, term and billing plan (the price of one billing period). */
  private priceSheet(market: string): string {
    const header = "ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price,Segment";
    const months: Record<string, number> = { Monthly: 1, Annual: 12, Triennial: 36 };
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    const rows = [header];
    const file = readCatalogFile();
    for (const product of file.products) {
      for (const sku of product.skus) {
        for (const term of sku.terms) {
          for (const plan of term.billingCycles) {
            for (const segment of sku.segments) {
              const price = (term.unitPrice * months[plan]).toFixed(2);
              rows.push([product.title, product.id, sku.id, sku.title, "Microsoft Corporation", product.description, "Licenses", term.duration, plan, market, file.currency, price, "", "", "2026-11-01T00:00:00Z", "9999-12-31T00:00:00Z", "License", price, segment[0].toUpperCase() + segment.slice(1)].map(quote).join(","));
            }
          }
        }
      }
    }
    return rows.join("\r\n");
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
