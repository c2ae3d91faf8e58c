/**
 * One verb registry (issue 15): every verb is a constant of the feature that owns it; card
 * templates name verbs only through `${$root.verbs…}`; the code never writes a verb as text; no
 * two constants share a value; and every verb a button can send is one the bot has registered.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cardsDir } from "../bot/cards/render.js";
import { allVerbs, verbs } from "../bot/verbs.js";

const root = join(import.meta.dirname, "..");
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") && !path.endsWith("verbs.ts") ? [path] : [];
  });

describe("one verb registry", () => {
  it("no two verbs share a value, and each is named after its feature", () => {
    const values = allVerbs();
    expect(new Set(values).size).toBe(values.length);
    expect(values.length).toBeGreaterThan(50);
    for (const [feature, group] of Object.entries(verbs)) {
      for (const value of Object.values(group) as string[]) if (feature !== "core") expect(value.split(".")[0], value).toMatch(new RegExp(`^(${feature}|relationship|approvals|staff)$`));
    }
  });

  it("card templates never write a verb as text: only ${$root.verbs.…} (or a flow's step verb given by its builder)", () => {
    const literal: string[] = [];
    for (const file of readdirSync(cardsDir).filter((name) => name.endsWith(".json"))) {
      for (const [, value] of readFileSync(join(cardsDir, file), "utf8").matchAll(/"verb": "([^"]*)"/g)) {
        if (!/^\$\{\$root\.verbs\.[a-zA-Z]+\.[a-zA-Z]+\}$|^\$\{(nextVerb|backVerb)\}$/.test(value)) literal.push(`${file}: ${value}`);
      }
    }
    expect(literal).toEqual([]);
  });

  it("the code never writes a verb as text where a verb is meant (registrations, card data, flow steps)", () => {
    const values = new Set(allVerbs());
    const written: string[] = [];
    for (const file of sources(join(root, "bot"))) {
      const text = readFileSync(file, "utf8");
      // (A comparison with a one-word value is a domain kind, like "cancel" for an approval's kind.)
      for (const [match, value] of text.matchAll(/(?:\bverb: |\bid: |nextVerb: |backVerb: |case |z\.literal\(|=== )"([a-zA-Z.]+)"/g)) if (values.has(value) && !(match.startsWith("===") && !value.includes("."))) written.push(`${file.slice(root.length + 1)}: ${match}`);
    }
    expect(written).toEqual([]);
  });
});
