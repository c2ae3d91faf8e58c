/**
 * The top-level commands: what a user can type (in English or French) or press on the menu.
 * Built-in commands answer at once; a flow's command starts its dialog. The menu and the help
 * card are built from this registry, so a new capability appears in both by registering.
 */
import type { TurnContext } from "botbuilder";
import type { Dialog } from "botbuilder-dialogs";
import type { output, ZodType } from "zod";
import { catalogs, type MessageKey } from "../src/i18n/index.js";
import type { Caller } from "../src/identity/identityService.js";
import { normalize, type CardSubmit } from "./turn.js";

/** What a command receives: the text after its phrase (if typed) and the card data (if pressed). */
export interface CommandInput<Data = unknown> {
  text: string;
  submit?: CardSubmit;
  /** The card's data as the command's schema reads it (when it has one). */
  data?: Data;
}

export interface Command {
  id: string;
  /** The card data it takes, checked before the handler runs (a mismatch is "that button is no longer active"). */
  schema?: ZodType;
  /** The verb a card button carries to run this command. */
  verb: string;
  /** Texts that run it; by default the catalogs' "words.<id>" in every language (see normalize()). */
  phrases?: string[];
  /** Beginnings of a text that run it with the rest as argument ("customers conto"); by default "words.<id>.prefixes". */
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
  /** The handler only reads and answers (a list, a card): its turn needs no durable record of being handled. */
  readOnly?: boolean;
}

/**
 * The verbs: what a card's button or a command carries to say what it does. Each feature owns
 * its verbs ({feature}/verbs.ts); card templates name them as ${$root.verbs.<feature>.<name>}
 * (see cards/render.ts), handlers register them, and no verb is written twice.
 */
/** What every user can do anywhere: menu, help, cancel, profile. */
export const coreVerbs = {
  cancel: "cancel",
  help: "help",
  menu: "menu",
  profile: "profile",
} as const;

/** A command whose card data its schema reads: the handler gets it typed, as `input.data`. */
export function withSchema<S extends ZodType>(definition: Omit<Command, "schema" | "handler"> & { schema: S; handler: (context: TurnContext, input: CommandInput<output<S>> & { data: output<S> }) => Promise<void> }): Command {
  return definition as Command;
}

export const builtInCommands: Command[] = [
  { id: coreVerbs.menu, verb: coreVerbs.menu, helpLine: "help.command.menu" },
  { id: coreVerbs.help, verb: coreVerbs.help, menuLabel: "menu.help", helpLine: "help.command.help" },
  { id: coreVerbs.cancel, verb: coreVerbs.cancel, helpLine: "help.command.cancel" },
  { id: coreVerbs.profile, verb: coreVerbs.profile, menuLabel: "menu.profile", helpLine: "help.command.profile" },
];

/** A command's words in every language of the catalogs ("words.<id>", "|" between them), normalized; none if the catalogs have none. */
function words(id: string): string[] {
  return [...new Set(catalogWords(`words.${id}`).map(normalize))];
}

/** A command's prefixes ("words.<id>.prefixes"), longest first so that "history for " wins over "history ". */
function prefixes(id: string): string[] {
  return [...new Set(catalogWords(`words.${id}.prefixes`).map((prefix) => `${normalize(prefix)} `))].sort((a, b) => b.length - a.length);
}

function catalogWords(key: string): string[] {
  return Object.values(catalogs).flatMap((catalog) => {
    const text = (catalog as Record<string, string>)[key];
    return text ? text.split("|").filter(Boolean) : [];
  });
}

export class CommandRegistry {
  readonly commands: Command[];

  constructor(features: Command[] = []) {
    this.commands = [...features, ...builtInCommands].map((command) => ({ ...command, phrases: command.phrases ?? words(command.id), prefixes: command.prefixes ?? prefixes(command.id) }));
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
    const exact = this.commands.find((command) => command.phrases!.includes(text));
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
