/**
 * Countries a customer can be registered in: the current ISO 3166-1 alpha-2 codes (the 249
 * officially assigned ones; withdrawn codes such as FX, DD, UK, SU, YU, CS, TP, BU or ZR are
 * not), with names in the user's language from the platform's ICU data.
 */
const assigned = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW`;

export const countryCodes: readonly string[] = assigned.trim().split(/\s+/);

const codeSet = new Set(countryCodes);
export const isCountryCode = (code: string): boolean => codeSet.has(code);

const choices = new Map<string, readonly { code: string; name: string }[]>();

/** Countries sorted by their name in the given language (computed once per language). */
export function countryChoices(language: string): readonly { code: string; name: string }[] {
  let list = choices.get(language);
  if (!list) {
    const names = new Intl.DisplayNames([language], { type: "region" });
    const collator = new Intl.Collator(language);
    list = Object.freeze(countryCodes.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) => collator.compare(a.name, b.name)));
    choices.set(language, list);
  }
  return list;
}

const namesByLanguage = new Map<string, Map<string, string>>();

/** A country's name in the given language (the code itself if unknown). */
export function countryName(language: string, code: string): string {
  let names = namesByLanguage.get(language);
  if (!names) {
    names = new Map(countryChoices(language).map((choice) => [choice.code, choice.name]));
    namesByLanguage.set(language, names);
  }
  return names.get(code) ?? code;
}
