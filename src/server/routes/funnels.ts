// Funnels and merchants (issue #7), as the last run published them, limited to the user's scope:
//   GET /api/funnels/county      county debit cards (county_funnel) of an org in scope and its children
//   GET /api/funnels/ssc         third-generation social-security cards (ssc_funnel), the same way
//   GET /api/funnels/leads       how far each activity's leads got (lead_funnel): bank-wide counts
//   GET /api/merchants/pricing   fee coverage and tiered pricing (merchant_pricing) of the merchants of
//                                an org's subtree in scope; negative=true: those whose fee income does
//                                not cover the costs. Owners' names are masked; owners' ids not shown.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/types.js';
import { mask } from '../../domain/masking.js';
import type { RouteDeps } from '../app.js';
import { errorResponses } from '../errors.js';
import { orgInScopeSql, requireOrg, type ScopedOrg } from '../orgScope.js';
import { principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import { SqlParams } from '../scope.js';

const decimal = z.string().describe('exact decimal');
const orgBody = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  level: z.string().nullable(),
  parent_id: z.string().nullable(),
});
const orgQuery = z.object({
  org: z.string().min(1).max(64).optional().describe('default: the user’s own org'),
});

const countyRow = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  level: z.string().nullable(),
  opened: z.number(),
  activated: z.number(),
  app_registered: z.number(),
  first_payment: z.number(),
});
const sscRow = z.object({
  org_id: z.string(),
  org_name: z.string().nullable(),
  level: z.string().nullable(),
  issued: z.number(),
  activated: z.number(),
  credited: z.number(),
});
const leadRow = z.object({
  activity_id: z.string(),
  season_start: z.string(),
  mined: z.number(),
  leads: z.number(),
  control_leads: z.number(),
  routed: z.number(),
  contacted: z.number(),
  converted: z.number(),
  treated_rate: decimal.nullable(),
  control_rate: decimal.nullable(),
  uplift: decimal.nullable(),
  ci_low: decimal.nullable(),
  ci_high: decimal.nullable(),
  uplift_status: z.string().nullable(),
});
const merchantRow = z.object({
  merchant_id: z.string(),
  merchant_name: z.string().nullable(),
  merchant_type: z.string().nullable(),
  owner_name: z.string().nullable().describe('masked'),
  org_id: z.string().nullable(),
  org_name: z.string().nullable(),
  merchant_adb: decimal.nullable(),
  acq_amount_90: decimal.nullable(),
  fee_income_90: decimal.nullable(),
  fee_cost_90: decimal.nullable(),
  coverage_ok: z.boolean().nullable(),
  tier_rate: decimal.nullable(),
  current_rate: decimal.nullable(),
  proposed_rate: decimal.nullable(),
  fee_income_change_90: decimal.nullable(),
});

/** The data date of the tables the last run published (null before the first). */
async function publishedAsOf(db: Db): Promise<string | null> {
  const [r] = await db.query<{ as_of: string | null }>(
    "SELECT max(as_of) AS as_of FROM runs WHERE status = 'PUBLISHED'",
  );
  return r?.as_of ?? null;
}

const counts = <T extends Record<string, unknown>>(row: T, keys: readonly string[]): T => {
  const out: Record<string, unknown> = { ...row };
  for (const k of keys) out[k] = Number(row[k] ?? 0);
  return out as T;
};

export function funnelRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** An org's row and its children's, from a funnel table (one row per org, rolled up). */
  async function orgFunnel<T extends Record<string, unknown>>(
    request: FastifyRequest,
    org: ScopedOrg,
    table: 'county_funnel' | 'ssc_funnel',
    columns: readonly string[],
  ): Promise<T[]> {
    if (!(await isPublished(db, table))) return [];
    const params = new SqlParams([org.org_id]);
    const visible = await orgInScopeSql(deps, principalOf(request), 'o.org_id', params);
    const rows = await db.query<T & Record<string, string | number | null>>(
      `SELECT f.org_id, o.org_name, o.level, ${columns.map((c) => `f.${c}`).join(', ')}
         FROM ${table} f JOIN orgs o ON o.org_id = f.org_id
        WHERE (o.org_id = $1 OR o.parent_id = $1) AND ${visible}
        ORDER BY CASE WHEN o.org_id = $1 THEN 0 ELSE 1 END, o.org_id`,
      params.values,
    );
    return rows.map((row) => counts(row, columns));
  }

  r.get(
    '/api/funnels/county',
    {
      config: { permission: 'county:read' },
      schema: {
        summary: 'County debit cards: opened, activated, app registered, first payment (org and children)',
        tags: ['funnels'],
        querystring: orgQuery,
        response: {
          200: z.object({ asOf: z.string().nullable(), org: orgBody, rows: z.array(countyRow) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const org = await requireOrg(deps, request, request.query.org);
      const rows = await orgFunnel<z.infer<typeof countyRow>>(request, org, 'county_funnel', [
        'opened',
        'activated',
        'app_registered',
        'first_payment',
      ]);
      return { asOf: await publishedAsOf(db), org, rows };
    },
  );

  r.get(
    '/api/funnels/ssc',
    {
      config: { permission: 'county:read' },
      schema: {
        summary: 'Third-generation social-security cards: issued, activated, credited (org and children)',
        tags: ['funnels'],
        querystring: orgQuery,
        response: {
          200: z.object({ asOf: z.string().nullable(), org: orgBody, rows: z.array(sscRow) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const org = await requireOrg(deps, request, request.query.org);
      const rows = await orgFunnel<z.infer<typeof sscRow>>(request, org, 'ssc_funnel', [
        'issued',
        'activated',
        'credited',
      ]);
      return { asOf: await publishedAsOf(db), org, rows };
    },
  );

  r.get(
    '/api/funnels/leads',
    {
      config: { permission: 'reports:read' },
      schema: {
        summary: 'How far each activity’s leads got, bank-wide (counts only), with the measured uplift',
        tags: ['funnels'],
        response: {
          200: z.object({ asOf: z.string().nullable(), rows: z.array(leadRow) }),
          ...errorResponses,
        },
      },
    },
    async () => {
      if (!(await isPublished(db, 'lead_funnel'))) return { asOf: null, rows: [] };
      const rows = await db.query<z.infer<typeof leadRow> & { as_of: string }>(
        `SELECT as_of, season_start, activity_id, mined, leads, control_leads, routed, contacted, converted,
                treated_rate, control_rate, uplift, ci_low, ci_high, uplift_status
           FROM lead_funnel ORDER BY activity_id`,
      );
      const nums = ['mined', 'leads', 'control_leads', 'routed', 'contacted', 'converted'] as const;
      const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
      return {
        asOf: rows[0]?.as_of ? String(rows[0].as_of) : await publishedAsOf(db),
        rows: rows.map(({ as_of: _a, ...row }) => ({
          ...counts(row, nums),
          season_start: String(row.season_start),
          treated_rate: text(row.treated_rate),
          control_rate: text(row.control_rate),
          uplift: text(row.uplift),
          ci_low: text(row.ci_low),
          ci_high: text(row.ci_high),
          uplift_status: text(row.uplift_status),
        })),
      };
    },
  );

  r.get(
    '/api/merchants/pricing',
    {
      config: { permission: 'merchants:read' },
      schema: {
        summary: 'Merchants of an org’s subtree in scope: fee coverage and the tiered price proposed',
        tags: ['merchants'],
        querystring: orgQuery.extend({
          negative: z
            .enum(['true', 'false'])
            .default('false')
            .describe('true: only merchants whose fee income does not cover the costs'),
          limit: z.coerce.number().int().min(1).max(5000).default(500),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: {
          200: z.object({
            asOf: z.string().nullable(),
            org: orgBody,
            total: z.number(),
            merchants: z.array(merchantRow),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const org = await requireOrg(deps, request, q.org);
      const asOf = await publishedAsOf(db);
      if (!(await isPublished(db, 'merchant_pricing')) || !(await isPublished(db, 'org_closure')))
        return { asOf, org, total: 0, merchants: [] };
      const params = new SqlParams([org.org_id]);
      const where = [
        'EXISTS (SELECT 1 FROM org_closure mc WHERE mc.org_id = m.org_id AND mc.ancestor_id = $1)',
        await orgInScopeSql(deps, p, 'm.org_id', params),
      ];
      if (q.negative === 'true') where.push('NOT mp.coverage_ok');
      const from = `merchant_pricing mp JOIN merchants m ON m.merchant_id = mp.merchant_id
                     LEFT JOIN orgs o ON o.org_id = m.org_id
                     LEFT JOIN customers c ON c.customer_id = m.owner_customer_id`;
      const [n] = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${from} WHERE ${where.join(' AND ')}`,
        params.values,
      );
      const rows = await db.query<Omit<z.infer<typeof merchantRow>, 'owner_name'> & { owner: string | null }>(
        `SELECT mp.merchant_id, m.merchant_name, m.merchant_type, c.name AS owner, m.org_id, o.org_name,
                mp.merchant_adb, mp.acq_amount_90, mp.fee_income_90, mp.fee_cost_90, mp.coverage_ok,
                mp.tier_rate, mp.current_rate, mp.proposed_rate, mp.fee_income_change_90
           FROM ${from}
          WHERE ${where.join(' AND ')}
          ORDER BY mp.merchant_id
          LIMIT ${q.limit} OFFSET ${q.offset}`,
        params.values,
      );
      const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
      return {
        asOf,
        org,
        total: Number(n?.n ?? 0),
        merchants: rows.map(({ owner, ...m }) => ({
          ...m,
          owner_name: mask('name', owner),
          merchant_adb: text(m.merchant_adb),
          acq_amount_90: text(m.acq_amount_90),
          fee_income_90: text(m.fee_income_90),
          fee_cost_90: text(m.fee_cost_90),
          coverage_ok: m.coverage_ok === null ? null : Boolean(m.coverage_ok),
          tier_rate: text(m.tier_rate),
          current_rate: text(m.current_rate),
          proposed_rate: text(m.proposed_rate),
          fee_income_change_90: text(m.fee_income_change_90),
        })),
      };
    },
  );
}
