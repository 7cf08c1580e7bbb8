// The property the two engines promise: for the same extracts, DuckDB and PostgreSQL publish identical
// tables — every model, every row, every value — here for a generated bank.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { duckdbEngine, pgSkipReason, postgresEngine, type TestDb } from '../../test/engines.js';
import { loadSeasonConfig, parseSeasonConfig } from '../config/season.js';
import { loadDrop } from '../extracts/loader.js';
import { generateBank } from '../generator/bank.js';
import { recordOutcome } from '../leads/work.js';
import { publishedTables } from './publishedTables.js';
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
      // Targets for every outlet and the first staff members, so that ranks, laggards and staff rows
      // are compared too.
      const doc = JSON.parse(JSON.stringify(loadSeasonConfig())) as Record<string, unknown>;
      doc.targets = [
        { kpi: 'NEW_CUSTOMERS', level: 'OUTLET', period: 'SEASON', target: 12 },
        { kpi: 'DEPOSIT_ADB_GROWTH', level: 'BRANCH', period: 'NEW_YEAR', target: '500000' },
        { kpi: 'AUM_GROWTH', level: 'OUTLET', period: 'YEAR_END', target: '100000' },
        { kpi: 'SSC_GEN3_ISSUED', level: 'OUTLET', period: 'Q4', target: 3 },
        { kpi: 'LEADS_CONVERTED', level: 'SUBBRANCH', period: '2027-01-01..2027-01-31', target: 5 },
      ];
      const config = parseSeasonConfig(stringify(doc));
      for (const db of [duck, pg]) {
        await loadDrop(db, work);
        // Three as-of dates: the history tables must hold the last two alike; the leads are created
        // on the first, worked by people, converted and rewarded on the later ones.
        for (const [i, asOf] of ['2026-12-15', '2027-01-31', AS_OF].entries()) {
          const run = await runPipeline(db, { asOf, config });
          expect(run.status, run.message ?? '').toBe('PUBLISHED');
          if (i > 0) continue;
          const open = await db.query<{ task_id: number }>(
            "SELECT task_id FROM tasks WHERE status = 'OPEN' AND channel IN ('MANAGER', 'POOL') ORDER BY task_id LIMIT 4",
          );
          const outcomes = ['CONTACTED', 'REFUSED', 'REFUSED_ALL', 'INVALID'];
          for (const [j, t] of open.entries())
            await recordOutcome(db, config, {
              taskId: Number(t.task_id),
              outcome: outcomes[j] as string,
              at: new Date('2026-12-16T02:00:00Z'),
              reason: 'wrong phone number',
            });
        }
      }
    }, 300_000);
    afterAll(async () => {
      await Promise.all([duck?.close(), pg?.close()]);
      rmSync(work, { recursive: true, force: true });
    });

    it.each(publishedTables().map((t) => [t.name, t.key] as const))('%s', async (name, key) => {
      const cols = key.map((k) => `"${k}"`).join(', ');
      const rows = async (db: TestDb) => {
        const all = (await db.query(`SELECT * FROM "${name}"`)).map((r) => {
          // When a person's outcome was recorded is the machine's clock, not data.
          const { recorded_at, ...rest } = r;
          return rest;
        });
        // Sorted in JavaScript: the engines' string collations differ.
        // A table without a key (kpi_credits) is sorted by all its values.
        const keyOf = (r: Record<string, unknown>) =>
          JSON.stringify(key.length ? key.map((k) => r[k]) : Object.values(r));
        return all.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
      };
      const [a, b] = await Promise.all([rows(duck), rows(pg)]);
      expect(a.length, `${name} (${cols}) has rows`).toBeGreaterThan(0);
      expect(b).toEqual(a);
    });
  },
);
