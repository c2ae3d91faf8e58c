import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cardsDir } from "../bot/cards/render.js";
import { sampleNames } from "../bot/dev/samples.js";

describe("the card gallery", () => {
  it("has a picture of every card in both languages, and the README shows some of them", () => {
    const missing = sampleNames().flatMap((name) => ["en", "fr"].map((locale) => `${name}.${locale}.png`)).filter((file) => !existsSync(join(cardsDir, "gallery", file)));
    expect(missing).toEqual([]);
    const readme = readFileSync(join(cardsDir, "..", "README.md"), "utf8");
    for (const picture of [...readme.matchAll(/\]\((cards\/gallery\/[^)]+\.png)\)/g)].map((match) => match[1])) {
      expect(existsSync(join(cardsDir, "..", picture)), picture).toBe(true);
    }
    expect(readme).toContain("cards/gallery/subscription.en.png");
  });
});
