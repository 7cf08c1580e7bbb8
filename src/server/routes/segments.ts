// GET /api/segments?org=: the five programs' segments (G2) of an org in scope and its county groups
// (C1), with what they are worth — members, AUM at D and the value over the season so far — and each
// segment's share of the org's value (G3), as the last run published them. The members are the
// customers whose home org is in the org's subtree (as segment_sizes counts them); a customer may be in
// several segments, so the shares need not add up to 1. The same scope rules as the dashboard: an org
// outside the scope answers 404 (audited). Counts only, no personal data; money as exact decimals.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromUnits, toUnits } from '../../domain/money.js';
import type { RouteDeps } from '../app.js';
import { errorResponses } from '../errors.js';
import { requireOrg } from '../orgScope.js';
import { isPublished } from '../published.js';

const decimal = z.string().describe('exact decimal');

export const SEGMENTS = ['PAYROLL', 'SILVER', 'MINOR', 'GUARDIAN', 'PAYMENT', 'MERCHANT', 'COUNTY'] as const;
export const COUNTY_GROUPS = ['FARMER', 'RURAL_WORKER', 'MIGRANT_WORKER', 'RURAL_TRANSFER'] as const;

const groupRow = z.object({
  members: z.number(),
  aum_d: decimal.describe('Σ of the members’ aum_d'),
  value_season: decimal.describe('Σ of the members’ value_season, summed unrounded and rounded once'),
  value_share: decimal
    .nullable()
    .describe('value_season / the org’s value_season (10 places); null when the org’s is 0'),
});
const segmentRow = groupRow.extend({ segment: z.enum(SEGMENTS) });
const countyRow = groupRow.extend({ county_group: z.enum(COUNTY_GROUPS) });

const TABLES = ['org_closure', 'segment_members', 'county_groups', 'customer_features', 'customer_balances'];

/** Σ value_x360 (8 places) / 360 to the fen, half away from zero. */
function fenOf(x360: string | null): bigint {
  const u = toUnits(String(x360 ?? '0'), 8);
  const d = 360n * 10n ** 6n;
  const [n, neg] = u < 0n ? [-u, true] : [u, false];
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return neg ? -q : q;
}

/** a / b (both in fen) to 10 places, half away from zero; null when b is 0. */
function share(a: bigint, b: bigint): string | null {
  if (b === 0n) return null;
  const num = a * 10n ** 10n;
  const neg = num < 0n !== b < 0n;
  const [n, d] = [num < 0n ? -num : num, b < 0n ? -b : b];
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return fromUnits(neg ? -q : q, 10);
}

export function segmentRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/segments',
    {
      config: { permission: 'dashboard:read' },
      schema: {
        summary: 'Segments of the five programs and county groups of an org in scope: size, AUM, value',
        tags: ['dashboard'],
        querystring: z.object({
          org: z.string().min(1).max(64).optional().describe('default: the user’s own org'),
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
            orgValue: decimal.nullable().describe('the org’s value_season (G3)'),
            segments: z.array(segmentRow).describe('all seven, 0 included'),
            countyGroups: z.array(countyRow).describe('all four, 0 included'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const org = await requireOrg(deps, request, request.query.org);
      const [run] = await db.query<{ d: string | null }>(
        "SELECT max(as_of) AS d FROM runs WHERE status = 'PUBLISHED'",
      );
      const asOf = run?.d ? String(run.d).slice(0, 10) : null;
      for (const t of TABLES)
        if (!asOf || !(await isPublished(db, t)))
          return { asOf, org, orgValue: null, segments: [], countyGroups: [] };

      // The org's members: customers of the population whose home org is in its subtree.
      const members = `SELECT f.customer_id, f.aum_d, b.value_x360
                         FROM customer_features f
                         JOIN customer_balances b ON b.customer_id = f.customer_id
                         JOIN org_closure oc ON oc.org_id = f.home_org_id
                        WHERE oc.ancestor_id = $1`;
      type Sums = { key: string; members: number | string; aum: string | null; x360: string | null };
      const bySegment = await db.query<Sums>(
        `SELECT s.segment AS key, count(*) AS members, sum(m.aum_d) AS aum, sum(m.value_x360) AS x360
           FROM segment_members s JOIN (${members}) m ON m.customer_id = s.customer_id
          GROUP BY s.segment`,
        [org.org_id],
      );
      const byGroup = await db.query<Sums>(
        `SELECT g.county_group AS key, count(*) AS members, sum(m.aum_d) AS aum, sum(m.value_x360) AS x360
           FROM county_groups g JOIN (${members}) m ON m.customer_id = g.customer_id
          GROUP BY g.county_group`,
        [org.org_id],
      );
      const [all] = await db.query<{ x360: string | null }>(
        `SELECT sum(m.value_x360) AS x360 FROM (${members}) m`,
        [org.org_id],
      );
      const total = fenOf(all?.x360 ?? null);
      const figures = (rows: Sums[], key: string) => {
        const row = rows.find((x) => x.key === key);
        const value = fenOf(row?.x360 ?? null);
        return {
          members: Number(row?.members ?? 0),
          aum_d: fromUnits(toUnits(String(row?.aum ?? '0'), 2), 2),
          value_season: fromUnits(value, 2),
          value_share: share(value, total),
        };
      };
      return {
        asOf,
        org,
        orgValue: fromUnits(total, 2),
        segments: SEGMENTS.map((segment) => ({ segment, ...figures(bySegment, segment) })),
        countyGroups: COUNTY_GROUPS.map((county_group) => ({
          county_group,
          ...figures(byGroup, county_group),
        })),
      };
    },
  );
}
