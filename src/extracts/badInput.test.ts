// The bad-input corpus (test/fixtures/bad-input): each case is loaded on top of the valid base drop
// and its exact outcome asserted — what was loaded, what was quarantined with which reason, and that
// nothing was lost (read = loaded + quarantined + collapsed) or half-applied.

import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { PACKAGE_ROOT } from '../paths.js';
import { loadDrop } from './loader.js';
import type { FileReport, LoadReport } from './report.js';

const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures');
const TODAY = '2026-11-28';
const load = (db: TestDb, dir: string, delimiter?: string) =>
  loadDrop(db, join(FIXTURES, dir), { today: TODAY, delimiter });

function file(r: LoadReport, name: string): FileReport {
  const f = r.files.find((x) => x.file === name);
  if (!f) throw new Error(`${name} not in report: ${r.message}`);
  expect(f.read).toBe(f.loaded + f.quarantined + f.collapsed);
  return f;
}

async function quarantine(db: TestDb, loadId: number) {
  return db.query<{ line: number; column_name: string | null; value: string | null; reason: string }>(
    'SELECT line, column_name, value, reason FROM quarantine WHERE load_id = $1 ORDER BY line, column_name',
    [loadId],
  );
}

const count = async (db: TestDb, table: string) =>
  Number((await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);

describeEachEngine('bad-input corpus', (engine) => {
  let db: TestDb;
  beforeEach(async () => {
    db = await engine.open();
    const base = await load(db, 'base');
    expect(base.status).toBe('APPLIED');
    expect(base.totals.quarantined).toBe(0);
  });
  afterEach(async () => db?.close());

  it('base drop: every file loads completely', async () => {
    expect(await count(db, 'customers')).toBe(3);
    expect(await count(db, 'payroll')).toBe(2);
    expect(await db.query('SELECT sum(amount) AS s FROM payroll')).toEqual([{ s: '17000.00' }]);
  });

  it('truncated file: the cut-off last record is quarantined, the rest loads', async () => {
    const r = await load(db, 'bad-input/truncated');
    expect(r.status).toBe('APPLIED');
    expect(file(r, 'payroll.csv')).toMatchObject({ read: 2, loaded: 1, quarantined: 1 });
    const q = await quarantine(db, r.loadId);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ line: 3, column_name: null });
    expect(q[0]?.reason).toMatch(/^unreadable record: MISSING COLUMNS/);
    expect(await count(db, 'payroll')).toBe(3);
  });

  it('wrong header: the drop fails naming file and column, nothing applied', async () => {
    const r = await load(db, 'bad-input/wrong-header');
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(/^customers\.csv: missing column name \(header: customer_id,nam,/);
    expect(await db.query(`SELECT name FROM customers WHERE customer_id = 'C001'`)).toEqual([
      { name: '张三丰' },
    ]);
    expect(await db.query('SELECT status, message FROM loads WHERE load_id = $1', [r.loadId])).toEqual([
      { status: 'FAILED', message: r.message },
    ]);
  });

  it('extra column: ignored and reported', async () => {
    const r = await load(db, 'bad-input/extra-column');
    expect(file(r, 'staff.csv')).toMatchObject({ read: 3, loaded: 3, extraColumns: ['email'] });
  });

  it('bad dates: impossible, malformed, out-of-range and missing dates are quarantined with reasons', async () => {
    const r = await load(db, 'bad-input/bad-dates');
    expect(file(r, 'payroll.csv')).toMatchObject({ read: 6, loaded: 1, quarantined: 5 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.column_name, x.value, x.reason])).toEqual([
      [2, 'pay_date', '2026-02-30', 'not a real calendar date YYYY-MM-DD'],
      [3, 'pay_date', '2026/11/10', 'not a real calendar date YYYY-MM-DD'],
      [4, 'pay_date', '1999-12-31', 'date outside 2000-01-01…2026-11-28'],
      [5, 'pay_date', '2026-11-29', 'date outside 2000-01-01…2026-11-28'],
      [7, 'pay_date', null, 'required value missing'],
    ]);
    expect(await db.query(`SELECT pay_date FROM payroll WHERE payroll_id = 'P305'`)).toEqual([
      { pay_date: '2024-02-29' },
    ]);
  });

  it('amounts: negative, over-precise, non-numeric, too large and missing are refused; balances may be negative', async () => {
    const r = await load(db, 'bad-input/amounts');
    expect(file(r, 'payroll.csv')).toMatchObject({ read: 6, loaded: 1, quarantined: 5 });
    expect(file(r, 'balances.csv')).toMatchObject({ read: 1, loaded: 1, quarantined: 0 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.value, x.reason])).toEqual([
      [2, '-5.00', 'negative amount'],
      [3, '10.123', 'more than 2 decimal places'],
      [4, 'abc', 'not a decimal number'],
      [5, '12345678901234567.00', 'amount too large'],
      [7, null, 'required value missing'],
    ]);
    expect(await db.query(`SELECT amount FROM payroll WHERE payroll_id = 'P405'`)).toEqual([
      { amount: '7.00' },
    ]);
    expect(await db.query(`SELECT balance FROM balances WHERE balance_date = '2026-11-20'`)).toEqual([
      { balance: '-150.25' },
    ]);
  });

  it('enumerations: case-insensitive and stored upper-case; unknown values quarantined', async () => {
    const r = await load(db, 'bad-input/unknown-enum');
    expect(file(r, 'customers.csv')).toMatchObject({ read: 3, loaded: 1, quarantined: 2 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.column_name, x.value, x.reason])).toEqual([
      [3, 'gender', 'X', 'not one of M, F'],
      [4, 'occupation', 'ASTRONAUT', expect.stringMatching(/^not one of CIVIL_SERVANT, MILITARY/)],
    ]);
    expect(
      await db.query('SELECT gender, occupation, risk_level, marketing_consent, dnd FROM customers'),
    ).toEqual([
      { gender: 'M', occupation: 'ENTERPRISE', risk_level: 'C3', marketing_consent: 'Y', dnd: 'N' },
    ]);
  });

  it('check digits: a broken ID number or card number is quarantined; passports are not checked', async () => {
    const r = await load(db, 'bad-input/broken-check-digits');
    expect(file(r, 'customers.csv')).toMatchObject({ read: 4, loaded: 3, quarantined: 1 });
    // C001 is not in today's snapshot, so its card is refused too; 6228…27 fails the Luhn check.
    expect(file(r, 'accounts.csv')).toMatchObject({ read: 3, loaded: 1, quarantined: 2 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.column_name, x.reason])).toEqual([
      [2, 'customer_id', 'unknown customers.customer_id'],
      [2, 'id_no', expect.stringMatching(/GB 11643-1999/)],
      [3, 'account_id', 'card number fails the Luhn check (16–19 digits)'],
    ]);
    expect(await db.query(`SELECT id_no FROM customers WHERE customer_id = 'C003'`)).toEqual([
      { id_no: '42010220150601300X' },
    ]);
  });

  it('payroll row for an unknown customer or employer: quarantined, the rest loads', async () => {
    const r = await load(db, 'bad-input/unknown-customer');
    expect(file(r, 'payroll.csv')).toMatchObject({ read: 3, loaded: 1, quarantined: 2 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.column_name, x.value, x.reason])).toEqual([
      [3, 'customer_id', 'C999', 'unknown customers.customer_id'],
      [4, 'employer_id', 'E009', 'unknown employers.employer_id'],
    ]);
  });

  it('duplicate keys in a file: identical rows collapse, differing rows are all quarantined', async () => {
    const r = await load(db, 'bad-input/duplicate-keys');
    expect(file(r, 'payroll.csv')).toMatchObject({ read: 5, loaded: 2, quarantined: 2, collapsed: 1 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.value, x.reason])).toEqual([
      [3, 'P202', 'duplicate key with different values in this file'],
      [5, 'P202', 'duplicate key with different values in this file'],
    ]);
    expect(await db.query(`SELECT payroll_id FROM payroll WHERE payroll_id LIKE 'P2%' ORDER BY 1`)).toEqual([
      { payroll_id: 'P201' },
      { payroll_id: 'P203' },
    ]);
  });

  it('GBK file: detected and converted', async () => {
    const r = await load(db, 'bad-input/gbk');
    expect(file(r, 'customers.csv')).toMatchObject({ encoding: 'GBK', read: 3, loaded: 3 });
    expect(await db.query(`SELECT name FROM customers ORDER BY customer_id`)).toEqual([
      { name: '张三丰' },
      { name: '王秀英' },
      { name: '李小明' },
    ]);
  });

  it('empty file: the drop fails naming the file', async () => {
    const r = await load(db, 'bad-input/empty-file');
    expect(r).toMatchObject({ status: 'FAILED', message: 'payroll.csv: empty file: no header row' });
    expect(await count(db, 'payroll')).toBe(2);
  });

  it('manifest mismatch (rows or hash): the drop fails, nothing applied', async () => {
    const rows = await load(db, 'bad-input/manifest-rows');
    expect(rows).toMatchObject({
      status: 'FAILED',
      message: 'payroll.csv: 1 rows read, but manifest.json says 2',
    });
    const hash = await load(db, 'bad-input/manifest-hash');
    expect(hash.status).toBe('FAILED');
    expect(hash.message).toMatch(/^payroll\.csv: sha256 [0-9a-f]{64} does not match manifest\.json/);
    expect(await count(db, 'payroll')).toBe(2);
  });

  it('| delimiter and UTF-8 BOM, with a quoted delimiter inside a value', async () => {
    const r = await load(db, 'bad-input/pipe-bom', '|');
    expect(file(r, 'payroll.csv')).toMatchObject({
      encoding: 'UTF-8 (BOM)',
      read: 3,
      loaded: 2,
      quarantined: 1,
    });
    expect(
      await db.query(
        `SELECT payroll_id, project_code, amount FROM payroll WHERE payroll_id LIKE 'P7%' ORDER BY 1`,
      ),
    ).toEqual([
      { payroll_id: 'P701', project_code: 'E001-P1', amount: '1234.00' },
      { payroll_id: 'P702', project_code: 'G|1', amount: '99.50' },
    ]);
  });

  it('unknown extract name: the drop fails naming the file', async () => {
    const r = await load(db, 'bad-input/unknown-extract');
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(/^salaries\.csv: unknown extract/);
  });

  it('stray quote: the rest of the file cannot be read, so the drop fails instead of losing rows', async () => {
    const r = await load(db, 'bad-input/stray-quote');
    expect(r).toMatchObject({
      status: 'FAILED',
      message:
        'customers.csv: unterminated quote in the record at line 2: the rest of the file cannot be read',
    });
    expect(await count(db, 'customers')).toBe(3);
  });

  it('line numbers stay right after an unreadable record; trailing zeros are not extra decimals', async () => {
    const r = await load(db, 'bad-input/after-reject');
    expect(file(r, 'payroll.csv')).toMatchObject({ read: 4, loaded: 1, quarantined: 3 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.column_name, x.reason.replace(/:.*/, '')])).toEqual([
      [2, null, 'unreadable record'],
      [3, 'amount', 'more than 2 decimal places'],
      [5, 'amount', 'negative amount'],
    ]);
    expect(await db.query(`SELECT amount FROM payroll WHERE payroll_id = 'P803'`)).toEqual([
      { amount: '12.34' },
    ]);
  });

  it('a refused org takes its subtree with it: no row may point to a parent that was not loaded', async () => {
    const r = await load(db, 'bad-input/orphan-subtree');
    expect(file(r, 'orgs.csv')).toMatchObject({ read: 9, loaded: 6, quarantined: 3 });
    const q = await quarantine(db, r.loadId);
    expect(q.map((x) => [x.line, x.column_name, x.reason])).toEqual([
      [8, 'level', expect.stringMatching(/^not one of HQ/)],
      [9, 'parent_id', 'refers to a row refused in this file'],
      [10, 'parent_id', 'refers to a row refused in this file'],
    ]);
  });

  it('mixed encodings: a UTF-8 file with a GBK row is refused rather than garbled', async () => {
    const r = await load(db, 'bad-input/mixed-encoding');
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(/^staff\.csv: mixes UTF-8 with bytes of another encoding/);
    expect(await db.query(`SELECT staff_name FROM staff WHERE staff_id = 'S001'`)).toEqual([
      { staff_name: '李娜' },
    ]);
  });

  it('atomic: a failing file undoes the files applied before it', async () => {
    const r = await load(db, 'bad-input/atomic');
    expect(r).toMatchObject({ status: 'FAILED', message: 'payroll.csv: empty file: no header row' });
    expect(await count(db, 'orgs')).toBe(6);
    expect(await db.query(`SELECT org_id FROM orgs WHERE org_id = 'BR02'`)).toEqual([]);
  });

  it('soft reference: an unknown manager is kept and counted as a warning', async () => {
    const r = await load(db, 'bad-input/soft-reference');
    expect(file(r, 'customers.csv')).toMatchObject({
      loaded: 3,
      quarantined: 0,
      warnings: { manager_id: 1 },
    });
    expect(await db.query(`SELECT manager_id FROM customers WHERE customer_id = 'C001'`)).toEqual([
      { manager_id: 'S999' },
    ]);
  });
});
