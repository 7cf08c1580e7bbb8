// Customer features, segments, county groups, headline measures and penetration on a small hand-made
// bank, on both engines. Every expected value is worked out by hand in the comments.
//
// D = 2027-02-10 (in the 2026-27 season): S = 2026-11-15; month(D) starts 2027-02-01, so ADB_month
// divides by 10 days; L = January 2027, W13 = Jan 2026 … Jan 2027; D − 45 = 2026-12-27,
// D − 62 = 2026-12-10, D − 90 = 2026-11-12, D − 180 = 2026-08-14, D − 365 = 2026-02-10,
// D − 3 years = 2024-02-10. Windows (D − n, D] exclude D − n.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { loadSeasonConfig } from '../config/season.js';
import { runPipeline } from './runner.js';

const D = '2027-02-10';
const config = loadSeasonConfig();

/** Test rows as SQL: the values are constants of this file. */
const bank: [table: string, columns: string, rows: string[]][] = [
  [
    'orgs',
    'org_id, org_name, level, parent_id',
    [
      "('H', 'HQ', 'HQ', NULL)",
      "('B1', 'branch', 'BRANCH', 'H')",
      "('O1', 'outlet 1', 'OUTLET', 'B1')",
      "('O2', 'outlet 2', 'OUTLET', 'B1')",
    ],
  ],
  [
    'customers',
    'customer_id, birth_date, home_org_id, division_code, occupation, customer_since',
    [
      "('C1', DATE '1967-02-10', 'O1', '110101', 'FARMER', DATE '2020-01-01')", // 60 today: silver; 东城区 is a district
      "('C2', DATE '1967-02-11', 'O1', '130123', 'ENTERPRISE', DATE '2020-01-01')", // 59 until tomorrow; 正定县
      "('C3', DATE '2009-02-11', 'O2', '130181', 'STUDENT', DATE '2020-01-01')", // 17: minor; 辛集市 (county-level city)
      "('C4', DATE '1985-06-01', 'O2', '429021', 'MIGRANT_WORKER', DATE '2020-01-01')", // guardian of C3; 神农架林区
      "('C5', DATE '1980-01-01', 'O2', '441900', 'RURAL_WORKER', DATE '2020-01-01')", // guardian of C6; 东莞市 is no county
      "('C6', DATE '2009-02-10', 'O2', NULL, NULL, DATE '2020-01-01')", // 18 today: no longer a minor
      "('C7', NULL, 'O1', '999999', NULL, DATE '2026-11-15')", // no birth date: no age; unknown division; new (since S)
      "('C8', DATE '1990-01-01', 'O1', '130123', 'FARMER', DATE '2027-02-11')", // a customer only from tomorrow
      "('C9', DATE '1990-01-01', 'O2', '150121', NULL, DATE '2026-12-01')", // 土默特左旗; new
    ],
  ],
  [
    'relationships',
    'customer_id, related_customer_id, relation',
    ["('C4', 'C3', 'GUARDIAN_OF')", "('C5', 'C6', 'GUARDIAN_OF')", "('C2', 'C8', 'GUARDIAN_OF')"],
  ],
  ['employers', 'employer_id, employer_name, is_government, org_id', ["('E1', 'employer', 'N', 'O1')"]],
  [
    'payroll',
    'payroll_id, employer_id, customer_id, account_id, pay_date, amount',
    [
      // C1: Jan, Jun, Oct 2026 (3 months of W13, 6,000.00); last 2026-10-10, in (D − 180, D − 45]: stopped;
      // not in (D − 90, D]: not payroll.
      "('P1', 'E1', 'C1', 'A1', DATE '2026-01-10', 1000.00)",
      "('P2', 'E1', 'C1', 'A1', DATE '2026-06-10', 2000.00)",
      "('P3', 'E1', 'C1', 'A1', DATE '2026-10-10', 3000.00)",
      // C2: Dec 2025 is before W13; Jan 2027 twice (one month, 800.00); Feb 2027 is the partial month
      // (not in W13) but is the last pay date and makes C2 payroll.
      "('P4', 'E1', 'C2', 'T2', DATE '2025-12-10', 5000.00)",
      "('P5', 'E1', 'C2', 'T2', DATE '2027-01-10', 500.00)",
      "('P6', 'E1', 'C2', 'T2', DATE '2027-01-25', 300.00)",
      "('P7', 'E1', 'C2', 'T2', DATE '2027-02-05', 700.00)",
      "('P8', 'E1', 'C9', 'X9', DATE '2027-02-11', 700.00)", // after D: ignored
    ],
  ],
  [
    'benefit_programs',
    'program_id, program_name, kind',
    [
      "('PEN', 'pension', 'PENSION')",
      "('FS', 'farm subsidy', 'FARM_SUBSIDY')",
      "('OS', 'other subsidy', 'OTHER_SUBSIDY')",
    ],
  ],
  [
    'benefit_credits',
    'credit_id, customer_id, account_id, program_id, credit_date, amount',
    [
      "('K1', 'C1', 'A1', 'PEN', DATE '2026-12-10', 100.00)", // on D − 62: outside the window
      "('K2', 'C2', 'T2', 'PEN', DATE '2026-12-11', 100.00)", // pension here
      "('K3', 'C1', 'A1', 'FS', DATE '2026-02-11', 100.00)", // in (D − 365, D]: RURAL_TRANSFER
      "('K4', 'C2', 'T2', 'OS', DATE '2026-02-10', 100.00)", // on D − 365: outside
      "('K5', 'C9', 'X9', 'PEN', DATE '2027-02-01', 100.00)", // a pension is not a rural transfer
    ],
  ],
  [
    'transfers',
    'transfer_id, customer_id, account_id, txn_date, direction, amount, remark',
    [
      "('T1', 'C1', 'A1', DATE '2027-01-05', 'IN', 1.00, '养老金')", // pension elsewhere
      "('T2', 'C2', 'T2', DATE '2027-01-05', 'IN', 1.00, 'Pension')", // … but C2's pension is here
      "('T3', 'C7', 'A7', DATE '2027-01-05', 'IN', 1.00, 'from city pension fund')", // any case
      "('T4', 'C4', 'A4', DATE '2027-01-05', 'OUT', 1.00, '养老')", // outgoing
      "('T5', 'C5', 'A5', DATE '2027-01-05', 'IN', 1.00, '工资')", // no pension remark
    ],
  ],
  [
    'accounts',
    'account_id, customer_id, product_code, account_type, card_kind, open_date, close_date, activated_date',
    [
      "('A1', 'C1', 'P', 'DEBIT_CARD', 'SSC_GEN3', DATE '2020-01-01', NULL, NULL)",
      "('W1', 'C1', 'P', 'WEALTH', NULL, DATE '2020-01-01', NULL, NULL)",
      "('L1', 'C1', 'P', 'LOAN', NULL, DATE '2020-01-01', DATE '2027-01-01', NULL)", // closed: not held
      "('T2', 'C2', 'P', 'TIME_DEPOSIT', NULL, DATE '2020-01-01', NULL, NULL)",
      "('G2', 'C2', 'P', 'GOLD', NULL, DATE '2020-01-01', NULL, NULL)",
      "('R2', 'C2', 'P', 'CREDIT_CARD', 'STANDARD_CREDIT', DATE '2020-01-01', NULL, NULL)",
      "('S2', 'C2', 'P', 'DEBIT_CARD', 'SSC_GEN2', DATE '2020-01-01', DATE '2027-02-10', NULL)", // closed on D
      "('N2', 'C2', 'P', 'DEBIT_CARD', 'SSC_GEN3', DATE '2027-02-11', NULL, NULL)", // opened after D
      "('A3', 'C3', 'P', 'DEBIT_CARD', 'COUNTY_DEBIT', DATE '2026-12-01', NULL, DATE '2027-02-10')",
      "('A4', 'C4', 'P', 'SAVINGS', NULL, DATE '2020-01-01', NULL, NULL)",
      "('D4', 'C4', 'P', 'DEBIT_CARD', 'COUNTY_DEBIT', DATE '2026-12-01', NULL, DATE '2027-02-11')",
      "('R4', 'C4', 'P', 'CREDIT_CARD', 'COUNTY_CREDIT', DATE '2026-12-01', NULL, NULL)",
      "('W5', 'C5', 'P', 'WEALTH', NULL, DATE '2020-01-01', NULL, NULL)",
      "('F5', 'C5', 'P', 'FUND', NULL, DATE '2020-01-01', DATE '2026-01-01', NULL)",
      "('I9', 'C9', 'P', 'INSURANCE', NULL, DATE '2026-12-01', NULL, NULL)",
    ],
  ],
  [
    'balances',
    'account_id, balance_date, balance',
    [
      // C1's debit card: 1,000.00 from before S; 3,000.00 from Jan 20; −200.00 from Feb 6.
      "('A1', DATE '2026-10-01', 1000.00)",
      "('A1', DATE '2027-01-20', 3000.00)",
      "('A1', DATE '2027-02-06', -200.00)",
      "('A1', DATE '2027-02-11', 99999.00)", // after D: ignored
      "('W1', DATE '2026-12-01', 50000.00)",
      "('L1', DATE '2026-11-01', 100000.00)", // a loan outstanding …
      "('L1', DATE '2027-01-01', 0.00)", // … repaid and closed
      "('T2', DATE '2025-06-01', 10000.00)", // the row in force long before the window
      "('G2', DATE '2027-02-10', 7.77)",
      "('R2', DATE '2026-06-01', 5000.00)", // credit card: spread 0, neither deposit nor AUM
      "('A4', DATE '2027-02-10', 100.00)",
    ],
  ],
  [
    'bill_agreements',
    'agreement_id, customer_id, account_id, biller_kind, signed_date, cancelled_date',
    [
      "('G1', 'C1', 'A1', 'WATER', DATE '2026-01-01', DATE '2027-02-10')", // cancelled on D
      "('G2', 'C2', 'T2', 'POWER', DATE '2026-05-01', NULL)",
      "('G4', 'C4', 'A4', 'TUITION_CROSS_BORDER', DATE '2026-09-01', NULL)",
      "('G5', 'C5', 'W5', 'GAS', DATE '2027-02-11', NULL)", // signed after D
      "('G9', 'C9', 'I9', NULL, DATE '2026-12-01', NULL)", // a kind left empty: not cross-border, so a bill agreement
    ],
  ],
  [
    'overseas_institutions',
    'institution_id, institution_name, country, swift_bic, account_no, aliases, supports_tuition',
    ["('I1', 'University of Toronto', 'CA', 'ROYCCAT2', '0001234567', NULL, 'Y')"],
  ],
  [
    'remittances',
    'remittance_id, customer_id, remit_date, amount, amount_cny, beneficiary_name, beneficiary_account, beneficiary_bic, beneficiary_country, purpose',
    [
      "('R1', 'C5', DATE '2024-02-10', 1.00, 7.00, 'University of Toronto', NULL, NULL, 'CA', 'TUITION')", // on D − 3 years
      "('R2', 'C7', DATE '2024-02-11', 1.00, 7.00, 'UNIVERSITY OF TORONTO', NULL, NULL, 'CA', 'TUITION')", // EXACT_NAME
      "('R3', 'C9', DATE '2026-08-01', 1.00, 7.00, 'Univrsity of Toronto', NULL, NULL, 'CA', 'TUITION')", // PROBABLE only
      "('R4', 'C2', DATE '2026-09-01', 1.00, 7.00, 'fees', '000-1234-567', 'ROYCCAT2XXX', 'CA', 'TUITION')", // EXACT_BIC
    ],
  ],
  [
    'merchants',
    'merchant_id, owner_customer_id, org_id, fee_rate',
    ["('M1', 'C4', 'O2', 0.006)", "('M2', 'C5', 'O2', 0.006)"],
  ],
  [
    'acquiring',
    'merchant_id, txn_date, txn_count, txn_amount, fee_income, fee_cost',
    [
      "('M1', DATE '2026-11-13', 1, 100.00, 10.00, 4.00)", // in (D − 90, D]: C4 owns an active merchant; before S
      "('M1', DATE '2026-11-15', 1, 100.00, 20.00, 25.50)", // from S: net −5.50 into C4's value
      "('M1', DATE '2027-02-11', 1, 100.00, 99.00, 0.00)", // after D
      "('M2', DATE '2026-11-12', 1, 100.00, 10.00, 0.00)", // on D − 90: C5's merchant is not active
    ],
  ],
  [
    'app_events',
    'customer_id, app, event, event_date',
    [
      "('C3', 'COUNTY_APP', 'REGISTER', DATE '2027-01-01')",
      "('C3', 'COUNTY_APP', 'FIRST_PAYMENT', DATE '2027-02-11')", // after D
      "('C4', 'MOBILE_BANK', 'REGISTER', DATE '2026-01-01')", // not the county app
      "('C9', 'COUNTY_APP', 'REGISTER', DATE '2027-01-30')",
      "('C9', 'COUNTY_APP', 'FIRST_PAYMENT', DATE '2027-02-01')",
    ],
  ],
  [
    'ecny_wallets',
    'wallet_id, customer_id, opened_date',
    ["('E1', 'C1', DATE '2027-02-10')", "('E2', 'C2', DATE '2027-02-11')"],
  ],
];

describeEachEngine('customer features, segments and headline measures on a hand-made bank', (engine) => {
  let db: TestDb;
  type Row = Record<string, unknown>;
  const byId = (rows: Row[], key = 'customer_id') =>
    Object.fromEntries(rows.map((r) => [r[key] as string, r]));
  let features: Record<string, Row>;
  let warnings: string[] = [];

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const r = await runPipeline(db, { asOf: D, config });
    expect(r).toMatchObject({ status: 'PUBLISHED', message: null });
    warnings = r.models.flatMap((m) => m.warnings ?? []);
    features = byId(await db.query('SELECT * FROM customer_features'));
  }, 60_000);
  afterAll(async () => db?.close());

  it('has one row per customer of the population at D (C8 is a customer only from tomorrow)', () => {
    expect(Object.keys(features).sort()).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C9']);
  });

  it('ages in full years at D; silver from 60, minor under 18; no birth date, no age', () => {
    const pick = (id: string) => {
      const f = features[id] as Row;
      return [f.age, f.is_silver, f.is_minor];
    };
    expect(pick('C1')).toEqual([60, true, false]); // born 1967-02-10: 60 on D
    expect(pick('C2')).toEqual([59, false, false]); // born 1967-02-11: 60 tomorrow
    expect(pick('C3')).toEqual([17, false, true]); // born 2009-02-11
    expect(pick('C6')).toEqual([18, false, false]); // born 2009-02-10
    expect(pick('C7')).toEqual([null, false, false]);
  });

  it('guardians: of a customer who is a minor at D and a customer at D', () => {
    // C4 → C3 (17); C5 → C6 (18 today); C2 → C8 (not yet a customer).
    expect(
      Object.values(features)
        .filter((f) => f.is_guardian)
        .map((f) => f.customer_id),
    ).toEqual(['C4']);
  });

  it('is_county by the division table: 县, county-level 市, 旗, 神农架林区; not a district, 东莞, or an unknown code', () => {
    const county = Object.values(features)
      .filter((f) => f.is_county)
      .map((f) => f.customer_id)
      .sort();
    expect(county).toEqual(['C2', 'C3', 'C4', 'C9']);
    // C7's 999999 is not in the table: counted in a data-quality warning (C6 has no code at all).
    expect(warnings).toEqual([
      '1 customers with a residence division_code not in the GB/T 2260 table (is_county false)',
    ]);
  });

  it('payroll features over W13, (D − 90, D] and the stopped window', () => {
    const pick = (id: string) => {
      const f = features[id] as Row;
      return [f.payroll_months_13, f.payroll_amount_13, f.last_payroll_date, f.is_payroll, f.payroll_stopped];
    };
    expect(pick('C1')).toEqual([3, '6000.00', '2026-10-10', false, true]);
    expect(pick('C2')).toEqual([1, '800.00', '2027-02-05', true, false]);
    expect(pick('C9')).toEqual([0, '0.00', null, false, false]); // paid only after D
  });

  it('pension here (PENSION credit in (D − 62, D]) and elsewhere (an IN transfer with 养老/PENSION, not here)', () => {
    const pick = (id: string) => [features[id]?.pension_here, features[id]?.pension_elsewhere];
    expect(pick('C1')).toEqual([false, true]); // its PENSION credit is on D − 62; a 养老金 transfer
    expect(pick('C2')).toEqual([true, false]);
    expect(pick('C7')).toEqual([false, true]); // "pension", lower case
    expect(pick('C4')).toEqual([false, false]); // outgoing
    expect(pick('C5')).toEqual([false, false]);
    expect(pick('C9')).toEqual([true, false]);
  });

  it('holdings open at D: cards, county debit activation, credit card, wealth', () => {
    const flags = [
      'has_ssc_gen3',
      'has_ssc_gen2',
      'has_county_debit',
      'county_debit_activated',
      'has_credit_card',
      'has_wealth',
    ] as const;
    const on = (id: string) => flags.filter((k) => features[id]?.[k]);
    expect(on('C1')).toEqual(['has_ssc_gen3', 'has_wealth']);
    expect(on('C2')).toEqual(['has_credit_card']); // SSC_GEN2 closed on D, SSC_GEN3 opened after D
    expect(on('C3')).toEqual(['has_county_debit', 'county_debit_activated']); // activated on D
    expect(on('C4')).toEqual(['has_county_debit', 'has_credit_card']); // activated after D
    expect(on('C5')).toEqual(['has_wealth']);
    expect(on('C9')).toEqual(['has_wealth']); // insurance
  });

  it('payment features: agreements active at D, exact tuition matches in (D − 3 years, D]', () => {
    const flags = ['has_bill_agreement', 'has_cross_border_payment', 'tuition_remitter'] as const;
    const on = (id: string) => flags.filter((k) => features[id]?.[k]);
    expect(on('C1')).toEqual([]); // cancelled on D
    expect(on('C2')).toEqual(['has_bill_agreement', 'tuition_remitter']); // EXACT_BIC
    expect(on('C4')).toEqual(['has_cross_border_payment']);
    expect(on('C5')).toEqual([]); // signed after D; remittance on D − 3 years
    expect(on('C7')).toEqual(['tuition_remitter']); // EXACT_NAME on D − 3 years + 1 day
    expect(on('C9')).toEqual(['has_bill_agreement']); // its remittance is PROBABLE only: never counts
  });

  it('merchant owner, county app, e-CNY', () => {
    const flags = ['is_merchant_owner', 'has_county_app', 'app_first_payment', 'has_ecny'] as const;
    const on = (id: string) => flags.filter((k) => features[id]?.[k]);
    expect(on('C1')).toEqual(['has_ecny']); // opened on D
    expect(on('C2')).toEqual([]); // wallet opened after D
    expect(on('C3')).toEqual(['has_county_app']); // first payment after D
    expect(on('C4')).toEqual(['is_merchant_owner']); // an acquiring row on D − 89; MOBILE_BANK is not the county app
    expect(on('C5')).toEqual([]); // its merchant's only row is on D − 90
    expect(on('C9')).toEqual(['has_county_app', 'app_first_payment']);
  });

  it('balances at D, ADB of month(D) and value_season, exact', () => {
    const pick = (id: string) => {
      const f = features[id] as Row;
      return [f.deposits_d, f.aum_d, f.adb_mtd, f.value_season];
    };
    // C1: deposits −200.00 (A1 since Feb 6); AUM −200.00 + 50,000.00 (W1) = 49,800.00.
    // ADB_month(Feb, 10 days): 5 days × 3,000 + 5 days × −200 = 14,000 → 1,400.
    // value: A1 1,000 × 66 days (Nov 15 … Jan 19) + 3,000 × 17 (Jan 20 … Feb 5) − 200 × 5 = 116,000 × 1.8 %
    // = 2,088; W1 50,000 × 72 days (Dec 1 … Feb 10) × 0.5 % = 18,000; L1 100,000 × 47 days
    // (Nov 15 … Dec 31) × 2 % = 94,000; (2,088 + 18,000 + 94,000) / 360 = 316.9111… → 316.91.
    expect(pick('C1')).toEqual(['-200.00', '49800.00', '1400.0000000000', '316.91']);
    // C2: T2 10,000 all along: ADB 10,000; 88 days × 10,000 × 0.5 % = 4,400; G2 7.77 × 1 day × 0.3 %
    // = 0.02331; the credit card's spread is 0: 4,400.02331 / 360 = 12.2222… → 12.22.
    expect(pick('C2')).toEqual(['10000.00', '10007.77', '10000.0000000000', '12.22']);
    // C4: A4 100.00 from D: ADB 100 / 10 = 10; value 100 × 1 × 1.8 % = 1.8 and M1's net −5.50 from S:
    // (1.8 − 5.50 × 360) / 360 = −5.495 → −5.50 half away from zero (rounding 0.005 first would give −5.49).
    expect(pick('C4')).toEqual(['100.00', '100.00', '10.0000000000', '-5.50']);
    expect(pick('C9')).toEqual(['0.00', '0.00', '0.0000000000', '0.00']);
  });

  it('customer_balances keeps ADB_month(c, L) × L’s days for comparisons without division', async () => {
    const rows = byId(await db.query('SELECT customer_id, l_balance_days FROM customer_balances'));
    // L = January 2027: C1's A1 1,000.00 × 19 days (Jan 1 … 19) + 3,000.00 × 12 days (Jan 20 … 31);
    // C2's T2 10,000.00 × 31 days; W1 is wealth, not a deposit.
    expect(rows.C1?.l_balance_days).toBe('55000.00');
    expect(rows.C2?.l_balance_days).toBe('310000.00');
    expect(rows.C4?.l_balance_days).toBe('0.00'); // A4's first row is on D
  });

  it('segment_members: the seven segments of the five programs', async () => {
    const rows = await db.query<{ segment: string; customer_id: string }>(
      'SELECT segment, customer_id FROM segment_members ORDER BY segment, customer_id',
    );
    const members: Record<string, string[]> = {};
    for (const r of rows) members[r.segment] = [...(members[r.segment] ?? []), r.customer_id];
    expect(members).toEqual({
      PAYROLL: ['C2'],
      SILVER: ['C1'],
      MINOR: ['C3'],
      GUARDIAN: ['C4'],
      PAYMENT: ['C2', 'C4', 'C7', 'C9'], // bill + tuition; cross-border; tuition; bill
      MERCHANT: ['C4'],
      COUNTY: ['C2', 'C3', 'C4', 'C9'],
    });
  });

  it('county_groups: occupations, and RURAL_TRANSFER from subsidies in (D − 365, D]', async () => {
    const rows = await db.query('SELECT customer_id, county_group FROM county_groups ORDER BY 1, 2');
    expect(rows).toEqual([
      { customer_id: 'C1', county_group: 'FARMER' },
      { customer_id: 'C1', county_group: 'RURAL_TRANSFER' },
      { customer_id: 'C4', county_group: 'MIGRANT_WORKER' },
      { customer_id: 'C5', county_group: 'RURAL_WORKER' },
    ]); // C8 (a farmer) is not a customer yet; C2's subsidy is on D − 365
  });

  it('org_measures rolled up the tree, sums rounded once', async () => {
    const rows = byId(await db.query('SELECT * FROM org_measures'), 'org_id');
    // O1: C1, C2, C7 (new since S). O2: C3, C4, C5, C6, C9 (new).
    expect(rows.O1).toEqual({
      org_id: 'O1',
      customers: 3,
      new_customers: 1,
      existing_customers: 2,
      aum_d: '59807.77', // 49,800.00 + 10,007.77
      deposits_d: '9800.00',
      adb_mtd: '11400.0000000000', // (14,000 + 100,000) / 10
      value_season: '329.13', // (114,088 + 4,400.02331) / 360 = 329.1334…
    });
    expect(rows.O2).toMatchObject({ customers: 5, new_customers: 1, aum_d: '100.00', value_season: '-5.50' });
    // B1 and H: everything; value (118,488.02331 − 1,978.2) / 360 = 323.6384… → 323.64.
    for (const org of ['B1', 'H'])
      expect(rows[org]).toEqual({
        org_id: org,
        customers: 8,
        new_customers: 2,
        existing_customers: 6,
        aum_d: '59907.77',
        deposits_d: '9900.00',
        adb_mtd: '11410.0000000000',
        value_season: '323.64',
      });
    const history = await db.query(
      'SELECT as_of, org_id, value_season FROM org_measures_history ORDER BY org_id',
    );
    expect(history.map((h) => [h.as_of, h.org_id, h.value_season])).toEqual([
      [D, 'B1', '323.64'],
      [D, 'H', '323.64'],
      [D, 'O1', '329.13'],
      [D, 'O2', '-5.50'],
    ]);
  });

  it('segment_sizes per org and segment, every pair, rolled up', async () => {
    const rows = await db.query<{ org_id: string; segment: string; members: number }>(
      'SELECT org_id, segment, members FROM segment_sizes WHERE as_of = CAST($1 AS DATE)',
      [D],
    );
    expect(rows).toHaveLength(4 * 7);
    const size = (org: string, segment: string) =>
      rows.find((r) => r.org_id === org && r.segment === segment)?.members;
    expect(
      ['PAYROLL', 'SILVER', 'MINOR', 'GUARDIAN', 'PAYMENT', 'MERCHANT', 'COUNTY'].map((s) => size('O1', s)),
    ).toEqual([1, 1, 0, 0, 2, 0, 1]);
    expect(
      ['PAYROLL', 'SILVER', 'MINOR', 'GUARDIAN', 'PAYMENT', 'MERCHANT', 'COUNTY'].map((s) => size('H', s)),
    ).toEqual([1, 1, 1, 1, 4, 1, 4]);
  });

  it('segment_penetration: holders of each product family among the members', async () => {
    const rows = await db.query<{
      segment: string;
      product: string;
      holders: number;
      members: number;
      rate: string | null;
    }>('SELECT * FROM segment_penetration ORDER BY segment, product');
    expect(rows).toHaveLength(42);
    const of = (segment: string) =>
      Object.fromEntries(
        rows.filter((r) => r.segment === segment).map((r) => [r.product, [r.holders, r.rate]]),
      );
    // COUNTY (C2, C3, C4, C9): debit C3, C4; credit C2, C4; wealth C9; app C3, C9 (C4's MOBILE_BANK
    // counts as APP too); bill agreement C2, C4, C9 (cross-border counts as an agreement).
    expect(of('COUNTY')).toEqual({
      APP: [3, '0.7500000000'],
      BILL_AGREEMENT: [3, '0.7500000000'],
      CREDIT_CARD: [2, '0.5000000000'],
      DEBIT_CARD: [2, '0.5000000000'],
      LOAN: [0, '0.0000000000'],
      WEALTH: [1, '0.2500000000'],
    });
    // PAYMENT (C2, C4, C7, C9): bill agreements C2, C4, C9 → 3/4; MINOR (C3) holds no wealth: 0/1.
    expect(of('PAYMENT').BILL_AGREEMENT).toEqual([3, '0.7500000000']);
    expect(of('MINOR').WEALTH).toEqual([0, '0.0000000000']);
    expect(of('SILVER')).toMatchObject({ DEBIT_CARD: [1, '1.0000000000'], LOAN: [0, '0.0000000000'] }); // L1 closed
  });
});

describeEachEngine('season-to-date figures before the season starts', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
  }, 60_000);
  afterAll(async () => db?.close());

  it('value_season and new customers are 0 before S; each as-of keeps its own history rows', async () => {
    // 2026-10-31 is before S = 2026-11-15 (the season it belongs to is the coming one).
    for (const asOf of ['2026-10-31', D]) {
      const r = await runPipeline(db, { asOf, config });
      expect(r.status).toBe('PUBLISHED');
    }
    const rows = await db.query<{
      as_of: string;
      value_season: string;
      new_customers: number;
      adb_mtd: string;
    }>(
      `SELECT as_of, value_season, new_customers, adb_mtd FROM org_measures_history WHERE org_id = 'H' ORDER BY as_of`,
    );
    // On 2026-10-31 C1's A1 held 1,000.00 all October and C2's T2 10,000.00: ADB 11,000 (31 days);
    // L1's loan is not a deposit. C7 and C9 are not customers yet, C1…C6 were never new.
    expect(rows).toEqual([
      { as_of: '2026-10-31', value_season: '0.00', new_customers: 0, adb_mtd: '11000.0000000000' },
      { as_of: D, value_season: '323.64', new_customers: 2, adb_mtd: '11410.0000000000' },
    ]);
    const sizes = await db.query<{ as_of: string; n: number }>(
      'SELECT as_of, CAST(count(*) AS INTEGER) AS n FROM segment_sizes GROUP BY as_of ORDER BY as_of',
    );
    expect(sizes).toEqual([
      { as_of: '2026-10-31', n: 28 },
      { as_of: D, n: 28 },
    ]);
  }, 60_000);
});
