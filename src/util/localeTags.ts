/**
 * BCP 47 language tags in canonical form. Every activity carries one, and Intl.getCanonicalLocales
 * is costly next to the rest of a turn (about 2% of its CPU, asked twice per turn); the tags
 * people's clients send are few, so their answers are remembered (a bounded number of them:
 * the tag comes from the request).
 */
const KEPT = 1_000;
const known = new Map<string, string | null>();

/** The canonical form of a valid tag ("en-us" → "en-US"); undefined for anything else. */
export function canonicalTag(tag: string): string | undefined {
  let canonical = known.get(tag);
  if (canonical === undefined) {
    try {
      canonical = Intl.getCanonicalLocales(tag)[0] ?? null;
    } catch {
      canonical = null;
    }
    if (known.size >= KEPT) known.delete(known.keys().next().value!);
    known.set(tag, canonical);
  }
  return canonical ?? undefined;
}
