// Runs bench/baseline.sql (the expert baseline) for an as-of date, and compares every table it made
// with the one the pipeline published: the baseline is a second, independent implementation of the
// definitions (src/pipeline/baseline.test.ts runs it at awkward dates; the benchmark times it).
//   node --import tsx bench/baseline.ts DB_FILE YYYY-MM-DD   → prints { seconds, mismatches } as JSON

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadSeasonConfig, type SeasonConfig } from '../src/config/season.js';
import { runParams } from '../src/pipeline/runner.js';

/** What the baseline needs of a DuckDB connection. */
export interface SqlRunner {
  exec(sql: string): Promise<void>;
  count(sql: string): Promise<number>;
}

/** The statements of bench/baseline.sql with the as-of date's values filled in. */
export function baselineStatements(asOf: string, config: SeasonConfig = loadSeasonConfig()): string[] {
  const p = runParams(asOf, config);
  const values: Record<string, string | undefined> = {
    ':D1': p.as_of_next,
    ':D3Y': p.as_of_minus_3y,
    ':D45': p.as_of_minus_45,
    ':D62': p.as_of_minus_62,
    ':D90': p.as_of_minus_90,
    ':D180': p.as_of_minus_180,
    ':D365': p.as_of_minus_365,
    ':D': p.as_of,
    ':W13': p.W13_start,
    ':MS': p.month_start,
    ':MTD_DAYS': p.mtd_days,
    ':L_DAYS': p.L_days,
    ':L11': p.L_minus_11,
    ':L12': p.L_minus_12,
    ':L3': p.L_minus_3,
    ':LN': p.L_next,
    ':L': p.L,
    ':S': p.season_start,
  };
  return readFileSync(join(import.meta.dirname, 'baseline.sql'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n')
    .replace(/:[A-Z][A-Z0-9_]*/g, (m) => {
      const v = values[m];
      if (v === undefined) throw new Error(`baseline.sql: unknown placeholder ${m}`);
      return v;
    })
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Rows that differ (both ways) between each baseline table bl_X and the published X. */
export async function compareWithPublished(db: SqlRunner, asOf: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of BASELINE_TABLES) {
    const published =
      name === 'segment_sizes' ? `(SELECT * FROM segment_sizes WHERE as_of = DATE '${asOf}')` : name;
    out[name] =
      (await db.count(
        `SELECT count(*) FROM (SELECT * FROM ${published} EXCEPT ALL SELECT * FROM bl_${name}) d`,
      )) +
      (await db.count(
        `SELECT count(*) FROM (SELECT * FROM bl_${name} EXCEPT ALL SELECT * FROM ${published}) d`,
      ));
  }
  return out;
}

/** The tables bench/baseline.sql makes (as bl_<name>). */
export const BASELINE_TABLES = [
  'org_closure',
  'customer_balances',
  'customer_products',
  'customer_features',
  'segment_members',
  'county_groups',
  'org_measures',
  'segment_sizes',
  'segment_penetration',
  'employer_month',
  'employer_tiers',
  'payroll_alerts',
  'payroll_retention',
  'employer_penetration',
  'benefit_into_card',
  'merchant_pricing',
  'ssc_funnel',
  'county_funnel',
];

if (process.argv[1]?.endsWith('baseline.ts')) {
  const [file, asOf] = process.argv.slice(2);
  if (!file || !asOf) throw new Error('usage: node --import tsx bench/baseline.ts DB_FILE YYYY-MM-DD');
  const conn = await (
    await DuckDBInstance.create(file, { memory_limit: process.env.WANGJI_DUCKDB_MEMORY ?? '3GB' })
  ).connect();
  const runner: SqlRunner = {
    exec: async (sql) => void (await conn.run(sql)),
    count: async (sql) => Number((await (await conn.runAndReadAll(sql)).getRows())[0]?.[0]),
  };
  const t0 = process.hrtime.bigint();
  for (const statement of baselineStatements(asOf)) await runner.exec(statement);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ seconds, mismatches: await compareWithPublished(runner, asOf) }));
}
