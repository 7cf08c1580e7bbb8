// Institution matching on a labelled set: beneficiary strings written the generator's messy ways for
// supported institutions (the label is the institution), and real non-matches — universities not on the
// list, listed ones that take no tuition, people and companies. EXACT_* must never be wrong.

import { expect, it } from 'vitest';
import { messyName } from '../generator/messy.js';
import { Rng } from '../generator/random.js';
import { buildInstitutions, institutionRecord } from '../generator/reference.js';
import {
  type Beneficiary,
  closeNames,
  editDistance,
  type Institution,
  InstitutionMatcher,
  type MatchKind,
} from './institutions.js';
import { normaliseName } from './normalise.js';

it('normalises names as METRICS.md says', () => {
  expect(normaliseName('The University of Toronto')).toBe('UNIVERSITY OF TORONTO');
  expect(normaliseName('Univ. of  Toronto')).toBe('UNIVERSITY OF TORONTO');
  expect(normaliseName('UNIVERSITY-OF-TORONTO.')).toBe('UNIVERSITY OF TORONTO');
  expect(normaliseName('Technische Universität München')).toBe('TECHNISCHE UNIVERSITAT MUNCHEN');
  expect(normaliseName('Texas A&M Univ')).toBe('TEXAS A AND M UNIVERSITY');
  expect(normaliseName('ＵＮＩＶ ｏｆ Ｔｏｋｙｏ')).toBe('UNIVERSITY OF TOKYO'); // full-width forms (NFKD)
  expect(normaliseName('Imperial Coll London')).toBe('IMPERIAL COLLEGE LONDON');
  expect(normaliseName('東京大学 (The University of Tokyo)')).toBe('東京大学 THE UNIVERSITY OF TOKYO');
  expect(normaliseName('THE')).toBe('');
});

interface Case extends Beneficiary {
  label: string | null;
  how: string;
}

function labelledSet(): { institutions: Institution[]; cases: Case[] } {
  const { listed, unlisted } = buildInstitutions(11, 400);
  const r = new Rng(11, 'labelled');
  const cases: Case[] = [];
  const supported = listed.filter((i) => i.supportsTuition);
  for (let k = 0; k < 260; k++) {
    const inst = r.pick(supported);
    const m = messyName(r, inst.name, inst.aliases);
    const withBic = r.chance(0.5);
    cases.push({
      label: inst.id,
      how: m.variant,
      beneficiary_name: m.text,
      beneficiary_bic: withBic ? inst.bic : null,
      beneficiary_account: withBic && r.chance(0.8) ? inst.account : null,
      beneficiary_country: r.chance(0.9) ? inst.country : null,
    });
  }
  for (let k = 0; k < 80; k++) {
    const inst = r.pick(unlisted);
    cases.push({
      label: null,
      how: 'unlisted university',
      beneficiary_name: messyName(r, inst.name, inst.aliases).text,
      beneficiary_bic: r.chance(0.5) ? inst.bic : null, // often the same bank as listed institutions
      beneficiary_account: r.chance(0.5) ? inst.account : null,
      beneficiary_country: inst.country,
    });
  }
  for (const inst of listed.filter((i) => !i.supportsTuition).slice(0, 20)) {
    cases.push({
      label: null,
      how: 'listed, no tuition',
      beneficiary_name: inst.name,
      beneficiary_bic: null,
      beneficiary_account: null,
      beneficiary_country: inst.country,
    });
  }
  for (const name of [
    'ZHANG WEI',
    'Li Na (student)',
    'AMAZON EU SARL',
    'Global Trading Ltd',
    'Family support',
    'University Housing Services',
    'Oxford Language School',
    'HSBC Bank plc',
    'UNIV',
    'The',
  ]) {
    cases.push({
      label: null,
      how: 'not an institution',
      beneficiary_name: name,
      beneficiary_bic: null,
      beneficiary_account: r.digits(10),
      beneficiary_country: 'GB',
    });
  }
  return { institutions: listed.map(institutionRecord), cases };
}

it('matches the labelled set: EXACT_* never wrong, most messy names found', () => {
  const { institutions, cases } = labelledSet();
  expect(cases.length).toBeGreaterThanOrEqual(300);
  const matcher = new InstitutionMatcher(institutions);
  const results = cases.map((c) => ({ c, m: matcher.match(c) }));
  const stats = (kinds: MatchKind[]) => {
    const predicted = results.filter((x) => x.m && kinds.includes(x.m.kind));
    const correct = predicted.filter((x) => x.m?.institutionId === x.c.label);
    const positives = cases.filter((c) => c.label !== null).length;
    return {
      predicted: predicted.length,
      precision: correct.length / predicted.length,
      recall: correct.length / positives,
    };
  };
  const exact = stats(['EXACT_BIC', 'EXACT_NAME']);
  const probable = stats(['PROBABLE']);
  // A close name is good evidence; a BIC alone is not (banks serve many institutions): shown apart.
  const byName = results.filter((x) => x.m?.kind === 'PROBABLE' && x.m.score > 0);
  const byNamePrecision = byName.filter((x) => x.m?.institutionId === x.c.label).length / byName.length;
  const any = stats(['EXACT_BIC', 'EXACT_NAME', 'PROBABLE']);
  console.log(
    `institution matching on ${cases.length} labelled strings: EXACT precision ${exact.precision.toFixed(3)} recall ${exact.recall.toFixed(3)}; ` +
      `PROBABLE precision ${probable.precision.toFixed(3)} (${probable.predicted}; by close name ${byNamePrecision.toFixed(3)} of ${byName.length}); ` +
      `any precision ${any.precision.toFixed(3)} recall ${any.recall.toFixed(3)}`,
  );
  const wrongExact = results.filter((x) => x.m && x.m.kind !== 'PROBABLE' && x.m.institutionId !== x.c.label);
  expect(wrongExact.map((x) => [x.c.how, x.c.beneficiary_name, x.m?.institutionId])).toEqual([]);
  expect(exact.precision).toBe(1);
  expect(exact.recall).toBeGreaterThanOrEqual(0.8);
  expect(any.recall).toBeGreaterThanOrEqual(0.9);
  expect(byNamePrecision).toBeGreaterThanOrEqual(0.8);
  expect(byName.length).toBeGreaterThan(10);
  // Every kind of mess except typos is an exact match by name.
  for (const how of ['exact', 'upper', 'lower', 'abbreviated', 'the', 'punctuation', 'alias']) {
    const of = results.filter((x) => x.c.how === how);
    expect([how, of.every((x) => x.m?.kind !== 'PROBABLE' && x.m?.institutionId === x.c.label)]).toEqual([
      how,
      true,
    ]);
  }
});

it('takes the lowest institution id when several qualify, and only supported institutions', () => {
  const base = {
    country: 'GB',
    swift_bic: 'BARCGB22',
    account_no: null,
    aliases: null,
    supports_tuition: 'Y',
  };
  const m = new InstitutionMatcher([
    { ...base, institution_id: 'I2', institution_name: 'University of Testing' },
    { ...base, institution_id: 'I1', institution_name: 'The University of Testing' },
    {
      ...base,
      institution_id: 'I0',
      institution_name: 'Zeta Institute of Art',
      swift_bic: 'ZETAGB2L',
      supports_tuition: 'N',
    },
  ]);
  const b = { beneficiary_account: null, beneficiary_bic: null, beneficiary_country: null };
  expect(m.match({ ...b, beneficiary_name: 'UNIV OF TESTING' })).toEqual({
    institutionId: 'I1',
    kind: 'EXACT_NAME',
    score: 1,
  });
  expect(
    m.match({ ...b, beneficiary_name: 'Zeta Institute of Art', beneficiary_bic: 'ZETAGB2L' }),
  ).toBeNull();
  expect(m.match({ ...b, beneficiary_name: 'Testing University' })).toMatchObject({
    institutionId: 'I1',
    kind: 'PROBABLE',
  });
  expect(m.match({ ...b, beneficiary_name: 'University of Testing', beneficiary_country: 'AU' })).toBeNull();
  expect(m.match({ ...b, beneficiary_name: 'Someone', beneficiary_bic: 'BARCGB22XXX' })).toEqual({
    institutionId: 'I1',
    kind: 'PROBABLE',
    score: 0,
  });
});

it('finds names one typo away per word, in any order, and nothing looser', () => {
  expect(editDistance('TORONTO', 'TORNOTO')).toBe(1); // transposition
  expect(editDistance('TORONTO', 'TORNTO')).toBe(1); // dropped letter
  expect(editDistance('GAKUIN', 'JOGAKUIN')).toBe(2);
  expect(closeNames('UNIVRSITY TORNTO', 'UNIVERSITY OF TORONTO')).toBe(true);
  expect(closeNames('TESTING UNIVERSITY', 'UNIVERSITY OF TESTING')).toBe(true);
  expect(closeNames('UNIVERSITE CATHOLIQUE DE LYON', 'UNIVERSITE CATHOLIQUE DE LILLE')).toBe(false);
  expect(closeNames('KOBE GAKUIN UNIVERSITY', 'KOBE JOGAKUIN UNIVERSITY')).toBe(false);
  expect(closeNames('UNIVERSITY OF APPLIED SCIENCES', 'HZ UNIVERSITY OF APPLIED SCIENCES')).toBe(false);
});
