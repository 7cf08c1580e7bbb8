// Splits a generated bank (as of D) into the two nightly drops a bank would have delivered: day0 — the
// extracts as of D − 1 (facts placed before D; references that existed by then, with later dates such
// as close_date or cancelled_date not yet known) — and day1, the drop of D itself: the reference
// snapshots of D and the fact rows that D added or changed (any of their dates on D).
//   npx tsx bench/daily-drops.ts BANK_DIR OUT_DIR
// Writes OUT_DIR/day0 and OUT_DIR/day1, each with its manifest.json.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { addDays } from '../src/domain/dates.js';
import { EXTRACTS } from '../src/extracts/contract.js';
import { scanFile } from '../src/extracts/files.js';

export async function splitDailyDrops(bank: string, out: string): Promise<{ day0: string; day1: string }> {
  const manifest = JSON.parse(readFileSync(join(bank, 'manifest.json'), 'utf8')) as { as_of: string };
  const D = manifest.as_of;
  const before = addDays(D, -1);
  const day0 = join(out, 'day0');
  const day1 = join(out, 'day1');
  mkdirSync(day0, { recursive: true });
  mkdirSync(day1, { recursive: true });
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  const files: Record<'day0' | 'day1', Record<string, { rows: number; sha256: string }>> = {
    day0: {},
    day1: {},
  };
  for (const e of EXTRACTS) {
    const src = join(bank, `${e.name}.csv`);
    if (!existsSync(src)) continue;
    const dates = e.columns
      .filter((c) => c.type.kind === 'date' && c.type.range !== 'plan')
      .map((c) => c.name);
    // The date that places a row in time: the first fact/life date other than a birth date.
    const placing = dates.find((c) => c !== 'birth_date');
    const q = (c: string) => `"${c}"`;
    const read = `read_csv('${src}', header = true, all_varchar = true)`;
    const asBefore = e.columns
      .map((c) =>
        dates.includes(c.name) && c.name !== placing
          ? `CASE WHEN ${q(c.name)} >= '${D}' THEN NULL ELSE ${q(c.name)} END AS ${q(c.name)}`
          : q(c.name),
      )
      .join(', ');
    const keep0 = placing ? `WHERE ${q(placing)} IS NULL OR ${q(placing)} <= '${before}'` : '';
    await duck.run(
      `COPY (SELECT ${asBefore} FROM ${read} ${keep0}) TO '${join(day0, `${e.name}.csv`)}' (HEADER, DELIMITER ',')`,
    );
    const keep1 = e.kind === 'reference' ? '' : `WHERE ${dates.map((c) => `${q(c)} = '${D}'`).join(' OR ')}`;
    await duck.run(
      `COPY (SELECT * FROM ${read} ${keep1}) TO '${join(day1, `${e.name}.csv`)}' (HEADER, DELIMITER ',')`,
    );
    for (const [day, dir] of [
      ['day0', day0],
      ['day1', day1],
    ] as const) {
      const file = join(dir, `${e.name}.csv`);
      const rows = Number(
        (
          await (
            await duck.runAndReadAll(
              `SELECT count(*) FROM read_csv('${file}', header = true, all_varchar = true)`,
            )
          ).getRows()
        )[0]?.[0],
      );
      // Hashed by the loader's own scan, so that the manifest is checked exactly as it was written.
      const { sha256 } = await scanFile({ extract: e, path: file, name: `${e.name}.csv`, format: 'csv' });
      files[day][e.name] = { rows, sha256 };
    }
  }
  writeFileSync(join(day0, 'manifest.json'), JSON.stringify({ as_of: before, files: files.day0 }, null, 2));
  writeFileSync(join(day1, 'manifest.json'), JSON.stringify({ as_of: D, files: files.day1 }, null, 2));
  return { day0, day1 };
}

if (process.argv[1]?.endsWith('daily-drops.ts')) {
  const [bank, out] = process.argv.slice(2);
  if (!bank || !out) throw new Error('usage: npx tsx bench/daily-drops.ts BANK_DIR OUT_DIR');
  await splitDailyDrops(bank, out);
}
