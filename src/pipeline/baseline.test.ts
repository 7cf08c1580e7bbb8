// A second, independent implementation of METRICS.md — bench/baseline.sql, the hand-written DuckDB
// script the daily-run benchmark is timed against — must compute the same tables as the pipeline at
// the awkward dates: before the season, on S, on a month's last and first days, on a leap day. The
// pipeline runs the dates out of order, so its cache of completed balance periods is exercised too.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineStatements, compareWithPublished, type SqlRunner } from '../../bench/baseline.js';
import { duckdbEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { loadDrop } from '../extracts/loader.js';
import { generateBank } from '../generator/bank.js';
import { runPipeline } from './runner.js';

const config = loadSeasonConfig();

const cases: { bank: string; dates: string[] }[] = [
  {
    bank: '2027-02-05',
    dates: ['2026-12-01', '2026-10-31', '2026-11-15', '2026-11-30', '2027-01-31', '2027-02-01', '2027-02-05'],
  },
  { bank: '2028-02-29', dates: ['2028-02-29', '2028-02-28'] },
];

for (const c of cases) {
  describe(`the pipeline agrees with the expert baseline script (bank as of ${c.bank}) [duckdb]`, () => {
    let work: string;
    let db: TestDb;
    const runner = (): SqlRunner => ({
      exec: (sql) => db.exec(sql),
      count: async (sql) => Number(Object.values((await db.query(sql))[0] ?? {})[0]),
    });
    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'wangji-baseline-'));
      await generateBank({ customers: 1200, seed: 9, asOf: c.bank, out: work });
      db = await duckdbEngine.open();
      await loadDrop(db, work);
    }, 120_000);
    afterAll(async () => {
      await db?.close();
      rmSync(work, { recursive: true, force: true });
    });

    it.each(c.dates)('as of %s', async (asOf) => {
      const run = await runPipeline(db, { asOf, config });
      expect(run.status, run.message ?? '').toBe('PUBLISHED');
      for (const statement of baselineStatements(asOf, config)) await runner().exec(statement);
      const differing = Object.entries(await compareWithPublished(runner(), asOf)).filter(([, n]) => n > 0);
      expect(differing).toEqual([]);
    });
  });
}
