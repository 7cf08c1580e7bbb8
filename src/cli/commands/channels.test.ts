// wangji channels send | callback and wangji notices email through the CLI, on both engines: the
// batch files land where the ops config says, the callback file applied twice changes nothing the
// second time, and the printed output carries no phone number.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { bank, RAW } from '../../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../../test/engines.js';
import { insertBank } from '../../../test/hand-made.js';
import { MOBILE } from '../../../test/server.js';
import { run } from '../main.js';

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

const D = '2027-01-20';

describeEachEngine('wangji channels', (engine) => {
  let db: TestDb;
  let dir: string;
  let ops: string;

  beforeAll(async () => {
    db = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'wangji-cli-channels-'));
    await insertBank(db, bank);
    await db.exec(
      `INSERT INTO leads VALUES (1, DATE '2026-11-15', 'WEALTH', 'CUSTOMER', 'C1', 'C1', 'C1', NULL, '{"age": 46}', '{"age": 46}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, 0.5, FALSE, FALSE)`,
    );
    await db.exec(
      `INSERT INTO tasks VALUES (1, 1, 'WEALTH', 'C1', 'RC', NULL, 'SMS', 'O1', 'OPEN', NULL, DATE '${D}', DATE '${D}', DATE '2027-01-27', NULL, NULL, NULL)`,
    );
    await db.release();
    ops = join(dir, 'wangji.yaml');
    writeFileSync(ops, `channels:\n  sms:\n    outDir: ${JSON.stringify(join(dir, 'sms'))}\n`);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends nothing in the quiet hours, then the batch; applies a callback file once', async () => {
    const db2 = ['--db', db.target.location, '--ops-config', ops];
    const night = await cli(
      'channels',
      'send',
      '--channel',
      'SMS',
      '--at',
      '2027-01-20T22:00:00+08:00',
      ...db2,
      '--json',
    );
    expect(night.code).toBe(0);
    expect(JSON.parse(night.stdout)[0]).toMatchObject({
      status: 'EMPTY',
      skippedReasons: { QUIET_HOURS: 1 },
    });
    const morning = await cli(
      'channels',
      'send',
      '--channel',
      'SMS',
      '--at',
      '2027-01-21T09:00:00+08:00',
      ...db2,
    );
    expect(morning.code).toBe(0);
    expect(morning.stdout).toContain('SENT');
    expect(readdirSync(join(dir, 'sms'))).toEqual([
      expect.stringMatching(/^sms-000001-20270121T010000Z\.jsonl$/),
    ]);
    const file = join(dir, 'cb.jsonl');
    writeFileSync(
      file,
      '{"batch_id":1,"line_no":1,"status":"REFUSED_ALL","at":"2027-01-21T09:30:00+08:00"}\n',
    );
    const first = await cli('channels', 'callback', file, '--db', db.target.location, '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ applied: 1, duplicates: 0 });
    const second = await cli('channels', 'callback', file, '--db', db.target.location, '--json');
    expect(JSON.parse(second.stdout)).toMatchObject({ applied: 0, duplicates: 1 });
    for (const o of [night, morning, first, second]) {
      expect(o.stdout + o.stderr).not.toMatch(MOBILE);
      expect(o.stdout + o.stderr).not.toContain(RAW.C1.phone);
    }
  });
});
