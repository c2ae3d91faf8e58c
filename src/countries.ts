/** ISO 3166-1 alpha-2 countries, with names in the user's language from the platform's ICU data. */

// Region codes ICU knows that are not countries a customer can be registered in.
const notCountries = new Set(["EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "DG", "EA", "IC", "TA", "XK", "CQ"]);

export const countryCodes: readonly string[] = (() => {
  const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
  const codes: string[] = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (!notCountries.has(code) && names.of(code)) codes.push(code);
    }
  }
  return codes;
})();

const codeSet = new Set(countryCodes);
export const isCountryCode = (code: string): boolean => codeSet.has(code);

/** Countries sorted by their name in the given language. */
export function countryChoices(language: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([language], { type: "region" });
  return countryCodes.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name, language));
}
