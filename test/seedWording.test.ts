/**
 * The labels that name Partner Center's own pages and buttons use Partner Center's words, in
 * English and in French (issue 12, item 12): each is checked against the seed documents' text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en, type MessageKey } from "../src/i18n/en.js";
import { fr } from "../src/i18n/fr.js";

// The Partner Center pages the product was first built from (English and French), as the seeds give them.
const seedsDir = join(import.meta.dirname, "fixtures", "seeds");
const seeds = (suffix: ".fr.md" | ".md") =>
  readdirSync(seedsDir)
    .filter((file) => file.endsWith(suffix) && (suffix === ".md" ? !file.endsWith(".fr.md") : true))
    .map((file) => readFileSync(join(seedsDir, file), "utf8"))
    .join("\n");
/** Spaces of any kind as one, typographic apostrophes as straight ones, no Markdown emphasis. */
const normal = (text: string) => text.replace(/&nbsp;|\u00a0|\u202f/g, " ").replace(/[’‘]/g, "'").replace(/\*\*/g, "").replace(/\s+/g, " ").toLowerCase();

/** The label, and the part of it that is Partner Center's own wording. */
const labels: [MessageKey, (text: string) => string][] = [
  ["customer.account.next", (text) => text],
  ["customer.subs.next", (text) => text],
  ["customer.review.submit", (text) => text],
  ["customer.created.done", (text) => text],
  ["customer.details.newSubscription", (text) => text],
  ["menu.newCustomer", (text) => text],
  ["menu.resellers", (text) => text],
  ["reseller.invite.title", (text) => text],
  ["reseller.draft.openEmail", (text) => text],
  ["reseller.draft.copy", (text) => text],
  ["customer.details.azurePortal", (text) => text],
  ["relationship.title", (text) => text],
  ["status.suspended", (text) => text],
  ["customer.account.title", (text) => text.split(/ : |: /)[1]],
  ["customer.review.title", (text) => text.split(/ : |: /)[1]],
];

describe("labels in Partner Center's own words (the seeds)", () => {
  const english = normal(seeds(".md"));
  const french = normal(seeds(".fr.md"));
  const trialFrench = /essai/i;

  it.each(labels)("item 12: %s", (key, part) => {
    expect(english).toContain(normal(part(en[key])));
    expect(french).toContain(normal(part(fr[key])));
  });

  it("item 12: trials are 'essai' in French, as the seeds call them", () => {
    expect(fr["customer.subs.trials"]).toMatch(trialFrench);
    expect(french).toMatch(trialFrench);
    expect(Object.values(fr).join(" ")).not.toMatch(/évaluation/i);
  });
});
