// Runs bench/baseline.sql (the expert baseline) on a DuckDB file for an as-of date, prints its time as
// JSON, then checks that every table it made equals the one the pipeline published (not timed): the
// baseline is a second, independent implementation of the definitions.
//   node --import tsx bench/baseline.ts DB_FILE YYYY-MM-DD

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadSeasonConfig } from '../src/config/season.js';
import { runParams } from '../src/pipeline/runner.js';

const [file, asOf] = process.argv.slice(2);
if (!file || !asOf) throw new Error('usage: node --import tsx bench/baseline.ts DB_FILE YYYY-MM-DD');
const p = runParams(asOf, loadSeasonConfig());
const values: Record<string, string> = {
  ':D1': p.as_of_next as string,
  ':D3Y': p.as_of_minus_3y as string,
  ':D45': p.as_of_minus_45 as string,
  ':D62': p.as_of_minus_62 as string,
  ':D90': p.as_of_minus_90 as string,
  ':D180': p.as_of_minus_180 as string,
  ':D365': p.as_of_minus_365 as string,
  ':D': p.as_of as string,
  ':W13': p.W13_start as string,
  ':MS': p.month_start as string,
  ':MTD_DAYS': p.mtd_days as string,
  ':L_DAYS': p.L_days as string,
  ':L11': p.L_minus_11 as string,
  ':L12': p.L_minus_12 as string,
  ':L3': p.L_minus_3 as string,
  ':LN': p.L_next as string,
  ':L': p.L as string,
  ':S': p.season_start as string,
};
const sql = readFileSync(join(import.meta.dirname, 'baseline.sql'), 'utf8')
  .split('\n')
  .filter((l) => !l.startsWith('--'))
  .join('\n')
  .replace(/:[A-Z][A-Z0-9_]*/g, (m) => {
    const v = values[m];
    if (v === undefined) throw new Error(`baseline.sql: unknown placeholder ${m}`);
    return v;
  });
const conn = await (
  await DuckDBInstance.create(file, { memory_limit: process.env.WANGJI_DUCKDB_MEMORY ?? '3GB' })
).connect();
const t0 = process.hrtime.bigint();
for (const statement of sql
  .split(/;\s*\n/)
  .map((s) => s.trim())
  .filter(Boolean))
  await conn.run(statement);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

const mismatches: Record<string, number> = {};
const tables = (
  await (
    await conn.runAndReadAll(
      `SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'bl\\_%' ESCAPE '\\'`,
    )
  ).getRows()
).map((r) => String(r[0]));
for (const bl of tables) {
  const name = bl.slice(3);
  const published =
    name === 'segment_sizes' ? `(SELECT * FROM segment_sizes WHERE as_of = ${p.as_of})` : name;
  const count = async (q: string) => Number((await (await conn.runAndReadAll(q)).getRows())[0]?.[0]);
  mismatches[name] =
    (await count(`SELECT count(*) FROM (SELECT * FROM ${published} EXCEPT ALL SELECT * FROM ${bl})`)) +
    (await count(`SELECT count(*) FROM (SELECT * FROM ${bl} EXCEPT ALL SELECT * FROM ${published})`));
}
console.log(JSON.stringify({ seconds, mismatches }));
