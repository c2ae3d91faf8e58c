import { describe, expect, it } from "vitest";
import { CatalogService, offerOf, soldOn, termChoices } from "../src/catalog/catalogService.js";
import { catalogFileSchema, readCatalogFile, SandboxCatalog } from "../src/partnerCenter/sandbox/sandboxCatalog.js";
import { cycleMonths, termMonths } from "../src/partnerCenter/terms.js";
import type { PartnerCenter } from "../src/partnerCenter/port.js";

const offers = (country: string, segment: string, language = "en") => new SandboxCatalog().entries(country, segment, language).map(offerOf);

describe("the catalog (Partner Center's products → skus → availabilities, with terms)", () => {
  it("lists each availability's terms (P1M, P1Y, P3Y where the product has it) with billing never longer than the term", () => {
    const all = offers("US", "commercial");
    for (const offer of all) for (const term of offer.terms) for (const cycle of term.billingCycles) expect(cycleMonths(cycle)).toBeLessThanOrEqual(termMonths(term.duration));
    const e3 = all.find((offer) => offer.name === "Office 365 E3")!;
    expect(e3.terms.map((term) => [term.duration, term.billingCycles])).toEqual([
      ["P1M", ["monthly"]],
      ["P1Y", ["monthly", "annual"]],
      ["P3Y", ["monthly", "annual", "triennial"]],
    ]);
    expect(e3.catalogItemId).toMatch(/^CFQ7TTC0LF8R:0001:[0-9A-F]{12}$/);
    expect(e3.isNce).toBe(true);
    expect(soldOn(e3, "P3Y", "triennial")).toBe(true);
    expect(soldOn(e3, "P1M", "annual")).toBe(false);
  });

  it("is per segment: education, government and nonprofit offers are their own", () => {
    expect(offers("US", "education").map((offer) => offer.name)).toContain("Microsoft 365 A3 for faculty");
    expect(offers("US", "commercial").map((offer) => offer.name)).not.toContain("Microsoft 365 A3 for faculty");
    expect(offers("US", "government").map((offer) => offer.name).sort()).toEqual(["Azure plan", "Office 365 G3 GCC"]);
    expect(offers("US", "nonprofit").map((offer) => offer.name)).toContain("Microsoft 365 Business Premium (Nonprofit Pricing)");
  });

  it("keeps trials apart (one per customer, converting to their full offer), add-ons attached to base products, and a few legacy offers", () => {
    const all = offers("FR", "commercial", "fr");
    const trials = all.filter((offer) => offer.isTrial);
    expect(trials.length).toBeGreaterThanOrEqual(3);
    for (const trial of trials) {
      expect(trial.onePerCustomer).toBe(true);
      expect(all.some((offer) => `${offer.productId}:${offer.skuId}` === trial.convertsTo && !offer.isTrial)).toBe(true);
    }
    const storage = all.find((offer) => offer.name === "Office 365 Extra File Storage")!;
    expect(storage.addOnOf).toContain("CFQ7TTC0LF8R");
    const legacy = all.filter((offer) => offer.isLegacy);
    expect(legacy.map((offer) => offer.name)).toEqual(["Office 365 E1 (legacy)", "Exchange Online (Plan 1) (legacy)"]);
    expect(all.find((offer) => offer.name === "Office 365 E3")!.description).toMatch(/[éèà]/);
  });

  it("offers the term-and-billing choices its base offers are sold on, in order", () => {
    expect(termChoices(offers("US", "commercial")).map((choice) => `${choice.term}/${choice.cycle}`)).toEqual(["P1M/monthly", "P1Y/monthly", "P1Y/annual", "P3Y/monthly", "P3Y/annual", "P3Y/triennial"]);
    expect(termChoices(offers("US", "government")).map((choice) => `${choice.term}/${choice.cycle}`)).toEqual(["P1M/monthly", "P1Y/monthly", "P1Y/annual"]);
  });

  it("availability ids change when Partner Center renews them; an id read before no longer resolves", () => {
    const catalog = new SandboxCatalog();
    const before = catalog.entries("US", "commercial", "en")[0].availability.catalogItemId;
    expect(catalog.resolve(before, "US")).toBeDefined();
    expect(catalog.resolve(before, "FR")).toBeUndefined();
    catalog.renewAvailabilities();
    expect(catalog.resolve(before, "US")).toBeUndefined();
  });

  it("refuses a catalog file with a billing cycle longer than its term, or a trial converting to nothing", () => {
    const file = readCatalogFile();
    const product = file.products[0];
    const longer = { ...file, products: [{ ...product, skus: [{ ...product.skus[0], terms: [{ duration: "P1M", billingCycles: ["Annual"], unitPrice: 1 }] }] }] };
    expect(catalogFileSchema.safeParse(longer).success).toBe(false);
    const orphan = { ...file, products: [{ ...product, skus: [{ ...product.skus[0], isTrial: true, convertsTo: "nope" }] }] };
    expect(catalogFileSchema.safeParse(orphan).success).toBe(false);
    expect(catalogFileSchema.safeParse(file).success).toBe(true);
  });

  it("the catalog service reads Partner Center once per country, segment and language for a while, and again once invalidated", async () => {
    let reads = 0;
    const sandbox = new SandboxCatalog();
    const pc = { catalog: async (query: { country: string; segment: string; language: string }) => (reads++, sandbox.entries(query.country, query.segment, query.language)) } as unknown as PartnerCenter;
    const service = new CatalogService(pc);
    await service.offers({ country: "US", segment: "commercial", language: "en-US" });
    await service.offers({ country: "US", segment: "commercial", language: "en" });
    expect(reads).toBe(1);
    await service.offers({ country: "US", segment: "commercial", language: "fr" });
    expect(reads).toBe(2);
    service.invalidate();
    await service.offers({ country: "US", segment: "commercial", language: "en" });
    expect(reads).toBe(3);
  });
});
