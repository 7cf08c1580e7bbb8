// Payroll monitoring (P4, P3, P6): the employers in the user's scope with their visit tier, churn alert
// and retention rate, an employer's 13 months, and an org's 13 months — all read from the published
// tables of the latest run (docs/tables.md: employer_month, employer_tiers, payroll_alerts,
// payroll_retention), and only for employers in scope (src/server/scope.ts employerVisible: by the
// employer's org for SUBTREE and BANK, by corporate_rm_id for a corporate RM):
//   GET /api/payroll/employers?org=&tier=&alert=   employers in scope, filtered
//   GET /api/payroll/employers/:id                 one employer: the 13-month series with YoY, retention
//   GET /api/payroll/orgs/:id                      an org's 13 months (its subtree's employers) and retention
// No personal data: employers are organisations, headcounts and amounts are aggregates. Money and
// ratios are exact decimal strings. An employer or org outside the scope answers 404 (audited).

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lastCompleteMonth, monthStart } from '../../domain/dates.js';
import { fromUnits, toUnits } from '../../domain/money.js';
import type { RouteDeps } from '../app.js';
import { errorResponses, NotFound } from '../errors.js';
import { auditDenied, principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { employerVisible, orgVisible, SqlParams } from '../scope.js';

const decimal = z.string().describe('exact decimal');
const TIERS = ['A', 'B', 'C'] as const;
const ALERTS = ['STOPPED', 'DROP', 'ANY', 'NONE'] as const;

const alertView = z.object({
  kind: z.string().describe('STOPPED or DROP'),
  headcount_l: z.number(),
  avg3: decimal,
  amount_l: decimal,
  yoy_ratio: decimal.nullable(),
});

const retentionView = z.object({ month: z.string(), rate: decimal.nullable() });

const employerView = z.object({
  employer_id: z.string(),
  employer_name: z.string().nullable(),
  industry: z.string().nullable(),
  is_government: z.string().nullable(),
  org_id: z.string().nullable(),
  corporate_rm_id: z.string().nullable(),
  tier: z.string().nullable(),
  mean_amount_12: decimal.nullable(),
  mean_headcount_12: decimal.nullable(),
  alert: alertView.nullable().describe('the churn alert of the latest run, if any'),
  retention: retentionView.nullable().describe('the retention rate of the latest month with payroll'),
});

const monthView = z.object({
  month: z.string().describe('first day of the month'),
  headcount: z.number(),
  amount: decimal,
  yoy_ratio: decimal
    .nullable()
    .describe('amount / amount a year earlier; only where that month is in the series and had payroll'),
  retention_rate: decimal.nullable(),
});

type EmployerView = z.infer<typeof employerView>;
type MonthView = z.infer<typeof monthView>;

/** a / b to 10 places, rounded half away from zero; null when b is 0. */
function ratio(a: string, b: string): string | null {
  const den = toUnits(b, 2);
  if (den === 0n) return null;
  const num = toUnits(a, 2) * 10n ** 10n;
  const neg = num < 0n !== den < 0n;
  const [n, d] = [num < 0n ? -num : num, den < 0n ? -den : den];
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return fromUnits(neg ? -q : q, 10);
}

/** W13 of the latest published run: L − 12 … L, oldest first; null before the first run. */
async function window13(deps: RouteDeps): Promise<string[] | null> {
  const [row] = await deps.db.query<{ d: string | null }>(
    `SELECT max(as_of) AS d FROM runs WHERE status = 'PUBLISHED'`,
  );
  if (!row?.d) return null;
  const L = lastCompleteMonth(String(row.d).slice(0, 10));
  return Array.from({ length: 13 }, (_, i) => monthStart(L, i - 12));
}

/** The months of W13 with their figures (0 where nothing was paid) and YoY where the year-earlier month is in W13. */
function series(
  months: string[],
  rows: { month: string; headcount: number | string; amount: string }[],
  retention: { month: string; rate: string | null }[],
): MonthView[] {
  const by = new Map(rows.map((r) => [String(r.month).slice(0, 10), r]));
  const rate = new Map(retention.map((r) => [String(r.month).slice(0, 10), r.rate]));
  const out = months.map((month) => {
    const r = by.get(month);
    return {
      month,
      headcount: Number(r?.headcount ?? 0),
      amount: r ? String(r.amount) : '0.00',
      yoy_ratio: null as string | null,
      retention_rate: rate.get(month) ?? null,
    };
  });
  for (let i = 12; i < out.length; i++) {
    const m = out[i] as MonthView;
    m.yoy_ratio = ratio(m.amount, (out[i - 12] as MonthView).amount);
  }
  return out;
}

/** The published tables this module reads; nothing to show before the first run. */
async function published(deps: RouteDeps): Promise<boolean> {
  for (const t of ['org_closure', 'employer_month', 'employer_tiers', 'payroll_alerts', 'payroll_retention'])
    if (!(await isPublished(deps.db, t))) return false;
  return true;
}

const EMPLOYER_COLUMNS = `e.employer_id, e.employer_name, e.industry, e.is_government, e.org_id, e.corporate_rm_id,
  t.tier, t.mean_amount_12, t.mean_headcount_12,
  a.kind AS alert_kind, a.headcount_l, a.avg3, a.amount_l, a.yoy_ratio,
  r.month AS retention_month, r.rate AS retention_rate`;

const EMPLOYER_FROM = `employers e
  LEFT JOIN employer_tiers t ON t.employer_id = e.employer_id
  LEFT JOIN payroll_alerts a ON a.employer_id = e.employer_id
  LEFT JOIN payroll_retention r ON r.scope_kind = 'EMPLOYER' AND r.scope_id = e.employer_id
        AND r.month = (SELECT max(r2.month) FROM payroll_retention r2
                        WHERE r2.scope_kind = 'EMPLOYER' AND r2.scope_id = e.employer_id)`;

function toEmployerView(row: Record<string, unknown>): EmployerView {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    employer_id: String(row.employer_id),
    employer_name: text(row.employer_name),
    industry: text(row.industry),
    is_government: text(row.is_government),
    org_id: text(row.org_id),
    corporate_rm_id: text(row.corporate_rm_id),
    tier: text(row.tier),
    mean_amount_12: text(row.mean_amount_12),
    mean_headcount_12: text(row.mean_headcount_12),
    alert:
      row.alert_kind === null || row.alert_kind === undefined
        ? null
        : {
            kind: String(row.alert_kind),
            headcount_l: Number(row.headcount_l ?? 0),
            avg3: String(row.avg3),
            amount_l: String(row.amount_l),
            yoy_ratio: text(row.yoy_ratio),
          },
    retention:
      row.retention_month === null || row.retention_month === undefined
        ? null
        : { month: String(row.retention_month).slice(0, 10), rate: text(row.retention_rate) },
  };
}

/** An org the principal may see figures of (404 and audited otherwise). */
async function requireOrg(
  deps: RouteDeps,
  p: Principal,
  orgId: string,
  deny: (detail: string) => Promise<void>,
): Promise<void> {
  const params = new SqlParams([orgId]);
  // Before the first run there is no org_closure: a subtree is then only its root.
  const visible =
    p.scope === 'SUBTREE' && !(await isPublished(deps.db, 'org_closure'))
      ? `(o.org_id = ${params.add(p.orgId)})`
      : orgVisible(p, 'o.org_id', params);
  const [org] = await deps.db.query(
    `SELECT o.org_id FROM orgs o WHERE o.org_id = $1 AND ${visible}`,
    params.values,
  );
  if (org) return;
  const [exists] = await deps.db.query('SELECT org_id FROM orgs WHERE org_id = $1', [orgId]);
  if (exists) await deny(`org ${orgId} outside the scope`);
  throw new NotFound('no such org in your scope');
}

export function payrollRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/payroll/employers',
    {
      config: { permission: 'payroll:read' },
      schema: {
        summary: 'Payroll employers in scope with tier, churn alert and retention',
        tags: ['payroll'],
        querystring: z.object({
          org: z.string().min(1).max(64).optional().describe('employers of this org’s subtree (in scope)'),
          tier: z.enum(TIERS).optional(),
          alert: z.enum(ALERTS).optional().describe('STOPPED, DROP, ANY (either) or NONE (no alert)'),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
        }),
        response: {
          200: z.object({
            months: z.array(z.string()).describe('W13 of the latest run, oldest first (empty before it)'),
            total: z.number(),
            employers: z.array(employerView),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      if (q.org) await requireOrg(deps, p, q.org, (d) => auditDenied(db, request, d));
      const months = await window13(deps);
      if (!months || !(await published(deps))) return { months: [], total: 0, employers: [] };
      const params = new SqlParams();
      const where = [employerVisible(p, params)];
      if (q.org)
        where.push(
          `EXISTS (SELECT 1 FROM org_closure fo WHERE fo.org_id = e.org_id AND fo.ancestor_id = ${params.add(q.org)})`,
        );
      if (q.tier) where.push(`t.tier = ${params.add(q.tier)}`);
      if (q.alert === 'ANY') where.push('a.kind IS NOT NULL');
      else if (q.alert === 'NONE') where.push('a.kind IS NULL');
      else if (q.alert) where.push(`a.kind = ${params.add(q.alert)}`);
      const [count] = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM ${EMPLOYER_FROM} WHERE ${where.join(' AND ')}`,
        params.values,
      );
      const rows = await db.query(
        `SELECT ${EMPLOYER_COLUMNS} FROM ${EMPLOYER_FROM} WHERE ${where.join(' AND ')}
          ORDER BY CASE a.kind WHEN 'STOPPED' THEN 0 WHEN 'DROP' THEN 1 ELSE 2 END, coalesce(t.tier, 'Z'),
                   t.mean_amount_12 DESC NULLS LAST, e.employer_id
          LIMIT ${q.limit} OFFSET ${q.offset}`,
        params.values,
      );
      return { months, total: Number(count?.n ?? 0), employers: rows.map(toEmployerView) };
    },
  );

  r.get(
    '/api/payroll/employers/:id',
    {
      config: { permission: 'payroll:read' },
      schema: {
        summary: 'One employer in scope: tier, alert and the 13-month series with YoY and retention',
        tags: ['payroll'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: {
          200: z.object({ employer: employerView, months: z.array(monthView) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.id;
      const months = await window13(deps);
      const ready = months !== null && (await published(deps));
      const params = new SqlParams([id]);
      const visible = employerVisible(p, params);
      // Before the first run (no org_closure, no tiers) an employer is shown to nobody.
      const [row] = ready
        ? await db.query(
            `SELECT ${EMPLOYER_COLUMNS} FROM ${EMPLOYER_FROM} WHERE e.employer_id = $1 AND ${visible}`,
            params.values,
          )
        : [];
      if (!row || !months) {
        const [exists] = await db.query('SELECT employer_id FROM employers WHERE employer_id = $1', [id]);
        if (exists && ready) await auditDenied(db, request, `employer ${id} outside the scope`);
        throw new NotFound('no such employer in your scope');
      }
      const figures = await db.query<{ month: string; headcount: number; amount: string }>(
        'SELECT month, headcount, amount FROM employer_month WHERE employer_id = $1 ORDER BY month',
        [id],
      );
      const retention = await db.query<{ month: string; rate: string | null }>(
        `SELECT month, rate FROM payroll_retention WHERE scope_kind = 'EMPLOYER' AND scope_id = $1`,
        [id],
      );
      return { employer: toEmployerView(row), months: series(months, figures, retention) };
    },
  );

  r.get(
    '/api/payroll/orgs/:id',
    {
      config: { permission: 'payroll:read' },
      schema: {
        summary: 'An org in scope: the 13 months of its subtree’s employers, and its retention rate',
        description:
          'headcount is the sum of the employers’ headcounts (a person paid by two employers counts twice).',
        tags: ['payroll'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: {
          200: z.object({
            org_id: z.string(),
            employers: z.number().describe('employers whose org is in the subtree'),
            months: z.array(monthView),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.id;
      await requireOrg(deps, p, id, (d) => auditDenied(db, request, d));
      const months = await window13(deps);
      if (!months || !(await published(deps))) return { org_id: id, employers: 0, months: [] };
      const [count] = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM employers e JOIN org_closure oc ON oc.org_id = e.org_id WHERE oc.ancestor_id = $1`,
        [id],
      );
      const figures = await db.query<{ month: string; headcount: number; amount: string }>(
        `SELECT em.month, sum(em.headcount) AS headcount, sum(em.amount) AS amount
           FROM employer_month em
           JOIN employers e ON e.employer_id = em.employer_id
           JOIN org_closure oc ON oc.org_id = e.org_id
          WHERE oc.ancestor_id = $1
          GROUP BY em.month ORDER BY em.month`,
        [id],
      );
      const retention = await db.query<{ month: string; rate: string | null }>(
        `SELECT month, rate FROM payroll_retention WHERE scope_kind = 'ORG' AND scope_id = $1`,
        [id],
      );
      return { org_id: id, employers: Number(count?.n ?? 0), months: series(months, figures, retention) };
    },
  );
}
