/**
 * Partner Center's license-based price sheet (GET /v1/sales/pricesheets(Market='US',
 * PricesheetView='updatedlicensebased')/$value): a CSV of ProductId, SkuId, TermDuration,
 * BillingPlan, UnitPrice, Currency, Segment… Availabilities carry no price; the price of one
 * licence for one month on a term comes from here.
 */
export interface PriceRow {
  productId: string;
  skuId: string;
  termDuration: string;
  billingPlan: string;
  unitPrice: number;
  currency: string;
  segment: string;
}

/** Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes, commas and newlines in quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      if (row.some((value) => value !== "")) rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  row.push(field);
  if (row.some((value) => value !== "")) rows.push(row);
  return rows;
}

export function parsePriceSheet(text: string): PriceRow[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ""));
  if (!header) return [];
  const column = (name: string) => header.findIndex((title) => title.trim().toLowerCase() === name.toLowerCase());
  const at = { productId: column("ProductId"), skuId: column("SkuId"), term: column("TermDuration"), plan: column("BillingPlan"), price: column("UnitPrice"), currency: column("Currency"), segment: column("Segment") };
  return rows
    .map((row) => ({
      productId: row[at.productId] ?? "",
      skuId: row[at.skuId] ?? "",
      termDuration: row[at.term] ?? "",
      billingPlan: row[at.plan] ?? "",
      unitPrice: Number(row[at.price]),
      currency: row[at.currency] ?? "",
      segment: at.segment >= 0 ? (row[at.segment] ?? "") : "",
    }))
    .filter((row) => row.productId && Number.isFinite(row.unitPrice));
}

const monthsOfPlan: Record<string, number> = { monthly: 1, annual: 12, triennial: 36 };

/** The price of one licence for one month on each term, in cents: the monthly plan's, or an up-front plan's spread over its months. */
export function monthlyPrices(sheet: PriceRow[], productId: string, skuId: string, segment: string): Record<string, number> {
  const rows = sheet.filter((row) => row.productId === productId && row.skuId === skuId && (!row.segment || row.segment.toLowerCase() === segment.toLowerCase()));
  const prices: Record<string, number> = {};
  for (const term of new Set(rows.map((row) => row.termDuration))) {
    const forTerm = rows.filter((row) => row.termDuration === term);
    const row = forTerm.find((candidate) => candidate.billingPlan.toLowerCase() === "monthly") ?? forTerm[0];
    prices[term] = Math.round((row.unitPrice * 100) / (monthsOfPlan[row.billingPlan.toLowerCase()] ?? 1));
  }
  return prices;
}
