/** Which offers a customer can buy, by segment and billing cycle. */
import type { Db } from "../db/database.js";
import type { BillingCycle, Segment } from "./catalogSeed.js";

export interface OfferView {
  id: string;
  name: string;
  description: string;
  descriptionFr: string;
  unitPriceCents: number;
  currency: string;
  minLicences: number;
  maxLicences: number;
  onePerCustomer: boolean;
  isTrial: boolean;
  trialDays: number | null;
  fullOfferId: string | null;
  parentOfferId: string | null;
}

export class CatalogService {
  constructor(private readonly db: Db) {}

  /** Base offers and trials (not add-ons) sold to a segment in a billing cycle, in catalog order. */
  async baseOffers(segment: Segment, billingCycle: BillingCycle): Promise<OfferView[]> {
    return this.db.offer.findMany({
      where: { parentOfferId: null, availability: { some: { segment, billingCycle } } },
      orderBy: { sortOrder: "asc" },
    });
  }

  async offersByIds(ids: string[]): Promise<Map<string, OfferView & { availability: { segment: string; billingCycle: string }[] }>> {
    const offers = await this.db.offer.findMany({ where: { id: { in: ids } }, include: { availability: true } });
    return new Map(offers.map((offer) => [offer.id, offer]));
  }
}

/** An Azure plan: its users get access in the customer's Azure portal, not through licences. */
export const isAzureOffer = (offerId: string) => offerId.startsWith("azure");

/** Monthly price of a line, in cents. */
export const lineTotalCents = (offer: Pick<OfferView, "unitPriceCents">, licences: number) => offer.unitPriceCents * licences;

export function addTerm(from: Date, billingCycle: BillingCycle): Date {
  const end = new Date(from);
  if (billingCycle === "annual") end.setUTCFullYear(end.getUTCFullYear() + 1);
  else end.setUTCMonth(end.getUTCMonth() + 1);
  return end;
}

export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 86_400_000);
}
