/**
 * The top-level commands: what a user can type (in English or French) or press on the menu.
 * Built-in commands answer at once; a flow's command starts its dialog. The menu and the help
 * card are built from this registry, so a new capability appears in both by registering.
 */
import type { Dialog } from "botbuilder-dialogs";
import type { MessageKey } from "../src/i18n/index.js";
import { normalize } from "./turn.js";

export interface Command {
  id: string;
  /** The verb a card button carries to run this command. */
  verb: string;
  /** Normalized texts that run it (see normalize()). */
  phrases: string[];
  /** Label of its menu button, if it has one. */
  menuLabel?: MessageKey;
  /** Its line in the help card. */
  helpLine: MessageKey;
}

/** A guided conversation started by a command. */
export interface Flow {
  command: Command;
  dialog: Dialog;
}

export const builtInCommands: Command[] = [
  { id: "menu", verb: "menu", phrases: ["menu", "start", "home", "accueil", "hi", "hello", "bonjour", "salut"], helpLine: "help.command.menu" },
  { id: "help", verb: "help", phrases: ["help", "aide", "?", "/help", "/aide"], menuLabel: "menu.help", helpLine: "help.command.help" },
  { id: "cancel", verb: "cancel", phrases: ["cancel", "annuler", "stop", "quit", "quitter", "abandonner"], helpLine: "help.command.cancel" },
  { id: "profile", verb: "profile", phrases: ["profile", "profil", "whoami", "who am i", "qui suis-je", "qui suis je", "mon profil", "my profile"], menuLabel: "menu.profile", helpLine: "help.command.profile" },
];

export class CommandRegistry {
  readonly commands: Command[];
  private readonly flows = new Map<string, Flow>();

  constructor(flows: Flow[] = []) {
    for (const flow of flows) this.flows.set(flow.command.id, flow);
    this.commands = [...flows.map((flow) => flow.command), ...builtInCommands];
  }

  /** The command a text or a card verb names, if any. */
  find(input: { text?: string; verb?: string }): Command | undefined {
    if (input.verb) return this.commands.find((command) => command.verb === input.verb);
    const text = normalize(input.text ?? "");
    return text ? this.commands.find((command) => command.phrases.includes(text)) : undefined;
  }

  flowOf(command: Command): Flow | undefined {
    return this.flows.get(command.id);
  }

  allFlows(): Flow[] {
    return [...this.flows.values()];
  }

  menuEntries(): { verb: string; label: MessageKey }[] {
    return this.commands.filter((command) => command.menuLabel).map((command) => ({ verb: command.verb, label: command.menuLabel! }));
  }

  helpLines(): MessageKey[] {
    return this.commands.map((command) => command.helpLine);
  }
}
