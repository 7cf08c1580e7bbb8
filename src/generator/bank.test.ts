// The synthetic bank: reproducible, referentially whole (loading it quarantines nothing), and
// realistic — each behaviour docs/synthetic-bank.md promises is measured on a generated bank and its
// share asserted within a stated range.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, duckdbEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { lastCompleteMonth } from '../domain/dates.js';
import { isCountyDivision } from '../domain/divisions.js';
import { COUNTY_CREDIT_OCCUPATIONS, STAFF_ROLES } from '../extracts/contract.js';
import { loadDrop } from '../extracts/loader.js';
import { runPipeline } from '../pipeline/runner.js';
import { generateBank } from './bank.js';
import { dateOf, dayOf, monthStart, seasonOf } from './calendar.js';
import { orgSizes } from './orgs.js';

const AS_OF = '2027-02-10'; // in the season, with January (bonuses) the last complete month
const CUSTOMERS = 20_000;
let work: string;
let bank: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-bank-'));
  bank = join(work, 'bank');
  await generateBank({ customers: CUSTOMERS, seed: 7, asOf: AS_OF, out: bank });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

it('is reproducible: the same arguments give byte-identical files, another seed another bank', async () => {
  const a = join(work, 'a');
  const b = join(work, 'b');
  const c = join(work, 'c');
  await generateBank({ customers: 1500, seed: 3, asOf: '2026-12-01', out: a });
  await generateBank({ customers: 1500, seed: 3, asOf: '2026-12-01', out: b });
  await generateBank({ customers: 1500, seed: 4, asOf: '2026-12-01', out: c });
  expect(manifest(b)).toEqual(manifest(a));
  expect(readFileSync(join(b, 'balances.csv')).equals(readFileSync(join(a, 'balances.csv')))).toBe(true);
  expect(manifest(c).files.customers.sha256).not.toBe(manifest(a).files.customers.sha256);
  expect(manifest(c).files.balances.sha256).not.toBe(manifest(a).files.balances.sha256);
});

it('writes Parquet reproducibly, with exact types', async () => {
  const a = join(work, 'pa');
  const b = join(work, 'pb');
  await generateBank({ customers: 400, seed: 3, asOf: '2026-12-01', out: a, format: 'parquet' });
  await generateBank({ customers: 400, seed: 3, asOf: '2026-12-01', out: b, format: 'parquet' });
  expect(manifest(b)).toEqual(manifest(a));
  const csv = join(work, 'pcsv');
  await generateBank({ customers: 400, seed: 3, asOf: '2026-12-01', out: csv });
  for (const [name, f] of Object.entries(manifest(a).files) as [string, { rows: number }][]) {
    expect([name, f.rows]).toEqual([name, manifest(csv).files[name].rows]);
  }
});

it('a small bank still raises a STOPPED and a DROP churn alert (through the loader and the pipeline)', async () => {
  for (const seed of [1, 3]) {
    const dir = join(work, `small-${seed}`);
    await generateBank({ customers: 3000, seed, asOf: '2026-11-28', out: dir });
    const db = await duckdbEngine.open();
    try {
      expect((await loadDrop(db, dir)).totals.quarantined).toBe(0);
      const run = await runPipeline(db, {
        asOf: '2026-11-28',
        config: loadSeasonConfig(),
      });
      expect(run.status).toBe('PUBLISHED');
      const kinds = (await db.query<{ kind: string }>('SELECT DISTINCT kind FROM payroll_alerts')).map(
        (k) => k.kind,
      );
      expect([seed, kinds.sort()]).toEqual([seed, ['DROP', 'STOPPED']]);
    } finally {
      await db.close();
    }
  }
}, 120_000);

it('sizes the org tree in proportion to the customers (100k: 3 branches, 12 sub-branches, 50 outlets)', () => {
  expect(orgSizes(100_000)).toEqual({ branches: 3, subbranches: 12, outlets: 50 });
  expect(orgSizes(1_000_000)).toEqual({ branches: 30, subbranches: 120, outlets: 500 });
  expect(orgSizes(20_000)).toEqual({ branches: 2, subbranches: 4, outlets: 10 });
});

it('covers 13 months before the season start up to as-of', () => {
  expect(seasonOf(AS_OF)).toMatchObject({
    start: '2026-11-15',
    end: '2027-03-31',
    historyStart: '2025-10-01',
  });
  expect(() => seasonOf('2026-07-01')).toThrow(/outside a season/);
});

describeEachEngine('the synthetic bank, loaded', (engine) => {
  let db: TestDb;
  const q = async <T extends Record<string, unknown>>(sql: string, params: (string | number)[] = []) =>
    (await db.query(sql, params)) as unknown as T[];
  const one = async (sql: string, params: (string | number)[] = []) => {
    const [row] = await q<Record<string, number | string>>(sql, params);
    return Number(Object.values(row ?? {})[0]);
  };
  const D = AS_OF;
  const L = lastCompleteMonth(AS_OF); // 2027-01-01
  const S = '2026-11-15';
  const yearsBefore = (n: number) => `${Number(D.slice(0, 4)) - n}${D.slice(4)}`;

  beforeAll(async () => {
    db = await engine.open();
    const r = await loadDrop(db, bank);
    expect(r.status).toBe('APPLIED');
    // Referential integrity: nothing quarantined, nothing collapsed.
    expect(r.totals).toMatchObject({ quarantined: 0, collapsed: 0 });
    // Soft references: only departed managers and corporate RMs (a few percent), as in a real bank.
    const warned = Object.fromEntries(r.files.flatMap((f) => Object.entries(f.warnings)));
    expect(Object.keys(warned).sort()).toEqual(['corporate_rm_id', 'manager_id']);
    expect(warned.manager_id).toBeLessThan(0.03 * CUSTOMERS);
  }, 180_000);
  afterAll(async () => db?.close());

  it('org tree: real GB/T 2260 divisions, about a third of outlets in counties; staff of every role and team', async () => {
    const outlets = await q<{ division_code: string }>(
      `SELECT division_code FROM orgs WHERE level = 'OUTLET'`,
    );
    const sizes = orgSizes(CUSTOMERS);
    expect(outlets).toHaveLength(sizes.outlets);
    expect(await one(`SELECT count(*) FROM orgs WHERE level = 'BRANCH'`)).toBe(sizes.branches);
    expect(await one(`SELECT count(*) FROM orgs WHERE level = 'SUBBRANCH'`)).toBe(sizes.subbranches);
    const county = outlets.filter((o) => isCountyDivision(o.division_code)).length / outlets.length;
    expect(county).toBeGreaterThanOrEqual(0.2);
    expect(county).toBeLessThanOrEqual(0.5);
    const roles = (await q<{ role: string }>('SELECT DISTINCT role FROM staff')).map((r) => r.role).sort();
    expect(roles).toEqual([...STAFF_ROLES].sort());
    const teams = (await q<{ team: string }>('SELECT DISTINCT team FROM staff WHERE team IS NOT NULL')).map(
      (r) => r.team,
    );
    expect(teams.sort()).toEqual(['BACKPACK', 'CARE', 'DOOR']);
    expect(
      await one(
        `SELECT count(*) FROM staff s JOIN orgs o ON o.org_id = s.org_id WHERE s.role = 'REMOTE_AGENT' AND o.level = 'REMOTE_CENTER'`,
      ),
    ).toBeGreaterThanOrEqual(3);
  });

  it('payroll: employers of all sizes, some government; a monthly rhythm over the window; January bonuses', async () => {
    const sizes = (
      await q<{ n: number }>(
        `SELECT count(DISTINCT customer_id) AS n FROM payroll WHERE pay_date >= $1 AND pay_date < $2 GROUP BY employer_id ORDER BY 1`,
        [L, monthStart(L, 1)],
      )
    ).map((r) => Number(r.n));
    const median = sizes[Math.floor(sizes.length / 2)] as number;
    expect(Math.max(...sizes)).toBeGreaterThanOrEqual(10 * median); // heavy-tailed sizes
    expect(Math.min(...sizes)).toBeLessThanOrEqual(5);
    const gov = await one(`SELECT avg(CASE WHEN is_government = 'Y' THEN 1.0 ELSE 0 END) FROM employers`);
    expect(gov).toBeGreaterThanOrEqual(0.02);
    expect(gov).toBeLessThanOrEqual(0.12);
    // Every month from the history start to the last complete month has payroll.
    const months = await q<{ m: string }>(
      `SELECT DISTINCT substr(CAST(pay_date AS VARCHAR), 1, 7) AS m FROM payroll ORDER BY 1`,
    );
    expect(months.map((m) => m.m)).toEqual(
      Array.from({ length: 17 }, (_, i) => monthStart('2025-10-01', i).slice(0, 7)),
    );
    const perHead = async (from: string) =>
      one(
        `SELECT sum(amount) / count(DISTINCT customer_id) FROM payroll WHERE pay_date >= $1 AND pay_date < $2`,
        [from, monthStart(from, 1)],
      );
    expect(await perHead('2027-01-01')).toBeGreaterThan(1.5 * (await perHead('2026-12-01')));
    expect(await one(`SELECT count(*) FROM payroll WHERE project_code LIKE '%-BONUS'`)).toBeGreaterThan(1000);
  });

  it('payroll: new employers arrive in the window, a few move their payroll away so that churn alerts fire', async () => {
    const n = await one('SELECT count(*) FROM employers');
    const newcomers = await one(
      `SELECT count(*) FROM (SELECT employer_id FROM payroll GROUP BY employer_id HAVING min(pay_date) >= $1) x`,
      [S],
    );
    expect(newcomers / n).toBeGreaterThanOrEqual(0.02);
    expect(newcomers / n).toBeLessThanOrEqual(0.12);
    // The churn rule of METRICS.md on the generated data: avg3 ≥ 5 and L stopped, or L < 70 % of avg3.
    const months = [monthStart(L, -3), monthStart(L, -2), monthStart(L, -1), L, monthStart(L, 1)];
    const rows = await q<{ employer_id: string; k: number; heads: number }>(
      `SELECT employer_id, CASE WHEN pay_date < $2 THEN 0 WHEN pay_date < $3 THEN 1 WHEN pay_date < $4 THEN 2 ELSE 3 END AS k,
              count(DISTINCT customer_id) AS heads
         FROM payroll WHERE pay_date >= $1 AND pay_date < $5 GROUP BY 1, 2`,
      months,
    );
    const by = new Map<string, number[]>();
    for (const r of rows) {
      const h = by.get(r.employer_id) ?? [0, 0, 0, 0];
      h[Number(r.k)] = Number(r.heads);
      by.set(r.employer_id, h);
    }
    let alerts = 0;
    let eligible = 0;
    for (const h of by.values()) {
      const avg3 = ((h[0] as number) + (h[1] as number) + (h[2] as number)) / 3;
      if (avg3 < 5) continue;
      eligible++;
      if (h[3] === 0 || (h[3] as number) < 0.7 * avg3) alerts++;
    }
    expect(alerts / eligible).toBeGreaterThanOrEqual(0.02);
    expect(alerts / eligible).toBeLessThanOrEqual(0.15);
  });

  it('payroll: some customers stop being paid while others continue', async () => {
    const stopped = await one(
      `SELECT avg(CASE WHEN last_pay > $1 AND last_pay <= $2 AND months >= 3 THEN 1.0 ELSE 0 END) FROM (
         SELECT customer_id, max(pay_date) AS last_pay, count(DISTINCT substr(CAST(pay_date AS VARCHAR), 1, 7)) AS months
           FROM payroll GROUP BY customer_id) x`,
      [dateOf(dayOf(D) - 180), dateOf(dayOf(D) - 45)],
    );
    expect(stopped).toBeGreaterThanOrEqual(0.01);
    expect(stopped).toBeLessThanOrEqual(0.12);
  });

  it('pensions paid here (into the card) and at other banks; farm subsidies in county divisions only', async () => {
    const from = dateOf(dayOf(D) - 61);
    const [p] = await q<{ here: number; elsewhere: number; n: number }>(
      `SELECT avg(CASE WHEN h.customer_id IS NOT NULL THEN 1.0 ELSE 0 END) AS here,
              avg(CASE WHEN h.customer_id IS NULL AND e.customer_id IS NOT NULL THEN 1.0 ELSE 0 END) AS elsewhere, count(*) AS n
         FROM customers c
         LEFT JOIN (SELECT DISTINCT b.customer_id FROM benefit_credits b JOIN benefit_programs p ON p.program_id = b.program_id
                     WHERE p.kind = 'PENSION' AND b.credit_date >= $1) h ON h.customer_id = c.customer_id
         LEFT JOIN (SELECT DISTINCT customer_id FROM transfers WHERE direction = 'IN' AND txn_date >= $1
                       AND (remark LIKE '%养老%' OR upper(remark) LIKE '%PENSION%')) e ON e.customer_id = c.customer_id
        WHERE c.occupation = 'RETIRED' AND c.birth_date <= $2`,
      [from, yearsBefore(60)],
    );
    expect(Number(p?.here)).toBeGreaterThanOrEqual(0.4);
    expect(Number(p?.here)).toBeLessThanOrEqual(0.8);
    expect(Number(p?.elsewhere)).toBeGreaterThanOrEqual(0.1);
    expect(Number(p?.elsewhere)).toBeLessThanOrEqual(0.35);
    expect(
      await one(
        `SELECT count(*) FROM benefit_credits b JOIN accounts a ON a.account_id = b.account_id
          WHERE a.card_kind = 'SSC_GEN3' AND b.program_id LIKE 'BP-PEN-%'`,
      ),
    ).toBeGreaterThan(100);
    const farm = await q<{ division_code: string }>(
      `SELECT DISTINCT c.division_code FROM benefit_credits b JOIN benefit_programs p ON p.program_id = b.program_id
         JOIN customers c ON c.customer_id = b.customer_id WHERE p.kind = 'FARM_SUBSIDY'`,
    );
    expect(farm.length).toBeGreaterThan(0);
    expect(farm.filter((f) => !isCountyDivision(f.division_code))).toEqual([]);
  });

  it('cards, applications, apps and wallets of every kind and status', async () => {
    const n = await one('SELECT count(*) FROM customers');
    for (const kind of [
      'SSC_GEN3',
      'SSC_GEN2',
      'COUNTY_DEBIT',
      'STANDARD',
      'STANDARD_CREDIT',
      'COUNTY_CREDIT',
    ]) {
      const holders = await one(`SELECT count(DISTINCT customer_id) FROM accounts WHERE card_kind = $1`, [
        kind,
      ]);
      expect([kind, holders > 0.005 * n]).toEqual([kind, true]);
    }
    const neverActivated = await one(
      `SELECT avg(CASE WHEN activated_date IS NULL THEN 1.0 ELSE 0 END) FROM accounts WHERE card_kind = 'COUNTY_DEBIT'`,
    );
    expect(neverActivated).toBeGreaterThanOrEqual(0.15);
    expect(neverActivated).toBeLessThanOrEqual(0.45);
    expect(
      await one(`SELECT count(*) FROM accounts WHERE card_kind = 'SSC_GEN3' AND open_date >= $1`, [S]),
    ).toBeGreaterThan(0.01 * n);
    const statuses = (
      await q<{ status: string }>('SELECT DISTINCT status FROM credit_card_applications')
    ).map((s) => s.status);
    expect(statuses.sort()).toEqual(['APPROVED', 'DECLINED', 'PENDING']);
    const events = (await q<{ e: string }>(`SELECT DISTINCT app || ':' || event AS e FROM app_events`)).map(
      (r) => r.e,
    );
    expect(events.sort()).toEqual([
      'COUNTY_APP:FIRST_PAYMENT',
      'COUNTY_APP:REGISTER',
      'MOBILE_BANK:FIRST_PAYMENT',
      'MOBILE_BANK:REGISTER',
    ]);
    expect(await one('SELECT count(*) FROM ecny_wallets')).toBeGreaterThan(0.03 * n);
  });

  it('tuition remittances to listed and unlisted universities, written the messy ways real names are', async () => {
    const rows = await q<{
      name: string;
      bic: string | null;
      account: string | null;
      listed_name: number;
      listed_account: number;
    }>(
      `SELECT r.beneficiary_name AS name, r.beneficiary_bic AS bic, r.beneficiary_account AS account,
              (SELECT count(*) FROM overseas_institutions i WHERE i.institution_name = r.beneficiary_name) AS listed_name,
              (SELECT count(*) FROM overseas_institutions i WHERE i.account_no = r.beneficiary_account) AS listed_account
         FROM remittances r WHERE r.purpose = 'TUITION'`,
    );
    expect(rows.length).toBeGreaterThan(200);
    const share = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length / rows.length;
    const exact = share((r) => Number(r.listed_name) > 0);
    expect(exact).toBeGreaterThanOrEqual(0.1); // written exactly as listed …
    expect(exact).toBeLessThanOrEqual(0.4); // … but mostly not
    expect(share((r) => r.name === r.name.toUpperCase() && /[A-Z]/.test(r.name))).toBeGreaterThan(0.1);
    expect(share((r) => /\b(UNIV|Univ\.|COLL|Coll\.)/.test(r.name))).toBeGreaterThan(0.03);
    const noBic = share((r) => r.bic === null);
    expect(noBic).toBeGreaterThanOrEqual(0.3);
    expect(noBic).toBeLessThanOrEqual(0.5);
    const unlisted = share((r) => r.account !== null && Number(r.listed_account) === 0);
    expect(unlisted).toBeGreaterThanOrEqual(0.1);
    expect(unlisted).toBeLessThanOrEqual(0.4);
    expect(await one(`SELECT count(*) FROM remittances WHERE purpose <> 'TUITION'`)).toBeGreaterThan(10);
    expect(
      await one(`SELECT count(*) FROM remittances WHERE remit_date < $1`, [yearsBefore(2)]),
    ).toBeGreaterThan(50);
    expect(
      await one(`SELECT count(*) FROM overseas_institutions WHERE supports_tuition = 'N'`),
    ).toBeGreaterThan(0);
  });

  it('merchants of every type, some negative contributors, owners in every fee tier, dealers settled on a personal debit card', async () => {
    const types = (await q<{ t: string }>('SELECT DISTINCT merchant_type AS t FROM merchants'))
      .map((r) => r.t)
      .sort();
    expect(types).toEqual([
      'BUSINESS_DISTRICT',
      'CHAIN',
      'PRO_MARKET',
      'STREET',
      'SUPPLY_CHAIN_DEALER',
      'VEG_MARKET',
    ]);
    const negative = await one(
      `SELECT avg(CASE WHEN income < cost THEN 1.0 ELSE 0 END) FROM (
         SELECT merchant_id, sum(fee_income) AS income, sum(fee_cost) AS cost FROM acquiring WHERE txn_date > $1 GROUP BY merchant_id) x`,
      [dateOf(dayOf(D) - 90)],
    );
    expect(negative).toBeGreaterThanOrEqual(0.03);
    expect(negative).toBeLessThanOrEqual(0.15);
    // The owner's deposits at the end of L, bucketed by the fee tiers' floors.
    const tiers = await q<{ tier: number }>(
      `SELECT DISTINCT CASE WHEN bal >= 1000000 THEN 3 WHEN bal >= 200000 THEN 2 WHEN bal >= 50000 THEN 1 ELSE 0 END AS tier FROM (
         SELECT m.merchant_id, sum(b.balance) AS bal FROM merchants m
           JOIN accounts a ON a.customer_id = m.owner_customer_id AND a.account_type IN ('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')
           JOIN balances b ON b.account_id = a.account_id
          WHERE b.balance_date = (SELECT max(b2.balance_date) FROM balances b2 WHERE b2.account_id = a.account_id AND b2.balance_date < $1)
          GROUP BY m.merchant_id) x`,
      [monthStart(L, 1)],
    );
    expect(tiers.map((t) => Number(t.tier)).sort()).toEqual([0, 1, 2, 3]);
    expect(
      await one(
        `SELECT count(*) FROM merchants m LEFT JOIN accounts a ON a.account_id = m.settlement_account_id
          WHERE m.merchant_type = 'SUPPLY_CHAIN_DEALER' AND (a.account_type IS NULL OR a.account_type <> 'DEBIT_CARD')`,
      ),
    ).toBe(0);
    expect(
      await one(`SELECT count(*) FROM merchants WHERE merchant_type = 'SUPPLY_CHAIN_DEALER'`),
    ).toBeGreaterThan(10);
  });

  it('ID numbers are unique', async () => {
    expect(await one('SELECT count(*) - count(DISTINCT id_no) FROM customers')).toBe(0);
  });

  it('people: minors with guardians, elderly over 75, no consent, do-not-disturb, every county credit-card occupation, risk levels', async () => {
    const minorsWithout = await one(
      `SELECT avg(CASE WHEN r.related_customer_id IS NULL THEN 1.0 ELSE 0 END) FROM customers c
         LEFT JOIN (SELECT DISTINCT related_customer_id FROM relationships) r ON r.related_customer_id = c.customer_id
        WHERE c.birth_date > $1`,
      [yearsBefore(18)],
    );
    expect(minorsWithout).toBeLessThanOrEqual(0.05);
    const share = async (cond: string, params: string[] = []) =>
      one(`SELECT avg(CASE WHEN ${cond} THEN 1.0 ELSE 0 END) FROM customers`, params);
    const over75 = await share('birth_date <= $1', [yearsBefore(75)]);
    expect(over75).toBeGreaterThanOrEqual(0.04);
    expect(over75).toBeLessThanOrEqual(0.12);
    const noConsent = await share(`marketing_consent = 'N'`);
    expect(noConsent).toBeGreaterThanOrEqual(0.08);
    expect(noConsent).toBeLessThanOrEqual(0.2);
    const dnd = await share(`dnd = 'Y'`);
    expect(dnd).toBeGreaterThanOrEqual(0.02);
    expect(dnd).toBeLessThanOrEqual(0.07);
    const countyJobs = await q<{ division_code: string; occupation: string }>(
      'SELECT DISTINCT division_code, occupation FROM customers',
    );
    const inCounty = new Set(
      countyJobs.filter((r) => isCountyDivision(r.division_code)).map((r) => r.occupation),
    );
    for (const job of [...COUNTY_CREDIT_OCCUPATIONS, 'FARMER', 'RURAL_WORKER', 'MIGRANT_WORKER']) {
      expect([job, inCounty.has(job)]).toEqual([job, true]);
    }
    const adultsWithoutRisk = await one(
      `SELECT avg(CASE WHEN risk_level IS NULL THEN 1.0 ELSE 0 END) FROM customers WHERE birth_date <= $1`,
      [yearsBefore(18)],
    );
    expect(adultsWithoutRisk).toBeGreaterThanOrEqual(0.1);
    expect(adultsWithoutRisk).toBeLessThanOrEqual(0.35);
    expect(await share('customer_since >= $1', [S])).toBeGreaterThanOrEqual(0.03);
  });

  it('balances: a row only when the balance changes, moving within the month so ADB differs from the end of day', async () => {
    expect(
      await one(
        `SELECT count(*) FROM (SELECT balance, lag(balance) OVER (PARTITION BY account_id ORDER BY balance_date) AS prev FROM balances) x
          WHERE balance = prev`,
      ),
    ).toBe(0);
    const moving = await one(
      `SELECT avg(CASE WHEN n >= 3 THEN 1.0 ELSE 0 END) FROM (
         SELECT p.customer_id, count(DISTINCT b.balance_date) AS n FROM (SELECT DISTINCT customer_id, account_id FROM payroll) p
           LEFT JOIN balances b ON b.account_id = p.account_id AND b.balance_date >= $1 AND b.balance_date < $2
          GROUP BY p.customer_id) x`,
      [L, monthStart(L, 1)],
    );
    expect(moving).toBeGreaterThanOrEqual(0.6);
    expect(await one(`SELECT count(*) FROM balances WHERE balance < 0`)).toBe(0);
  });
});
