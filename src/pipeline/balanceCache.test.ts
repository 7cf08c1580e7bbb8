// The cache of completed balance periods: a run that reuses it publishes exactly what a run that
// rebuilds everything (`--full`) publishes — also after balances of an old month were corrected.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { loadDrop } from '../extracts/loader.js';
import { generateBank } from '../generator/bank.js';
import { neededPeriods } from './balanceCache.js';
import { loadModels } from './models.js';
import { runPipeline } from './runner.js';

it('needs every month from W13 to the month before month(D), and the season’s first partial month', () => {
  const p = neededPeriods('2027-01-20', '2025-12-01', '2026-11-15');
  expect(p[0]).toEqual({ start: '2025-12-01', end: '2026-01-01' });
  expect(p.at(-2)).toEqual({ start: '2026-12-01', end: '2027-01-01' });
  expect(p.at(-1)).toEqual({ start: '2026-11-15', end: '2026-12-01' });
  expect(p).toHaveLength(14);
  // S inside month(D): the season part is live, nothing partial to cache; before S: nothing either.
  expect(neededPeriods('2026-11-20', '2025-10-01', '2026-11-15')).toHaveLength(13);
  expect(neededPeriods('2026-10-20', '2025-09-01', '2026-11-15')).toHaveLength(13);
});

const AS_OF = '2027-01-20';
const DATA_AS_OF = '2027-02-05';
const config = loadSeasonConfig();
const tables = loadModels().map((m) => m.name);

describeEachEngine('the balance cache', (engine) => {
  let work: string;
  let db: TestDb;
  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const t of tables) {
      const rows = await db.query(`SELECT * FROM "${t}"`);
      out[t] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  };
  const run = async (asOf: string, full = false) => {
    const notes: string[] = [];
    const r = await runPipeline(db, { asOf, config, full, onProgress: (m) => notes.push(m) });
    expect(r.status, r.message ?? '').toBe('PUBLISHED');
    return notes.find((n) => n.includes('balance cache')) ?? '';
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wangji-cache-'));
    await generateBank({ customers: 800, seed: 5, asOf: DATA_AS_OF, out: work });
    db = await engine.open();
    await loadDrop(db, work);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('reuses completed periods and publishes what a --full run publishes', async () => {
    expect(await run('2027-01-10')).toMatch(/0 periods reused, 14 computed/);
    expect(await run(AS_OF)).toMatch(/14 periods reused, 0 computed/);
    const incremental = await snapshot();
    expect(await run(AS_OF, true)).toMatch(/0 periods reused, 14 computed/);
    expect(await snapshot()).toEqual(incremental);
  }, 120_000);

  it('recomputes from the first month whose balances changed (a late correction)', async () => {
    // Correct one balance row of November 2026: November, December and the season stub are stale.
    const [row] = await db.query<{ account_id: string; balance_date: string }>(
      `SELECT account_id, balance_date FROM balances
        WHERE balance_date >= DATE '2026-11-16' AND balance_date < DATE '2026-12-01' ORDER BY account_id, balance_date LIMIT 1`,
    );
    expect(row).toBeDefined();
    await db.execute(
      'UPDATE balances SET balance = balance + 1000 WHERE account_id = $1 AND balance_date = CAST($2 AS DATE)',
      [row?.account_id ?? null, row?.balance_date ?? null],
    );
    const before = (await db.query('SELECT value_season FROM customer_features ORDER BY customer_id')).map(
      (r) => r.value_season,
    );
    expect(await run(AS_OF)).toMatch(/11 periods reused, 3 computed \(balances changed from 2026-11\)/);
    const incremental = await snapshot();
    const after = (await db.query('SELECT value_season FROM customer_features ORDER BY customer_id')).map(
      (r) => r.value_season,
    );
    expect(after).not.toEqual(before); // the correction reached value_season
    await run(AS_OF, true);
    expect(await snapshot()).toEqual(incremental);
  }, 120_000);

  it('rolls over a month: the last day of January, then February 1st (January becomes a cached month)', async () => {
    // Jan 31: L = January (live), W13 = Jan 2026 … Dec 2026 cached, and the season stub.
    expect(await run('2027-01-31')).toMatch(/13 periods reused, 0 computed$/);
    expect(await run('2027-02-01')).toMatch(/13 periods reused, 1 computed$/);
    const incremental = await snapshot();
    await run('2027-02-01', true);
    expect(await snapshot()).toEqual(incremental);
  }, 120_000);

  it('reruns an earlier date after a later one from the cache, and agrees with --full', async () => {
    // The last run (--full for Feb 1) cached Jan 2026 … Jan 2027: Jan 20 needs Dec 2025 as well.
    expect(await run(AS_OF)).toMatch(/13 periods reused, 1 computed$/);
    const incremental = await snapshot();
    await run(AS_OF, true);
    expect(await snapshot()).toEqual(incremental);
    // --full emptied the cache: the later date computes its January again, and only that.
    expect(await run('2027-02-01')).toMatch(/13 periods reused, 1 computed$/);
  }, 120_000);
});
