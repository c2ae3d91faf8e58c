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

/**
 * Intl formatters are slow to make (a locale's data looked up and compiled each time) and cheap
 * to use: each kind is made once per language, zone or currency and kept. The keys come from
 * validated values (two languages, IANA zones, ISO currencies), so the set stays small; it is
 * emptied anyway past a bound.
 */
function memo<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      if (made.size >= 1_000) made.clear();
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}

const dayFormat = memo((key) => {
  const [locale, timeZone] = key.split("|");
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone });
});
const momentFormat = memo((key) => {
  const [locale, timeZone] = key.split("|");
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone, timeZoneName: "short" });
});
const moneyFormat = memo((key) => {
  const [locale, currency] = key.split("|");
  return new Intl.NumberFormat(locale, { style: "currency", currency });
});

/** A day, e.g. "22 November 2026" / "22 novembre 2026". */
export function formatDate({ locale, timeZone }: Lang, date: Date): string {
  return dayFormat(`${tag(locale)}|${timeZone ?? "UTC"}`).format(date);
}

/** A moment, e.g. "22 Nov 2026, 14:03 CET". */
export function formatDateTime({ locale, timeZone }: Lang, date: Date): string {
  return momentFormat(`${tag(locale)}|${timeZone ?? "UTC"}`).format(date);
}

export function money(locale: Locale, cents: number, currency: string): string {
  return moneyFormat(`${tag(locale)}|${currency}`).format(cents / 100);
}

/** Languages named in the reader's language. */
export const languageNames: (locale: Locale) => Intl.DisplayNames = memo((locale) => new Intl.DisplayNames([locale], { type: "language" }));

const knownZones = memo((zone) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
});

/** A valid IANA time zone, or undefined. */
export function validTimeZone(zone: unknown): string | undefined {
  if (typeof zone !== "string" || zone.length > 64) return undefined;
  return knownZones(zone) ? zone : undefined;
}
