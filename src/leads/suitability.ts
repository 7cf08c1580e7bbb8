// The product rules of arbitration (PLAYBOOK.md step 2) for one would-be holder, in TypeScript for the
// point-of-service lookups (arbitrate.ts applies the same rules to every candidate in SQL; a test
// holds the two alike): the product's ages and regions, not already held, and suitability — a rated
// product Rn needs a risk level Cm with m ≥ n; aged ≥ «65» only R1–R2; no risk level, only unrated.

export type ProductRow = {
  product_code: string;
  product_name: string;
  category: string;
  risk_rating: string | null;
  min_age: number | null;
  max_age: number | null;
  division_codes: string | null;
};

export interface Holder {
  age: number | null;
  risk_level: string | null;
  division_code: string | null;
  /** Product codes of the accounts open at D. */
  holds: Set<string>;
}

export type ProductBlock = 'PRODUCT_AGE' | 'PRODUCT_REGION' | 'HOLDS_PRODUCT' | 'RISK_LEVEL' | 'ELDERLY_RISK';

/** A code covers every code under it: 420000 covers 42xxxx, 420200 covers 4202xx. */
export function coversDivision(code: string, division: string | null): boolean {
  const prefix = code.replace(/0000$/, '').replace(/00$/, '');
  return division?.startsWith(prefix) ?? false;
}

/** The first rule that keeps the product from the holder, or null when it may be offered. */
export function productBlock(p: ProductRow, h: Holder, elderlyStrictAge: number): ProductBlock | null {
  if (
    (p.min_age !== null && (h.age === null || h.age < p.min_age)) ||
    (p.max_age !== null && (h.age === null || h.age > p.max_age))
  )
    return 'PRODUCT_AGE';
  if (p.division_codes !== null) {
    const codes = p.division_codes
      .split('|')
      .map((c) => c.trim())
      .filter(Boolean);
    if (!codes.some((c) => coversDivision(c, h.division_code ?? ''))) return 'PRODUCT_REGION';
  }
  if (h.holds.has(p.product_code)) return 'HOLDS_PRODUCT';
  if (p.risk_rating !== null) {
    if (h.risk_level === null || h.risk_level.slice(1, 2) < p.risk_rating.slice(1, 2)) return 'RISK_LEVEL';
    if (!['R1', 'R2'].includes(p.risk_rating) && (h.age === null || h.age >= elderlyStrictAge))
      return 'ELDERLY_RISK';
  }
  return null;
}
