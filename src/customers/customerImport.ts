/**
 * Customers the partner already has in Partner Center (made in its portal, or before the bot)
 * are brought into the mirror, page by page, with their subscriptions: a partner connecting the
 * bot sees its customers in chat, and a reseller sees those associated with it. The sweep runs
 * it (PARTNER_CENTER=api), a bounded number of pages at a time; the continuation token is kept
 * between sweeps, so a large book of customers is read without hammering Partner Center.
 */
import type { Db } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import type { PartnerCenter } from "../partnerCenter/port.js";
import type { PcCustomer } from "../partnerCenter/types.js";
import type { SubscriptionMirror } from "../subscriptions/subscriptionMirror.js";
import { searchKey } from "./customerService.js";

const TOKEN_KEY = "partnerCenter.customerImport.continuation";

export class CustomerImport {
  constructor(
    private readonly db: Db,
    private readonly pc: PartnerCenter,
    private readonly mirror: SubscriptionMirror,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads up to `pages` pages of Partner Center's customers; returns how many were new to the bot. */
  async run(pages = 2): Promise<number> {
    const provider = await this.db.organisation.findFirst({ where: { kind: "provider", tenantId: { not: null } }, orderBy: { createdAt: "asc" } });
    if (!provider) return 0;
    let token = (await this.db.appSetting.findUnique({ where: { key: TOKEN_KEY } }))?.value || undefined;
    let imported = 0;
    for (let page = 0; page < pages; page++) {
      const result = await this.pc.listCustomers({ continuationToken: token });
      for (const customer of result.items) if (await this.importOne(provider.id, customer)) imported++;
      token = result.continuationToken;
      await this.db.appSetting.upsert({ where: { key: TOKEN_KEY }, create: { key: TOKEN_KEY, value: token ?? "" }, update: { value: token ?? "" } });
      if (!token) break;
    }
    return imported;
  }

  private async importOne(providerOrgId: string, customer: PcCustomer): Promise<boolean> {
    if (await this.db.customer.findUnique({ where: { pcCustomerId: customer.id }, select: { id: true } })) return false;
    const domain = customer.companyProfile.domain.toLowerCase();
    const address = customer.billingProfile.defaultAddress;
    const reseller = customer.associatedPartnerId ? await this.db.organisation.findUnique({ where: { tenantId: customer.associatedPartnerId } }) : null;
    const companyName = customer.billingProfile.companyName || customer.companyProfile.companyName || domain;
    const now = this.now();
    try {
      const created = await this.db.customer.create({
        data: {
          pcCustomerId: customer.id,
          providerOrgId,
          resellerOrgId: reseller?.kind === "reseller" ? reseller.id : null,
          companyName,
          searchName: searchKey(companyName),
          // Partner Center's customer resource does not carry the qualification: commercial unless told otherwise.
          segment: "commercial",
          addressLine1: address?.addressLine1 ?? "",
          addressLine2: address?.addressLine2 ?? "",
          city: address?.city ?? "",
          region: address?.state ?? "",
          postalCode: address?.postalCode ?? "",
          country: address?.country ?? "US",
          phone: address?.phoneNumber ?? "",
          contactFirstName: address?.firstName ?? "",
          contactLastName: address?.lastName ?? "",
          contactEmail: customer.billingProfile.email ?? "",
          culture: customer.billingProfile.culture ?? "en-US",
          language: customer.billingProfile.language ?? "en",
          domainPrefix: domain.replace(/\.onmicrosoft\.com$/, ""),
          adminAccount: "",
          openedAt: now,
          creationKey: `import:${customer.id}`,
          createdById: "partner-center",
          etag: customer.attributes?.etag ?? null,
          readAt: now,
        },
      });
      await this.mirror.refreshCustomer({ ...created });
      return true;
    } catch (error) {
      // Created meanwhile by another instance (or a domain the bot already knows): nothing to do.
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
