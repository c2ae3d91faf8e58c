/**
 * Sample data for every card template, in any language: the card test renders each template
 * with it, and the card gallery will picture them. A template without a sample fails the test.
 */
import type { Translate } from "../../src/i18n/index.js";
import type { Caller } from "../../src/identity/identityService.js";
import { builtInCommands, CommandRegistry } from "../commands.js";
import { helpCardData, menuCardData, notEnrolledCardData, profileCardData } from "./basicCards.js";

export const sampleCaller: Caller = {
  userId: "7d3f2c1e-0000-4000-8000-000000000001",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  aadObjectId: "00000000-0000-0000-0000-000000000020",
  displayName: "Alex Wilber",
  role: "admin",
  organisation: { id: "org-1", kind: "provider", name: "Contoso Distribution" },
};

const registry = new CommandRegistry();

export const cardSamples: Record<string, (t: Translate) => object> = {
  menu: (t) => menuCardData(t, sampleCaller, registry.menuEntries()),
  help: (t) => helpCardData(t, builtInCommands.map((command) => command.helpLine)),
  profile: (t) => profileCardData(t, sampleCaller),
  notEnrolled: (t) => notEnrolledCardData(t, "9b1d5c3a-1111-4222-8333-444455556666"),
};
