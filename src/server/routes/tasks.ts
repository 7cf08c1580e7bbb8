// The leads workbench (PLAYBOOK.md step 5) over the work API of src/leads/work.ts, every query and
// write limited to the user's scope (src/server/scope.ts):
//   GET  /api/tasks                  my tasks and my pool (or a manager's subtree), filtered, best first
//   GET  /api/tasks/:id              one task: reason, talking points, masked customer card, contacts
//   POST /api/tasks/:id/outcome      record an outcome (the contact policy refuses with a reason: 409)
//   POST /api/tasks/:id/reassign     hand a task to a staff member or a pool inside the manager's scope
//   POST /api/tasks/:id/pickup       take a task from my pool (the outlet's, my team's, the remote centre's)
// A task outside the scope answers 404 exactly as a missing one does, and the attempt is audited.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { mask } from '../../domain/masking.js';
import { latestConsentSql, OUTCOMES } from '../../leads/contactPolicy.js';
import {
  pickUpTaskIn,
  reassignTaskIn,
  recordOutcomeIn,
  TASK_VIEW_COLUMNS,
  TASK_VIEW_FROM,
  TASK_VIEW_ORDER,
  toTaskView,
  WorkRefused,
} from '../../leads/work.js';
import type { RouteDeps } from '../app.js';
import { onDataChanged } from '../changes.js';
import { BadRequest, errorResponses, NotFound, Refused } from '../errors.js';
import { auditDenied, principalOf } from '../plugins/auth.js';
import { isPublished } from '../published.js';
import type { Principal } from '../roles.js';
import { orgVisible, SqlParams, taskVisible } from '../scope.js';
import { type CardRow, type ContactRow, type TaskRow, viewRows, Workbench } from '../workbench.js';

export const TASK_STATUSES = ['QUEUED', 'OPEN', 'IN_PROGRESS', 'DONE', 'CLOSED'] as const;
const OPEN_STATUSES = ['OPEN', 'IN_PROGRESS', 'QUEUED'] as const;

export const taskView = z.object({
  task_id: z.number(),
  lead_id: z.number(),
  activity_id: z.string(),
  activity_name: z.string(),
  entity_kind: z.string(),
  entity_id: z.string(),
  customer_id: z.string().nullable(),
  customer_name: z.string().nullable().describe('masked'),
  customer_phone: z.string().nullable().describe('masked'),
  org_id: z.string(),
  staff_id: z.string().nullable(),
  channel: z.string(),
  status: z.string(),
  queue_reason: z.string().nullable(),
  created_on: z.string(),
  assigned_on: z.string().nullable(),
  due_date: z.string().nullable(),
  product_code: z.string().nullable(),
  product_name: z.string().nullable(),
  priority: z.string(),
  reason: z.string(),
  talking_points: z.string(),
  last_outcome: z.string().nullable(),
});

const customerCard = z.object({
  customer_id: z.string(),
  name: z.string().nullable().describe('masked'),
  phone: z.string().nullable().describe('masked'),
  id_no: z.string().nullable().describe('masked'),
  gender: z.string().nullable(),
  home_org_id: z.string().nullable(),
  home_org_name: z.string().nullable(),
  manager_id: z.string().nullable(),
  risk_level: z.string().nullable(),
  marketing_consent: z.string().nullable(),
  dnd: z.string().nullable(),
  customer_since: z.string().nullable(),
  marketing_refused: z.boolean().describe('the customer has refused all marketing (not lifted since)'),
});

const contactRow = z.object({
  contact_id: z.number(),
  outcome: z.string(),
  channel: z.string(),
  staff_id: z.string().nullable(),
  contact_at: z.string(),
});

const lang = z.enum(['zh', 'en']).default('zh');

const movedTask = z.object({
  task_id: z.number(),
  org_id: z.string(),
  staff_id: z.string().nullable(),
  channel: z.string(),
  due_date: z.string(),
});
const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

/** The scope condition on tasks `t`; nothing is visible to a subtree before org_closure is published. */
async function tasksInScope(deps: RouteDeps, p: Principal, params: SqlParams): Promise<string> {
  if (p.scope === 'SUBTREE' && !(await isPublished(deps.db, 'org_closure'))) return '(1 = 0)';
  return taskVisible(p, params);
}

/** Whether a task is in the principal's scope, outside it, or missing. */
async function taskState(
  db: Db,
  deps: RouteDeps,
  p: Principal,
  id: number,
): Promise<'VISIBLE' | 'HIDDEN' | 'MISSING'> {
  const params = new SqlParams([id]);
  const visible = await tasksInScope(deps, p, params);
  const [row] = await db.query<{ visible: number }>(
    `SELECT CASE WHEN ${visible} THEN 1 ELSE 0 END AS visible FROM tasks t WHERE t.task_id = $1`,
    params.values,
  );
  return !row ? 'MISSING' : Number(row.visible) === 1 ? 'VISIBLE' : 'HIDDEN';
}

/** Go on only with a task in scope; else 404, audited when the task exists outside the scope. */
async function requireTask(deps: RouteDeps, request: FastifyRequest, id: number): Promise<void> {
  const state = await taskState(deps.db, deps, principalOf(request), id);
  if (state === 'VISIBLE') return;
  if (state === 'HIDDEN') await auditDenied(deps.db, request, `task ${id} outside the scope`);
  throw new NotFound(`no task ${id} in your scope`);
}

/** The same check again inside a write's transaction (the task may have moved meanwhile). */
async function recheckTask(tx: Db, deps: RouteDeps, p: Principal, id: number): Promise<void> {
  if ((await taskState(tx, deps, p, id)) !== 'VISIBLE') throw new NotFound(`no task ${id} in your scope`);
}

/** The masked customer card of a task. */
function toCard(c: CardRow | undefined) {
  if (!c) return null;
  return {
    customer_id: String(c.customer_id),
    name: mask('name', c.name ?? null),
    phone: mask('phone', c.phone ?? null),
    id_no: mask('id_no', c.id_no ?? null),
    gender: c.gender ?? null,
    home_org_id: c.home_org_id ?? null,
    home_org_name: c.home_org_name ?? null,
    manager_id: c.manager_id ?? null,
    risk_level: c.risk_level ?? null,
    marketing_consent: c.marketing_consent ?? null,
    dnd: c.dnd ?? null,
    customer_since: c.customer_since ?? null,
    marketing_refused: c.consent_event === 'REFUSED_ALL',
  };
}

/** Where a task is now: whose entries of the workbench a change to it concerns. */
async function holderOf(db: Db, id: number) {
  const [t] = await db.query<{ customer_id: string | null; staff_id: string | null; org_id: string }>(
    'SELECT customer_id, staff_id, org_id FROM tasks WHERE task_id = $1',
    [id],
  );
  return t ?? null;
}

/** The work API's refusals as HTTP answers. */
function asHttp(e: unknown): unknown {
  if (!(e instanceof WorkRefused)) return e;
  switch (e.code) {
    case 'NOT_FOUND':
    case 'UNKNOWN_STAFF':
    case 'UNKNOWN_ORG':
      return new NotFound(e.message);
    case 'BAD_OUTCOME':
      return new BadRequest(e.message, [{ field: 'body.outcome', message: e.message }]);
    case 'REASON_REQUIRED':
      return new BadRequest(e.message, [{ field: 'body.reason', message: e.message }]);
    default:
      return new Refused(e.code, e.message);
  }
}

export function taskRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, config, now } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Account managers' and corporate RMs' task reads come from memory (src/server/workbench.ts). On
  // DuckDB this server is the only writer of the file; on PostgreSQL other processes may write too.
  const workbench = new Workbench(db, { ttlMs: db.kind === 'duckdb' ? 60_000 : 5_000 });
  onDataChanged(app, () => workbench.dataChanged());
  // A kept row's view is written once per language (the reason and talking points from the facts):
  // formatting 150 rows on every request cost more than everything else the list does.
  const views = new WeakMap<TaskRow, Partial<Record<'zh' | 'en', ReturnType<typeof toTaskView>>>>();
  const viewOf = (row: TaskRow, lang: 'zh' | 'en') => {
    const kept = views.get(row) ?? {};
    const v = kept[lang] ?? toTaskView(config, row, lang);
    kept[lang] = v;
    views.set(row, kept);
    return v;
  };
  const jsons = new WeakMap<TaskRow, Partial<Record<'zh' | 'en', string>>>();
  /** A kept row's view as JSON, validated against the response schema once. */
  const viewJson = (row: TaskRow, lang: 'zh' | 'en') => {
    const kept = jsons.get(row) ?? {};
    const j = kept[lang] ?? JSON.stringify(taskView.parse(viewOf(row, lang)));
    kept[lang] = j;
    jsons.set(row, kept);
    return j;
  };
  /** After a write: drop what it may have changed (the task where it was and where it is now). */
  const written = (
    before: { customer_id: string | null; staff_id: string | null; org_id: string } | null,
    id: number,
    after?: { staff_id: string | null; org_id: string },
  ) =>
    workbench.changed({
      tasks: [id],
      customers: [before?.customer_id ?? null],
      staff: [before?.staff_id ?? null, after?.staff_id ?? null],
      orgs: [
        before?.staff_id === null ? before.org_id : null,
        after && after.staff_id === null ? after.org_id : null,
      ],
    });

  r.get(
    '/api/tasks',
    {
      config: { permission: 'leads:read' },
      schema: {
        summary: 'Tasks in scope: my own, my pool, or (managers) the subtree’s — best first',
        tags: ['tasks'],
        querystring: z.object({
          view: z
            .enum(['all', 'mine', 'pool'])
            .default('all')
            .describe('mine: assigned to me; pool: not assigned to anyone; all: everything in scope'),
          status: z
            .string()
            .regex(/^[A-Z_]+(,[A-Z_]+)*$/)
            .optional()
            .describe(`comma-separated: ${TASK_STATUSES.join(', ')} (default the open ones)`),
          activity: z.string().min(1).max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
          lang,
        }),
        response: { 200: z.object({ total: z.number(), tasks: z.array(taskView) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const q = request.query;
      const statuses = q.status ? [...new Set(q.status.split(','))] : [...OPEN_STATUSES];
      const unknown = statuses.filter((s) => !(TASK_STATUSES as readonly string[]).includes(s));
      if (unknown.length)
        throw new BadRequest(`unknown status ${unknown.join(', ')}`, [
          { field: 'querystring.status', message: `one or more of ${TASK_STATUSES.join(', ')}` },
        ]);
      if (Workbench.serves(p)) {
        const v = await workbench.view(p, q.view !== 'mine');
        const wanted = new Set(statuses);
        const from = q.view === 'mine' ? v.own.rows : q.view === 'pool' ? (v.pool?.rows ?? []) : viewRows(v);
        const rows = from.filter(
          (t: TaskRow) => wanted.has(String(t.status)) && (!q.activity || t.activity_id === q.activity),
        );
        // Each row's JSON was checked against the response schema when it was kept (viewJson): the
        // list is put together from those strings instead of validating and serialising 150 objects
        // on every request.
        const json = `{"total":${rows.length},"tasks":[${rows
          .slice(q.offset, q.offset + q.limit)
          .map((row) => viewJson(row, q.lang))
          .join(',')}]}`;
        return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
      }
      const params = new SqlParams();
      const where = [await tasksInScope(deps, p, params), `t.status IN (${params.list(statuses)})`];
      if (q.activity) where.push(`t.activity_id = ${params.add(q.activity)}`);
      if (q.view === 'mine') where.push(p.staffId ? `t.staff_id = ${params.add(p.staffId)}` : '(1 = 0)');
      if (q.view === 'pool') where.push('t.staff_id IS NULL');
      const [count] = await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM tasks t WHERE ${where.join(' AND ')}`,
        params.values,
      );
      // The page's tasks first (tasks and their leads' priority only), then their rows: joining every
      // task in scope to its lead (facts and all) and customer before taking the page costs a full
      // hash join of each on DuckDB, on its one connection (#9's soak: 1.5 s a page at 200,000
      // customers, 0.15 s this way).
      const rows = await db.query(
        `WITH page AS (
           SELECT t.task_id, t.lead_id, t.customer_id, CASE t.status WHEN 'QUEUED' THEN 1 ELSE 0 END AS queued,
                  l.priority AS priority_order
             FROM tasks t JOIN leads l ON l.lead_id = t.lead_id
            WHERE ${where.join(' AND ')}
            ORDER BY ${TASK_VIEW_ORDER}
            LIMIT ${q.limit} OFFSET ${q.offset})
         SELECT ${TASK_VIEW_COLUMNS}
           FROM page x JOIN tasks t ON t.task_id = x.task_id
                JOIN leads l ON l.lead_id = x.lead_id
                LEFT JOIN customers c ON c.customer_id = x.customer_id
                LEFT JOIN products p ON p.product_code = l.product_code
          ORDER BY x.queued, x.priority_order DESC, x.task_id`, // TASK_VIEW_ORDER again
        params.values,
      );
      return { total: Number(count?.n ?? 0), tasks: rows.map((row) => toTaskView(config, row, q.lang)) };
    },
  );

  r.get(
    '/api/tasks/:id',
    {
      config: { permission: 'leads:read' },
      schema: {
        summary: 'One task with its reason, talking points, the masked customer card and the contacts so far',
        tags: ['tasks'],
        params: idParams,
        querystring: z.object({ lang }),
        response: {
          200: z.object({ task: taskView, customer: customerCard.nullable(), contacts: z.array(contactRow) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const p = principalOf(request);
      if (Workbench.serves(p)) {
        // Own tasks first (the pool is read only when the task is not among them).
        const own = (await workbench.view(p, false)).own;
        const e = own.byId.has(id) ? own : ((await workbench.view(p, true)).pool ?? own);
        const kept = e.byId.get(id);
        if (kept) {
          const lang = request.query.lang;
          const task = viewOf(kept, lang);
          // Put together from checked parts, like the list (the card and contacts checked here).
          const customer = toCard(task.customer_id ? e.cards.get(task.customer_id) : undefined);
          const json = `{"task":${viewJson(kept, lang)},"customer":${JSON.stringify(
            customerCard.nullable().parse(customer),
          )},"contacts":${JSON.stringify(z.array(contactRow).parse(e.contacts.get(id) ?? []))}}`;
          return (reply as FastifyReply).type('application/json; charset=utf-8').send(json);
        }
        // Not among the ones kept: the database says whether it is missing, outside, or just new.
      }
      await requireTask(deps, request, id);
      const [row] = await db.query(
        `SELECT ${TASK_VIEW_COLUMNS} FROM ${TASK_VIEW_FROM} WHERE t.task_id = $1`,
        [id],
      );
      if (!row) throw new NotFound(`no task ${id} in your scope`);
      const task = toTaskView(config, row, request.query.lang);
      const [c] = task.customer_id
        ? await db.query<CardRow>(
            `SELECT c.customer_id, c.name, c.phone, c.id_no, c.gender, c.home_org_id, o.org_name AS home_org_name,
                    c.manager_id, c.risk_level, c.marketing_consent, c.dnd, c.customer_since,
                    ${latestConsentSql('c.customer_id')} AS consent_event
               FROM customers c LEFT JOIN orgs o ON o.org_id = c.home_org_id
              WHERE c.customer_id = $1`,
            [task.customer_id],
          )
        : [];
      const customer = toCard(c);
      // Notes and INVALID reasons are free text that may hold personal data: not shown here.
      const contacts = await db.query<ContactRow>(
        `SELECT contact_id, outcome, channel, staff_id, contact_at FROM contacts WHERE task_id = $1
          ORDER BY contact_at, contact_id`,
        [id],
      );
      return {
        task,
        customer,
        contacts: contacts.map((x) => ({ ...x, contact_id: Number(x.contact_id) })),
      };
    },
  );

  r.post(
    '/api/tasks/:id/outcome',
    {
      config: { permission: 'leads:work' },
      schema: {
        summary: 'Record an outcome on a task (now); the contact policy may refuse it (409, with the reason)',
        tags: ['tasks'],
        params: idParams,
        body: z.object({
          outcome: z.enum(OUTCOMES),
          note: z.string().max(500).optional(),
          reason: z.string().max(500).optional().describe('INVALID: why the lead is wrong'),
        }),
        response: {
          200: z.object({
            contact_id: z.number(),
            task_id: z.number(),
            lead_id: z.number(),
            outcome: z.enum(OUTCOMES),
            contact_at: z.string(),
            task_status: z.string(),
            lead_status: z.string(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.id;
      await requireTask(deps, request, id);
      if (!p.staffId)
        throw new Refused(
          'NOT_STAFF',
          'an outcome is recorded by the staff member who made the contact: this user is not a staff member',
        );
      const staffId = p.staffId;
      const { outcome, note, reason } = request.body;
      const before = await holderOf(db, id);
      // The contact and its audit entry are committed together or not at all.
      const recorded = await withAudit(db, async (tx, audit) => {
        await recheckTask(tx, deps, p, id);
        const r = await recordOutcomeIn(tx, config, {
          taskId: id,
          outcome,
          note,
          reason,
          staffId,
          at: now(),
        });
        await audit({ actor: p.username, action: 'OUTCOME', subject: `task:${id}`, detail: { outcome } });
        return r;
      }).catch((e: unknown) => {
        throw asHttp(e);
      });
      // Written into the kept workbench entries holding the task; REFUSED_ALL closes the customer's
      // other tasks too: those entries are dropped.
      if (outcome === 'REFUSED_ALL') await written(before, id);
      else
        workbench.recorded({
          taskId: id,
          status: recorded.task_status,
          outcome,
          contactId: Number(recorded.contact_id),
          contactAt: recorded.contact_at,
          staffId,
        });
      return { ...recorded, task_id: Number(recorded.task_id), lead_id: Number(recorded.lead_id) };
    },
  );

  r.post(
    '/api/tasks/:id/reassign',
    {
      config: { permission: 'leads:reassign' },
      schema: {
        summary: 'Hand a task to a staff member or to an org’s pool, both inside your scope',
        tags: ['tasks'],
        params: idParams,
        body: z
          .object({
            staffId: z.string().min(1).max(64).optional(),
            poolOrgId: z.string().min(1).max(64).optional(),
          })
          .refine((b) => !b.staffId !== !b.poolOrgId, { message: 'give either staffId or poolOrgId' })
          .describe(
            'exactly one of staffId (a staff member in your scope) and poolOrgId (an org in your scope)',
          ),
        response: { 200: movedTask, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.id;
      await requireTask(deps, request, id);
      const { staffId, poolOrgId } = request.body;
      const params = new SqlParams([staffId ?? poolOrgId ?? '']);
      const [target] = staffId
        ? await db.query(
            `SELECT s.staff_id FROM staff s WHERE s.staff_id = $1 AND ${orgVisible(p, 's.org_id', params)}`,
            params.values,
          )
        : await db.query(
            `SELECT o.org_id FROM orgs o WHERE o.org_id = $1 AND ${orgVisible(p, 'o.org_id', params)}`,
            params.values,
          );
      if (!target) {
        const [exists] = staffId
          ? await db.query('SELECT staff_id FROM staff WHERE staff_id = $1', [staffId])
          : await db.query('SELECT org_id FROM orgs WHERE org_id = $1', [poolOrgId ?? '']);
        if (exists)
          await auditDenied(
            db,
            request,
            `task ${id} to ${staffId ? `staff ${staffId}` : `pool ${poolOrgId}`} outside the scope`,
          );
        throw new NotFound(staffId ? 'no such staff member in your scope' : 'no such org in your scope');
      }
      const before = await holderOf(db, id);
      const moved = await withAudit(db, async (tx, audit) => {
        await recheckTask(tx, deps, p, id);
        const moved = await reassignTaskIn(
          tx,
          config,
          staffId ? { taskId: id, staffId } : { taskId: id, poolOrgId },
        );
        await audit({
          actor: p.username,
          action: 'REASSIGN',
          subject: `task:${id}`,
          detail: staffId ? { toStaff: staffId } : { toPool: poolOrgId },
        });
        return moved;
      }).catch((e: unknown) => {
        throw asHttp(e);
      });
      await written(before, id, moved);
      return moved;
    },
  );

  r.post(
    '/api/tasks/:id/pickup',
    {
      config: { permission: 'leads:work' },
      schema: {
        summary: 'Take a task from a pool you see: it becomes yours (409 with the reason when it cannot)',
        tags: ['tasks'],
        params: idParams,
        response: { 200: movedTask, ...errorResponses },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const id = request.params.id;
      await requireTask(deps, request, id);
      if (!p.staffId)
        throw new Refused('NOT_STAFF', 'a task is picked up by a staff member: this user is not one');
      const staffId = p.staffId;
      const before = await holderOf(db, id);
      const taken = await withAudit(db, async (tx, audit) => {
        await recheckTask(tx, deps, p, id);
        const taken = await pickUpTaskIn(tx, config, { taskId: id, staffId });
        await audit({ actor: p.username, action: 'PICKUP', subject: `task:${id}`, detail: { staffId } });
        return taken;
      }).catch((e: unknown) => {
        throw asHttp(e);
      });
      await written(before, id, taken);
      return taken;
    },
  );
}
