// The loader on a whole drop: the sample bank, re-delivery, upserts, snapshots, Parquet.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { generateBank } from '../generator/bank.js';
import { PACKAGE_ROOT } from '../paths.js';
import { EXTRACTS } from './contract.js';
import { loadDrop } from './loader.js';

const BASE = join(PACKAGE_ROOT, 'test', 'fixtures', 'base');
const TODAY = '2026-11-28';
let work: string;
let sample: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-loader-'));
  sample = join(work, 'sample');
  await generateBank({ customers: 300, seed: 11, asOf: TODAY, out: sample });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A drop folder holding the given files (name → content). */
function drop(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(BASE, dir, { recursive: true, filter: () => true });
  for (const f of [...Object.keys(files)]) writeFileSync(join(dir, f), files[f] as string);
  return dir;
}

/** Only the given files. */
function dropOnly(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(BASE, dir, {
    recursive: true,
    filter: (src) => src === BASE || Object.hasOwn(files, src.slice(BASE.length + 1)),
  });
  for (const f of Object.keys(files)) writeFileSync(join(dir, f), files[f] as string);
  return dir;
}

/** Every table's rows, in key order: to compare database states exactly. */
async function snapshot(db: TestDb): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const e of EXTRACTS) {
    out[e.name] = await db.query(
      `SELECT * FROM ${e.name} ORDER BY ${e.columns.map((c) => c.name).join(', ')}`,
    );
  }
  return out;
}

describeEachEngine('loader', (engine) => {
  let db: TestDb;
  beforeEach(async () => {
    db = await engine.open();
  });
  afterEach(async () => db?.close());

  it('loads the whole sample bank, reconciles with its manifest, and a re-delivery changes nothing', async () => {
    const manifest = JSON.parse(readFileSync(join(sample, 'manifest.json'), 'utf8'));
    const first = await loadDrop(db, sample);
    expect(first.status).toBe('APPLIED');
    expect(first.asOf).toBe(TODAY);
    expect(first.files).toHaveLength(EXTRACTS.length);
    for (const f of first.files) {
      expect([f.extract, f.read, f.loaded, f.quarantined]).toEqual([
        f.extract,
        manifest.files[f.extract].rows,
        f.read,
        0,
      ]);
      const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${f.extract}`)) as [
        { n: number },
      ];
      expect([f.extract, n]).toEqual([f.extract, f.read]);
    }
    const before = await snapshot(db);
    const again = await loadDrop(db, sample);
    expect(again.status).toBe('APPLIED');
    for (const f of again.files.filter((x) => EXTRACTS.find((e) => e.name === x.extract)?.kind === 'fact')) {
      expect([f.extract, f.inserted, f.updated, f.unchanged]).toEqual([f.extract, 0, 0, f.loaded]);
    }
    expect(await snapshot(db)).toEqual(before);
    const loads = await db.query('SELECT load_id, status, rows_read FROM loads ORDER BY load_id');
    expect(loads).toEqual([
      { load_id: first.loadId, status: 'APPLIED', rows_read: first.totals.read },
      { load_id: again.loadId, status: 'APPLIED', rows_read: again.totals.read },
    ]);
    const files = await db.query<{ n: number }>('SELECT count(*) AS n FROM load_files WHERE load_id = $1', [
      first.loadId,
    ]);
    expect(files).toEqual([{ n: EXTRACTS.length }]);
  });

  it('fact upsert: a changed row replaces the stored one by key, new keys are added', async () => {
    await loadDrop(db, BASE, { today: TODAY });
    const header = 'payroll_id,employer_id,project_code,customer_id,account_id,pay_date,amount\n';
    const a = '6228480000000000018';
    const r = await loadDrop(
      db,
      dropOnly('upsert', {
        'payroll.csv': `${header}P001,E001,E001-P1,C001,${a},2026-10-10,8500.00\nP002,E001,E001-P1,C001,${a},2026-11-10,9100.00\nP003,E001,E001-P1,C001,${a},2026-11-25,100.00\n`,
      }),
      { today: TODAY },
    );
    expect(r.files[0]).toMatchObject({ loaded: 3, inserted: 2, updated: 1, unchanged: 1 });
    expect(await db.query('SELECT payroll_id, amount FROM payroll ORDER BY payroll_id')).toEqual([
      { payroll_id: 'P001', amount: '8500.00' },
      { payroll_id: 'P002', amount: '9100.00' },
      { payroll_id: 'P003', amount: '100.00' },
    ]);
  });

  it('CSV: header in any order and case, CRLF line ends, values trimmed', async () => {
    await loadDrop(db, BASE, { today: TODAY });
    const r = await loadDrop(
      db,
      dropOnly('crlf', {
        'payroll.csv':
          'AMOUNT,Pay_Date,payroll_id,customer_id,account_id,employer_id,project_code\r\n 12.5 ,2026-11-20,P900, C001 ,6228480000000000018,E001,\r\n',
      }),
      { today: TODAY },
    );
    expect(r.files[0]).toMatchObject({ read: 1, loaded: 1, quarantined: 0 });
    expect(
      await db.query(`SELECT customer_id, amount, project_code FROM payroll WHERE payroll_id = 'P900'`),
    ).toEqual([{ customer_id: 'C001', amount: '12.50', project_code: null }]);
  });

  it('app events: across deliveries the earliest date stands', async () => {
    await loadDrop(db, BASE, { today: TODAY });
    const h = 'customer_id,app,event,event_date\n';
    await loadDrop(db, dropOnly('app1', { 'app_events.csv': `${h}C001,county_app,register,2026-10-01\n` }), {
      today: TODAY,
    });
    const later = await loadDrop(
      db,
      dropOnly('app2', { 'app_events.csv': `${h}C001,COUNTY_APP,REGISTER,2026-11-01\n` }),
      {
        today: TODAY,
      },
    );
    expect(later.files[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const earlier = await loadDrop(
      db,
      dropOnly('app3', { 'app_events.csv': `${h}C001,COUNTY_APP,REGISTER,2026-09-15\n` }),
      {
        today: TODAY,
      },
    );
    expect(earlier.files[0]).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    expect(await db.query('SELECT customer_id, app, event, event_date FROM app_events')).toEqual([
      { customer_id: 'C001', app: 'COUNTY_APP', event: 'REGISTER', event_date: '2026-09-15' },
    ]);
  });

  it('reference snapshot: a new delivery replaces the table', async () => {
    await loadDrop(db, BASE, { today: TODAY });
    const r = await loadDrop(
      db,
      dropOnly('snap', {
        'staff.csv':
          'staff_id,org_id,staff_name,role,team\nS001,BR01S1O1,李娜,OUTLET_MANAGER,\nS004,BR01S1O1,赵敏,TELLER,\n',
      }),
      { today: TODAY },
    );
    expect(r.files[0]).toMatchObject({ loaded: 2, inserted: 2 });
    expect(await db.query('SELECT staff_id, role FROM staff ORDER BY staff_id')).toEqual([
      { staff_id: 'S001', role: 'OUTLET_MANAGER' },
      { staff_id: 'S004', role: 'TELLER' },
    ]);
  });

  it('orgs: HQ has no parent, every other level has a known one', async () => {
    const r = await loadDrop(
      db,
      dropOnly('orgs', {
        'orgs.csv':
          'org_id,org_name,level,parent_id,division_code\nHQ,总行,HQ,,420100\nBR01,分行,BRANCH,HQ,420100\nBR02,分行,BRANCH,,420100\nBR03,分行,BRANCH,XX,420100\nHQ2,总行,HQ,BR01,420100\n',
      }),
      { today: TODAY },
    );
    const q = await db.query(
      'SELECT line, column_name, reason FROM quarantine WHERE load_id = $1 ORDER BY line',
      [r.loadId],
    );
    expect(q).toEqual([
      { line: 4, column_name: 'parent_id', reason: 'required below HQ' },
      { line: 5, column_name: 'parent_id', reason: 'unknown orgs.org_id' },
      { line: 6, column_name: 'parent_id', reason: 'HQ has no parent' },
    ]);
  });

  it('Parquet: loads the same rows as CSV; floating-point money is refused', async () => {
    const dir = join(work, `parquet-${engine.kind}`);
    rmSync(dir, { recursive: true, force: true });
    cpSync(BASE, dir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    for (const [name, money] of [
      ['payroll', 'amount'],
      ['balances', 'balance'],
    ]) {
      // Parquet with real types: dates as DATE, money as DECIMAL.
      await conn.run(
        `COPY (SELECT * FROM read_csv('${join(dir, `${name}.csv`)}', types = {'${money}': 'DECIMAL(18,2)'})) TO '${join(dir, `${name}.parquet`)}' (FORMAT parquet)`,
      );
      rmSync(join(dir, `${name}.csv`));
    }
    const r = await loadDrop(db, dir, { today: TODAY });
    expect(r.status).toBe('APPLIED');
    expect(r.files.find((f) => f.file === 'payroll.parquet')).toMatchObject({
      format: 'parquet',
      read: 2,
      loaded: 2,
    });
    expect(await db.query('SELECT payroll_id, pay_date, amount FROM payroll ORDER BY payroll_id')).toEqual([
      { payroll_id: 'P001', pay_date: '2026-10-10', amount: '8500.00' },
      { payroll_id: 'P002', pay_date: '2026-11-10', amount: '8500.00' },
    ]);
    await conn.run(
      `COPY (SELECT payroll_id, employer_id, project_code, customer_id, account_id, pay_date, CAST(amount AS DOUBLE) AS amount FROM read_parquet('${join(dir, 'payroll.parquet')}')) TO '${join(dir, 'float.parquet')}' (FORMAT parquet)`,
    );
    conn.closeSync();
    instance.closeSync();
    const floatDir = dropOnly(`float-${engine.kind}`, {});
    cpSync(join(dir, 'float.parquet'), join(floatDir, 'payroll.parquet'));
    const bad = await loadDrop(db, floatDir, { today: TODAY });
    expect(bad).toMatchObject({
      status: 'FAILED',
      message:
        'payroll.parquet: column amount is DOUBLE: money must be DECIMAL or text, never floating point',
    });
  });

  it('refuses a drop listing a file it does not hold, or holding one its manifest does not list', async () => {
    const dir = drop('manifest-extra', {});
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ as_of: TODAY, files: {} }));
    const r = await loadDrop(db, dir);
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(/not listed in manifest\.json$/);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({ as_of: TODAY, files: { prospects: { rows: 1, sha256: '0'.repeat(64) } } }),
    );
    expect((await loadDrop(db, dir)).message).toBe(
      'manifest.json: lists prospects, but the folder has no prospects file',
    );
    writeFileSync(join(dir, 'manifest.json'), '{"as_of": "2026-02-30", "files": {}}');
    expect((await loadDrop(db, dir)).message).toBe('manifest.json: as_of must be a real date YYYY-MM-DD');
  });
});
