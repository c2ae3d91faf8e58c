/**
 * The top-level commands: what a user can type (in English or French) or press on the menu.
 * Built-in commands answer at once; a flow's command starts its dialog. The menu and the help
 * card are built from this registry, so a new capability appears in both by registering.
 */
import type { TurnContext } from "botbuilder";
import type { Dialog } from "botbuilder-dialogs";
import type { MessageKey } from "../src/i18n/index.js";
import type { Caller } from "../src/identity/identityService.js";
import { normalize, type CardSubmit } from "./turn.js";

/** What a command receives: the text after its phrase (if typed) and the card data (if pressed). */
export interface CommandInput {
  text: string;
  submit?: CardSubmit;
}

export interface Command {
  id: string;
  /** The verb a card button carries to run this command. */
  verb: string;
  /** Normalized texts that run it (see normalize()). */
  phrases: string[];
  /** Normalized beginnings of a text that run it with the rest as argument ("customers conto"). */
  prefixes?: string[];
  /** Label of its menu button, if it has one. */
  menuLabel?: MessageKey;
  /** Its line in the help card, if it has one. */
  helpLine?: MessageKey;
  /** Who may use it (everyone if absent): the menu and the help show a caller only what they may do. */
  allowed?: (caller: Caller) => boolean;
  /** Its first form opens in a dialog from the menu (Teams' task/fetch); typed, it stays in the chat. */
  opensDialog?: boolean;
  /** A guided conversation the command starts... */
  dialog?: Dialog;
  /** ...or a one-turn answer. */
  handler?: (context: TurnContext, input: CommandInput) => Promise<void>;
}

export const builtInCommands: Command[] = [
  { id: "menu", verb: "menu", phrases: ["menu", "start", "home", "accueil", "hi", "hello", "bonjour", "salut"], helpLine: "help.command.menu" },
  { id: "help", verb: "help", phrases: ["help", "aide", "?", "/help", "/aide"], menuLabel: "menu.help", helpLine: "help.command.help" },
  { id: "cancel", verb: "cancel", phrases: ["cancel", "annuler", "stop", "quit", "quitter", "abandonner"], helpLine: "help.command.cancel" },
  { id: "profile", verb: "profile", phrases: ["profile", "profil", "whoami", "who am i", "qui suis-je", "qui suis je", "mon profil", "my profile"], menuLabel: "menu.profile", helpLine: "help.command.profile" },
];

export class CommandRegistry {
  readonly commands: Command[];

  constructor(features: Command[] = []) {
    this.commands = [...features, ...builtInCommands];
  }

  /** The command a text or a card verb names, if any, with the text's argument. */
  find(input: { text?: string; verb?: string }): { command: Command; argument: string } | undefined {
    if (input.verb) {
      const command = this.commands.find((candidate) => candidate.verb === input.verb);
      return command && { command, argument: "" };
    }
    const raw = (input.text ?? "").trim();
    const text = normalize(raw);
    if (!text) return undefined;
    const exact = this.commands.find((command) => command.phrases.includes(text));
    if (exact) return { command: exact, argument: "" };
    for (const command of this.commands) {
      const prefix = command.prefixes?.find((candidate) => text.startsWith(candidate));
      if (prefix) return { command, argument: raw.slice(raw.length - (text.length - prefix.length)).trim() };
    }
    return undefined;
  }

  dialogs(): Dialog[] {
    return this.commands.flatMap((command) => (command.dialog ? [command.dialog] : []));
  }

  menuEntries(caller: Caller): { verb: string; label: MessageKey; dialog?: boolean }[] {
    return this.commands.filter((command) => command.menuLabel && (command.allowed?.(caller) ?? true)).map((command) => ({ verb: command.verb, label: command.menuLabel!, ...(command.opensDialog ? { dialog: true } : {}) }));
  }

  helpLines(caller: Caller): MessageKey[] {
    return this.commands.flatMap((command) => (command.helpLine && (command.allowed?.(caller) ?? true) ? [command.helpLine] : []));
  }
}
