/**
 * The customer's account information, with the Partner Center API's limits. Validation returns
 * field issues with codes, which the edge shows, localized, next to each field.
 */
import { z } from "zod";
import { segments } from "../catalog/catalogService.js";
import { isCountryCode } from "../countries.js";
import type { FieldIssue } from "../errors.js";

/** Cultures offered for a new customer (Partner Center's most used); language follows the culture. */
export const cultures = ["en-US", "en-GB", "en-CA", "en-AU", "fr-FR", "fr-CA", "fr-BE", "fr-CH", "de-DE", "es-ES", "it-IT", "nl-NL", "pt-BR", "ja-JP"] as const;

/** Control characters (NUL, escapes) and bidi overrides have no place in a name or an address. */
export const forbiddenCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const text = (max: number, min = 1) => z.string().trim().min(min, "required").max(max, `tooLong:${max}`).refine((value) => !forbiddenCharacters.test(value), "invalidCharacters");

export const accountSchema = z.object({
  companyName: text(200),
  segment: z.enum(segments, { error: "invalidChoice" }),
  addressLine1: text(200),
  addressLine2: text(200, 0).default(""),
  city: text(100),
  region: text(100),
  postalCode: text(20),
  country: z.string().trim().toUpperCase().refine(isCountryCode, "invalidChoice"),
  phone: z
    .string()
    .trim()
    .max(40, "tooLong:40")
    .regex(/^$|^\+?[0-9 ().-]{4,40}$/, "invalid")
    .default(""),
  contactFirstName: text(50),
  contactLastName: text(50),
  contactEmail: z.string().trim().min(1, "required").max(254, "tooLong:254").refine((value) => !forbiddenCharacters.test(value), "invalidCharacters").pipe(z.email("invalidEmail")),
  culture: z.enum(cultures, { error: "invalidChoice" }),
  domainPrefix: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, "required")
    .max(27, "tooLong:27")
    .regex(/^[a-z0-9]+$/, "invalid"),
});

export type AccountInfo = z.output<typeof accountSchema>;
export type AccountInput = Partial<Record<keyof AccountInfo, string>>;
export const accountFields = Object.keys(accountSchema.shape) as (keyof AccountInfo)[];

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

/** Validates submitted account info; every bad field is reported, each with one issue. */
export function validateAccount(input: unknown): Validated<AccountInfo> {
  const parsed = accountSchema.safeParse(normaliseInput(input));
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: toIssues(parsed.error.issues) };
}

/** Card inputs arrive as strings or not at all: keep only string values of known fields. */
function normaliseInput(input: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (typeof input !== "object" || input === null) return values;
  for (const field of accountFields) {
    const value = (input as Record<string, unknown>)[field];
    values[field] = typeof value === "string" ? value : "";
  }
  return values;
}

export function toIssues(zodIssues: z.core.$ZodIssue[]): FieldIssue[] {
  const issues = new Map<string, FieldIssue>();
  for (const issue of zodIssues) {
    const field = String(issue.path[0] ?? "input");
    if (issues.has(field)) continue;
    const [code, param] = issue.message.split(":");
    if (code === "tooLong") issues.set(field, { field, code, params: { max: Number(param) } });
    else if (code === "required" || code === "invalidEmail" || code === "invalidChoice" || code === "invalid" || code === "invalidCharacters") issues.set(field, { field, code });
    else issues.set(field, { field, code: issue.code === "invalid_value" ? "invalidChoice" : "invalid" });
  }
  return [...issues.values()];
}
