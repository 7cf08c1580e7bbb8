// Reports (issue #7), limited to the user's scope:
//   GET /api/kpis            kpi_progress of an org and its children (orgs, or an outlet's staff) at
//                            the latest published as-of (or ?asOf=); an org outside the scope → 404
//   GET /api/reports/weekly  the weekly briefing (src/reports/briefing.ts) as xlsx, csv or json: a
//                            subtree user gets only the rows of orgs (and staff of orgs) of the
//                            subtree — the summary's best and worst lists are drawn from those rows
//                            only, and the headline is the user's own org's; every download is
//                            audited (EXPORT: format, level, rows)
//   GET /api/reports/briefing  the same briefing as JSON for reading on screen (reports:read; the web
//                            app's 周通报 page): the same rows and scope, not audited — it is a view,
//                            not a file leaving the bank; the download stays /api/reports/weekly

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAudit } from '../../audit/log.js';
import { BRIEFING_LEVELS, PROGRAMS } from '../../config/season.js';
import {
  type Briefing,
  BriefingError,
  buildBriefing,
  type HeadlineMeasures,
} from '../../reports/briefing.js';
import { briefingCsv } from '../../reports/csv.js';
import { briefingJson } from '../../reports/json.js';
import { writeBriefingXlsx } from '../../reports/xlsx.js';
import type { RouteDeps } from '../app.js';
import { BadRequest, errorResponses, NotFound } from '../errors.js';
import { inSet, orgInScopeSql, requireOrg, type ScopeSets, scopeSets } from '../orgScope.js';
import { principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { SqlParams } from '../scope.js';

const decimal = z.string().describe('exact decimal');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

const kpiProgressRow = z.object({
  kpi: z.string(),
  program: z.string(),
  scope_kind: z.string(),
  scope_id: z.string(),
  scope_level: z.string().nullable(),
  name: z.string().nullable(),
  parent_id: z.string().nullable(),
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

const briefingQuery = z.object({
  asOf: isoDate.optional().describe('default: the latest published as-of'),
  level: z.enum(BRIEFING_LEVELS).optional(),
  program: z.enum(PROGRAMS).optional(),
  view: z.string().min(1).max(64).optional().describe('a briefing view of the season file'),
  period: z.string().min(1).max(64).optional(),
  kpi: z.string().min(1).max(64).optional().describe('only this KPI (the page shows one at a time)'),
});

export const FORMATS = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
} as const;

/** The briefing with only the rows (and headline) the principal may see. */
async function scopedBriefing(
  deps: RouteDeps,
  p: Principal,
  b: Briefing,
  sets: ScopeSets,
): Promise<Briefing> {
  if (sets.orgs === null) return b;
  const kpis = b.kpis
    .map((k) => ({
      ...k,
      rows: k.rows.filter((r) => inSet(k.level === 'STAFF' ? sets.staff : sets.orgs, r.scope_id)),
    }))
    .filter((k) => k.rows.length > 0);
  let headline: HeadlineMeasures | null = null;
  if (b.headline && (await isPublished(deps.db, 'org_measures_history'))) {
    const [row] = await deps.db.query<HeadlineMeasures>(
      `SELECT h.org_id, o.org_name, h.customers, h.aum_d, h.deposits_d, h.adb_mtd, h.value_season
         FROM org_measures_history h JOIN orgs o ON o.org_id = h.org_id
        WHERE h.org_id = $1 AND h.as_of = CAST($2 AS DATE)`,
      [p.orgId, b.asOf],
    );
    headline = row ? { ...row, customers: Number(row.customers) } : null;
  }
  return { ...b, kpis, headline };
}

export function reportRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, config } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** The briefing at the asked (or latest published) as-of, with only the rows of p's scope. */
  async function briefingFor(p: Principal, q: z.infer<typeof briefingQuery>): Promise<Briefing> {
    let asOf = q.asOf;
    if (!asOf && (await isPublished(db, 'kpi_progress'))) {
      const [d] = await db.query<{ d: string | null }>('SELECT max(as_of) AS d FROM kpi_progress');
      asOf = d?.d ?? undefined;
    }
    if (!asOf) throw new NotFound('no KPI progress published yet');
    let built: Briefing;
    try {
      built = await buildBriefing(db, config, {
        asOf,
        level: q.level,
        program: q.program,
        view: q.view,
        period: q.period,
      });
    } catch (e) {
      if (e instanceof BriefingError)
        throw new BadRequest(e.message, [{ field: 'querystring', message: e.message }]);
      throw e;
    }
    const kpi = q.kpi?.toUpperCase();
    const one = kpi ? { ...built, kpis: built.kpis.filter((k) => k.kpi === kpi) } : built;
    return scopedBriefing(deps, p, one, await scopeSets(deps, p));
  }

  r.get(
    '/api/reports/briefing',
    {
      config: { permission: 'reports:read' },
      schema: {
        summary: 'The weekly briefing (按周通报) as JSON, to read on screen — only your scope’s rows',
        tags: ['reports'],
        querystring: briefingQuery.extend({ lang: z.enum(['zh', 'en']).default('zh') }),
        response: {
          200: z.unknown().describe('as GET /api/reports/weekly?format=json (docs/briefing.md)'),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      // The season file's views, for the page's view filter.
      const views = Object.entries(config.briefing_views).map(([name, v]) => ({
        name,
        title: v.title[q.lang],
        levels: v.levels,
      }));
      return { ...briefingJson(await briefingFor(principalOf(request), q), q.lang), views };
    },
  );

  r.get(
    '/api/kpis',
    {
      config: { permission: 'reports:read' },
      schema: {
        summary: 'KPI progress of an org in scope and its children (orgs, or an outlet’s staff)',
        tags: ['reports'],
        querystring: z.object({
          org: z.string().min(1).max(64).optional().describe('default: the user’s own org'),
          period: z.string().min(1).max(64).optional().describe('a period label: SEASON, a phase, Q1–Q4 …'),
          kpi: z.string().min(1).max(64).optional(),
          asOf: isoDate.optional().describe('default: the latest published as-of'),
        }),
        response: {
          200: z.object({
            asOf: z.string().nullable(),
            org: z.object({
              org_id: z.string(),
              org_name: z.string().nullable(),
              level: z.string().nullable(),
              parent_id: z.string().nullable(),
            }),
            rows: z.array(kpiProgressRow).describe('the org first, then its children in scope'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const org = await requireOrg(deps, request, q.org);
      const published = await isPublished(db, 'kpi_progress');
      const [d] = published
        ? q.asOf
          ? await db.query<{ d: string | null }>(
              'SELECT max(as_of) AS d FROM kpi_progress WHERE as_of = CAST($1 AS DATE)',
              [q.asOf],
            )
          : await db.query<{ d: string | null }>('SELECT max(as_of) AS d FROM kpi_progress')
        : [];
      const asOf = d?.d ?? null;
      if (!asOf) return { asOf: q.asOf ?? null, org, rows: [] };
      const params = new SqlParams([asOf, org.org_id]);
      const where = [
        'k.as_of = CAST($1 AS DATE)',
        "((k.scope_kind = 'ORG' AND k.scope_id = $2) OR k.parent_id = $2)",
        `((k.scope_kind = 'STAFF' AND ${await orgInScopeSql(deps, p, 'k.parent_id', params)})
          OR (k.scope_kind = 'ORG' AND ${await orgInScopeSql(deps, p, 'k.scope_id', params)}))`,
      ];
      if (q.kpi) where.push(`k.kpi = ${params.add(q.kpi.toUpperCase())}`);
      if (q.period) where.push(`k.period = ${params.add(q.period)}`);
      const rows = await db.query<z.infer<typeof kpiProgressRow>>(
        `SELECT k.kpi, k.program, k.scope_kind, k.scope_id, k.scope_level,
                CASE WHEN k.scope_kind = 'STAFF' THEN s.staff_name ELSE o.org_name END AS name,
                k.parent_id, k.period, k.period_start, k.period_end, k.actual, k.target, k.completion,
                k.time_progress, k.gap, k.rank, k.ranked, k.laggard, k.daily_needed
           FROM kpi_progress k
           LEFT JOIN orgs o ON k.scope_kind = 'ORG' AND o.org_id = k.scope_id
           LEFT JOIN staff s ON k.scope_kind = 'STAFF' AND s.staff_id = k.scope_id
          WHERE ${where.join(' AND ')}
          ORDER BY k.kpi, k.period_start, k.period_end,
                   CASE WHEN k.scope_kind = 'ORG' AND k.scope_id = $2 THEN 0 ELSE 1 END, k.scope_kind, k.scope_id`,
        params.values,
      );
      return {
        asOf,
        org,
        rows: rows.map((k) => ({
          ...k,
          rank: k.rank === null ? null : Number(k.rank),
          ranked: k.ranked === null ? null : Number(k.ranked),
          laggard: Boolean(k.laggard),
        })),
      };
    },
  );

  r.get(
    '/api/reports/weekly',
    {
      config: { permission: 'reports:export' },
      schema: {
        summary: 'Download the weekly briefing (按周通报) — only the orgs and staff of your scope',
        tags: ['reports'],
        querystring: briefingQuery.extend({
          format: z.enum(['xlsx', 'csv', 'json']).default('xlsx'),
          lang: z.enum(['zh', 'en']).default('zh'),
        }),
        response: {
          200: z.unknown().describe('the file (xlsx, csv or json)'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const q = request.query;
      const briefing = await briefingFor(p, q);
      let file: Buffer;
      if (q.format === 'xlsx') {
        const dir = await mkdtemp(join(tmpdir(), 'wangji-weekly-'));
        try {
          const path = join(dir, 'weekly.xlsx');
          await writeBriefingXlsx(briefing, q.lang, path);
          file = await readFile(path);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      } else if (q.format === 'csv') file = Buffer.from(briefingCsv(briefing, q.lang), 'utf8');
      else file = Buffer.from(`${JSON.stringify(briefingJson(briefing, q.lang), null, 2)}\n`, 'utf8');
      const rows = briefing.kpis.reduce((n, k) => n + k.rows.length, 0);
      await appendAudit(db, {
        actor: p.username,
        action: 'EXPORT',
        subject: 'report:weekly',
        detail: { format: q.format, level: briefing.levels.join(','), rows, asOf: briefing.asOf },
      });
      const name = `weekly-${briefing.asOf}-${briefing.levels.join('-')}.${q.format}`;
      return reply
        .code(200)
        .header('content-type', FORMATS[q.format])
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(file);
    },
  );
}
