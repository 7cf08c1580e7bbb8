// Beneficiary names written the ways real remittance forms carry them: changed case, abbreviations
// (UNIV, COLL, INST), a missing or added THE, typos, punctuation, the institution's alias.

import type { Rng } from './random.js';

export type Variant = 'exact' | 'upper' | 'lower' | 'abbreviated' | 'the' | 'typo' | 'punctuation' | 'alias';

const ABBREVIATIONS: [RegExp, string][] = [
  [/\bUniversity\b/gi, 'Univ'],
  [/\bCollege\b/gi, 'Coll'],
  [/\bInstitute\b/gi, 'Inst'],
];

function typo(r: Rng, s: string): string {
  const words = s.split(' ');
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => w.length > 5);
  if (long.length === 0) return `${s}x`;
  const [w, i] = r.pick(long);
  const p = r.int(1, w.length - 3);
  const changed = r.chance(0.5)
    ? w.slice(0, p) + (w[p + 1] as string) + (w[p] as string) + w.slice(p + 2) // swap two letters
    : w.slice(0, p) + w.slice(p + 1); // drop one
  words[i] = changed;
  return words.join(' ');
}

/** A messy version of `name`, and which kind of mess it is. */
export function messyName(
  r: Rng,
  name: string,
  aliases: readonly string[],
): { text: string; variant: Variant } {
  const variant = ((): Variant => {
    const x = r.next();
    if (x < 0.3) return 'exact';
    if (x < 0.45) return 'upper';
    if (x < 0.52) return 'lower';
    if (x < 0.67) return 'abbreviated';
    if (x < 0.77) return 'the';
    if (x < 0.87) return 'typo';
    if (x < 0.94) return 'punctuation';
    return aliases.length ? 'alias' : 'upper';
  })();
  let text = name;
  switch (variant) {
    case 'exact':
      break;
    case 'upper':
      text = name.toUpperCase();
      break;
    case 'lower':
      text = name.toLowerCase();
      break;
    case 'abbreviated':
      for (const [re, abbr] of ABBREVIATIONS)
        text = text.replace(re, r.chance(0.5) ? abbr.toUpperCase() : `${abbr}.`);
      if (text === name) text = name.toUpperCase();
      break;
    case 'the':
      text = /^The /i.test(name) ? name.replace(/^The /i, '') : `The ${name}`;
      break;
    case 'typo':
      text = typo(r, name);
      break;
    case 'punctuation':
      text = r.chance(0.5) ? `${name.replaceAll(' ', '-')}.` : `${name.replace(/ of /i, ', of ')} `.trim();
      break;
    case 'alias':
      text = r.pick(aliases);
      break;
  }
  return { text, variant };
}
