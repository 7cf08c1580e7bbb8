// What every writer of the briefing (xlsx, csv) puts in a cell. Org and staff names come from the
// bank's extracts, so a name such as `=HYPERLINK(…)` must never become a formula in the spreadsheet
// that opens the file (CSV/formula injection): a text that a spreadsheet would read as a formula gets a
// leading apostrophe and stays text. Numbers are written as numbers, never through this helper.

/** The characters a spreadsheet may take as the start of a formula, with their full-width forms. */
const FORMULA_LEAD = /^[=+\-@\t\r＝＋－＠]/;

/** `+1+1` → `'+1+1`; other text unchanged. */
export function neutralise(text: string): string {
  return FORMULA_LEAD.test(text) ? `'${text}` : text;
}

/** Exact decimal text as the database gives it ("-12.50"): safe to write unquoted as a number. */
export const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * A decimal string as the JS number a spreadsheet cell holds. Only for the cell value: the
 * spreadsheet stores a double anyway, and 2-decimal amounts below 2^53 cents convert exactly enough
 * to display; every difference is computed on the exact text before this (src/reports/briefing.ts).
 */
export function cellNumber(decimal: string): number {
  if (!DECIMAL_TEXT.test(decimal)) throw new Error(`not a decimal number: ${decimal}`);
  return Number(decimal);
}
