/**
 * Seeds the offer catalog from prisma/catalog.json at start. Idempotent: an offer is written
 * only when it is new or differs from the file, so a second start changes nothing.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Db } from "../db/database.js";

export const segments = ["commercial", "education", "government", "nonprofit"] as const;
export type Segment = (typeof segments)[number];
export const billingCycles = ["monthly", "annual"] as const;
export type BillingCycle = (typeof billingCycles)[number];

const offerSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,80}$/),
    name: z.string().min(1).max(200),
    description: z.string().max(500),
    descriptionFr: z.string().max(500),
    unitPriceCents: z.number().int().min(0),
    currency: z.string().length(3),
    minLicences: z.number().int().min(1),
    maxLicences: z.number().int().min(1),
    onePerCustomer: z.boolean().default(false),
    isTrial: z.boolean().default(false),
    trialDays: z.number().int().min(1).max(365).optional(),
    fullOfferId: z.string().optional(),
    parentOfferId: z.string().optional(),
    segments: z.array(z.enum(segments)).min(1),
    billingCycles: z.array(z.enum(billingCycles)).min(1),
  })
  .refine((offer) => offer.minLicences <= offer.maxLicences, "minLicences must not exceed maxLicences")
  .refine((offer) => offer.isTrial === (offer.trialDays !== undefined), "a trial, and only a trial, has trialDays")
  .refine((offer) => offer.isTrial || offer.fullOfferId === undefined, "only a trial names the full offer to buy after it");

export const catalogSchema = z
  .object({ offers: z.array(offerSchema).min(1) })
  .refine((catalog) => new Set(catalog.offers.map((offer) => offer.id)).size === catalog.offers.length, "offer ids must be unique")
  .refine(
    (catalog) => catalog.offers.every((offer) => !offer.parentOfferId || catalog.offers.some((parent) => parent.id === offer.parentOfferId && !parent.parentOfferId)),
    "an add-on's parentOfferId must name a base offer in the catalog",
  )
  .refine((catalog) => catalog.offers.every((offer) => !offer.fullOfferId || catalog.offers.some((full) => full.id === offer.fullOfferId && !full.isTrial)), "a trial's fullOfferId must name an offer that is not a trial");
export type CatalogOffer = z.output<typeof offerSchema>;

const defaultCatalogPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "prisma", "catalog.json");

export function readCatalog(path = defaultCatalogPath): CatalogOffer[] {
  return catalogSchema.parse(JSON.parse(readFileSync(path, "utf8"))).offers;
}

export interface SeedResult {
  created: number;
  updated: number;
  unchanged: number;
}

export async function seedCatalog(db: Db, offers: CatalogOffer[] = readCatalog()): Promise<SeedResult> {
  const existing = new Map((await db.offer.findMany({ include: { availability: true } })).map((offer) => [offer.id, offer]));
  const result: SeedResult = { created: 0, updated: 0, unchanged: 0 };
  // Base offers first, so that an add-on's parent exists when the add-on is written.
  const ordered = [...offers].sort((a, b) => Number(Boolean(a.parentOfferId)) - Number(Boolean(b.parentOfferId)));
  for (const offer of ordered) {
    const fields = {
      name: offer.name,
      description: offer.description,
      descriptionFr: offer.descriptionFr,
      unitPriceCents: offer.unitPriceCents,
      currency: offer.currency,
      minLicences: offer.minLicences,
      maxLicences: offer.maxLicences,
      onePerCustomer: offer.onePerCustomer,
      isTrial: offer.isTrial,
      trialDays: offer.trialDays ?? null,
      fullOfferId: offer.fullOfferId ?? null,
      parentOfferId: offer.parentOfferId ?? null,
      sortOrder: offers.indexOf(offer),
    };
    const pairs = offer.segments.flatMap((segment) => offer.billingCycles.map((billingCycle) => ({ segment, billingCycle })));
    const current = existing.get(offer.id);
    if (current && sameFields(current, fields) && samePairs(current.availability, pairs)) {
      result.unchanged++;
      continue;
    }
    await db.$transaction([
      db.offer.upsert({ where: { id: offer.id }, create: { id: offer.id, ...fields }, update: fields }),
      db.offerAvailability.deleteMany({ where: { offerId: offer.id } }),
      db.offerAvailability.createMany({ data: pairs.map((pair) => ({ offerId: offer.id, ...pair })) }),
    ]);
    if (current) result.updated++;
    else result.created++;
  }
  return result;
}

function sameFields(current: Record<string, unknown>, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).every(([key, value]) => current[key] === value);
}

function samePairs(current: { segment: string; billingCycle: string }[], wanted: { segment: string; billingCycle: string }[]): boolean {
  const key = (pair: { segment: string; billingCycle: string }) => `${pair.segment}/${pair.billingCycle}`;
  const have = new Set(current.map(key));
  return have.size === wanted.length && wanted.every((pair) => have.has(key(pair)));
}
