/**
 * The embedded Partner Center's catalog: products → skus → availabilities, per segment and
 * country, each availability with its terms (P1M, P1Y, P3Y where the product has them) and the
 * billing cycles allowed for each. Read from prisma/catalog.json. Availability ids are stable
 * for a country, and can be made to change (as Partner Center's do), which makes a catalog item
 * read before the change fail with 400019.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { CatalogEntry, PcAvailability, PcProduct, PcSku } from "../types.js";
import { projectRoot } from "../../util/projectRoot.js";

const termSchema = z.object({
  duration: z.enum(["P1M", "P1Y", "P3Y"]),
  billingCycles: z.array(z.enum(["Monthly", "Annual", "Triennial"])).min(1),
  /** Price of one licence for one month on this term. */
  unitPrice: z.number().min(0),
});

const skuSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  segments: z.array(z.enum(["commercial", "education", "government", "nonprofit"])).min(1),
  minimumQuantity: z.number().int().min(1),
  maximumQuantity: z.number().int().min(1),
  isTrial: z.boolean().default(false),
  trialDays: z.number().int().min(1).optional(),
  convertsTo: z.string().optional(),
  onePerCustomer: z.boolean().default(false),
  addOnOf: z.array(z.string()).optional(),
  terms: z.array(termSchema).min(1),
});

const productSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  productType: z.string().min(1),
  description: z.string(),
  descriptionFr: z.string(),
  skus: z.array(skuSchema).min(1),
});

export const catalogFileSchema = z
  .object({ currency: z.string().length(3), products: z.array(productSchema).min(1) })
  .refine((catalog) => catalog.products.every((product) => product.skus.every((sku) => sku.terms.every((term) => term.billingCycles.every((cycle) => monthsOf(cycle) <= monthsOf(term.duration))))), "a billing cycle may not be longer than its term")
  .refine((catalog) => catalog.products.every((product) => product.skus.every((sku) => !sku.convertsTo || product.skus.some((target) => target.id === sku.convertsTo && !target.isTrial))), "a trial converts to a sku of its product that is not a trial")
  .refine((catalog) => catalog.products.every((product) => product.skus.every((sku) => (sku.addOnOf ?? []).every((parent) => catalog.products.some((candidate) => candidate.id === parent)))), "an add-on attaches to products of the catalog");

function monthsOf(value: string): number {
  return { Monthly: 1, Annual: 12, Triennial: 36, P1M: 1, P1Y: 12, P3Y: 36 }[value] ?? 1;
}

export type CatalogFile = z.output<typeof catalogFileSchema>;
type SkuDefinition = z.output<typeof skuSchema>;
type ProductDefinition = z.output<typeof productSchema>;

const defaultPath = join(projectRoot, "prisma", "catalog.json");

export function readCatalogFile(path = defaultPath): CatalogFile {
  return catalogFileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

export interface ResolvedItem {
  product: ProductDefinition;
  sku: SkuDefinition;
  availabilityId: string;
}

export class SandboxCatalog {
  /** Bumped to make every availability id change, as Partner Center's catalog does from time to time. */
  private generation = 0;

  constructor(private readonly file: CatalogFile = readCatalogFile()) {}

  get currency(): string {
    return this.file.currency;
  }

  /** Makes every catalog item id change: a cart naming one read before fails with 400019. */
  renewAvailabilities(): void {
    this.generation++;
  }

  availabilityId(productId: string, skuId: string, country: string): string {
    return createHash("sha1").update(`${productId}:${skuId}:${country}:${this.generation}`).digest("hex").slice(0, 12).toUpperCase();
  }

  entries(country: string, segment: string, language: string): CatalogEntry[] {
    const entries: CatalogEntry[] = [];
    for (const product of this.file.products) {
      for (const sku of product.skus) {
        if (!sku.segments.includes(segment as never)) continue;
        const availabilityId = this.availabilityId(product.id, sku.id, country);
        entries.push({
          product: this.product(product),
          sku: this.sku(product, sku),
          availability: this.availability(product, sku, availabilityId, country, segment),
          description: language.startsWith("fr") ? product.descriptionFr : product.description,
          monthlyPriceCents: Object.fromEntries(sku.terms.map((term) => [term.duration, Math.round(term.unitPrice * 100)])),
        });
      }
    }
    return entries;
  }

  /** The product, sku and availability a catalog item id names, if it is current for the country. */
  resolve(catalogItemId: string, country: string): ResolvedItem | undefined {
    const [productId, skuId, availabilityId] = catalogItemId.split(":");
    const product = this.file.products.find((candidate) => candidate.id === productId);
    const sku = product?.skus.find((candidate) => candidate.id === skuId);
    if (!product || !sku || availabilityId !== this.availabilityId(product.id, sku.id, country)) return undefined;
    return { product, sku, availabilityId };
  }

  /** A product and sku by id, whatever the availability (an existing subscription's). */
  find(productId: string, skuId: string): { product: ProductDefinition; sku: SkuDefinition } | undefined {
    const product = this.file.products.find((candidate) => candidate.id === productId);
    const sku = product?.skus.find((candidate) => candidate.id === skuId);
    return product && sku ? { product, sku } : undefined;
  }

  private product(product: ProductDefinition): PcProduct {
    return { id: product.id, title: product.title, description: product.description, productType: { id: product.productType } };
  }

  private sku(product: ProductDefinition, sku: SkuDefinition): PcSku {
    return {
      id: sku.id,
      productId: product.id,
      title: sku.title,
      description: product.description,
      minimumQuantity: sku.minimumQuantity,
      maximumQuantity: sku.maximumQuantity,
      isTrial: sku.isTrial,
      trialDuration: sku.trialDays ? `P${sku.trialDays}D` : undefined,
      convertsTo: sku.convertsTo ? `${product.id}:${sku.convertsTo}` : undefined,
      addOnOf: sku.addOnOf,
      limitedToOnePerCustomer: sku.onePerCustomer || sku.isTrial,
    };
  }

  private availability(product: ProductDefinition, sku: SkuDefinition, id: string, country: string, segment: string): PcAvailability {
    return {
      id,
      productId: product.id,
      skuId: sku.id,
      catalogItemId: `${product.id}:${sku.id}:${id}`,
      segment,
      country,
      isPurchasable: true,
      defaultCurrency: { code: this.file.currency },
      terms: sku.terms.flatMap((term) => term.billingCycles.map((billingCycle) => ({ duration: term.duration, billingCycle, description: `${term.duration} ${billingCycle}` }))),
    };
  }
}
