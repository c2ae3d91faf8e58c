import type { Locale } from "../config.js";
import { en, type MessageKey } from "./en.js";
import { fr } from "./fr.js";

export type { MessageKey };
export const catalogs: Record<Locale, Record<MessageKey, string>> = { en, fr };

/** Translates a key, filling `{name}` placeholders from params. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Picks the catalog for a BCP-47 tag such as "fr-FR" or "en-US", else the fallback. */
export function localeOf(tag: unknown, fallback: Locale): Locale {
  const language = typeof tag === "string" ? tag.slice(0, 2).toLowerCase() : undefined;
  return language === "fr" || language === "en" ? language : fallback;
}

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, params) => {
    const text = catalog[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
