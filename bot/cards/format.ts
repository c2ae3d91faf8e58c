/**
 * The language a card speaks, and how dates and amounts read in it: dates in the user's own
 * time zone (Teams reports it with each activity; UTC until known).
 */
import type { Locale } from "../../src/config.js";
import type { Translate } from "../../src/i18n/index.js";

export interface Lang {
  t: Translate;
  locale: Locale;
  /** IANA time zone of the reader, e.g. "Europe/Paris". */
  timeZone?: string;
}

const tag = (locale: Locale) => (locale === "fr" ? "fr-FR" : "en-US");

/** A day, e.g. "22 November 2026" / "22 novembre 2026". */
export function formatDate({ locale, timeZone }: Lang, date: Date): string {
  return date.toLocaleDateString(tag(locale), { dateStyle: "long", timeZone: timeZone ?? "UTC" });
}

/** A moment, e.g. "22 Nov 2026, 14:03 CET". */
export function formatDateTime({ locale, timeZone }: Lang, date: Date): string {
  return date.toLocaleString(tag(locale), { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: timeZone ?? "UTC", timeZoneName: "short" });
}

export function money(locale: Locale, cents: number, currency: string): string {
  return new Intl.NumberFormat(tag(locale), { style: "currency", currency }).format(cents / 100);
}

/** A valid IANA time zone, or undefined. */
export function validTimeZone(zone: unknown): string | undefined {
  if (typeof zone !== "string" || zone.length > 64) return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}
