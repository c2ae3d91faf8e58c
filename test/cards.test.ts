import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { expandCard, templateNames } from "../bot/cards/render.js";
import { cardSamples, sampleNames, templateOfSample } from "../bot/dev/samples.js";
import { translator } from "../src/i18n/index.js";

const require = createRequire(import.meta.url);
// The official renderer: its browser bundle (dist/adaptivecards.js) loads in Node, its lib/ entry does not.
const AC = require("adaptivecards/dist/adaptivecards.js");

/** Parses a card as Teams would (Adaptive Cards 1.5) and returns every warning or error. */
function problemsOf(card: object): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) problems.push(context.getEventAt(i).message);
  for (const event of parsed.validateProperties().validationEvents) problems.push(event.message);
  return problems;
}

describe("card templates", () => {
  it("each have sample data", () => {
    expect(templateNames().filter((name) => !cardSamples[name])).toEqual([]);
  });

  it.each(sampleNames().flatMap((name) => [[name, "en"] as const, [name, "fr"] as const]))("%s renders in %s as a valid Adaptive Card 1.5", (name, locale) => {
    const card = expandCard(templateOfSample(name), cardSamples[name](translator(locale)));
    const json = JSON.stringify(card);
    expect(json).not.toContain("${");
    expect(card).toMatchObject({ type: "AdaptiveCard", version: "1.5" });
    expect(problemsOf(card)).toEqual([]);
  });

  it("the validator does report an unknown element (so the test above can fail)", () => {
    expect(problemsOf({ type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlok", text: "x" }] })).not.toEqual([]);
  });
});
