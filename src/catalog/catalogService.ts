/**
 * The catalog as the bot shows it: Partner Center's products, skus and availabilities for a
 * country and segment, each as an offer with its terms, the billing cycles allowed on each, and
 * its price. Read through the Partner Center port and kept for a few minutes (the catalog changes
 * rarely; a stale catalog item is caught at checkout by 400019 and the catalog read again).
 */
import type { PartnerCenter } from "../partnerCenter/port.js";
import { cycleFitsTerm, termDurations, toCycle, type BillingCycle, type Term } from "../partnerCenter/terms.js";
import type { CatalogEntry } from "../partnerCenter/types.js";

export const segments = ["commercial", "education", "government", "nonprofit"] as const;
export type Segment = (typeof segments)[number];

export interface OfferTerm {
  duration: Term;
  billingCycles: BillingCycle[];
  /** Price of one licence for one month on this term, in the smallest unit of the currency. */
  monthlyPriceCents: number;
}

export interface Offer {
  /** productId:skuId:availabilityId: what a cart line names. */
  catalogItemId: string;
  productId: string;
  skuId: string;
  name: string;
  description: string;
  productType: string;
  /** A New Commerce offer (7-day windows); otherwise a legacy one (the seeds' rules) or Azure. */
  isNce: boolean;
  isLegacy: boolean;
  isAzure: boolean;
  isTrial: boolean;
  trialDays: number | null;
  /** For a trial: the product:sku of the offer it converts to. */
  convertsTo: string | null;
  onePerCustomer: boolean;
  /** For an add-on: the products it attaches to. */
  addOnOf: string[];
  minLicences: number;
  maxLicences: number;
  currency: string;
  terms: OfferTerm[];
}

export const isNceProduct = (productType: string) => productType === "OnlineServicesNCE";
export const isLegacyProduct = (productType: string) => productType === "OnlineServices";
export const isAzureProduct = (productType: string) => productType === "Azure";

export function offerOf(entry: CatalogEntry): Offer {
  const terms = termDurations
    .map((duration) => ({ duration, billingCycles: entry.availability.terms.filter((term) => term.duration === duration).map((term) => toCycle(term.billingCycle)), monthlyPriceCents: entry.monthlyPriceCents[duration] ?? 0 }))
    .filter((term) => term.billingCycles.length > 0);
  const trialDays = entry.sku.trialDuration ? Number(/P(\d+)D/.exec(entry.sku.trialDuration)?.[1] ?? 30) : null;
  return {
    catalogItemId: entry.availability.catalogItemId,
    productId: entry.product.id,
    skuId: entry.sku.id,
    name: entry.sku.title,
    description: entry.description,
    productType: entry.product.productType.id,
    isNce: isNceProduct(entry.product.productType.id),
    isLegacy: isLegacyProduct(entry.product.productType.id),
    isAzure: isAzureProduct(entry.product.productType.id),
    isTrial: entry.sku.isTrial,
    trialDays,
    convertsTo: entry.sku.convertsTo ?? null,
    onePerCustomer: Boolean(entry.sku.limitedToOnePerCustomer),
    addOnOf: entry.sku.addOnOf ?? [],
    minLicences: entry.sku.minimumQuantity,
    maxLicences: entry.sku.maximumQuantity,
    currency: entry.availability.defaultCurrency.code,
    terms,
  };
}

/** The price of one licence for one month on a term, or undefined if the offer is not sold on it. */
export const monthlyPrice = (offer: Offer, term: string) => offer.terms.find((candidate) => candidate.duration === term)?.monthlyPriceCents;

/** Whether an offer is sold on this term with this billing cycle. */
export const soldOn = (offer: Offer, term: string, cycle: string) => offer.terms.some((candidate) => candidate.duration === term && candidate.billingCycles.includes(cycle as BillingCycle));

/**
 * Whether an offer can be on an order of this term and billing cycle: sold on it, or a trial
 * (trials are a tab of their own: each is ordered on its own term, whatever the order's).
 */
export const orderable = (offer: Offer, term: string, cycle: string) => soldOn(offer, term, cycle) || offer.isTrial;

/** The term and billing cycle an offer's cart line takes on an order of this term and cycle. */
export function lineTerm(offer: Offer, term: Term, cycle: BillingCycle): { term: Term; cycle: BillingCycle } {
  if (soldOn(offer, term, cycle) || !offer.isTrial || !offer.terms[0]) return { term, cycle };
  return { term: offer.terms[0].duration, cycle: offer.terms[0].billingCycles[0] };
}

/** The term-and-billing choices the catalog offers (billing never longer than the term), in order. */
export function termChoices(offers: Offer[]): { term: Term; cycle: BillingCycle }[] {
  const choices: { term: Term; cycle: BillingCycle }[] = [];
  for (const term of termDurations) {
    for (const cycle of ["monthly", "annual", "triennial"] as const) {
      if (cycleFitsTerm(cycle, term) && offers.some((offer) => !offer.isTrial && soldOn(offer, term, cycle))) choices.push({ term, cycle });
    }
  }
  return choices;
}

export class CatalogService {
  private readonly cache = new Map<string, { offers: Offer[]; until: number }>();

  constructor(
    private readonly pc: PartnerCenter,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  /** Every offer of a country and segment (base offers, trials, add-ons, legacy), in the user's language. */
  async offers(query: { country: string; segment: string; language: string }): Promise<Offer[]> {
    const key = `${query.country}/${query.segment}/${query.language.slice(0, 2)}`;
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.offers;
    const offers = (await this.pc.catalog({ ...query, language: query.language.slice(0, 2) })).map(offerOf);
    this.cache.set(key, { offers, until: Date.now() + this.ttlMs });
    return offers;
  }

  /** Forgets what was read: a catalog item turned out to be stale. */
  invalidate(): void {
    this.cache.clear();
  }
}
