/**
 * The one way cards are made: a JSON template from cards/ expanded with typed data by
 * adaptivecards-templating, returned as a Teams attachment.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as ACData from "adaptivecards-templating";
import { CardFactory, type Attachment } from "botbuilder";
import { verbs } from "../verbs.js";
import { universalActions } from "./universal.js";
import { projectRoot } from "../../src/util/projectRoot.js";

export const cardsDir = join(projectRoot, "cards");

const templates = new Map<string, ACData.Template>();

/** The names of every template in cards/ (file name without .json). */
export function templateNames(): string[] {
  return readdirSync(cardsDir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

/** Expands a template with data into the card's JSON. */
export function expandCard(name: string, data: object): Record<string, unknown> {
  let template = templates.get(name);
  if (!template) {
    template = new ACData.Template(JSON.parse(readFileSync(join(cardsDir, `${name}.json`), "utf8")));
    templates.set(name, template);
  }
  // The verbs ride along at the root: templates name them ${$root.verbs.<feature>.<name>}, never as text.
  return template.expand({ $root: { ...data, verbs } }) as Record<string, unknown>;
}

/** The card as sent: every bot-bound button an Action.Execute with its Submit fallback. */
export function renderCard(name: string, data: object): Attachment {
  return CardFactory.adaptiveCard(universalActions(expandCard(name, data)));
}
