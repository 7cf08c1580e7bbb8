// Matching a remittance's beneficiary to a supported overseas institution (B4, METRICS.md):
//   EXACT_BIC  — BIC (first 8) and receiving account both equal the institution's;
//   EXACT_NAME — otherwise the normalised name equals the institution's name or an alias, and the
//                country (when given) is the institution's;
//   PROBABLE   — otherwise a close name (the same words, a typo allowed per word) or the BIC alone: for review, never
//                counted as a tuition remitter.
// Only institutions with supports_tuition = Y take part. When several qualify at the best kind, the
// lowest institution_id wins.

import { bic8, normaliseAccount, normaliseName } from './normalise.js';

export interface Institution {
  institution_id: string;
  institution_name: string;
  country: string | null;
  swift_bic: string | null;
  account_no: string | null;
  aliases: string | null;
  supports_tuition: string;
}

export interface Beneficiary {
  beneficiary_name: string | null;
  beneficiary_account: string | null;
  beneficiary_bic: string | null;
  beneficiary_country: string | null;
}

export type MatchKind = 'EXACT_BIC' | 'EXACT_NAME' | 'PROBABLE';

export interface Match {
  institutionId: string;
  kind: MatchKind;
  /** 1 for exact matches; the name similarity for a probable one (0 when by BIC alone). */
  score: number;
}

/** Words that do not tell institutions apart, ignored when names are aligned word by word. */
const STOP_WORDS = new Set([
  'OF',
  'THE',
  'AND',
  'DE',
  'DI',
  'DU',
  'DA',
  'LA',
  'LE',
  'DER',
  'DES',
  'DEL',
  'FUR',
  'IN',
  'AT',
]);

/** Damerau–Levenshtein distance (an adjacent transposition counts one); more than `max` apart in length: max + 1. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const w = b.length + 1;
  const d = new Array<number>((a.length + 1) * w).fill(0);
  const at = (i: number, j: number) => d[i * w + j] as number;
  for (let i = 0; i <= a.length; i++) d[i * w] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * w + j] = v;
    }
  }
  return at(a.length, b.length);
}

const words = (name: string) => name.split(' ').filter((w) => !STOP_WORDS.has(w));

/** One typo allowed per word of five letters or more; shorter words must be equal. */
const closeWords = (a: string, b: string) =>
  a === b || (a.length >= 5 && b.length >= 5 && editDistance(a, b, 1) <= 1);

/**
 * PROBABLE by name: the two names have the same words, in any order, each word equal or one typo
 * away — so "Univrsity of Tornto" finds the University of Toronto, while "University of Lyon" does not
 * find the University of Lille however much else the names share.
 */
export function closeNames(a: string, b: string): boolean {
  const x = words(a);
  const y = words(b);
  if (x.length === 0 || y.length === 0) return false;
  return x.every((w) => y.some((v) => closeWords(w, v))) && y.every((w) => x.some((v) => closeWords(w, v)));
}

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  const t = s.replaceAll(' ', '');
  for (let i = 0; i < t.length - 1; i++) {
    const g = t.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Sørensen–Dice similarity over letter bigrams: the score shown with a probable match. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const x = bigrams(a);
  const y = bigrams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of x) {
    common += Math.min(n, y.get(g) ?? 0);
    total += n;
  }
  for (const n of y.values()) total += n;
  return total === 0 ? 0 : (2 * common) / total;
}

const lowest = (ids: Iterable<string>) => [...ids].sort()[0];

/**
 * The keys under which a word is indexed and looked up for closeWords: the word itself and, from five
 * letters, each form with one letter deleted. Two words one edit apart (a substitution, an inserted or
 * dropped letter, two adjacent letters swapped) always share a key, so a lookup finds every close word
 * (and a few that are not: closeNames still decides).
 */
function wordKeys(w: string): string[] {
  if (w.length < 5) return [w];
  const keys = [w];
  for (let i = 0; i < w.length; i++) keys.push(w.slice(0, i) + w.slice(i + 1));
  return keys;
}

export class InstitutionMatcher {
  private readonly byBicAccount = new Map<string, string[]>();
  private readonly byBic = new Map<string, string[]>();
  private readonly byName = new Map<string, { id: string; country: string | null }[]>();
  private readonly names: { id: string; name: string; country: string | null }[] = [];
  /** wordKeys → positions in `names` of the names with such a word: a probable match need not scan them all. */
  private readonly byWordKey = new Map<string, number[]>();

  constructor(institutions: readonly Institution[]) {
    for (const inst of institutions) {
      if (inst.supports_tuition !== 'Y') continue;
      const id = inst.institution_id;
      if (inst.swift_bic) {
        const b = bic8(inst.swift_bic);
        push(this.byBic, b, id);
        if (inst.account_no) push(this.byBicAccount, `${b}|${normaliseAccount(inst.account_no)}`, id);
      }
      const forms = [inst.institution_name, ...(inst.aliases ? inst.aliases.split('|') : [])]
        .map(normaliseName)
        .filter(Boolean);
      for (const n of new Set(forms)) {
        push(this.byName, n, { id, country: inst.country });
        this.names.push({ id, name: n, country: inst.country });
        const at = this.names.length - 1;
        for (const key of new Set(words(n).flatMap(wordKeys))) push(this.byWordKey, key, at);
      }
    }
  }

  /** Close names per (normalised name, country): the same beneficiary is written many times over. */
  private readonly closeCache = new Map<string, [string, number][]>();

  /** Institutions whose name is close to `name` (in the country when given), with the similarity. */
  private closeTo(name: string, country: string | null | undefined): [string, number][] {
    const key = `${name}|${country?.toUpperCase() ?? ''}`;
    const cached = this.closeCache.get(key);
    if (cached) return cached;
    const found = new Map<string, number>();
    for (const at of this.closeCandidates(name)) {
      const c = this.names[at] as (typeof this.names)[number];
      if ((!country || !c.country || c.country === country.toUpperCase()) && closeNames(name, c.name))
        found.set(c.id, Math.max(found.get(c.id) ?? 0, similarity(name, c.name)));
    }
    const list = [...found];
    if (this.closeCache.size < 200_000) this.closeCache.set(key, list);
    return list;
  }

  /**
   * Positions of the names that may be close to `name`: every word of a close name is close to some
   * word of `name`, so the names sharing a key with any one word of `name` hold them all. The word
   * with the fewest such names is taken (UNIVERSITY is in most of them), which keeps the answer well
   * under a millisecond for a name never seen before (the counter prompt), where scanning every name
   * took about 0.4 ms.
   */
  private closeCandidates(name: string): Iterable<number> {
    let best: number[][] = [];
    let bestSize = Number.POSITIVE_INFINITY;
    for (const w of words(name)) {
      const lists: number[][] = [];
      let size = 0;
      for (const key of wordKeys(w)) {
        const list = this.byWordKey.get(key);
        if (list) {
          lists.push(list);
          size += list.length;
        }
      }
      if (size < bestSize) [best, bestSize] = [lists, size];
      if (size === 0) break; // a word close to no name's word: nothing is close
    }
    return new Set(best.flat());
  }

  match(b: Beneficiary): Match | null {
    // EXACT_BIC
    if (b.beneficiary_bic && b.beneficiary_account) {
      const ids = this.byBicAccount.get(
        `${bic8(b.beneficiary_bic)}|${normaliseAccount(b.beneficiary_account)}`,
      );
      if (ids) return { institutionId: lowest(ids) as string, kind: 'EXACT_BIC', score: 1 };
    }
    const name = b.beneficiary_name ? normaliseName(b.beneficiary_name) : '';
    const countryOk = (c: string | null) =>
      !b.beneficiary_country || !c || c === b.beneficiary_country.toUpperCase();
    // EXACT_NAME
    if (name) {
      const hits = (this.byName.get(name) ?? []).filter((h) => countryOk(h.country));
      if (hits.length)
        return { institutionId: lowest(hits.map((h) => h.id)) as string, kind: 'EXACT_NAME', score: 1 };
    }
    // PROBABLE: a close name (word by word, a typo allowed) or the BIC alone; among all institutions
    // that qualify, the lowest id (the score is the name similarity, 0 when only the BIC qualified).
    const probable = new Map<string, number>(name ? this.closeTo(name, b.beneficiary_country) : []);
    if (b.beneficiary_bic)
      for (const id of this.byBic.get(bic8(b.beneficiary_bic)) ?? [])
        if (!probable.has(id)) probable.set(id, 0);
    if (probable.size) {
      const id = lowest(probable.keys()) as string;
      return {
        institutionId: id,
        kind: 'PROBABLE',
        score: Math.round((probable.get(id) as number) * 1000) / 1000,
      };
    }
    return null;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
