import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catalogSchema, readCatalog, seedCatalog } from "../src/catalog/catalogSeed.js";
import { createTestDatabase, providerUnderTest, type TestDatabase } from "./helpers/testDatabase.js";

describe(`catalog seed (${providerUnderTest})`, () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => database.drop());

  it("creates the catalog once; seeding again changes nothing", async () => {
    const offers = readCatalog();
    expect(await seedCatalog(database.db, offers)).toEqual({ created: offers.length, updated: 0, unchanged: 0 });
    const before = await database.db.offer.findMany({ orderBy: { id: "asc" } });
    expect(await seedCatalog(database.db, offers)).toEqual({ created: 0, updated: 0, unchanged: offers.length });
    expect(await database.db.offer.findMany({ orderBy: { id: "asc" } })).toEqual(before);
    expect(await database.db.offerAvailability.count()).toBe(offers.reduce((sum, offer) => sum + offer.segments.length * offer.billingCycles.length, 0));
  });

  it("updates an offer whose definition changed, and only that one", async () => {
    await seedCatalog(database.db);
    const offers = readCatalog().map((offer) => (offer.id === "o365-e3" ? { ...offer, maxLicences: 5000, billingCycles: ["annual" as const] } : offer));
    expect(await seedCatalog(database.db, offers)).toEqual({ created: 0, updated: 1, unchanged: offers.length - 1 });
    expect(await database.db.offer.findUnique({ where: { id: "o365-e3" } })).toMatchObject({ maxLicences: 5000 });
    expect(await database.db.offerAvailability.count({ where: { offerId: "o365-e3", billingCycle: "monthly" } })).toBe(0);
  });

  it("holds the realistic catalog: segments, cycles, trials, add-ons, one-per-customer", async () => {
    await seedCatalog(database.db);
    const availableTo = async (segment: string, billingCycle: string) =>
      (await database.db.offer.findMany({ where: { availability: { some: { segment, billingCycle } } }, select: { id: true } })).map((offer) => offer.id);
    expect(await availableTo("education", "annual")).toContain("m365-a3");
    expect(await availableTo("commercial", "annual")).not.toContain("m365-a3");
    expect(await availableTo("government", "annual")).toEqual(["o365-g3"]);
    expect(await availableTo("government", "monthly")).toEqual(["azure-plan"]);
    expect(await availableTo("nonprofit", "monthly")).toContain("m365-business-premium-nonprofit");
    expect(await availableTo("commercial", "monthly")).toContain("azure-plan");
    expect(await availableTo("commercial", "annual")).not.toContain("azure-plan");
    const trials = await database.db.offer.findMany({ where: { isTrial: true } });
    expect(trials.length).toBeGreaterThanOrEqual(3);
    expect(trials.every((trial) => trial.trialDays && trial.unitPriceCents === 0 && trial.onePerCustomer)).toBe(true);
    expect(await database.db.offer.findUnique({ where: { id: "o365-extra-file-storage" } })).toMatchObject({ parentOfferId: "o365-e3" });
  });

  it("refuses a catalog file with an add-on whose parent is missing", () => {
    const [first] = readCatalog();
    const result = catalogSchema.safeParse({ offers: [{ ...first, id: "orphan", parentOfferId: "no-such-offer" }] });
    expect(result.success).toBe(false);
  });
});
