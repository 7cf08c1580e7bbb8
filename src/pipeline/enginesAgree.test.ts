// The property the two engines promise: for the same extracts, DuckDB and PostgreSQL publish identical
// tables — every model, every row, every value — here for a generated bank.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duckdbEngine, pgSkipReason, postgresEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig } from '../config/season.js';
import { loadDrop } from '../extracts/loader.js';
import { generateBank } from '../generator/bank.js';
import { loadModels } from './models.js';
import { runPipeline } from './runner.js';

const AS_OF = '2027-02-10';

describe.skipIf(pgSkipReason !== null)(
  `DuckDB and PostgreSQL publish identical tables for a generated bank${pgSkipReason ? ` — skipped: ${pgSkipReason}` : ''}`,
  () => {
    let work: string;
    let duck: TestDb;
    let pg: TestDb;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'wangji-agree-'));
      await generateBank({ customers: 2500, seed: 11, asOf: AS_OF, out: work });
      [duck, pg] = await Promise.all([duckdbEngine.open(), postgresEngine.open()]);
      for (const db of [duck, pg]) {
        await loadDrop(db, work);
        // Two as-of dates: the history tables must hold both, alike.
        for (const asOf of ['2027-01-31', AS_OF]) {
          const run = await runPipeline(db, { asOf, config: loadSeasonConfig() });
          expect(run.status, run.message ?? '').toBe('PUBLISHED');
        }
      }
    }, 300_000);
    afterAll(async () => {
      await Promise.all([duck?.close(), pg?.close()]);
      rmSync(work, { recursive: true, force: true });
    });

    const models = loadModels();
    it.each(models.map((m) => [m.name, m.key] as const))('%s', async (name, key) => {
      const cols = key.map((k) => `"${k}"`).join(', ');
      const rows = async (db: TestDb) => {
        const all = await db.query(`SELECT * FROM "${name}"`);
        // Sorted in JavaScript: the engines' string collations differ.
        const keyOf = (r: Record<string, unknown>) => JSON.stringify(key.map((k) => r[k]));
        return all.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
      };
      const [a, b] = await Promise.all([rows(duck), rows(pg)]);
      expect(a.length, `${name} (${cols}) has rows`).toBeGreaterThan(0);
      expect(b).toEqual(a);
    });
  },
);
