// `wangji report weekly` end to end on the hand-made bank, on both engines: the three file formats
// (the CSV's bytes and columns, the JSON's exact decimals), the messages, and the exit codes.

import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { run } from '../cli/main.js';
import { D, insertBriefingBank, P, parseCsv } from './testing.js';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: await run(['node', 'wangji', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describeEachEngine('wangji report weekly', (engine) => {
  let db: TestDb;
  const dir = mkdtempSync(join(tmpdir(), 'wangji-report-'));
  beforeAll(async () => {
    db = await engine.open();
    await insertBriefingBank(db);
    await db.release(); // the CLI opens the database itself
  });
  afterAll(async () => {
    await db?.close();
  });
  const weekly = (...args: string[]) => cli('report', 'weekly', '--db', db.target.location, ...args);

  it('writes a CSV: UTF-8 with BOM, a row per KPI and org, exact decimals, neutralised text', async () => {
    const file = join(dir, 'b.csv');
    const r = await weekly('--as-of', D, '--out', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Weekly briefing as of ${D} (compared with ${P})`);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('\r\n');
    const [head, ...rows] = parseCsv(text);
    expect(head?.slice(0, 13)).toEqual([
      '指标代码',
      '指标',
      '层级',
      '机构号／员工号',
      '名称',
      '上级机构号',
      '上级机构',
      '考核周期',
      '周期开始',
      '周期结束',
      '完成值',
      '目标',
      '完成率',
    ]);
    expect(rows).toHaveLength(5 + 5 + 12 + 5 + 3); // NEW_CUSTOMERS, PAYROLL_AMOUNT, SSC (Q4, SEASON, Q1), ADB, COUNTY
    const b1 = rows.find((x) => x[0] === 'DEPOSIT_ADB_GROWTH' && x[3] === 'B1') as string[];
    const col = (name: string) => b1[(head as string[]).indexOf(name)];
    expect([col('指标'), col('层级'), col('名称'), col('完成值'), col('目标'), col('完成率')]).toEqual([
      '存款日均增量',
      '分行',
      '北京分行',
      '1234567.89',
      '5000000.00',
      '0.2469140000',
    ]);
    expect([col('较上周增加'), col('排名变化（正数为上升）'), col('是否落后'), col('日均需增')]).toEqual([
      '234567.79',
      '0',
      '是',
      '47067.90',
    ]);
  });

  it('writes JSON with decimals as exact strings', async () => {
    const file = join(dir, 'b.json');
    expect((await weekly('--as-of', D, '--out', file, '--program', 'payroll', '--lang', 'en')).code).toBe(0);
    const j = JSON.parse(readFileSync(file, 'utf8'));
    expect(j).toMatchObject({
      asOf: D,
      previousAsOf: P,
      season: { label: '2026-27', daysLeft: 80 },
      phase: { phase: 'NEW_YEAR', daysLeft: 41 },
      program: 'PAYROLL',
      levels: ['BRANCH'],
    });
    expect(j.kpis.map((k: { kpi: string }) => k.kpi)).toEqual([
      'NEW_CUSTOMERS',
      'PAYROLL_AMOUNT',
      'SSC_GEN3_ISSUED',
      'DEPOSIT_ADB_GROWTH',
    ]);
    const adb = j.kpis[3];
    expect(adb).toMatchObject({ name: 'Deposit ADB growth', unit: 'YUAN', balance: true });
    expect(adb.rows.find((r: { scope_id: string }) => r.scope_id === 'B1')).toMatchObject({
      actual: '1234567.89',
      delta_actual: '234567.79',
      completion: '0.2469140000',
      rank: 4,
      daily_needed: '47067.90',
    });
  });

  it('writes the workbook of a view', async () => {
    const file = join(dir, 'ssc.xlsx');
    const r = await weekly('--as-of', D, '--view', 'ssc_gen3', '--out', file, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      levels: ['BRANCH', 'OUTLET', 'STAFF'],
      kpis: [
        { kpi: 'SSC_GEN3_ISSUED', level: 'BRANCH', rows: 10 },
        { kpi: 'SSC_GEN3_ISSUED', level: 'OUTLET', rows: 6 },
        { kpi: 'SSC_GEN3_ISSUED', level: 'STAFF', rows: 2 },
      ],
    });
    expect(existsSync(file)).toBe(true);
  });

  it('says what to run when nothing was published for D, and refuses unknown file types and options', async () => {
    const missing = await weekly('--as-of', '2027-01-17', '--out', join(dir, 'x.xlsx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'wangji: no KPI progress published for 2027-01-17: run `wangji run --as-of 2027-01-17` first\n',
    );
    expect(existsSync(join(dir, 'x.xlsx'))).toBe(false);
    const pdf = await weekly('--as-of', D, '--out', join(dir, 'x.pdf'));
    expect(pdf.code).toBe(2);
    expect(pdf.stderr).toContain('must end in .xlsx, .csv or .json');
    const level = await weekly('--as-of', D, '--level', 'HQ', '--out', join(dir, 'x.csv'));
    expect(level.code).not.toBe(0);
    expect(level.stderr).toContain('must be one of BRANCH, SUBBRANCH, OUTLET, STAFF');
  });
});
