// The LOAD entry of a failed load, on both engines: the loader's message may quote the file (a file
// delivered without its header row names its first record as the header), and the audit log is
// append-only — an ID number or phone written there can never be removed. The entry keeps the
// message with its digit runs masked, as the loads API shows it.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { auditedLoad, auditedRun } from './audited.js';

const ID_NO = '420102199001011234';
const PHONE = '13800000001';

let work: string;
let drop: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wangji-audited-'));
  drop = join(work, 'no-header');
  mkdirSync(drop);
  // The header row is missing: the first record is read as the header.
  writeFileSync(
    join(drop, 'customers.csv'),
    `C1,张三丰,ID_CARD,${ID_NO},F,1950-06-01,${PHONE},O1,AM1,420102,C3,Y,N,2020-01-01\n`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describeEachEngine('auditedLoad', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('audits a failed load without the ID numbers and phones of its header-less file', async () => {
    const report = await auditedLoad(db, drop, { actor: 'test', today: '2027-01-20' });
    expect(report.status).toBe('FAILED');
    // The loader names a lost header's values by their length, never the first record's personal data
    // (found by the extract fuzz, #9); the audit entry carries the same words.
    expect(report.message).toContain('(18 characters)');
    expect(report.message).not.toContain(ID_NO);
    expect(report.message).not.toContain(PHONE);
    const [entry] = await db.query<{ detail: string }>(`SELECT detail FROM audit_log WHERE action = 'LOAD'`);
    const detail = String(entry?.detail);
    expect(detail).not.toContain(ID_NO);
    expect(detail).not.toContain(PHONE);
    expect(JSON.parse(detail).message).toContain('missing columns customer_id');
  });

  it('audits a failed run without the digits its message quotes', async () => {
    const season = { config: loadSeasonConfig(), source: { file: null, sha256: 'x'.repeat(64) } };
    await expect(auditedRun(db, { actor: 'test', asOf: PHONE, season })).rejects.toThrow();
    const [entry] = await db.query<{ detail: string }>(`SELECT detail FROM audit_log WHERE action = 'RUN'`);
    const detail = String(entry?.detail);
    expect(JSON.parse(detail)).toMatchObject({
      status: 'FAILED',
      message: expect.stringMatching(/^run failed: /),
    });
    // The message quotes the value (the as-of asked for is kept as asked, in as_of).
    expect(JSON.parse(detail).message).not.toContain(PHONE);
    expect(JSON.parse(detail).message).toContain('138****0001');
  });
});
