// Institution-name normalisation of METRICS.md (Institution matching): stored beside the name so that
// both engines compare the same text. Unicode NFKD, accents removed, upper case, & → AND, every
// character that is not a letter or digit (of any script) becomes a space, whole-token expansions
// UNIV → UNIVERSITY, COLL → COLLEGE, INST → INSTITUTE, a leading THE dropped, spaces collapsed.

const EXPANSIONS: Record<string, string> = { UNIV: 'UNIVERSITY', COLL: 'COLLEGE', INST: 'INSTITUTE' };

export function normaliseName(name: string): string {
  const tokens = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // combining marks: the accents NFKD split off
    .toUpperCase()
    .replaceAll('&', ' AND ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((t) => EXPANSIONS[t] ?? t);
  if (tokens[0] === 'THE') tokens.shift();
  return tokens.join(' ');
}

/** Digits and letters only, upper case: how account numbers are compared. */
export function normaliseAccount(account: string): string {
  return account.replace(/[^\p{L}\p{N}]/gu, '').toUpperCase();
}

/** The first 8 characters of a BIC (the institution's bank; the branch suffix is ignored). */
export function bic8(bic: string): string {
  return bic.replace(/\s/g, '').toUpperCase().slice(0, 8);
}
