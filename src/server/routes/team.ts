// GET /api/team?org=: a manager's view of the team's work on leads (issue #8, the lead workbench's
// "managers … see their team's progress"): every staff member who works tasks in the org's subtree
// (in the user's scope), with
//   queued, open, in_progress, done   their tasks by status now (tables.md "tasks"; done: DONE, the
//                                     outcomes that end a lead — CLOSED tasks ended without them)
//   overdue                           open or in-progress tasks whose due date is before today (bank day)
//   contacts_7d                       outcomes they recorded that count as a contact (is_contact) in the
//                                     last 7 × 24 hours — the contact cap's window
//   converted                         this season's observed conversions credited to them
//                                     (conversions.credit_staff_id, control leads excluded: the credit
//                                     LEADS_CONVERTED counts)
// Best first by converted, then by contacts.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankDate } from '../../domain/bankTime.js';
import { TASK_WORKER_ROLES } from '../../leads/work.js';
import type { RouteDeps } from '../app.js';
import { errorResponses } from '../errors.js';
import { orgInScopeSql, requireOrg } from '../orgScope.js';
import { principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import { SqlParams } from '../scope.js';

const WEEK_MS = 7 * 24 * 3_600_000;

const member = z.object({
  staff_id: z.string(),
  staff_name: z.string().nullable(),
  role: z.string(),
  org_id: z.string(),
  org_name: z.string().nullable(),
  queued: z.number(),
  open: z.number(),
  in_progress: z.number(),
  done: z.number(),
  overdue: z.number(),
  contacts_7d: z.number(),
  converted: z.number(),
});

const ts = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

export function teamRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/team',
    {
      config: { permission: 'leads:reassign' },
      schema: {
        summary: "The team's progress on leads: each staff member of the org's subtree who works tasks",
        tags: ['tasks'],
        querystring: z.object({
          org: z.string().min(1).max(64).optional().describe('default: the user’s own org'),
        }),
        response: {
          200: z.object({ today: z.string(), org_id: z.string(), members: z.array(member) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const org = await requireOrg(deps, request, request.query.org);
      const now = deps.now();
      const today = bankDate(now);
      const params = new SqlParams([org.org_id]);
      const inSubtree = (await isPublished(deps.db, 'org_closure'))
        ? 'EXISTS (SELECT 1 FROM org_closure c WHERE c.org_id = s.org_id AND c.ancestor_id = $1)'
        : '(s.org_id = $1)';
      const visible = await orgInScopeSql(deps, principalOf(request), 's.org_id', params);
      const roles = params.list([...TASK_WORKER_ROLES]);
      const day = params.add(today);
      const since = params.add(ts(new Date(now.getTime() - WEEK_MS)));
      const n = (cond: string) => `CAST(sum(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS BIGINT)`;
      const rows = await deps.db.query<Record<string, string | number | null>>(
        `WITH st AS (
           SELECT s.staff_id, s.staff_name, s.role, s.org_id FROM staff s
            WHERE ${inSubtree} AND ${visible} AND s.role IN (${roles})
         ), tk AS (
           SELECT t.staff_id,
                  ${n("t.status = 'QUEUED'")} AS queued,
                  ${n("t.status = 'OPEN'")} AS open,
                  ${n("t.status = 'IN_PROGRESS'")} AS in_progress,
                  ${n("t.status = 'DONE'")} AS done,
                  ${n(`t.status IN ('OPEN', 'IN_PROGRESS') AND t.due_date < CAST(${day} AS DATE)`)} AS overdue
             FROM tasks t WHERE t.staff_id IN (SELECT staff_id FROM st) GROUP BY t.staff_id
         ), ct AS (
           SELECT c.staff_id, CAST(count(*) AS BIGINT) AS n FROM contacts c
            WHERE c.is_contact AND c.contact_at >= CAST(${since} AS TIMESTAMP)
              AND c.staff_id IN (SELECT staff_id FROM st)
            GROUP BY c.staff_id
         ), cv AS (
           SELECT v.credit_staff_id AS staff_id, CAST(count(DISTINCT v.lead_id) AS BIGINT) AS n
             FROM conversions v
            WHERE NOT v.is_control AND v.credit_staff_id IN (SELECT staff_id FROM st)
              AND v.season_start = (SELECT max(season_start) FROM conversions)
            GROUP BY v.credit_staff_id
         )
         SELECT st.staff_id, st.staff_name, st.role, st.org_id, o.org_name,
                coalesce(tk.queued, 0) AS queued, coalesce(tk.open, 0) AS open,
                coalesce(tk.in_progress, 0) AS in_progress, coalesce(tk.done, 0) AS done,
                coalesce(tk.overdue, 0) AS overdue, coalesce(ct.n, 0) AS contacts_7d,
                coalesce(cv.n, 0) AS converted
           FROM st
           LEFT JOIN orgs o ON o.org_id = st.org_id
           LEFT JOIN tk ON tk.staff_id = st.staff_id
           LEFT JOIN ct ON ct.staff_id = st.staff_id
           LEFT JOIN cv ON cv.staff_id = st.staff_id
          ORDER BY converted DESC, contacts_7d DESC, st.staff_id`,
        params.values,
      );
      const num = (v: string | number | null | undefined) => Number(v ?? 0);
      return {
        today,
        org_id: org.org_id,
        members: rows.map((m) => ({
          staff_id: String(m.staff_id),
          staff_name: m.staff_name == null ? null : String(m.staff_name),
          role: String(m.role),
          org_id: String(m.org_id),
          org_name: m.org_name == null ? null : String(m.org_name),
          queued: num(m.queued),
          open: num(m.open),
          in_progress: num(m.in_progress),
          done: num(m.done),
          overdue: num(m.overdue),
          contacts_7d: num(m.contacts_7d),
          converted: num(m.converted),
        })),
      };
    },
  );
}
