/**
 * The top-level commands: what a user can type (in English or French) or press on the menu.
 * Each later capability adds its commands here; the menu and help are built from this list.
 */
import type { MessageKey } from "../src/i18n/index.js";
import { normalize } from "./turn.js";

export type CommandId = "menu" | "help" | "cancel" | "profile";

export interface Command {
  id: CommandId;
  /** The verb a card button carries to run this command. */
  verb: string;
  /** Normalized texts that run it (see normalize()). */
  phrases: string[];
  /** Label of its menu button, if it has one. */
  menuLabel?: MessageKey;
  /** Its line in the help card. */
  helpLine: MessageKey;
}

export const commands: Command[] = [
  { id: "menu", verb: "menu", phrases: ["menu", "start", "home", "accueil", "hi", "hello", "bonjour", "salut"], helpLine: "help.command.menu" },
  { id: "help", verb: "help", phrases: ["help", "aide", "?", "/help", "/aide"], menuLabel: "menu.help", helpLine: "help.command.help" },
  { id: "cancel", verb: "cancel", phrases: ["cancel", "annuler", "stop", "quit", "quitter", "abandonner"], helpLine: "help.command.cancel" },
  { id: "profile", verb: "profile", phrases: ["profile", "profil", "whoami", "who am i", "qui suis-je", "qui suis je", "mon profil", "my profile"], menuLabel: "menu.profile", helpLine: "help.command.profile" },
];

/** The command a text or a card verb names, if any. */
export function findCommand(input: { text?: string; verb?: string }): Command | undefined {
  if (input.verb) return commands.find((command) => command.verb === input.verb);
  const text = normalize(input.text ?? "");
  return text ? commands.find((command) => command.phrases.includes(text)) : undefined;
}
