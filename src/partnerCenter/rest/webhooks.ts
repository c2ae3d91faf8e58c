/**
 * Partner Center's webhooks: deliveries are POSTs of { EventName, ResourceUri, ResourceName,
 * AuditUri, ResourceChangeUtcDate } signed with rsa-sha256 (Authorization: Signature <base64>,
 * x-ms-certificate-url). A delivery is believed only when its certificate comes from an allowed
 * host over https, is valid now, and its key verifies the signature over the exact body; then
 * the resource it names is read again from Partner Center into the mirror (a change made in the
 * Partner Center portal shows in chat, audited as Partner Center's).
 */
import { verify, X509Certificate } from "node:crypto";
import { z } from "zod";
import type { Db } from "../../db/database.js";
import type { Logger } from "../../log.js";
import type { SubscriptionMirror } from "../../subscriptions/subscriptionMirror.js";

export const eventSchema = z.looseObject({
  EventName: z.string().min(1).max(100),
  ResourceUri: z.string().max(2000).optional(),
  ResourceName: z.string().max(200).optional(),
  ResourceChangeUtcDate: z.string().max(100).optional(),
});
export type PartnerCenterEvent = z.output<typeof eventSchema>;

export class WebhookVerifier {
  private readonly certificates = new Map<string, { certificate: X509Certificate; until: number }>();

  constructor(
    /** Hosts (host or host:port) a signing certificate may be fetched from, over https. */
    private readonly allowedHosts: readonly string[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether the delivery is Partner Center's: the signature over this exact body verifies with an allowed, valid certificate. */
  async verify(body: string, headers: Record<string, string | string[] | undefined>): Promise<{ ok: true } | { ok: false; reason: string }> {
    const header = (name: string) => {
      const value = headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const signature = /^Signature\s+([A-Za-z0-9+/=]+)$/.exec(header("authorization") ?? "")?.[1];
    if (!signature) return { ok: false, reason: "no signature" };
    if ((header("x-ms-signature-algorithm") ?? "").toLowerCase() !== "rsa-sha256") return { ok: false, reason: "unsupported signature algorithm" };
    let url: URL;
    try {
      url = new URL(header("x-ms-certificate-url") ?? "");
    } catch {
      return { ok: false, reason: "no certificate URL" };
    }
    if (url.protocol !== "https:" || !this.allowedHosts.includes(url.host.toLowerCase())) return { ok: false, reason: `certificate host not allowed: ${url.host}` };
    let certificate: X509Certificate;
    try {
      certificate = await this.certificate(url.toString());
    } catch (error) {
      return { ok: false, reason: `certificate unavailable: ${error instanceof Error ? error.message : String(error)}` };
    }
    const now = this.now().getTime();
    if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) return { ok: false, reason: "certificate not valid now" };
    const valid = verify("RSA-SHA256", Buffer.from(body, "utf8"), certificate.publicKey, Buffer.from(signature, "base64"));
    return valid ? { ok: true } : { ok: false, reason: "signature does not verify" };
  }

  /** The certificate at a URL (PEM or DER), kept for an hour. */
  private async certificate(url: string): Promise<X509Certificate> {
    const cached = this.certificates.get(url);
    if (cached && cached.until > Date.now()) return cached.certificate;
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: "error" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > 64 * 1024) throw new Error("certificate too large");
    const certificate = new X509Certificate(bytes);
    this.certificates.set(url, { certificate, until: Date.now() + 3_600_000 });
    return certificate;
  }
}

/** Acts on a verified event: the subscription (or the customer's subscriptions) it names is read again. */
export class PartnerCenterEvents {
  constructor(
    private readonly db: Db,
    private readonly mirror: SubscriptionMirror,
    private readonly logger: Logger,
  ) {}

  async handle(event: PartnerCenterEvent): Promise<"refreshed" | "ignored"> {
    const uri = event.ResourceUri ?? "";
    const subscription = /\/customers\/([^/]+)\/subscriptions\/([^/?#]+)/i.exec(uri);
    if (subscription) {
      const row = await this.db.subscription.findUnique({ where: { pcSubscriptionId: decodeURIComponent(subscription[2]) } });
      if (row) {
        await this.mirror.refresh(row.id);
        this.logger.info({ event: event.EventName, subscriptionId: row.id }, "Partner Center event: subscription read again");
        return "refreshed";
      }
    }
    const customer = /\/customers\/([^/?#]+)/i.exec(uri);
    if (customer) {
      const row = await this.db.customer.findUnique({ where: { pcCustomerId: decodeURIComponent(customer[1]) } });
      if (row && /subscription|order/i.test(event.EventName)) {
        await this.mirror.refreshCustomer(row);
        this.logger.info({ event: event.EventName, customerId: row.id }, "Partner Center event: the customer's subscriptions read again");
        return "refreshed";
      }
    }
    this.logger.info({ event: event.EventName }, "Partner Center event about nothing the bot mirrors");
    return "ignored";
  }
}
