// The pipeline runner and its first models on a small hand-made bank, on both engines. The expected
// values are worked out by hand in the comments.

import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { markLoaded } from '../../test/hand-made.js';
import { loadSeasonConfig } from '../config/season.js';
import { lastCompleteMonth } from '../domain/dates.js';
import { loadModels, type Model, orderModels, parseSqlModel } from './models.js';
import { runPipeline } from './runner.js';

// D = 2027-02-10: L = January 2027; W13 = Jan 2026 … Jan 2027; L − 3 … L − 1 = Oct, Nov, Dec 2026;
// L − 12 = Jan 2026; the tier window L − 11 … L = Feb 2026 … Jan 2027.
const D = '2027-02-10';
const config = loadSeasonConfig();

it('L is the last complete month', () => {
  expect(lastCompleteMonth('2027-02-10')).toBe('2027-01-01');
  expect(lastCompleteMonth('2027-01-31')).toBe('2027-01-01');
  expect(lastCompleteMonth('2027-03-01')).toBe('2027-02-01');
});

it('orders models after what they read, and refuses a model without a key', () => {
  const names = orderModels(loadModels()).map((m) => m.name);
  expect(names.indexOf('employer_month')).toBeLessThan(names.indexOf('employer_tiers'));
  expect(names.indexOf('employer_month')).toBeLessThan(names.indexOf('payroll_alerts'));
  expect(() => parseSqlModel('monitoring', 'x.sql', '-- x: no key\n-- reads: payroll\nSELECT 1')).toThrow(
    /no "-- key:" line/,
  );
});

const months = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; ) {
    out.push(d);
    const m = Number(d.slice(5, 7));
    d =
      m === 12
        ? `${Number(d.slice(0, 4)) + 1}-01-01`
        : `${d.slice(0, 5)}${String(m + 1).padStart(2, '0')}-01`;
  }
  return out;
};

describeEachEngine('pipeline on a hand-made bank', (engine) => {
  let db: TestDb;
  const rows: (string | number)[][] = [];
  /** n employees of `employer` paid `each` yuan on the 10th of `month`. */
  const pay = (employer: string, month: string, n: number, each: string) => {
    for (let i = 1; i <= n; i++)
      rows.push([
        `P-${employer}-${month}-${i}`,
        employer,
        `C-${employer}-${i}`,
        `${month.slice(0, 8)}10`,
        each,
      ]);
  };

  beforeAll(async () => {
    db = await engine.open();
    await db.execute(
      `INSERT INTO employers (employer_id, employer_name, is_government, org_id) VALUES
        ('E1', 'steady', 'N', 'O1'), ('E2', 'stops', 'N', 'O1'), ('E3', 'drops', 'N', 'O1'), ('E4', 'government', 'Y', 'O1'),
        ('E5', 'small', 'N', 'O1'), ('E6', 'large', 'N', 'O1'), ('E7', 'never paid', 'N', 'O1')`,
    );
    for (const m of months('2026-01-01', '2027-01-01')) pay('E1', m, 6, '1000.00'); // steady
    pay('E2', '2026-01-01', 5, '1000.00');
    for (const m of ['2026-10-01', '2026-11-01', '2026-12-01']) pay('E2', m, 6, '1000.00'); // nothing in L
    pay('E3', '2026-10-01', 7, '1500.00');
    pay('E3', '2026-11-01', 6, '1500.00');
    pay('E3', '2026-12-01', 6, '1500.00');
    pay('E3', '2027-01-01', 4, '1500.00');
    for (const m of months('2026-01-01', '2027-01-01')) pay('E4', m, 1, '8000.00');
    pay('E5', '2026-10-01', 5, '900.00');
    pay('E5', '2026-11-01', 5, '900.00');
    pay('E5', '2026-12-01', 4, '900.00');
    for (const m of months('2026-02-01', '2027-01-01')) pay('E6', m, 60, '10000.00');
    pay('E1', '2025-12-01', 6, '1000.00'); // before W13: not counted
    pay('E1', '2027-02-01', 6, '1000.00'); // the partial month: not counted
    rows.push(['P-E4-x', 'E4', 'C-E1-1', '2027-01-10', '500.00']); // C-E1-1 is paid by E1 and E4 in January
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200);
      await db.execute(
        `INSERT INTO payroll (payroll_id, employer_id, customer_id, account_id, pay_date, amount) VALUES ${part
          .map(
            (_, k) =>
              `($${5 * k + 1}, $${5 * k + 2}, $${5 * k + 3}, 'A', CAST($${5 * k + 4} AS DATE), CAST($${5 * k + 5} AS DECIMAL(18,2)))`,
          )
          .join(', ')}`,
        part.flat(),
      );
    }
    await db.execute(
      `INSERT INTO overseas_institutions VALUES
        ('I1', 'University of Toronto', 'CA', 'ROYCCAT2', '0001234567', 'Univ of Toronto', 'Y'),
        ('I2', 'The University of Melbourne', 'AU', 'ANZBAU3M', 'AU-0123', NULL, 'Y'),
        ('I3', 'Example Language School', 'GB', 'LOYDGB2L', '30963312', NULL, 'N')`,
    );
    await db.execute(
      `INSERT INTO remittances (remittance_id, customer_id, remit_date, amount, amount_cny, beneficiary_name, beneficiary_account, beneficiary_bic, beneficiary_country, purpose) VALUES
        ('R1', 'C1', DATE '2026-08-20', 100.00, 720.00, 'UofT fees', '000-1234-567', 'ROYCCAT2XXX', 'CA', 'TUITION'),
        ('R2', 'C1', DATE '2025-08-20', 100.00, 720.00, 'UNIV. OF TORONTO', NULL, NULL, 'CA', 'TUITION'),
        ('R3', 'C2', DATE '2026-01-15', 100.00, 720.00, 'Univrsity of Melborne', NULL, NULL, NULL, 'TUITION'),
        ('R4', 'C2', DATE '2026-01-15', 100.00, 720.00, 'Somebody Else', NULL, 'ANZBAU3M', 'AU', 'LIVING'),
        ('R5', 'C3', DATE '2026-01-15', 100.00, 720.00, 'Example Language School', '30963312', 'LOYDGB2L', 'GB', 'TUITION'),
        ('R6', 'C3', DATE '2024-02-10', 100.00, 720.00, 'University of Toronto', NULL, NULL, 'CA', 'TUITION'),
        ('R7', 'C3', DATE '2024-02-11', 100.00, 720.00, 'University of Toronto', NULL, NULL, 'US', 'TUITION')`,
    );
    // Merchants (L = January 2027, 31 days; the 90-day window is (2026-11-12, 2027-02-10]).
    await db.execute(
      `INSERT INTO accounts (account_id, customer_id, product_code, account_type, open_date) VALUES
        ('A1', 'MC1', 'DC', 'DEBIT_CARD', DATE '2020-01-01'), ('W1', 'MC1', 'WM', 'WEALTH', DATE '2020-01-01'),
        ('A3', 'MC3', 'DC', 'DEBIT_CARD', DATE '2020-01-01')`,
    );
    await db.execute(
      `INSERT INTO balances VALUES ('A1', DATE '2026-12-01', 40000.00), ('A1', DATE '2027-01-11', 100000.00),
        ('A1', DATE '2027-02-05', 1.00), ('W1', DATE '2026-12-01', 1000000.00), ('A3', DATE '2026-06-01', 2000000.00)`,
    );
    await db.execute(
      `INSERT INTO merchants (merchant_id, owner_customer_id, org_id, fee_rate) VALUES
        ('M1', 'MC1', 'O1', 0.0060), ('M2', 'MC2', 'O1', 0.0038), ('M3', 'MC3', 'O1', 0.0060), ('M4', 'MC1', 'O1', 0.0055)`,
    );
    await db.execute(
      `INSERT INTO acquiring VALUES
        ('M1', DATE '2026-12-01', 10, 100000.00, 600.00, 300.00), ('M1', DATE '2027-02-10', 5, 50000.00, 300.00, 150.00),
        ('M1', DATE '2026-11-12', 99, 999999.00, 9999.00, 1.00),
        ('M2', DATE '2027-01-20', 20, 200000.00, 760.00, 1000.00),
        ('M3', DATE '2027-01-20', 10, 100000.00, 600.00, 500.00)`,
    );
    // An org tree and the card funnels (S = 2026-11-15; credits count in (2026-12-10, 2027-02-10]).
    await db.execute(
      `INSERT INTO orgs VALUES ('HQ', '总行', 'HQ', NULL, '420100'), ('BR1', '分行一', 'BRANCH', 'HQ', '420100'),
        ('S1', '支行', 'SUBBRANCH', 'BR1', '420102'), ('O1', '网点一', 'OUTLET', 'S1', '420102'),
        ('O2', '网点二', 'OUTLET', 'S1', '420222'), ('BR2', '分行二', 'BRANCH', 'HQ', '421100')`,
    );
    await db.execute(
      `INSERT INTO accounts (account_id, customer_id, product_code, account_type, card_kind, open_date, activated_date, open_org_id) VALUES
        ('S1', 'SC1', 'SSC3', 'DEBIT_CARD', 'SSC_GEN3', DATE '2026-12-01', DATE '2026-12-05', 'O1'),
        ('S2', 'SC2', 'SSC3', 'DEBIT_CARD', 'SSC_GEN3', DATE '2026-11-20', NULL, 'O2'),
        ('S3', 'SC3', 'SSC3', 'DEBIT_CARD', 'SSC_GEN3', DATE '2026-11-14', DATE '2026-11-14', 'O1'),
        ('S4', 'SC4', 'SSC3', 'DEBIT_CARD', 'SSC_GEN3', DATE '2027-01-05', DATE '2027-02-11', 'XX'),
        ('S5', 'SC5', 'SSC2', 'DEBIT_CARD', 'SSC_GEN2', DATE '2026-12-01', DATE '2026-12-01', 'O1'),
        ('K1', 'KC1', 'DCC', 'DEBIT_CARD', 'COUNTY_DEBIT', DATE '2026-12-01', DATE '2026-12-02', 'O1'),
        ('K2', 'KC1', 'DCC', 'DEBIT_CARD', 'COUNTY_DEBIT', DATE '2027-01-01', NULL, 'O1'),
        ('K3', 'KC2', 'DCC', 'DEBIT_CARD', 'COUNTY_DEBIT', DATE '2026-12-15', DATE '2026-12-20', 'BR2')`,
    );
    await db.execute(
      `INSERT INTO benefit_credits VALUES ('B1', 'SC1', 'S1', 'P', DATE '2027-01-10', 3000.00),
        ('B2', 'SC2', 'S2', 'P', DATE '2026-12-10', 3000.00)`,
    );
    await db.execute(
      `INSERT INTO app_events VALUES ('KC1', 'COUNTY_APP', 'REGISTER', DATE '2026-12-05'),
        ('KC1', 'COUNTY_APP', 'FIRST_PAYMENT', DATE '2026-12-06'), ('KC2', 'COUNTY_APP', 'REGISTER', DATE '2027-02-11')`,
    );
    // Holdings of E1's employees (paid in L): penetration, and benefit programs.
    await db.execute(
      `INSERT INTO accounts (account_id, customer_id, product_code, account_type, open_date, close_date) VALUES
        ('H1', 'C-E1-1', 'DC', 'DEBIT_CARD', DATE '2020-01-01', NULL),
        ('H2', 'C-E1-2', 'CC', 'CREDIT_CARD', DATE '2020-01-01', DATE '2027-01-31'),
        ('H3', 'C-E1-2', 'FUND', 'FUND', DATE '2027-02-10', NULL),
        ('H4', 'C-E1-6', 'DC', 'DEBIT_CARD', DATE '2027-02-11', NULL)`,
    );
    // C-E1-1's card: 3,100 from Dec 20 (12 days of December, all of January).
    await db.execute(`INSERT INTO balances VALUES ('H1', DATE '2026-12-20', 3100.00)`);
    await db.execute(
      `INSERT INTO app_events VALUES ('C-E1-3', 'MOBILE_BANK', 'REGISTER', DATE '2026-05-01'), ('C-E1-6', 'MOBILE_BANK', 'FIRST_PAYMENT', DATE '2026-05-01')`,
    );
    await db.execute(
      `INSERT INTO bill_agreements VALUES ('G1', 'C-E1-4', 'X', 'WATER', DATE '2025-01-01', NULL),
        ('G2', 'C-E1-5', 'X', 'POWER', DATE '2025-01-01', DATE '2027-02-10')`,
    );
    await db.execute(
      `INSERT INTO benefit_programs (program_id, program_name, kind, division_code, into_ssc) VALUES
        ('P', '养老金', 'PENSION', '420000', 'Y'), ('FS', '耕地补贴', 'FARM_SUBSIDY', '420222', 'Y')`,
    );
    await db.execute(
      `INSERT INTO benefit_credits VALUES ('B3', 'SC2', 'S2', 'FS', DATE '2026-03-01', 500.00),
        ('B4', 'KC1', 'K1', 'FS', DATE '2026-06-01', 500.00), ('B5', 'KC1', 'K1', 'FS', DATE '2026-02-10', 500.00)`,
    );
    // The data is as of D (rows inserted directly stand for a load of that date).
    await markLoaded(db, D);
    const r = await runPipeline(db, { asOf: D, config });
    expect(r).toMatchObject({ status: 'PUBLISHED', message: null });
  }, 60_000);
  afterAll(async () => db?.close());

  it('employer_month: headcount and amount per employer and month of W13 only', async () => {
    // E1 13 + E2 4 + E3 4 + E4 13 + E5 3 + E6 12 = 49 employer-months (Dec 2025 and Feb 2027 are outside W13).
    expect(await db.query('SELECT count(*) AS n FROM employer_month')).toEqual([{ n: 49 }]);
    expect(
      await db.query(
        `SELECT month, headcount, amount FROM employer_month WHERE employer_id = 'E3' ORDER BY month`,
      ),
    ).toEqual([
      { month: '2026-10-01', headcount: 7, amount: '10500.00' },
      { month: '2026-11-01', headcount: 6, amount: '9000.00' },
      { month: '2026-12-01', headcount: 6, amount: '9000.00' },
      { month: '2027-01-01', headcount: 4, amount: '6000.00' },
    ]);
  });

  it('employer_tiers: A for government, B at 500k a month or 50 heads, C otherwise; means over 12 months', async () => {
    expect(
      await db.query(
        'SELECT employer_id, tier, mean_amount_12, mean_headcount_12 FROM employer_tiers ORDER BY employer_id',
      ),
    ).toEqual([
      // E1: 12 months Feb 2026–Jan 2027 × 6 × 1000 = 72,000 → 6,000/month, 6 heads.
      { employer_id: 'E1', tier: 'C', mean_amount_12: '6000.0000000000', mean_headcount_12: '6.0000000000' },
      // E2: Oct–Dec 6 × 1000 (Jan 2026 is outside L − 11 … L) = 18,000 → 1,500; 18 heads / 12 = 1.5.
      { employer_id: 'E2', tier: 'C', mean_amount_12: '1500.0000000000', mean_headcount_12: '1.5000000000' },
      // E3: 10,500 + 9,000 + 9,000 + 6,000 = 34,500 → 2,875; 23 heads / 12 = 1.9166666667 (half up).
      { employer_id: 'E3', tier: 'C', mean_amount_12: '2875.0000000000', mean_headcount_12: '1.9166666667' },
      // E4: government → A whatever its size.
      // E4: 12 × 8,000 + 500 (C-E1-1 in January) = 96,500 → 8,041.6666666667; 13 heads / 12 = 1.0833333333.
      { employer_id: 'E4', tier: 'A', mean_amount_12: '8041.6666666667', mean_headcount_12: '1.0833333333' },
      // E5: 14 heads × 900 = 12,600 → 1,050; 14 / 12 = 1.1666666667.
      { employer_id: 'E5', tier: 'C', mean_amount_12: '1050.0000000000', mean_headcount_12: '1.1666666667' },
      // E6: 60 × 10,000 = 600,000 a month ≥ 500,000 → B (below 5,000,000 and 500 heads for A).
      {
        employer_id: 'E6',
        tier: 'B',
        mean_amount_12: '600000.0000000000',
        mean_headcount_12: '60.0000000000',
      },
      // E7 never paid: C with zero means.
      { employer_id: 'E7', tier: 'C', mean_amount_12: '0.0000000000', mean_headcount_12: '0.0000000000' },
    ]);
  });

  it('payroll_alerts: STOPPED and DROP as METRICS.md defines them, with avg3 and the year-on-year ratio', async () => {
    expect(
      await db.query(
        'SELECT employer_id, kind, headcount_l, avg3, amount_l, yoy_ratio FROM payroll_alerts ORDER BY employer_id',
      ),
    ).toEqual([
      // E2: paid in Oct, Nov, Dec (avg3 = 18 / 3 = 6 ≥ 5), nothing in L → STOPPED; L − 12 (Jan 2026) paid 5,000 → 0 / 5,000.
      {
        employer_id: 'E2',
        kind: 'STOPPED',
        headcount_l: 0,
        avg3: '6.0000000000',
        amount_l: '0.00',
        yoy_ratio: '0.0000000000',
      },
      // E3: avg3 = 19 / 3 = 6.3333333333; 4 < 0.7 × 6.33 = 4.43 → DROP; nothing in Jan 2026 → no ratio.
      {
        employer_id: 'E3',
        kind: 'DROP',
        headcount_l: 4,
        avg3: '6.3333333333',
        amount_l: '6000.00',
        yoy_ratio: null,
      },
      // E1 (steady), E4 and E5 (avg3 1 and 4.67 < 5) and E6 (steady) raise nothing.
    ]);
  });

  it("merchant_pricing: coverage, the tier of the owner's ADB, no discount that would make a merchant negative", async () => {
    expect(
      await db.query(
        `SELECT merchant_id, merchant_adb, acq_amount_90, fee_income_90, fee_cost_90, coverage_ok, tier_rate, current_rate,
                proposed_rate, fee_income_change_90 FROM merchant_pricing ORDER BY merchant_id`,
      ),
    ).toEqual([
      // M1: owner MC1's deposits in January: 40,000 × 10 days + 100,000 × 21 days = 2,500,000 / 31 = 80,645.16…
      // (the wealth account does not count; Feb 5 is after L) → tier 0.55 %. 90 days: 150,000 (Nov 12 is
      // outside (D − 90, D]); 900 ≥ 450 covered; 150,000 × 0.55 % = 825 ≥ 450 → 0.55 %; 150,000 × −0.05 % = −75.
      {
        merchant_id: 'M1',
        merchant_adb: '80645.1612903226',
        acq_amount_90: '150000.00',
        fee_income_90: '900.00',
        fee_cost_90: '450.00',
        coverage_ok: true,
        tier_rate: '0.005500',
        current_rate: '0.006000',
        proposed_rate: '0.005500',
        fee_income_change_90: '-75.00',
      },
      // M2: no deposits → tier 0.60 %; 760 < 1,000: negative; 200,000 × 0.60 % = 1,200 ≥ 1,000 → raised to
      // 0.60 %: 200,000 × 0.22 % = +440.
      {
        merchant_id: 'M2',
        merchant_adb: '0.0000000000',
        acq_amount_90: '200000.00',
        fee_income_90: '760.00',
        fee_cost_90: '1000.00',
        coverage_ok: false,
        tier_rate: '0.006000',
        current_rate: '0.003800',
        proposed_rate: '0.006000',
        fee_income_change_90: '440.00',
      },
      // M3: 2,000,000 all month → tier 0.45 %, but 100,000 × 0.45 % = 450 < 500 cost → stays at 0.60 %.
      {
        merchant_id: 'M3',
        merchant_adb: '2000000.0000000000',
        acq_amount_90: '100000.00',
        fee_income_90: '600.00',
        fee_cost_90: '500.00',
        coverage_ok: true,
        tier_rate: '0.004500',
        current_rate: '0.006000',
        proposed_rate: '0.006000',
        fee_income_change_90: '0.00',
      },
      // M4: same owner as M1, no acquiring: 0 ≥ 0 covered, the tier rate, no change.
      {
        merchant_id: 'M4',
        merchant_adb: '80645.1612903226',
        acq_amount_90: '0.00',
        fee_income_90: '0.00',
        fee_cost_90: '0.00',
        coverage_ok: true,
        tier_rate: '0.005500',
        current_rate: '0.005500',
        proposed_rate: '0.005500',
        fee_income_change_90: '0.00',
      },
    ]);
  });

  it('ssc_funnel and county_funnel: opened in the season by the opening org, rolled up the tree', async () => {
    // S1 (O1): issued, activated, credited on Jan 10. S2 (O2): issued; its credit on Dec 10 is D − 62, outside.
    // S3 opened before S; S5 is second-generation; S4's org is unknown: it counts at HQ, not activated by D.
    expect(
      await db.query('SELECT org_id, issued, activated, credited FROM ssc_funnel ORDER BY org_id'),
    ).toEqual([
      { org_id: 'BR1', issued: 2, activated: 1, credited: 1 },
      { org_id: 'BR2', issued: 0, activated: 0, credited: 0 },
      { org_id: 'HQ', issued: 3, activated: 1, credited: 1 },
      { org_id: 'O1', issued: 1, activated: 1, credited: 1 },
      { org_id: 'O2', issued: 1, activated: 0, credited: 0 },
      { org_id: 'S1', issued: 1 + 1, activated: 1, credited: 1 },
    ]);
    // K1, K2 (O1, one holder KC1 with the app and a first payment); K3 (BR2, holder KC2 registered after D).
    expect(
      await db.query(
        'SELECT org_id, opened, activated, app_registered, first_payment FROM county_funnel ORDER BY org_id',
      ),
    ).toEqual([
      { org_id: 'BR1', opened: 2, activated: 1, app_registered: 1, first_payment: 1 },
      { org_id: 'BR2', opened: 1, activated: 1, app_registered: 0, first_payment: 0 },
      { org_id: 'HQ', opened: 3, activated: 2, app_registered: 1, first_payment: 1 },
      { org_id: 'O1', opened: 2, activated: 1, app_registered: 1, first_payment: 1 },
      { org_id: 'O2', opened: 0, activated: 0, app_registered: 0, first_payment: 0 },
      { org_id: 'S1', opened: 2, activated: 1, app_registered: 1, first_payment: 1 },
    ]);
  });

  it('employer_penetration: the share of the employees paid in L holding each product family at D', async () => {
    // Employers paying in L: E1, E3, E4, E6 → 4 × 6 rows.
    expect(await db.query('SELECT count(*) AS n FROM employer_penetration')).toEqual([{ n: 24 }]);
    // E1's 6 employees: C-E1-1 a debit card; C-E1-2 a credit card closed on Jan 31 (not held) and a fund opened on
    // D (held: WEALTH); C-E1-3 a mobile-bank registration; C-E1-4 an active agreement, C-E1-5's cancelled on D;
    // C-E1-6 a card opened after D and a first payment without a registration (neither counts).
    expect(
      await db.query(
        `SELECT product, holders, employees, rate FROM employer_penetration WHERE employer_id = 'E1' ORDER BY product`,
      ),
    ).toEqual([
      { product: 'APP', holders: 1, employees: 6, rate: '0.1666666667' },
      { product: 'BILL_AGREEMENT', holders: 1, employees: 6, rate: '0.1666666667' },
      { product: 'CREDIT_CARD', holders: 0, employees: 6, rate: '0.0000000000' },
      { product: 'DEBIT_CARD', holders: 1, employees: 6, rate: '0.1666666667' },
      { product: 'LOAN', holders: 0, employees: 6, rate: '0.0000000000' },
      { product: 'WEALTH', holders: 1, employees: 6, rate: '0.1666666667' },
    ]);
  });

  it('payroll_retention: Σ ADB_month over the customers paid / the payroll paid them, per employer and rolled-up org', async () => {
    const q = (scope: string, month: string) =>
      db.query(
        'SELECT adb_sum, payroll_sum, rate FROM payroll_retention WHERE scope_id = $1 AND month = $2',
        [scope, month],
      );
    // E1, January: only C-E1-1 has deposits: 3,100 × 31 days / 31 = 3,100; paid 6 × 1,000 → 3,100 / 6,000.
    expect(await q('E1', '2027-01-01')).toEqual([
      { adb_sum: '3100.0000000000', payroll_sum: '6000.00', rate: '0.5166666667' },
    ]);
    // E1, December: 3,100 × 12 days / 31 = 1,200 → 1,200 / 6,000.
    expect(await q('E1', '2026-12-01')).toEqual([
      { adb_sum: '1200.0000000000', payroll_sum: '6000.00', rate: '0.2000000000' },
    ]);
    // E4, January: C-E4-1 (no deposits) 8,000 and C-E1-1 500 → 3,100 / 8,500.
    expect(await q('E4', '2027-01-01')).toEqual([
      { adb_sum: '3100.0000000000', payroll_sum: '8500.00', rate: '0.3647058824' },
    ]);
    // Every employer sits at O1: O1, S1, BR1 and HQ have January's whole payroll — 6,000 + 6,000 + 8,500 +
    // 600,000 = 620,500 — and C-E1-1's ADB once, though two employers paid him.
    for (const org of ['O1', 'S1', 'BR1', 'HQ']) {
      expect([org, await q(org, '2027-01-01')]).toEqual([
        org,
        [{ adb_sum: '3100.0000000000', payroll_sum: '620500.00', rate: '0.0049959710' }],
      ]);
    }
    // No payroll under O2 or BR2: no rows; one row per employer-month, and 13 months for HQ.
    expect(
      await db.query(`SELECT count(*) AS n FROM payroll_retention WHERE scope_id IN ('O2', 'BR2')`),
    ).toEqual([{ n: 0 }]);
    expect(
      await db.query(`SELECT count(*) AS n FROM payroll_retention WHERE scope_kind = 'EMPLOYER'`),
    ).toEqual([{ n: 49 }]);
    expect(await db.query(`SELECT count(*) AS n FROM payroll_retention WHERE scope_id = 'HQ'`)).toEqual([
      { n: 13 },
    ]);
  });

  it("benefit_into_card: recipients in the program's window, holders of a third-generation card, credits into one", async () => {
    // P (PENSION, 62 days): SC1's credit on Jan 10 into S1 (SSC_GEN3); SC2's on Dec 10 is D − 62, outside.
    // FS (subsidy, 365 days): SC2 into S2 (SSC_GEN3, held); KC1 into K1 (county debit, no SSC card);
    // KC1's credit of 2026-02-10 is D − 365, outside but KC1 counts once anyway.
    expect(await db.query('SELECT * FROM benefit_into_card ORDER BY program_id')).toEqual([
      {
        program_id: 'FS',
        division_code: '420222',
        recipients: 2,
        with_ssc_gen3: 1,
        credited_into_ssc_gen3: 1,
      },
      {
        program_id: 'P',
        division_code: '420000',
        recipients: 1,
        with_ssc_gen3: 1,
        credited_into_ssc_gen3: 1,
      },
    ]);
  });

  it('remittance_matches: exact by BIC and account, exact by name and country, probable, within 3 years', async () => {
    expect(
      await db.query(
        'SELECT remittance_id, institution_id, match_kind, score FROM remittance_matches ORDER BY remittance_id',
      ),
    ).toEqual([
      { remittance_id: 'R1', institution_id: 'I1', match_kind: 'EXACT_BIC', score: '1.000' }, // BIC (first 8) and account (digits only)
      { remittance_id: 'R2', institution_id: 'I1', match_kind: 'EXACT_NAME', score: '1.000' }, // UNIV. → UNIVERSITY
      {
        remittance_id: 'R3',
        institution_id: 'I2',
        match_kind: 'PROBABLE',
        score: '0.842', // Dice similarity of the letter bigrams
      }, // two typos
      { remittance_id: 'R4', institution_id: 'I2', match_kind: 'PROBABLE', score: '0.000' }, // the BIC alone
      // R5: the institution takes no tuition. R6: 2024-02-10 is exactly three years before D — outside (D − 3y, D].
      // R7: the name matches but the country does not.
    ]);
  });

  it('records the run, and a rerun of the same date publishes identical tables', async () => {
    const snapshot = async () => ({
      month: await db.query('SELECT * FROM employer_month ORDER BY employer_id, month'),
      tiers: await db.query('SELECT * FROM employer_tiers ORDER BY employer_id'),
      alerts: await db.query('SELECT * FROM payroll_alerts ORDER BY employer_id'),
      matches: await db.query('SELECT * FROM remittance_matches ORDER BY remittance_id'),
    });
    const before = await snapshot();
    const again = await runPipeline(db, { asOf: D, config });
    expect(again.status).toBe('PUBLISHED');
    expect(await snapshot()).toEqual(before);
    const runs = await db.query<{ status: string; as_of: string }>(
      'SELECT status, as_of FROM runs ORDER BY run_id',
    );
    expect(runs.slice(-2)).toEqual([
      { status: 'PUBLISHED', as_of: D },
      { status: 'PUBLISHED', as_of: D },
    ]);
  });

  it('settles a run whose process was killed: FAILED, its staging tables dropped', async () => {
    // A process that has ended: its pid is free.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    await db.execute(
      `INSERT INTO runs (run_id, as_of, stage, started_at, finished_at, status, message, models, host, pid)
       VALUES (9001, CAST($1 AS DATE), NULL, CAST('2027-02-11 01:00:00' AS TIMESTAMP), CAST('2027-02-11 01:00:00' AS TIMESTAMP), 'RUNNING', NULL, '[]', $2, $3)`,
      [D, hostname(), dead],
    );
    await db.exec('CREATE TABLE stg_r9001__employer_month (x INTEGER)');
    const r = await runPipeline(db, { asOf: D, config });
    expect(r.status).toBe('PUBLISHED');
    const [settled] = await db.query('SELECT status, message FROM runs WHERE run_id = 9001');
    expect(settled).toEqual({
      status: 'FAILED',
      message: 'interrupted: its process ended before the run finished (nothing was published)',
    });
    const left = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_name = 'stg_r9001__employer_month'`,
    );
    expect(left).toEqual([]);
  });

  it('refuses a date after the loaded data, and a one-stage run for another date than the published one', async () => {
    const later = await runPipeline(db, { asOf: '2027-02-11', config });
    expect(later).toMatchObject({
      status: 'FAILED',
      message: 'as-of 2027-02-11 is after the latest loaded data (2027-02-10)',
    });
    const stage = await runPipeline(db, { asOf: '2027-02-09', stage: 'monitoring', config });
    expect(stage).toMatchObject({
      status: 'FAILED',
      message:
        'stage monitoring alone can only rerun the published date 2027-02-10: run every stage for 2027-02-09',
    });
    const monitoring = await runPipeline(db, { asOf: D, stage: 'monitoring', config });
    expect(monitoring.status).toBe('PUBLISHED');
    // The stage's models and what they read from other stages (org_closure), nothing else.
    expect(monitoring.models.map((m) => m.model).sort()).toEqual([
      'balance_live',
      'benefit_into_card',
      'customer_products',
      'employer_month',
      'employer_penetration',
      'employer_tiers',
      'org_closure',
      'payroll_alerts',
      'payroll_retention',
    ]);
    // No staging table is left behind by any of these runs.
    const left = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_name LIKE 'stg_r%'`,
    );
    expect(left).toEqual([{ n: 0 }]);
  });

  it('a failed check publishes nothing and names the check', async () => {
    const before = await db.query('SELECT * FROM employer_tiers ORDER BY employer_id');
    const broken: Model = {
      ...(loadModels().find((m) => m.name === 'employer_tiers') as Model),
      // Every employer twice: the key check must fail.
      sql: "SELECT employer_id, 'X' AS tier FROM employers UNION ALL SELECT employer_id, 'X' FROM employers",
      expectedRows: undefined,
    };
    const models = loadModels().map((m) => (m.name === 'employer_tiers' ? broken : m));
    const r = await runPipeline(db, { asOf: D, config, models });
    expect(r).toMatchObject({
      status: 'FAILED',
      message: 'check failed: employer_tiers: 7 keys repeated (employer_id)',
    });
    expect(await db.query('SELECT * FROM employer_tiers ORDER BY employer_id')).toEqual(before);
    expect(await db.query(`SELECT status, message FROM runs WHERE run_id = $1`, [r.runId])).toEqual([
      { status: 'FAILED', message: r.message },
    ]);
  });
});
