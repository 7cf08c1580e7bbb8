// Masking of personal data (MISSION X5). The same patterns in TypeScript (every response, export and
// CLI output) and in SQL (maskSql; the analysts' console views of migrations 003/005/022 carry the
// default patterns); a test holds the two equal on both engines. The defaults:
//   name    张三丰 → 张*丰, 张三 → 张*, 张 → *         (first and last character kept)
//   phone   13800000000 → 138****0000               (first 3 and last 4 kept; shorter than 7: all *)
//   id_no   420102199001011001 → 420102********1001 (first 6 and last 4 kept; shorter than 10: all *)
//   account 6222020200012345678 → ***************5678 (last 4 kept; 4 or fewer: all *)
// Each field's rule is configurable (the season file's `masking:`, applied by configureMasking at
// start): how many characters to keep at the head and the tail, from what length, and what a shorter
// value shows.
export type PersonalKind = 'name' | 'id_no' | 'phone' | 'account';

/**
 * One field's rule: a value of at least `min_length` characters keeps its first `keep_head` and last
 * `keep_tail` characters and stars the rest; a shorter one is all stars, or (`short: KEEP_HEAD`) keeps
 * its first `keep_head` characters when it has more than that. min_length ≥ keep_head + keep_tail, so
 * at least one character is always starred.
 */
export interface MaskRule {
  keep_head: number;
  keep_tail: number;
  min_length: number;
  short: 'STARS' | 'KEEP_HEAD';
}

export const DEFAULT_MASKING: Readonly<Record<PersonalKind, MaskRule>> = Object.freeze({
  name: { keep_head: 1, keep_tail: 1, min_length: 3, short: 'KEEP_HEAD' },
  phone: { keep_head: 3, keep_tail: 4, min_length: 8, short: 'STARS' },
  id_no: { keep_head: 6, keep_tail: 4, min_length: 11, short: 'STARS' },
  account: { keep_head: 0, keep_tail: 4, min_length: 5, short: 'STARS' },
});

let rules: Record<PersonalKind, MaskRule> = { ...DEFAULT_MASKING };

/** Set the rules of this process (fields not given keep the default). */
export function configureMasking(given: Partial<Record<PersonalKind, MaskRule>> = {}): void {
  for (const [kind, r] of Object.entries(given) as [PersonalKind, MaskRule][])
    if (r.min_length < r.keep_head + r.keep_tail + 1)
      throw new Error(
        `masking.${kind}: min_length must exceed keep_head + keep_tail (one character starred)`,
      );
  rules = { ...DEFAULT_MASKING, ...given };
}

/** The rules in force. */
export const maskingRules = (): Readonly<Record<PersonalKind, MaskRule>> => rules;

const stars = (n: number) => '*'.repeat(Math.max(0, n));

export function mask(kind: PersonalKind, value: string | null): string | null {
  if (value === null) return null;
  const r = rules[kind];
  const chars = [...value];
  const n = chars.length;
  const head = chars.slice(0, r.keep_head).join('');
  if (n >= r.min_length)
    return head + stars(n - r.keep_head - r.keep_tail) + chars.slice(n - r.keep_tail).join('');
  if (r.short === 'KEEP_HEAD' && n > r.keep_head) return head + stars(n - r.keep_head);
  return stars(n);
}

/** The SQL expression masking `expr` exactly as mask() does with the rules in force (both engines). */
export function maskSql(kind: PersonalKind, expr: string): string {
  const r = rules[kind];
  const len = `length(${expr})`;
  const keep = (k: number, side: 'left' | 'right') => (k > 0 ? `${side}(${expr}, ${k})` : "''");
  const full = `${keep(r.keep_head, 'left')} || repeat('*', ${len} - ${r.keep_head + r.keep_tail}) || ${keep(r.keep_tail, 'right')}`;
  const short =
    r.short === 'KEEP_HEAD' && r.keep_head > 0
      ? `CASE WHEN ${len} > ${r.keep_head} THEN ${keep(r.keep_head, 'left')} || repeat('*', ${len} - ${r.keep_head}) ELSE repeat('*', ${len}) END`
      : `repeat('*', ${len})`;
  return `CASE WHEN ${expr} IS NULL THEN NULL WHEN ${len} >= ${r.min_length} THEN ${full} ELSE ${short} END`;
}
