import type { Locale } from "../config.js";
import { en, type MessageKey } from "./en.js";
import { fr } from "./fr.js";

import { escapeMarkdown, Markdown } from "./markdown.js";

export type { MessageKey };
export { escapeMarkdown, Markdown };
export const catalogs: Record<Locale, Record<MessageKey, string>> = { en, fr };

export type MessageParams = Record<string, string | number | Markdown>;

/**
 * Translates a key, filling `{name}` placeholders from params. Messages are Markdown (Teams
 * renders them so): string params are user data and are escaped; a Markdown param goes in as it
 * is. `plain` fills them unescaped, for text that is not rendered (an email body, a URL).
 */
export type Translate = ((key: MessageKey, params?: MessageParams) => string) & { plain: (key: MessageKey, params?: MessageParams) => string };

/** Picks the catalog for a BCP-47 tag such as "fr-FR" or "en-US", else the fallback. */
export function localeOf(tag: unknown, fallback: Locale): Locale {
  const language = typeof tag === "string" ? tag.slice(0, 2).toLowerCase() : undefined;
  return language === "fr" || language === "en" ? language : fallback;
}

const translators = new Map<Locale, Translate>();

export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) {
    const catalog = catalogs[locale];
    const fill = (escape: boolean) => (key: MessageKey, params?: MessageParams) => {
      const text = catalog[key] ?? key;
      if (!params) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
        if (!(name in params)) return whole;
        const value = params[name];
        return typeof value === "string" && escape ? escapeMarkdown(value) : String(value);
      });
    };
    t = Object.assign(fill(true), { plain: fill(false) });
    translators.set(locale, t);
  }
  return t;
}
