import { describe, expect, it } from "vitest";
import { catalogs, localeOf, translator } from "../src/i18n/index.js";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe("message catalogs", () => {
  it("have the same keys in English and French, none empty", () => {
    expect(Object.keys(catalogs.fr).sort()).toEqual(Object.keys(catalogs.en).sort());
    for (const catalog of Object.values(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) expect(text.trim(), key).not.toBe("");
    }
  });

  it("use the same placeholders in both languages", () => {
    for (const key of Object.keys(catalogs.en) as (keyof typeof catalogs.en)[]) {
      expect(placeholders(catalogs.fr[key]), key).toEqual(placeholders(catalogs.en[key]));
    }
  });

  it("pick the language from the activity's locale, falling back to the default", () => {
    expect(localeOf("fr-CA", "en")).toBe("fr");
    expect(localeOf("en-GB", "fr")).toBe("en");
    expect(localeOf("de-DE", "fr")).toBe("fr");
    expect(localeOf(undefined, "en")).toBe("en");
  });

  it("fill placeholders", () => {
    expect(translator("fr")("unknown.text", { text: "bla" })).toContain("« bla »");
  });
});
