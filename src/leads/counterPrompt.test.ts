// The counter prompt on both engines, over a hand-made institution list: exact matches are supported
// and offered the tuition product, messy names are EXACT_NAME or PROBABLE exactly as METRICS.md's
// normalising rules say, institutions without tuition and strangers get nothing, and nothing keyed is
// an error. Its PROBABLE answers (found through the matcher's word index) are checked against a scan of
// every name with closeNames.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { loadSeasonConfig } from '../config/season.js';
import { messyName } from '../generator/messy.js';
import { Rng } from '../generator/random.js';
import { buildInstitutions, institutionRecord } from '../generator/reference.js';
import { closeNames, type Institution, InstitutionMatcher, similarity } from '../matching/institutions.js';
import { normaliseName } from '../matching/normalise.js';
import { CounterInputError, CounterPrompt, MAX_FIELD_LENGTH, tuitionActivity } from './counterPrompt.js';

const activity = tuitionActivity(loadSeasonConfig());

/** Test rows as SQL: the values are constants of this file. */
const institutions: [table: string, columns: string, rows: string[]][] = [
  [
    'overseas_institutions',
    'institution_id, institution_name, country, swift_bic, account_no, aliases, supports_tuition',
    [
      "('I001', 'University of Toronto', 'CA', 'ROYCCAT2', 'CA1234567890', 'Univ of Toronto|UofT', 'Y')",
      "('I002', 'The London School of Economics and Political Science', 'GB', 'BARCGB22', 'GB29NWBK60161331926819', NULL, 'Y')",
      "('I003', 'Zeta Institute of Art', 'GB', 'ZETAGB2L', 'GB00ZETA0001', NULL, 'N')", // listed, takes no tuition
      "('I004', 'University of Melbourne', 'AU', 'ANZBAU3M', 'AU0001', NULL, 'Y')",
      "('I005', 'University of Sydney', 'AU', 'ANZBAU3M', 'AU0002', NULL, 'Y')", // the same bank as I004
    ],
  ],
];

describeEachEngine('the counter prompt', (engine) => {
  let db: TestDb;
  let counter: CounterPrompt;

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, institutions);
    counter = await CounterPrompt.open(db);
  });
  afterAll(async () => db?.close());

  it('reads every institution, supported or not', () => {
    expect(counter.institutions).toBe(5);
  });

  it('answers an exact BIC and account with the supported institution and the tuition product', () => {
    // BIC with a branch suffix, account with spaces and dashes: compared on BIC8 and letters/digits.
    const answer = counter.prompt({
      beneficiaryName: 'UOFT STUDENT ACCOUNTS',
      bic: ' ROYCCAT2XXX ',
      account: 'CA 12-3456 7890',
      country: 'CA',
    });
    expect(answer).toEqual({
      supported: true,
      match: {
        institutionId: 'I001',
        institutionName: 'University of Toronto',
        country: 'CA',
        kind: 'EXACT_BIC',
        score: 1,
      },
      offer: {
        activityId: 'CROSS_BORDER_TUITION',
        productCode: activity.products[0],
        text: {
          zh: `收款方为合作留学院校：University of Toronto（CA）。可推荐「${activity.name.zh}」（${activity.products[0]}）。`,
          en: `Supported institution: University of Toronto (CA). Offer ${activity.name.en} (${activity.products[0]}).`,
        },
      },
    });
  });

  it('matches messy names exactly when they normalise to the name or an alias (and the country agrees)', () => {
    const exact = (beneficiaryName: string, country: string | null) =>
      counter.prompt({ beneficiaryName, country });
    for (const [name, country, id] of [
      ['UNIV OF TORONTO', 'ca', 'I001'], // case, UNIV → UNIVERSITY, country in lower case
      ['univ. of toronto', null, 'I001'], // no country keyed: any
      ['UofT', 'CA', 'I001'], // an alias
      ['London School of Economics and Political Science', 'GB', 'I002'], // the leading THE missing
      ['  the university-of-melbourne ', 'AU', 'I004'], // punctuation, spaces
    ] as const) {
      const a = exact(name, country);
      expect([name, a.supported, a.match?.institutionId, a.match?.kind, a.match?.score]).toEqual([
        name,
        true,
        id,
        'EXACT_NAME',
        1,
      ]);
      expect(a.offer?.productCode).toBe(activity.products[0]);
    }
    // The right name in the wrong country is no institution of ours.
    expect(exact('University of Toronto', 'GB')).toEqual({ supported: false, match: null, offer: null });
  });

  it('answers a typo as PROBABLE: not supported, the teller asked to confirm with the customer', () => {
    const a = counter.prompt({ beneficiaryName: 'University of Tornto', country: 'CA' });
    expect(a.supported).toBe(false);
    expect(a.match).toEqual({
      institutionId: 'I001',
      institutionName: 'University of Toronto',
      country: 'CA',
      kind: 'PROBABLE',
      score: Math.round(similarity('UNIVERSITY OF TORNTO', 'UNIVERSITY OF TORONTO') * 1000) / 1000,
    });
    expect(a.match?.score).toBeGreaterThan(0.8);
    expect(a.offer?.activityId).toBe('CROSS_BORDER_TUITION');
    expect(a.offer?.text.zh).toMatch(/^可能是 University of Toronto（CA），请与客户确认收款院校/);
    expect(a.offer?.text.en).toMatch(/^Possibly University of Toronto \(CA\): confirm the institution/);
    // Two typos in one word are too far: nothing.
    expect(counter.prompt({ beneficiaryName: 'University of Trnto', country: 'CA' }).match).toBeNull();
  });

  it('takes a BIC alone only as a hint: the bank serves many payees', () => {
    const a = counter.prompt({ beneficiaryName: 'Li Na', bic: 'ANZBAU3M', account: '123456' });
    expect(a.supported).toBe(false);
    expect(a.match).toMatchObject({ institutionId: 'I004', kind: 'PROBABLE', score: 0 }); // lowest id of the bank's
    expect(a.offer?.text.zh).toMatch(/^收款银行也为合作留学院校收款（如 University of Melbourne（AU））/);
  });

  it('does not support an institution that takes no tuition, even matched exactly', () => {
    const none = { supported: false, match: null, offer: null };
    expect(
      counter.prompt({
        beneficiaryName: 'Zeta Institute of Art',
        bic: 'ZETAGB2L',
        account: 'GB00ZETA0001',
        country: 'GB',
      }),
    ).toEqual(none);
    expect(counter.prompt({ beneficiaryName: 'ZETA INST OF ART' })).toEqual(none);
  });

  it('offers nothing for an unknown beneficiary', () => {
    const none = { supported: false, match: null, offer: null };
    expect(
      counter.prompt({
        beneficiaryName: 'ZHANG WEI',
        bic: 'ICBKCNBJ',
        account: '6222020200001234',
        country: 'CN',
      }),
    ).toEqual(none);
    expect(counter.prompt({ beneficiaryName: 'University of Lyon', country: 'FR' })).toEqual(none);
    expect(counter.prompt({ country: 'CA' })).toEqual(none); // a country alone names no one
  });

  it('refuses input with nothing keyed, or not text, or too long', () => {
    expect(() => counter.prompt({})).toThrow(CounterInputError);
    expect(() =>
      counter.prompt({ beneficiaryName: '   ', bic: '', account: null, country: undefined }),
    ).toThrow(/nothing keyed — give the beneficiary name, BIC, account or country/);
    expect(() => counter.prompt({ bic: 42 as unknown as string })).toThrow(/bic must be text/);
    expect(() => counter.prompt({ beneficiaryName: 'x'.repeat(MAX_FIELD_LENGTH + 1) })).toThrow(
      /beneficiaryName is longer than 200 characters/,
    );
  });

  it('refuses an activity without a product when opened', async () => {
    await expect(CounterPrompt.open(db, { ...activity, products: [] })).rejects.toThrow(/names no product/);
  });
});

it('finds PROBABLE names through the word index exactly as a scan of every name with closeNames does', () => {
  const { listed, unlisted } = buildInstitutions(5, 600);
  const rows: Institution[] = listed.map(institutionRecord);
  const matcher = new InstitutionMatcher(rows);
  const forms = listed
    .filter((i) => i.supportsTuition)
    .flatMap((i) =>
      [i.name, ...i.aliases].map((n) => ({ id: i.id, name: normaliseName(n), country: i.country })),
    );
  const r = new Rng(5, 'counter-index');
  let probable = 0;
  for (let k = 0; k < 3000; k++) {
    const inst = r.pick(r.chance(0.8) ? listed : unlisted);
    let text = messyName(r, inst.name, inst.aliases).text;
    if (r.chance(0.3)) text = messyName(r, text, []).text; // two kinds of mess at once
    const country = r.chance(0.5) ? inst.country : null;
    const m = matcher.match({
      beneficiary_name: text,
      beneficiary_bic: null,
      beneficiary_account: null,
      beneficiary_country: country,
    });
    if (m?.kind !== 'PROBABLE' && m !== null) continue;
    const name = normaliseName(text);
    const scanned = forms
      .filter((f) => (!country || f.country === country) && closeNames(name, f.name))
      .map((f) => f.id)
      .sort();
    expect([text, m?.institutionId ?? null]).toEqual([text, scanned[0] ?? null]);
    if (m) probable++;
  }
  expect(probable).toBeGreaterThan(100);
});
