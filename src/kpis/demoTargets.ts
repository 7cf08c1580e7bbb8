// Targets for the demo bank (`wangji demo`): a bank sets its own, but a briefing without targets is
// empty. HQ gets, per KPI the demo bank produces, a season target 5 % above its pace so far (actual /
// time progress), rounded up to a whole unit; it is loaded through the ordinary targets file and split
// down the org tree by customers — branch, sub-branch, outlet, and each outlet's staff for the KPIs
// credited to staff — as an HQ planner would (任务到个人). Nothing is done when the season already has
// targets.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { toUnits } from '../domain/money.js';
import { KPIS, type KpiId } from './catalogue.js';
import { loadTargets, splitTarget, TargetError, targetSeason } from './targets.js';

const DEMO_KPIS: KpiId[] = [
  'NEW_CUSTOMERS',
  'SSC_GEN3_ISSUED',
  'DEPOSIT_ADB_GROWTH',
  'PAYROLL_AMOUNT',
  'COUNTY_DEBIT_ISSUED',
  'ACQUIRING_AMOUNT',
];

/** Returns the number of targets written (0 when the season already had some). */
export async function makeDemoTargets(db: Db, config: SeasonConfig, asOf: string): Promise<number> {
  const season = targetSeason(asOf, config);
  const [have] = await db.query<{ n: number }>(
    'SELECT CAST(count(*) AS INTEGER) AS n FROM targets WHERE season_start = CAST($1 AS DATE)',
    [season.start],
  );
  if (Number(have?.n) > 0) return 0;
  const hq = await db.query<{ kpi: KpiId; scope_id: string; actual: string; time_progress: string }>(
    `SELECT kpi, scope_id, actual, time_progress FROM kpi_progress
      WHERE as_of = CAST($1 AS DATE) AND scope_kind = 'ORG' AND scope_level = 'HQ' AND period = 'SEASON'`,
    [asOf],
  );
  const lines = ['kpi,org_id,staff_id,period,target'];
  for (const r of hq) {
    if (!DEMO_KPIS.includes(r.kpi) || Number(r.actual) <= 0 || Number(r.time_progress) <= 0) continue;
    // actual / time progress × 1.05, rounded up to a whole unit, in exact integers (6-decimal progress).
    const pace = (toUnits(r.actual, 2) * 105n * 10n ** 6n) / (100n * toUnits(r.time_progress, 6) * 100n);
    lines.push(`${r.kpi},${r.scope_id},,SEASON,${pace + 1n}`);
  }
  if (lines.length === 1) return 0;
  const dir = mkdtempSync(join(tmpdir(), 'wangji-demo-targets-'));
  const file = join(dir, 'demo-targets.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  let written = 0;
  try {
    written += (await loadTargets(db, { file, config, season: season.start })).rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const orgs = await db.query<{ org_id: string; level: string; parent_id: string | null }>(
    'SELECT org_id, level, parent_id FROM orgs',
  );
  const children = (id: string) => orgs.filter((o) => o.parent_id === id && o.level !== 'REMOTE_CENTER');
  for (const line of lines.slice(1)) {
    const [kpi, root] = line.split(',') as [KpiId, string];
    // Breadth first down the tree: every org with children splits over them; outlets over their staff.
    const queue = [root];
    while (queue.length) {
      const from = queue.shift() as string;
      const below = children(from);
      const level = orgs.find((o) => o.org_id === from)?.level;
      const toStaff = below.length === 0 && level === 'OUTLET';
      if (below.length === 0 && (!toStaff || !KPIS[kpi].staffCredited)) continue;
      try {
        const split = await splitTarget(db, {
          kpi,
          period: 'SEASON',
          from,
          by: 'CUSTOMERS',
          asOf,
          config,
          toStaff,
        });
        written += split.rows.length;
      } catch (e) {
        if (!(e instanceof TargetError)) throw e;
        // An org without customers (or without staff) cannot be split by customers: its target stays whole.
        continue;
      }
      queue.push(...below.map((o) => o.org_id));
    }
  }
  return written;
}
