// KPIs on a small hand-made bank, on both engines: every KPI of the catalogue credited as METRICS.md's
// table says, rolled up the org tree, with completion, time progress, gap, rank, laggard and the
// week-over-week history. Every expected value is worked out by hand in the comments.
//
// D = 2027-01-20, the week before D − 7 = 2027-01-13. Season 2026-27: S = 2026-11-15 … 2027-03-31
// (137 days); NEW_YEAR = 2027-01-01 … 2027-02-20 (the Lantern Festival; 51 days); Q4 clipped to the
// season = 2026-11-15 … 2026-12-31. Time progress of the season at D: (Nov 15…Jan 20 = 16 + 31 + 20 =
// 67) / 137 = 0.4890510949; at D − 7: 60 / 137 = 0.4379562044. NEW_YEAR at D: 20 / 51 = 0.3921568627.
// Ratios are DECIMAL(38,10), rounded half away from zero.
// Org tree: H → B1 (outlets O1…O5), B2 (outlet O6), RC (the remote-banking centre, never ranked).

import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { loadSeasonConfig, parseSeasonConfig } from '../config/season.js';
import { runPipeline } from '../pipeline/runner.js';
import { buildBriefing } from '../reports/briefing.js';

const D = '2027-01-20';
const WEEK_BEFORE = '2027-01-13';

// The season file: no activities (the lifecycle has nothing to mine), every outlet a target of 4 new
// customers for the season and 2 gen-3 cards for Q4; the targets table overrides O1…O5's.
const doc = JSON.parse(JSON.stringify(loadSeasonConfig())) as Record<string, unknown>;
doc.activities = [];
doc.targets = [
  { kpi: 'NEW_CUSTOMERS', level: 'OUTLET', period: 'SEASON', target: 4 },
  { kpi: 'SSC_GEN3_ISSUED', level: 'OUTLET', period: 'Q4', target: 2 },
  { kpi: 'DEPOSIT_ADB_GROWTH', org: 'B1', period: 'NEW_YEAR', target: '10000' },
  { kpi: 'AUM_GROWTH', org: 'O1', period: 'SEASON', target: '20000' },
  // A period starting inside month(D), one already over, and a target of 0.
  { kpi: 'DEPOSIT_ADB_GROWTH', org: 'O1', period: '2027-01-11..2027-01-31', target: '9320' },
  { kpi: 'AUM_GROWTH', org: 'O1', period: 'YEAR_END', target: '13100' },
  { kpi: 'AUM_GROWTH', org: 'O2', period: 'YEAR_END', target: '0' },
];
const config = parseSeasonConfig(stringify(doc));

const bank: [table: string, columns: string, rows: string[]][] = [
  [
    'orgs',
    'org_id, org_name, level, parent_id',
    [
      "('H', 'HQ', 'HQ', NULL)",
      "('B1', 'branch 1', 'BRANCH', 'H')",
      "('B2', 'branch 2', 'BRANCH', 'H')",
      "('RC', 'remote centre', 'REMOTE_CENTER', 'H')",
      "('O1', 'outlet 1', 'OUTLET', 'B1')",
      "('O2', 'outlet 2', 'OUTLET', 'B1')",
      "('O3', 'outlet 3', 'OUTLET', 'B1')",
      "('O4', 'outlet 4', 'OUTLET', 'B1')",
      "('O5', 'outlet 5', 'OUTLET', 'B1')",
      "('O6', 'outlet 6', 'OUTLET', 'B2')",
    ],
  ],
  [
    'staff',
    'staff_id, org_id, staff_name, role',
    [
      "('S1', 'O1', 'staff 1', 'ACCOUNT_MANAGER')",
      "('S2', 'O1', 'staff 2', 'ACCOUNT_MANAGER')",
      "('S3', 'O3', 'staff 3', 'CORPORATE_RM')",
    ],
  ],
  [
    'customers',
    'customer_id, home_org_id, manager_id, customer_since',
    [
      "('C1', 'O1', 'S1', DATE '2026-11-20')",
      "('C2', 'O1', 'S1', DATE '2026-12-05')",
      "('C3', 'O1', 'S2', DATE '2027-01-15')", // new after D − 7
      "('C4', 'O2', 'S3', DATE '2026-11-14')", // the day before S: not new
      "('C5', 'O2', NULL, DATE '2027-01-20')", // new on D
      "('C6', 'O3', 'S3', DATE '2026-12-01')",
      "('C7', 'O3', NULL, DATE '2026-12-02')",
      "('C8', 'O4', NULL, DATE '2027-01-05')",
      "('C12', 'O5', NULL, DATE '2026-12-20')",
      "('C13', 'O5', NULL, DATE '2027-01-02')",
      "('C9', 'O6', NULL, DATE '2026-11-15')", // S itself counts
      "('C10', 'O6', NULL, DATE '2027-01-21')", // after D
      "('C11', NULL, NULL, DATE '2026-12-10')", // no home org: counted at HQ
    ],
  ],
  [
    'accounts',
    'account_id, customer_id, account_type, card_kind, open_date, activated_date, open_org_id, open_staff_id',
    [
      "('A1', 'C1', 'SAVINGS', NULL, DATE '2026-11-01', NULL, 'O1', 'S1')",
      "('A2', 'C2', 'TIME_DEPOSIT', NULL, DATE '2026-12-17', NULL, 'O1', 'S1')",
      "('A3', 'C2', 'WEALTH', NULL, DATE '2026-12-01', NULL, 'O1', 'S1')",
      "('A4', 'C3', 'DEBIT_CARD', NULL, DATE '2027-01-15', NULL, 'O1', 'S2')",
      "('A5', 'C4', 'SAVINGS', NULL, DATE '2026-11-01', NULL, 'O3', 'S3')", // opened at another outlet
      "('A6', 'C1', 'LOAN', NULL, DATE '2026-11-01', NULL, 'O1', 'S1')", // not deposits, not AUM
      "('A7', 'C1', 'DEBIT_CARD', 'SSC_GEN3', DATE '2026-11-10', NULL, 'O1', 'S1')", // before S
      "('A8', 'C1', 'DEBIT_CARD', 'SSC_GEN3', DATE '2026-12-01', DATE '2027-01-05', 'O1', 'S1')",
      "('A9', 'C2', 'DEBIT_CARD', 'SSC_GEN3', DATE '2027-01-02', NULL, 'O1', 'S2')", // Q1, not Q4
      "('A10', 'C6', 'DEBIT_CARD', 'COUNTY_DEBIT', DATE '2026-12-01', DATE '2027-01-21', 'O3', 'S3')", // activated after D
    ],
  ],
  [
    'balances',
    'account_id, balance_date, balance',
    [
      // C1: 1,000.00 from Nov 1, 4,000.00 from Jan 11. Dec ADB 1,000; Jan 1–20: (10 × 1,000 + 10 × 4,000) / 20 = 2,500.
      "('A1', DATE '2026-11-01', 1000.00)",
      "('A1', DATE '2027-01-11', 4000.00)",
      // C2: 3,100.00 from Dec 17. Dec: 15 × 3,100 / 31 = 1,500; Jan: 3,100.
      "('A2', DATE '2026-12-17', 3100.00)",
      "('A3', DATE '2026-12-01', 10000.00)",
      // C3: 100.00 from Jan 15: Jan 1–20: 6 × 100 / 20 = 30; Dec 0.
      "('A4', DATE '2027-01-15', 100.00)",
      // C4: 100.00 from Nov 1, 200.00 from Dec 31: Dec (30 × 100 + 200) / 31 = 103.2258…; Jan 200.
      "('A5', DATE '2026-11-01', 100.00)",
      "('A5', DATE '2026-12-31', 200.00)",
      "('A6', DATE '2026-11-01', 5000.00)",
    ],
  ],
  [
    'employers',
    'employer_id, employer_name, org_id, corporate_rm_id',
    ["('E1', 'employer 1', 'O2', 'S3')", "('E2', 'employer 2', 'O3', 'S3')"],
  ],
  [
    'payroll',
    'payroll_id, employer_id, customer_id, account_id, pay_date, amount',
    [
      "('P1', 'E1', 'C4', 'A5', DATE '2026-11-10', 500.00)", // before S; E1's first payroll
      "('P2', 'E1', 'C4', 'A5', DATE '2026-12-10', 1000.50)",
      "('P3', 'E1', 'C4', 'A5', DATE '2027-01-10', 1000.25)",
      "('P4', 'E2', 'C6', 'A10', DATE '2026-12-15', 300.00)", // E2's first payroll: a new employer
    ],
  ],
  [
    'benefit_programs',
    'program_id, program_name, kind',
    ["('PEN', 'pension', 'PENSION')", "('SUB', 'subsidy', 'FARM_SUBSIDY')"],
  ],
  [
    'benefit_credits',
    'credit_id, customer_id, account_id, program_id, credit_date, amount',
    [
      "('K1', 'C1', 'A8', 'PEN', DATE '2026-12-15', 2000.00)",
      "('K2', 'C1', 'A8', 'PEN', DATE '2027-01-15', 2000.00)", // the same customer: counted once
      "('K3', 'C4', 'A5', 'PEN', DATE '2027-01-15', 2000.00)", // not into a gen-3 card
      "('K4', 'C2', 'A9', 'SUB', DATE '2027-01-15', 500.00)", // not a pension
    ],
  ],
  [
    'bill_agreements',
    'agreement_id, customer_id, account_id, biller_kind, signed_date',
    [
      "('G1', 'C4', 'A5', 'TUITION_CROSS_BORDER', DATE '2026-12-20')", // A5 was opened at O3
      "('G2', 'C1', 'A1', 'WATER', DATE '2027-01-03')",
      "('G3', 'C2', 'AX', NULL, DATE '2027-01-04')", // unknown account: C2's home org O1; no kind: other
      "('G4', 'C1', 'A1', 'POWER', DATE '2026-11-01')", // before S
    ],
  ],
  [
    'merchants',
    'merchant_id, merchant_name, owner_customer_id, org_id, onboard_date',
    [
      "('M1', 'merchant 1', 'C7', 'O6', DATE '2026-12-01')",
      "('M2', 'merchant 2', 'C8', 'O4', DATE '2026-10-01')",
    ],
  ],
  [
    'acquiring',
    'merchant_id, txn_date, txn_count, txn_amount, fee_income, fee_cost',
    [
      "('M1', DATE '2026-12-05', 3, 1000.00, 6.00, 2.50)",
      "('M1', DATE '2027-01-10', 2, 500.50, 3.00, 1.25)",
      "('M2', DATE '2026-11-01', 1, 900.00, 5.00, 1.00)", // before S
    ],
  ],
  [
    'products',
    'product_code, product_name, category, card_kind',
    [
      "('CCX', 'county credit', 'CREDIT_CARD', 'COUNTY_CREDIT')",
      "('CCS', 'standard credit', 'CREDIT_CARD', 'STANDARD_CREDIT')",
    ],
  ],
  [
    'credit_card_applications',
    'application_id, customer_id, product_code, apply_date, status, decision_date',
    [
      "('X1', 'C6', 'CCX', DATE '2027-01-02', 'APPROVED', DATE '2027-01-10')",
      "('X2', 'C7', 'CCX', DATE '2027-01-02', 'APPROVED', DATE '2027-01-25')", // decided after D
      "('X3', 'C6', 'CCS', DATE '2027-01-02', 'APPROVED', DATE '2027-01-10')", // not a county card
    ],
  ],
  [
    'app_events',
    'customer_id, app, event, event_date',
    [
      "('C6', 'COUNTY_APP', 'REGISTER', DATE '2027-01-02')",
      "('C6', 'MOBILE_BANK', 'REGISTER', DATE '2027-01-02')",
      "('C7', 'COUNTY_APP', 'FIRST_PAYMENT', DATE '2027-01-02')",
    ],
  ],
  ['ecny_wallets', 'wallet_id, customer_id, opened_date', ["('W1', 'C7', DATE '2026-12-25')"]],
];

// Loaded targets (the targets table) override the season file's level targets for O1…O5.
const loaded = [
  ['NEW_CUSTOMERS', 'ORG', 'O1', '3'],
  ['NEW_CUSTOMERS', 'ORG', 'O2', '1'],
  ['NEW_CUSTOMERS', 'ORG', 'O3', '2'],
  ['NEW_CUSTOMERS', 'ORG', 'O4', '2'],
  ['NEW_CUSTOMERS', 'ORG', 'O5', '5'],
  ['NEW_CUSTOMERS', 'ORG', 'B1', '10'],
  ['NEW_CUSTOMERS', 'ORG', 'B2', '4'],
  ['NEW_CUSTOMERS', 'ORG', 'H', '20'],
  ['NEW_CUSTOMERS', 'STAFF', 'S1', '2'],
  ['LEADS_CONVERTED', 'ORG', 'O2', '4'],
];

describeEachEngine('KPIs on a hand-made bank', (engine) => {
  let db: TestDb;
  type Row = Record<string, unknown>;
  let rows: Row[];
  const at = (asOf: string, kpi: string, id: string, period = 'SEASON') => {
    const r = rows.find((x) => x.as_of === asOf && x.kpi === kpi && x.scope_id === id && x.period === period);
    if (!r) throw new Error(`no kpi_progress row ${asOf} ${kpi} ${id} ${period}`);
    return r;
  };
  const actual = (kpi: string, id: string, period = 'SEASON') => at(D, kpi, id, period).actual;

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await db.exec(
      `INSERT INTO targets VALUES ${loaded
        .map(
          ([kpi, kind, id, t]) =>
            `(DATE '2026-11-15', '${kpi}', '${kind}', '${id}', 'SEASON', DATE '2026-11-15', DATE '2027-03-31', ${t}, 'FILE', 'test', TIMESTAMP '2026-11-20 10:00:00')`,
        )
        .join(', ')}`,
    );
    // Conversions the lifecycle observed: one treated lead converted through a task of O2 (S3).
    await db.exec(`INSERT INTO conversions VALUES
      (9001, DATE '2026-11-15', 'ACT', 'C4', 'X', DATE '2027-01-12', NULL, FALSE, FALSE, 1, 'O2', 'S3', DATE '2027-01-13'),
      (9002, DATE '2026-11-15', 'ACT', 'C6', 'X', DATE '2027-01-12', NULL, TRUE, FALSE, NULL, NULL, NULL, DATE '2027-01-13'),
      (9003, DATE '2026-11-15', 'ACT', 'C7', 'X', DATE '2027-01-16', NULL, FALSE, FALSE, NULL, NULL, NULL, DATE '2027-01-17'),
      (9004, DATE '2026-11-15', 'ACT', 'C1', 'X', DATE '2027-01-18', NULL, FALSE, FALSE, 2, 'O1', NULL, DATE '2027-01-19'),
      (9006, DATE '2026-11-15', 'VISIT', NULL, 'VISIT_RECORDED', DATE '2027-01-15', NULL, FALSE, TRUE, 4, 'O2', 'S3', DATE '2027-01-16')`);
    // Leads of an activity since removed from the season file, closed, with their tasks and contacts.
    const lead = (id: number, control: boolean) =>
      `(${id}, DATE '2026-11-15', 'ACT', 'CUSTOMER', 'E${id}', 'C1', 'C1', NULL, '{}', '{}', DATE '2026-12-01', DATE '2026-12-01', 'EXPIRED', DATE '2027-01-10', NULL, 0.1, 100, 1, 10, ${control}, FALSE)`;
    await db.exec(
      `INSERT INTO leads VALUES ${[lead(9001, false), lead(9002, true), lead(9003, false), lead(9004, false), lead(9005, false)].join(', ')}`,
    );
    await db.exec(`INSERT INTO tasks VALUES
      (1, 9001, 'ACT', 'C1', 'O2', 'S3', 'MANAGER', 'O2', 'CLOSED', NULL, DATE '2026-12-01', DATE '2026-12-01', DATE '2026-12-08', 'CONTACTED', NULL, 'expired'),
      (2, 9004, 'ACT', 'C1', 'O1', NULL, 'POOL', 'O1', 'CLOSED', NULL, DATE '2026-12-01', DATE '2026-12-02', DATE '2026-12-09', NULL, NULL, 'expired'),
      (3, 9005, 'ACT', 'C1', 'O1', NULL, 'POOL', 'O1', 'CLOSED', 'CAPACITY', DATE '2026-12-01', NULL, NULL, NULL, NULL, 'expired')`);
    await db.exec(`INSERT INTO contacts VALUES
      (1, 1, 9001, 'ACT', 'C1', 'S3', 'MANAGER', 'CONTACTED', NULL, NULL, TIMESTAMP '2026-12-03 02:00:00', TIMESTAMP '2026-12-03 02:00:00', TRUE, TRUE)`);
    await markLoaded(db, D);
    for (const asOf of [WEEK_BEFORE, D]) {
      const r = await runPipeline(db, { asOf, config });
      expect(r, r.message ?? '').toMatchObject({ status: 'PUBLISHED' });
    }
    rows = await db.query(
      'SELECT * FROM kpi_progress ORDER BY as_of, kpi, period_start, period_end, scope_kind, scope_id',
    );
  }, 120_000);
  afterAll(async () => db?.close());

  it('counts new customers by home org, rolled up; S counts, the day before S and after D do not; no home org counts at HQ', () => {
    expect(
      ['O1', 'O2', 'O3', 'O4', 'O5', 'O6', 'B1', 'B2', 'RC', 'H'].map((o) => actual('NEW_CUSTOMERS', o)),
    ).toEqual(['3.00', '1.00', '2.00', '1.00', '2.00', '1.00', '9.00', '1.00', '0.00', '11.00']);
  });

  it('computes completion, time progress and gap, with the loaded targets over the season file’s', () => {
    expect(at(D, 'NEW_CUSTOMERS', 'O1')).toMatchObject({
      target: '3.00',
      completion: '1.0000000000',
      time_progress: '0.4890510949',
      gap: '0.5109489051',
      period_start: '2026-11-15',
      period_end: '2027-03-31',
      program: 'ALL',
      scope_level: 'OUTLET',
      parent_id: 'B1',
    });
    expect(at(D, 'NEW_CUSTOMERS', 'O5')).toMatchObject({
      target: '5.00',
      completion: '0.4000000000',
      gap: '-0.0890510949',
    });
    // O6 keeps the season file's level target of 4: 1 / 4.
    expect(at(D, 'NEW_CUSTOMERS', 'O6')).toMatchObject({
      target: '4.00',
      completion: '0.2500000000',
      gap: '-0.2390510949',
    });
    expect(at(D, 'NEW_CUSTOMERS', 'B1')).toMatchObject({ target: '10.00', completion: '0.9000000000' });
    expect(at(D, 'NEW_CUSTOMERS', 'H')).toMatchObject({
      target: '20.00',
      completion: '0.5500000000',
      rank: null,
    });
    expect(at(WEEK_BEFORE, 'NEW_CUSTOMERS', 'O1')).toMatchObject({
      actual: '2.00',
      completion: '0.6666666667',
      time_progress: '0.4379562044',
    });
  });

  it('ranks among siblings (equal values share a rank) and flags laggards by gap or by the bottom 20 % when n ≥ 5', () => {
    const view = (asOf: string, ids: string[]) =>
      ids.map((o) => {
        const r = at(asOf, 'NEW_CUSTOMERS', o);
        return [o, r.rank, r.ranked, r.laggard];
      });
    // Under B1 at D: O1, O2, O3 complete 1.0 (rank 1), O4 0.5 (4), O5 0.4 (5): O5 is in the bottom
    // 20 % (rank > 5 − ⌊1⌋) though its gap −0.089 is above −0.10.
    expect(view(D, ['O1', 'O2', 'O3', 'O4', 'O5'])).toEqual([
      ['O1', 1, 5, false],
      ['O2', 1, 5, false],
      ['O3', 1, 5, false],
      ['O4', 4, 5, false],
      ['O5', 5, 5, true],
    ]);
    // O6 is alone under B2 (n = 1 < 5): a laggard by its gap −0.239; B2 also (1 / 4 − 0.489).
    expect(view(D, ['O6', 'B1', 'B2'])).toEqual([
      ['O6', 1, 1, true],
      ['B1', 1, 2, false],
      ['B2', 2, 2, true],
    ]);
    // The remote centre has no target and is never ranked; HQ has no siblings.
    expect(at(D, 'NEW_CUSTOMERS', 'RC')).toMatchObject({
      rank: null,
      ranked: null,
      laggard: false,
      completion: null,
    });
    // A week earlier: O1 2/3, O2 0/1, O3 2/2, O4 1/2, O5 2/5 → O3 1, O1 2, O4 3, O5 4, O2 5 (gap −0.44 and bottom).
    expect(view(WEEK_BEFORE, ['O1', 'O2', 'O3', 'O4', 'O5'])).toEqual([
      ['O1', 2, 5, false],
      ['O2', 5, 5, true],
      ['O3', 1, 5, false],
      ['O4', 3, 5, false],
      ['O5', 4, 5, false],
    ]);
  });

  it('has staff rows for a period with staff targets: credited by the customer’s manager, ranked within the staff member’s org', () => {
    expect(at(D, 'NEW_CUSTOMERS', 'S1')).toMatchObject({
      scope_kind: 'STAFF',
      scope_level: 'STAFF',
      parent_id: 'O1',
      actual: '2.00',
      target: '2.00',
      completion: '1.0000000000',
      rank: 1,
      ranked: 1,
    });
    expect(at(D, 'NEW_CUSTOMERS', 'S2')).toMatchObject({
      actual: '1.00',
      target: null,
      completion: null,
      rank: null,
    });
    expect(at(D, 'NEW_CUSTOMERS', 'S3')).toMatchObject({ actual: '1.00', parent_id: 'O3' });
    // No staff target for AUM growth: no staff rows.
    expect(rows.filter((r) => r.kpi === 'AUM_GROWTH' && r.scope_kind === 'STAFF')).toEqual([]);
  });

  it('deposit ADB growth over NEW_YEAR against December, divided once after the roll-up; the daily increase still needed', () => {
    // O1: C1 2,500 − 1,000 + C2 3,100 − 1,500 + C3 30 − 0 = 3,130. O2: C4 200 − 103.2258… = 96.7741…
    // B1 = 3,226.7741… → 3,226.77; completion divides the unrounded 3,226.7741935… by 10,000;
    // NEW_YEAR's time progress 20 / 51.
    expect(actual('DEPOSIT_ADB_GROWTH', 'O1', 'NEW_YEAR')).toBe('3130.00');
    expect(actual('DEPOSIT_ADB_GROWTH', 'O2', 'NEW_YEAR')).toBe('96.77');
    expect(at(D, 'DEPOSIT_ADB_GROWTH', 'B1', 'NEW_YEAR')).toMatchObject({
      actual: '3226.77',
      target: '10000.00',
      completion: '0.3226774194',
      time_progress: '0.3921568627',
      gap: '-0.0694794433',
      // (10,000 − 3,226.77) / (Feb 20 − Jan 20 = 31 days) = 218.491…
      daily_needed: '218.49',
    });
  });

  it('AUM growth over the season: AUM at D against the end of S − 1, loans excluded', () => {
    // C1: 4,000 − 1,000; C2: 3,100 + 10,000 (wealth); C3: 100 → O1 16,200. C4: 200 − 100 → O2 100.
    expect(actual('AUM_GROWTH', 'O1')).toBe('16200.00');
    expect(actual('AUM_GROWTH', 'O2')).toBe('100.00');
    expect(actual('AUM_GROWTH', 'H')).toBe('16300.00');
    // (20,000 − 16,200) / (Mar 31 − Jan 20 = 70 days) = 54.285…
    expect(at(D, 'AUM_GROWTH', 'O1')).toMatchObject({ completion: '0.8100000000', daily_needed: '54.29' });
  });

  it('balance KPIs over a period starting inside month(D) and over one already ended; a target of 0 gives no completion', () => {
    // Jan 11 … Jan 20 (10 days) against December: C1 4,000 − 1,000; C2 3,100 − 1,500; C3 600 / 10 − 0.
    expect(at(D, 'DEPOSIT_ADB_GROWTH', 'O1', '2027-01-11..2027-01-31')).toMatchObject({
      actual: '4660.00',
      completion: '0.5000000000',
      time_progress: '0.4761904762', // 10 / 21
      gap: '0.0238095238',
      daily_needed: '423.64', // (9,320 − 4,660) / 11 days = 423.636…
    });
    // YEAR_END is over: AUM at Dec 31 against Nov 14 — C2 3,100 + 10,000 (C1's A1 changed only in January).
    expect(at(D, 'AUM_GROWTH', 'O1', 'YEAR_END')).toMatchObject({
      actual: '13100.00',
      completion: '1.0000000000',
      time_progress: '1.0000000000',
      daily_needed: null,
    });
    expect(at(D, 'AUM_GROWTH', 'O2', 'YEAR_END')).toMatchObject({
      actual: '100.00',
      target: '0.00',
      completion: null,
      gap: null,
      rank: null,
      laggard: false,
    });
  });

  it('gen-3 cards by open org and staff: Q4 clipped to the season and over, the season’s activations', () => {
    // Q4 = S … Dec 31: A8 (Dec 1) only — A7 is before S, A9 in January. The period is over: time progress 1.
    expect(at(D, 'SSC_GEN3_ISSUED', 'O1', 'Q4')).toMatchObject({
      period_start: '2026-11-15',
      period_end: '2026-12-31',
      actual: '1.00',
      target: '2.00',
      completion: '0.5000000000',
      time_progress: '1.0000000000',
      gap: '-0.5000000000',
      laggard: true,
    });
    expect(actual('SSC_GEN3_ISSUED', 'O1')).toBe('2.00');
    expect(actual('SSC_GEN3_ACTIVATED', 'O1')).toBe('1.00');
    expect(actual('COUNTY_DEBIT_ISSUED', 'O3')).toBe('1.00');
    expect(actual('COUNTY_DEBIT_ACTIVATED', 'O3')).toBe('0.00'); // activated the day after D
  });

  it('payroll amount and new employers by the employer’s org; pensions into gen-3 cards by customer', () => {
    expect(actual('PAYROLL_AMOUNT', 'O2')).toBe('2000.75');
    expect(actual('PAYROLL_EMPLOYERS_NEW', 'O2')).toBe('0.00'); // E1 first paid before S
    expect(actual('PAYROLL_EMPLOYERS_NEW', 'O3')).toBe('1.00');
    expect(actual('PENSION_INTO_CARD', 'O1')).toBe('1.00');
    expect(actual('PENSION_INTO_CARD', 'H')).toBe('1.00');
  });

  it('agreements by the account’s open org (else the home org); merchants and acquiring by the merchant’s org', () => {
    expect(actual('CROSS_BORDER_SIGNED', 'O3')).toBe('1.00');
    expect(actual('CROSS_BORDER_SIGNED', 'O2')).toBe('0.00');
    expect(actual('AUTO_DEBIT_SIGNED', 'O1')).toBe('2.00');
    expect(actual('MERCHANTS_NEW', 'O6')).toBe('1.00');
    expect(actual('MERCHANTS_NEW', 'O4')).toBe('0.00');
    expect(actual('ACQUIRING_AMOUNT', 'O6')).toBe('1500.50');
    expect(actual('ACQUIRING_NET_INCOME', 'O6')).toBe('5.25');
    expect(actual('ACQUIRING_AMOUNT', 'H')).toBe('1500.50');
  });

  it('county KPIs by the customer’s home org: approvals decided by D, county-app registrations, wallets', () => {
    expect(actual('COUNTY_CREDIT_APPROVED', 'O3')).toBe('1.00');
    expect(actual('COUNTY_APP_REGISTERED', 'O3')).toBe('1.00');
    expect(actual('ECNY_WALLETS', 'O3')).toBe('1.00');
  });

  it('leads converted: treated leads with a task, by the task’s org and staff, by conversion date; not service visits', () => {
    expect(at(D, 'LEADS_CONVERTED', 'O2')).toMatchObject({
      actual: '1.00',
      target: '4.00',
      completion: '0.2500000000',
    });
    expect(actual('LEADS_CONVERTED', 'O1')).toBe('1.00');
    expect(actual('LEADS_CONVERTED', 'H')).toBe('2.00');
    expect(at(WEEK_BEFORE, 'LEADS_CONVERTED', 'O1').actual).toBe('0.00'); // converted on Jan 18
  });

  it('publishes the lead funnel of every activity with leads this season: treated leads → routed → contacted → converted', async () => {
    // Treated 9001 (task handed over, contacted, converted), 9003 (converted without a task), 9004
    // (handed to a pool, converted), 9005 (queued, never handed over); 9002 is the control group's.
    expect(await db.query("SELECT * FROM lead_funnel WHERE activity_id = 'ACT'")).toEqual([
      expect.objectContaining({
        as_of: D,
        mined: 0,
        leads: 4,
        control_leads: 1,
        routed: 2,
        contacted: 1,
        converted: 3,
      }),
    ]);
  });

  it('briefs the outlets with the change since the week before, from the published history', async () => {
    const briefing = await buildBriefing(db, config, { asOf: D, level: 'OUTLET' });
    expect(briefing.previousAsOf).toBe(WEEK_BEFORE);
    const newCustomers = briefing.kpis.find(
      (k) => k.kpi === 'NEW_CUSTOMERS' && k.rows[0]?.period === 'SEASON',
    );
    const row = (id: string) => newCustomers?.rows.find((r) => r.scope_id === id);
    // O1: 2 → 3 customers, rank 2 → 1; O2: 0 → 1, rank 5 → 1; O5: 2 → 2, rank 4 → 5.
    expect(row('O1')).toMatchObject({
      actual: '3',
      delta_actual: '1',
      previous_rank: 2,
      delta_rank: 1,
    });
    expect(row('O2')).toMatchObject({ delta_actual: '1', previous_rank: 5, delta_rank: 4 });
    expect(row('O5')).toMatchObject({
      delta_actual: '0',
      previous_rank: 4,
      delta_rank: -1,
      laggard: true,
    });
  });

  it('keeps every as-of (a rerun replaces only its own date) and the program of each KPI', async () => {
    expect(new Set(rows.map((r) => r.as_of))).toEqual(new Set([WEEK_BEFORE, D]));
    const before = rows.length;
    const r = await runPipeline(db, { asOf: D, config, stage: 'kpis' });
    expect(r.status).toBe('PUBLISHED');
    const again = await db.query(
      'SELECT * FROM kpi_progress ORDER BY as_of, kpi, period_start, period_end, scope_kind, scope_id',
    );
    expect(again.length).toBe(before);
    expect(again).toEqual(rows);
    expect(at(D, 'PAYROLL_AMOUNT', 'O2').program).toBe('PAYROLL');
  });
});
