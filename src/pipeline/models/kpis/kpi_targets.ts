// kpi_targets: the targets in force for the season of D — those loaded or split into the `targets`
// table, and the season file's `targets:` where the table has none for the same KPI, scope and period.
// A season-file target for a level applies to every org of that level; one naming an org or staff
// member the extracts do not know is left out (and noted in the run's progress).

import { quoteIdent } from '../../../db/dialect.js';
import { Calendar } from '../../../domain/calendar.js';
import { dateLiteral } from '../../../extracts/checks.js';
import { resolvePeriod } from '../../../kpis/periods.js';
import { insertRows } from '../../../leads/tables.js';
import type { Model } from '../../models.js';

export const kpiTargetsModel: Model = {
  name: 'kpi_targets',
  stage: 'kpis',
  description:
    "the targets in force for D's season: loaded and split ones (table `targets`), then the season file's for keys the table lacks",
  reads: ['targets', 'orgs', 'staff'],
  key: ['kpi', 'scope_kind', 'scope_id', 'period_start', 'period_end'],
  async build(db, ctx, target) {
    const t = quoteIdent(target);
    await db.exec(`CREATE TABLE ${t} (
      kpi VARCHAR NOT NULL, scope_kind VARCHAR NOT NULL, scope_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
      period_start DATE NOT NULL, period_end DATE NOT NULL, target DECIMAL(20,2) NOT NULL, source VARCHAR NOT NULL)`);
    const season = new Calendar(ctx.config).seasonOf(ctx.asOf);
    if (!season) return; // between seasons no KPI is tracked
    await db.exec(`INSERT INTO ${t}
      SELECT kpi, scope_kind, scope_id, period, period_start, period_end, target, source
        FROM targets WHERE season_start = ${dateLiteral(season.start)}`);
    const have = new Set(
      (
        await db.query<{ k: string }>(
          `SELECT kpi || '|' || scope_kind || '|' || scope_id || '|' || CAST(period_start AS VARCHAR) || '|' || CAST(period_end AS VARCHAR) AS k FROM ${t}`,
        )
      ).map((r) => r.k),
    );
    const orgs = await db.query<{ org_id: string; level: string }>('SELECT org_id, level FROM orgs');
    const orgIds = new Set(orgs.map((o) => o.org_id));
    const staff = new Set(
      (await db.query<{ staff_id: string }>('SELECT staff_id FROM staff')).map((r) => r.staff_id),
    );
    const rows: (string | null)[][] = [];
    let unknown = 0;
    for (const c of ctx.config.targets) {
      const p = resolvePeriod(c.period, season);
      const scopes: [string, string][] = c.staff
        ? [['STAFF', c.staff]]
        : c.org
          ? [['ORG', c.org]]
          : orgs.filter((o) => o.level === c.level).map((o) => ['ORG', o.org_id]);
      for (const [kind, id] of scopes) {
        if (kind === 'STAFF' ? !staff.has(id) : !orgIds.has(id)) {
          unknown++;
          continue;
        }
        const key = `${c.kpi}|${kind}|${id}|${p.start}|${p.end}`;
        if (have.has(key)) continue;
        have.add(key);
        rows.push([c.kpi, kind, id, p.label, p.start, p.end, c.target, 'SEASON_FILE']);
      }
    }
    if (unknown)
      ctx.note(`kpi targets: ${unknown} season-file targets name an org or staff member not in the extracts`);
    await insertRows(db, target, rows);
  },
};
