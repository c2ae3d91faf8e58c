import type { Locale } from "../config.js";
import { en, type MessageKey } from "./en.js";
import { fr } from "./fr.js";

import { IntlMessageFormat } from "intl-messageformat";
import { escapeMarkdown, Markdown } from "./markdown.js";

export type { MessageKey };
export { escapeMarkdown, Markdown };
export const catalogs: Record<Locale, Record<MessageKey, string>> = { en, fr };

export type MessageParams = Record<string, string | number | Markdown>;

/**
 * Translates a key. Messages are ICU message format (`{name}`, `{count, plural, one {# …} other
 * {# …}}`, numbers formatted for the language), and Markdown (Teams renders them so): string
 * params are user data and are escaped; a Markdown param goes in as it is. `plain` fills them
 * unescaped, for text that is not rendered (an email body, a URL).
 */
export type Translate = ((key: MessageKey, params?: MessageParams) => string) & { plain: (key: MessageKey, params?: MessageParams) => string };

/** Picks the catalog for a BCP-47 tag such as "fr-FR" or "en-US", else the fallback. */
export function localeOf(tag: unknown, fallback: Locale): Locale {
  const language = typeof tag === "string" ? tag.slice(0, 2).toLowerCase() : undefined;
  return language === "fr" || language === "en" ? language : fallback;
}

const translators = new Map<Locale, Translate>();
const bcp47: Record<Locale, string> = { en: "en-US", fr: "fr-FR" };

export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) {
    const catalog = catalogs[locale];
    const formats = new Map<MessageKey, IntlMessageFormat>();
    const format = (key: MessageKey) => {
      let compiled = formats.get(key);
      if (!compiled) {
        // Tags are not ICU rich text here: "<customer>" in a help line is text.
        compiled = new IntlMessageFormat(catalog[key] ?? key, bcp47[locale], undefined, { ignoreTag: true });
        formats.set(key, compiled);
      }
      return compiled;
    };
    // A message without parameters (a button's label, a heading) reads the same every time: made once.
    const bare = new Map<MessageKey, string>();
    const fill = (escape: boolean) => (key: MessageKey, params?: MessageParams) => {
      if (params === undefined) {
        let text = bare.get(key);
        if (text === undefined) {
          text = String(format(key).format({}));
          bare.set(key, text);
        }
        return text;
      }
      const values: Record<string, string | number> = {};
      for (const [name, value] of Object.entries(params ?? {})) values[name] = value instanceof Markdown ? value.text : typeof value === "string" && escape ? escapeMarkdown(value) : value;
      return String(format(key).format(values));
    };
    t = Object.assign(fill(true), { plain: fill(false) });
    translators.set(locale, t);
  }
  return t;
}
