// GET /api/dashboard?org=: the phase and the days left, the headline measures (G3) of the org and its
// children with the change since a week before, its segment sizes, the trends of both over the season
// so far, its KPIs (completion against time progress), its children's rankings per KPI with the change
// of rank, the laggards among them, and the alerts of its subtree — everything as of the latest
// published data date D, and only for orgs in the user's scope (an org outside it answers 404 and is
// audited). Money and ratios are exact decimal strings.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankDate } from '../../domain/bankTime.js';
import { Calendar } from '../../domain/calendar.js';
import { seasonAndPhase } from '../../reports/briefing.js';
import type { RouteDeps } from '../app.js';
import { dashboardAlerts } from '../dashboard/alerts.js';
import { childRankings } from '../dashboard/rankings.js';
import { measuresWeekBefore, measureTrend, segmentTrend } from '../dashboard/trends.js';
import { errorResponses, NotFound } from '../errors.js';
import { auditDenied, principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { orgVisible, SqlParams } from '../scope.js';

const decimal = z.string().describe('exact decimal');

const orgMeasures = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  level: z.string().nullable(),
  customers: z.number(),
  new_customers: z.number(),
  existing_customers: z.number(),
  aum_d: decimal,
  deposits_d: decimal,
  adb_mtd: decimal,
  value_season: decimal,
});

const kpiRow = z.object({
  kpi: z.string(),
  program: z.string(),
  period: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  actual: decimal,
  target: decimal.nullable(),
  completion: decimal.nullable(),
  time_progress: decimal,
  gap: decimal.nullable(),
  rank: z.number().nullable(),
  ranked: z.number().nullable(),
  laggard: z.boolean(),
  daily_needed: decimal.nullable(),
});

const laggardRow = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  kpi: z.string(),
  period: z.string(),
  completion: decimal.nullable(),
  time_progress: decimal,
  gap: decimal.nullable(),
  rank: z.number().nullable(),
  ranked: z.number().nullable(),
});

const measurePoint = z.object({
  as_of: z.string(),
  customers: z.number(),
  new_customers: z.number(),
  existing_customers: z.number(),
  aum_d: decimal,
  deposits_d: decimal,
  adb_mtd: decimal,
  value_season: decimal,
});

const rankingRow = z.object({
  kpi: z.string(),
  period: z.string(),
  period_start: z.string(),
  period_end: z.string(),
  org_id: z.string(),
  org_name: z.string().nullable(),
  actual: decimal,
  target: decimal.nullable(),
  completion: decimal.nullable(),
  time_progress: decimal,
  gap: decimal.nullable(),
  rank: z.number().nullable(),
  ranked: z.number().nullable(),
  laggard: z.boolean(),
  rank_before: z.number().nullable().describe('the rank at the latest as-of a week or more before D'),
  rank_change: z.number().nullable().describe('rank_before − rank: positive is up'),
});

const alert = z.object({
  kind: z.string(),
  severity: z.enum(['HIGH', 'MEDIUM', 'INFO']),
  count: z.number(),
  subject: z.string().nullable(),
  zh: z.string(),
  en: z.string(),
});

export const dashboardBody = z.object({
  asOf: z.string().nullable().describe('the data date D; null before the pipeline has published'),
  season: z
    .object({ label: z.string(), start: z.string(), end: z.string(), daysLeft: z.number() })
    .nullable(),
  phase: z
    .object({
      phase: z.string(),
      zh: z.string(),
      slogan: z.string(),
      en: z.string(),
      start: z.string(),
      end: z.string(),
      daysLeft: z.number(),
    })
    .nullable(),
  org: z.object({
    org_id: z.string(),
    org_name: z.string().nullable(),
    level: z.string().nullable(),
    parent_id: z.string().nullable(),
  }),
  measures: z.array(orgMeasures).describe('the org first, then its children in scope'),
  weekBefore: measurePoint
    .nullable()
    .describe('the org’s measures at the latest as-of a week or more before D (the change since last week)'),
  trend: z.array(measurePoint).describe('the org’s measures at every published as-of of the season so far'),
  segments: z.array(z.object({ segment: z.string(), members: z.number() })),
  segmentTrend: z
    .array(z.object({ as_of: z.string(), segment: z.string(), members: z.number() }))
    .describe('the org’s segment sizes at every published as-of of the season so far'),
  kpis: z.array(kpiRow),
  rankings: z.array(rankingRow).describe('the org’s children in scope, ranked per KPI and period'),
  laggards: z.array(laggardRow).describe('children of the org behind time progress'),
  alerts: z.array(alert).describe('what needs attention in the org’s subtree, in the user’s scope'),
});

type Dashboard = z.infer<typeof dashboardBody>;

async function orgInScope(deps: RouteDeps, p: Principal, orgId: string): Promise<Dashboard['org'] | null> {
  const params = new SqlParams([orgId]);
  let visible: string;
  if (p.scope === 'SUBTREE' && !(await isPublished(deps.db, 'org_closure'))) {
    // Before the first run there is no org_closure: a subtree is then only its root.
    if (orgId !== p.orgId) return null;
    visible = '(1 = 1)';
  } else visible = orgVisible(p, 'o.org_id', params);
  const [org] = await deps.db.query<Dashboard['org']>(
    `SELECT o.org_id, o.org_name, o.level, o.parent_id FROM orgs o WHERE o.org_id = $1 AND ${visible}`,
    params.values,
  );
  return org ?? null;
}

export function dashboardRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, config } = deps;
  const calendar = new Calendar(config);
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/dashboard',
    {
      config: { permission: 'dashboard:read' },
      schema: {
        summary: 'The dashboard of an org in scope (default: the user’s own org)',
        tags: ['dashboard'],
        querystring: z.object({ org: z.string().min(1).max(64).optional() }),
        response: { 200: dashboardBody, ...errorResponses },
      },
    },
    async (request): Promise<Dashboard> => {
      const p = principalOf(request);
      const orgId = request.query.org ?? p.orgId;
      const org = await orgInScope(deps, p, orgId);
      if (!org) {
        const [exists] = await db.query('SELECT org_id FROM orgs WHERE org_id = $1', [orgId]);
        if (exists) await auditDenied(db, request, `org ${orgId} outside the scope`);
        throw new NotFound('no such org in your scope');
      }
      const published = await isPublished(db, 'org_measures_history');
      const [d] = published
        ? await db.query<{ d: string | null }>('SELECT max(as_of) AS d FROM org_measures_history')
        : [];
      const asOf = d?.d ?? null;
      const header = seasonAndPhase(calendar, asOf ?? bankDate(deps.now()));
      if (!asOf)
        return {
          asOf,
          ...header,
          org,
          measures: [],
          weekBefore: null,
          trend: [],
          segments: [],
          segmentTrend: [],
          kpis: [],
          rankings: [],
          laggards: [],
          alerts: [],
        };
      const seasonStart = header.season && header.season.start <= asOf ? header.season.start : asOf;

      const mp = new SqlParams([asOf, orgId]);
      const measures = await db.query<z.infer<typeof orgMeasures>>(
        `SELECT h.org_id, o.org_name, o.level, h.customers, h.new_customers, h.existing_customers,
                h.aum_d, h.deposits_d, h.adb_mtd, h.value_season
           FROM org_measures_history h JOIN orgs o ON o.org_id = h.org_id
          WHERE h.as_of = CAST($1 AS DATE) AND (o.org_id = $2 OR o.parent_id = $2)
            AND ${orgVisible(p, 'o.org_id', mp)}
          ORDER BY CASE WHEN o.org_id = $2 THEN 0 ELSE 1 END, o.org_id`,
        mp.values,
      );
      const segments = (await isPublished(db, 'segment_sizes'))
        ? await db.query<{ segment: string; members: number }>(
            `SELECT segment, members FROM segment_sizes WHERE as_of = CAST($1 AS DATE) AND org_id = $2 ORDER BY segment`,
            [asOf, orgId],
          )
        : [];
      const kpis = await db.query<z.infer<typeof kpiRow>>(
        `SELECT kpi, program, period, period_start, period_end, actual, target, completion, time_progress, gap,
                rank, ranked, laggard, daily_needed
           FROM kpi_progress
          WHERE as_of = CAST($1 AS DATE) AND scope_kind = 'ORG' AND scope_id = $2
          ORDER BY kpi, period_start, period_end`,
        [asOf, orgId],
      );
      const lp = new SqlParams([asOf, orgId]);
      const laggards = await db.query<z.infer<typeof laggardRow>>(
        `SELECT k.scope_id AS org_id, o.org_name, k.kpi, k.period, k.completion, k.time_progress, k.gap, k.rank, k.ranked
           FROM kpi_progress k JOIN orgs o ON o.org_id = k.scope_id
          WHERE k.as_of = CAST($1 AS DATE) AND k.scope_kind = 'ORG' AND k.parent_id = $2 AND k.laggard
            AND ${orgVisible(p, 'k.scope_id', lp)}
          ORDER BY k.kpi, k.period_start, k.period_end, k.gap, k.scope_id`,
        lp.values,
      );
      const rp = new SqlParams([asOf, orgId]);
      const rankings = await childRankings(db, rp, orgVisible(p, 'k.scope_id', rp));
      const alerts = await dashboardAlerts({ db, principal: p, orgId, asOf, today: bankDate(deps.now()) });
      return {
        asOf,
        ...header,
        org,
        weekBefore: await measuresWeekBefore(db, orgId, asOf),
        trend: await measureTrend(db, orgId, seasonStart, asOf),
        segmentTrend: (await isPublished(db, 'segment_sizes'))
          ? await segmentTrend(db, orgId, seasonStart, asOf)
          : [],
        rankings,
        alerts,
        measures: measures.map((m) => ({
          ...m,
          customers: Number(m.customers),
          new_customers: Number(m.new_customers),
          existing_customers: Number(m.existing_customers),
        })),
        segments: segments.map((s) => ({ segment: s.segment, members: Number(s.members) })),
        kpis: kpis.map((k) => ({ ...k, laggard: Boolean(k.laggard) })),
        laggards,
      };
    },
  );
}
