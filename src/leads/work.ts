// The work API (PLAYBOOK.md step 5), used by the CLI now and by the server later: list the tasks of a
// staff member or of an org's pool, record an outcome, reassign a task, record a customer's consent
// re-grant. Every write takes the run lock, so that it never interleaves with a pipeline run advancing
// the leads; what people record is never deleted by a run.

import type { Activity, SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { bankDate, utcTimestamp } from '../domain/bankTime.js';
import { mask } from '../domain/masking.js';
import { leadReason } from '../pipeline/models/leads/lead_candidates.js';
import { contactRefusal, latestConsentSql, OUTCOMES, type Outcome, REFUSALS } from './contactPolicy.js';

export class WorkRefused extends Error {
  constructor(
    readonly code:
      | 'NOT_FOUND'
      | 'TASK_QUEUED'
      | 'TASK_CLOSED'
      | 'REASON_REQUIRED'
      | 'BAD_OUTCOME'
      | 'CONTACT_CAP'
      | 'QUIET_HOURS'
      | 'REFUSED_ALL'
      | 'CAPACITY'
      | 'UNKNOWN_STAFF'
      | 'UNKNOWN_ORG'
      | 'STAFF_ROLE'
      | 'NOT_IN_POOL'
      | 'NOT_PICKABLE'
      | 'WRONG_TEAM',
    message: string,
  ) {
    super(message);
  }
}

export interface TaskView {
  task_id: number;
  lead_id: number;
  activity_id: string;
  activity_name: string;
  entity_kind: string;
  entity_id: string;
  customer_id: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  org_id: string;
  staff_id: string | null;
  channel: string;
  status: string;
  queue_reason: string | null;
  created_on: string;
  assigned_on: string | null;
  due_date: string | null;
  product_code: string | null;
  product_name: string | null;
  priority: string;
  reason: string;
  talking_points: string;
  last_outcome: string | null;
}

function activityOf(config: SeasonConfig, id: string): Activity | undefined {
  return config.activities.find((a) => a.id === id);
}

/** What the person says: the activity, why this customer, what to offer, and how to refuse. */
export function talkingPoints(
  a: Activity | undefined,
  reason: string,
  product: string | null,
  channel: string,
  lang: 'zh' | 'en',
): string {
  const name = a ? a.name[lang] : '';
  // Every marketing message offers a way to refuse (PIPL art. 24); an SMS says how to reply.
  const sms = channel === 'SMS';
  const refuse = a?.service
    ? null
    : lang === 'zh'
      ? sms
        ? '回复 TD 退订营销信息'
        : '告知客户可随时拒绝营销联系'
      : sms
        ? 'Reply TD to stop marketing messages'
        : 'Tell the customer they may refuse marketing at any time';
  const parts =
    lang === 'zh'
      ? [`${name}：${reason}`, product ? `推荐：${product}` : null, refuse]
      : [`${name}: ${reason}`, product ? `Offer: ${product}` : null, refuse];
  return parts.filter(Boolean).join(lang === 'zh' ? '；' : '; ');
}

/** The columns TaskView is built from (toTaskView), over TASK_VIEW_FROM. */
export const TASK_VIEW_COLUMNS = `t.task_id, t.lead_id, t.activity_id, l.entity_kind, l.entity_id, t.customer_id, c.name AS customer_name,
            c.phone AS customer_phone, t.org_id, t.staff_id, t.channel, t.status, t.queue_reason, t.created_on,
            t.assigned_on, t.due_date, l.product_code, p.product_name, CAST(l.priority AS VARCHAR) AS priority, l.facts,
            t.last_outcome`;

/** Tasks (t) with their lead (l), contact customer (c) and product (p). */
export const TASK_VIEW_FROM = `tasks t
       JOIN leads l ON l.lead_id = t.lead_id
       LEFT JOIN customers c ON c.customer_id = t.customer_id
       LEFT JOIN products p ON p.product_code = l.product_code`;

/** Open work first, queued last, then by priority: the order of every task list. */
export const TASK_VIEW_ORDER = `CASE t.status WHEN 'QUEUED' THEN 1 ELSE 0 END, l.priority DESC, t.task_id`;

/** A row of TASK_VIEW_COLUMNS as the person sees it: reason and talking points written, personal data masked. */
export function toTaskView(
  config: SeasonConfig,
  r: Record<string, string | number | boolean | null>,
  lang: 'zh' | 'en',
): TaskView {
  const a = activityOf(config, String(r.activity_id));
  const reason = a ? leadReason(a, String(r.facts), lang) : '';
  const product = (r.product_name as string | null) ?? (r.product_code as string | null);
  return {
    task_id: Number(r.task_id),
    lead_id: Number(r.lead_id),
    activity_id: String(r.activity_id),
    activity_name: a ? a.name[lang] : String(r.activity_id),
    entity_kind: String(r.entity_kind),
    entity_id: String(r.entity_id),
    customer_id: r.customer_id as string | null,
    customer_name: mask('name', r.customer_name as string | null),
    customer_phone: mask('phone', r.customer_phone as string | null),
    org_id: String(r.org_id),
    staff_id: r.staff_id as string | null,
    channel: String(r.channel),
    status: String(r.status),
    queue_reason: r.queue_reason as string | null,
    created_on: String(r.created_on),
    assigned_on: r.assigned_on as string | null,
    due_date: r.due_date as string | null,
    product_code: r.product_code as string | null,
    product_name: r.product_name as string | null,
    priority: String(r.priority),
    reason,
    talking_points: talkingPoints(a, reason, product, String(r.channel), lang),
    last_outcome: r.last_outcome as string | null,
  };
}

/** Tasks of one staff member, or of an org's pool (staff empty), best first. Personal data masked. */
export async function listTasks(
  db: Db,
  config: SeasonConfig,
  o: { staffId?: string; poolOrgId?: string; statuses?: string[]; limit?: number; lang?: 'zh' | 'en' },
): Promise<TaskView[]> {
  if (!o.staffId && !o.poolOrgId) throw new Error('listTasks: give a staff id or a pool org id');
  const lang = o.lang ?? 'zh';
  const statuses = o.statuses ?? ['OPEN', 'IN_PROGRESS', 'QUEUED'];
  const params: string[] = [o.staffId ?? o.poolOrgId ?? '', ...statuses];
  const rows = await db.query<Record<string, string | number | null>>(
    `SELECT ${TASK_VIEW_COLUMNS}
       FROM ${TASK_VIEW_FROM}
      WHERE ${o.staffId ? 't.staff_id = $1' : 't.org_id = $1 AND t.staff_id IS NULL'}
        AND t.status IN (${statuses.map((_, i) => `$${i + 2}`).join(', ')})
      ORDER BY ${TASK_VIEW_ORDER}
      LIMIT ${Math.max(1, Math.min(o.limit ?? 200, 10_000))}`,
    params,
  );
  return rows.map((r) => toTaskView(config, r, lang));
}

export interface OutcomeInput {
  taskId: number;
  outcome: string;
  /** When it happened (default: now). */
  at?: Date;
  /** Who recorded it (default: the task's staff). */
  staffId?: string;
  note?: string;
  /** INVALID: why the lead is wrong (it goes back to the rule's owner). */
  reason?: string;
}

export interface RecordedContact {
  contact_id: number;
  task_id: number;
  lead_id: number;
  outcome: Outcome;
  contact_at: string;
  task_status: string;
  lead_status: string;
}

/** Take the run lock in the caller's transaction: people's writes never interleave with a run. */
async function runLock(tx: Db): Promise<void> {
  const lock = tx.dialect.exclusiveLock('run');
  if (lock) await tx.exec(lock);
}

async function locked<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await runLock(tx);
    return fn(tx);
  });
}

/** Record an outcome on a task; refused (WorkRefused) when the contact policy or the task forbids it. */
export function recordOutcome(db: Db, config: SeasonConfig, o: OutcomeInput): Promise<RecordedContact> {
  return db.transaction((tx) => recordOutcomeIn(tx, config, o));
}

/** recordOutcome inside a transaction the caller holds (e.g. with its audit entry). */
export async function recordOutcomeIn(
  tx: Db,
  config: SeasonConfig,
  o: OutcomeInput,
): Promise<RecordedContact> {
  if (!(OUTCOMES as readonly string[]).includes(o.outcome))
    throw new WorkRefused('BAD_OUTCOME', `unknown outcome ${o.outcome}: one of ${OUTCOMES.join(', ')}`);
  const outcome = o.outcome as Outcome;
  if (outcome === 'INVALID' && !o.reason?.trim())
    throw new WorkRefused('REASON_REQUIRED', 'INVALID needs a reason (it goes back to the rule’s owner)');
  const at = o.at ?? new Date();
  await runLock(tx);
  const [task] = await tx.query<{
    task_id: number;
    lead_id: number;
    activity_id: string;
    customer_id: string | null;
    subject: string;
    staff_id: string | null;
    channel: string;
    status: string;
    service: boolean;
  }>(
    `SELECT t.task_id, t.lead_id, t.activity_id, t.customer_id, coalesce(t.customer_id, l.entity_id) AS subject,
            t.staff_id, t.channel, t.status, l.service
       FROM tasks t JOIN leads l ON l.lead_id = t.lead_id WHERE t.task_id = $1`,
    [o.taskId],
  );
  if (!task) throw new WorkRefused('NOT_FOUND', `no task ${o.taskId}`);
  if (task.status === 'QUEUED')
    throw new WorkRefused(
      'TASK_QUEUED',
      `task ${o.taskId} is still queued: it has not been handed to anyone`,
    );
  if (task.status === 'DONE' || task.status === 'CLOSED')
    throw new WorkRefused(
      'TASK_CLOSED',
      `task ${o.taskId} is ${task.status}: nothing more can be recorded on it`,
    );
  const marketing = !task.service;
  if (marketing && !REFUSALS.includes(outcome)) {
    // A refusal of all marketing stands until a re-grant recorded after it.
    const [last] = await tx.query<{ event: string | null }>(`SELECT ${latestConsentSql('$1')} AS event`, [
      task.subject,
    ]);
    if (last?.event === 'REFUSED_ALL')
      throw new WorkRefused('REFUSED_ALL', `task ${o.taskId}: the customer has refused all marketing`);
  }
  const week = 7 * 24 * 3_600_000;
  const others = task.customer_id
    ? await tx.query<{ contact_at: string }>(
        `SELECT contact_at FROM contacts WHERE customer_id = $1 AND is_contact AND is_marketing
            AND contact_at > CAST($2 AS TIMESTAMP) AND contact_at < CAST($3 AS TIMESTAMP)`,
        [
          task.customer_id,
          utcTimestamp(new Date(at.getTime() - week)),
          utcTimestamp(new Date(at.getTime() + week)),
        ],
      )
    : [];
  const refusal = contactRefusal({
    outcome,
    channel: task.channel,
    marketing,
    at,
    others: others.map((e) => new Date(e.contact_at)),
    cap: config.thresholds.contact_cap_7d,
    quiet: config.thresholds.quiet_hours,
  });
  if (refusal) throw new WorkRefused(refusal.code, `task ${o.taskId}: ${refusal.message}`);
  const [{ next } = { next: 0 }] = await tx.query<{ next: number }>(
    'SELECT CAST(coalesce(max(contact_id), 0) + 1 AS BIGINT) AS next FROM contacts',
  );
  const contactAt = utcTimestamp(at);
  const by = o.staffId ?? task.staff_id;
  await tx.execute(
    `INSERT INTO contacts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CAST($11 AS TIMESTAMP), CAST($12 AS TIMESTAMP), $13, $14)`,
    [
      Number(next),
      task.task_id,
      task.lead_id,
      task.activity_id,
      task.customer_id,
      by,
      task.channel,
      outcome,
      o.reason?.trim() || null,
      o.note?.trim() || null,
      contactAt,
      utcTimestamp(new Date()),
      outcome !== 'NOT_REACHED',
      marketing,
    ],
  );
  const ends = REFUSALS.includes(outcome);
  const taskStatus = ends ? 'DONE' : 'IN_PROGRESS';
  await tx.execute(
    `UPDATE tasks SET status = CAST($1 AS VARCHAR), last_outcome = CAST($2 AS VARCHAR), last_outcome_at = CAST($3 AS TIMESTAMP),
            closed_reason = CASE WHEN CAST($1 AS VARCHAR) = 'DONE' THEN CAST($2 AS VARCHAR) ELSE closed_reason END WHERE task_id = $4`,
    [taskStatus, outcome, contactAt, task.task_id],
  );
  let leadStatus = 'OPEN';
  if (ends) {
    leadStatus = outcome === 'INVALID' ? 'INVALID' : 'REFUSED';
    // The reason an INVALID lead was given stays in contacts (free text may hold personal data).
    await tx.execute(
      `UPDATE leads SET status = $1, status_on = CAST($2 AS DATE), status_reason = $3 WHERE lead_id = $4 AND status = 'OPEN'`,
      [leadStatus, bankDate(at), outcome, task.lead_id],
    );
  }
  if (outcome === 'REFUSED_ALL') {
    // Recorded under the customer's id (a prospect's: the prospect id). Their other marketing leads
    // stop now; the next run keeps them from being mined again.
    await tx.execute(`INSERT INTO consent_events VALUES ($1, 'REFUSED_ALL', CAST($2 AS TIMESTAMP), $3, $4)`, [
      task.subject,
      contactAt,
      by,
      o.note?.trim() || null,
    ]);
    await tx.execute(
      `UPDATE leads SET status = 'DROPPED', status_on = CAST($1 AS DATE), status_reason = 'REFUSED_ALL'
        WHERE coalesce(customer_id, entity_id) = $2 AND status = 'OPEN' AND NOT service`,
      [bankDate(at), task.subject],
    );
    await tx.execute(
      `UPDATE tasks SET status = 'CLOSED', closed_reason = 'REFUSED_ALL', queue_reason = NULL
        WHERE status IN ('QUEUED', 'OPEN', 'IN_PROGRESS') AND task_id <> $1
          AND lead_id IN (SELECT lead_id FROM leads WHERE coalesce(customer_id, entity_id) = $2 AND NOT service)`,
      [task.task_id, task.subject],
    );
  }
  return {
    contact_id: Number(next),
    task_id: task.task_id,
    lead_id: task.lead_id,
    outcome,
    contact_at: `${contactAt.replace(' ', 'T')}Z`,
    task_status: taskStatus,
    lead_status: leadStatus,
  };
}

/** Record a customer's renewed consent to marketing, lifting an earlier refusal of all marketing. */
export function recordConsentRegrant(
  db: Db,
  o: { customerId: string; staffId: string; at?: Date; note?: string },
): Promise<void> {
  return locked(db, async (tx) => {
    const [c] = await tx.query('SELECT customer_id FROM customers WHERE customer_id = $1', [o.customerId]);
    if (!c) throw new WorkRefused('NOT_FOUND', `no customer ${o.customerId}`);
    await tx.execute(`INSERT INTO consent_events VALUES ($1, 'REGRANTED', CAST($2 AS TIMESTAMP), $3, $4)`, [
      o.customerId,
      utcTimestamp(o.at ?? new Date()),
      o.staffId,
      o.note?.trim() || null,
    ]);
  });
}

/**
 * Hand a task to a staff member (within their daily capacity) or to an org's pool. The day is the
 * data date of the latest lead run — the list staff are working through.
 */
export async function reassignTask(
  db: Db,
  config: SeasonConfig,
  o: { taskId: number; staffId?: string; poolOrgId?: string },
): Promise<ReassignedTask> {
  return db.transaction((tx) => reassignTaskIn(tx, config, o));
}

export interface ReassignedTask {
  task_id: number;
  org_id: string;
  staff_id: string | null;
  channel: string;
  due_date: string;
}

/**
 * Staff roles that work tasks; lobby staff and tellers serve walk-in customers through the point of
 * service, HQ operations runs the bank: a task handed to them would wait for nobody.
 */
export const TASK_WORKER_ROLES = new Set([
  'ACCOUNT_MANAGER',
  'CORPORATE_RM',
  'OUTLET_MANAGER',
  'SUBBRANCH_MANAGER',
  'BRANCH_MANAGER',
  'REMOTE_AGENT',
]);

/** Outreach teams: their tasks are picked up by a member of the team (staff.team). */
const TEAM_CHANNELS = new Set(['DOOR', 'BACKPACK', 'CARE']);

/** The channel of a task a staff member works themself. */
const staffChannel = (role: string) =>
  role === 'CORPORATE_RM' ? 'CORPORATE_RM' : role === 'REMOTE_AGENT' ? 'OUTBOUND_CALL' : 'MANAGER';

interface AssignableStaff {
  org_id: string;
  role: string;
  team: string | null;
}

/** A staff member who works tasks and has room for one more new task on `day`; else WorkRefused. */
async function assignableStaff(
  tx: Db,
  config: SeasonConfig,
  staffId: string,
  day: string,
  taskId: number,
): Promise<AssignableStaff> {
  const [s] = await tx.query<{ org_id: string; role: string; team: string | null }>(
    'SELECT org_id, role, team FROM staff WHERE staff_id = $1',
    [staffId],
  );
  if (!s) throw new WorkRefused('UNKNOWN_STAFF', `no active staff member ${staffId}`);
  if (!TASK_WORKER_ROLES.has(s.role))
    throw new WorkRefused('STAFF_ROLE', `${staffId} is ${s.role}: that role does not work lead tasks`);
  const [used] = await tx.query<{ n: number }>(
    'SELECT CAST(count(*) AS BIGINT) AS n FROM tasks WHERE staff_id = $1 AND assigned_on = CAST($2 AS DATE) AND task_id <> $3',
    [staffId, day, taskId],
  );
  if (Number(used?.n ?? 0) >= config.thresholds.staff_daily_capacity)
    throw new WorkRefused(
      'CAPACITY',
      `${staffId} already has ${used?.n} new tasks for ${day} (at most ${config.thresholds.staff_daily_capacity})`,
    );
  return s;
}

/** The day new assignments count against (the data date of the latest lead run) and its due date. */
async function assignmentDay(tx: Db, config: SeasonConfig): Promise<{ day: string; due: string }> {
  const [run] = await tx.query<{ d: string | null }>('SELECT max(as_of) AS d FROM lead_runs');
  const day = run?.d ?? bankDate(new Date());
  const [due] = await tx.query<{ d: string }>(
    `SELECT CAST(CAST($1 AS DATE) + ${config.thresholds.task_due_days} AS DATE) AS d`,
    [day],
  );
  return { day, due: due?.d ?? day };
}

/** reassignTask inside a transaction the caller holds (e.g. with its audit entry). */
export async function reassignTaskIn(
  tx: Db,
  config: SeasonConfig,
  o: { taskId: number; staffId?: string; poolOrgId?: string },
): Promise<ReassignedTask> {
  if (!o.staffId === !o.poolOrgId) throw new Error('reassignTask: give either a staff id or a pool org id');
  await runLock(tx);
  const [task] = await tx.query<{ status: string; channel: string }>(
    'SELECT status, channel FROM tasks WHERE task_id = $1',
    [o.taskId],
  );
  if (!task) throw new WorkRefused('NOT_FOUND', `no task ${o.taskId}`);
  if (task.status === 'DONE' || task.status === 'CLOSED')
    throw new WorkRefused('TASK_CLOSED', `task ${o.taskId} is ${task.status}`);
  const { day, due } = await assignmentDay(tx, config);
  let orgId: string;
  let channel: string;
  if (o.staffId) {
    const s = await assignableStaff(tx, config, o.staffId, day, o.taskId);
    orgId = s.org_id;
    channel = staffChannel(s.role);
  } else {
    const [org] = await tx.query('SELECT org_id FROM orgs WHERE org_id = $1', [o.poolOrgId ?? '']);
    if (!org) throw new WorkRefused('UNKNOWN_ORG', `no org ${o.poolOrgId}`);
    orgId = o.poolOrgId as string;
    channel = task.channel === 'MANAGER' || task.channel === 'CORPORATE_RM' ? 'POOL' : task.channel;
  }
  return moveTask(tx, { taskId: o.taskId, orgId, staffId: o.staffId ?? null, channel, day, due });
}

async function moveTask(
  tx: Db,
  m: { taskId: number; orgId: string; staffId: string | null; channel: string; day: string; due: string },
): Promise<ReassignedTask> {
  await tx.execute(
    `UPDATE tasks SET org_id = $1, staff_id = $2, channel = $3, status = CASE WHEN status = 'QUEUED' THEN 'OPEN' ELSE status END,
            queue_reason = NULL, assigned_on = CAST($4 AS DATE), due_date = CAST($5 AS DATE) WHERE task_id = $6`,
    [m.orgId, m.staffId, m.channel, m.day, m.due, m.taskId],
  );
  return { task_id: m.taskId, org_id: m.orgId, staff_id: m.staffId, channel: m.channel, due_date: m.due };
}

/**
 * A staff member takes a task from a pool (PLAYBOOK step 5: the outlet's shared list, an outreach
 * team's list, the remote centre's calls). The task stays with the pool's org; POOL and LOBBY tasks
 * become the staff member's own (MANAGER, or CORPORATE_RM), a team's task stays the team's channel and
 * needs a member of that team, an outbound call needs a remote agent; SMS are sent in batches, never
 * picked up. Counted against the staff member's daily capacity, like a reassignment.
 */
export async function pickUpTaskIn(
  tx: Db,
  config: SeasonConfig,
  o: { taskId: number; staffId: string },
): Promise<ReassignedTask> {
  await runLock(tx);
  const [task] = await tx.query<{ status: string; channel: string; org_id: string; staff_id: string | null }>(
    'SELECT status, channel, org_id, staff_id FROM tasks WHERE task_id = $1',
    [o.taskId],
  );
  if (!task) throw new WorkRefused('NOT_FOUND', `no task ${o.taskId}`);
  if (task.status === 'DONE' || task.status === 'CLOSED')
    throw new WorkRefused('TASK_CLOSED', `task ${o.taskId} is ${task.status}`);
  if (task.staff_id !== null)
    throw new WorkRefused('NOT_IN_POOL', `task ${o.taskId} is already assigned to a staff member`);
  if (task.channel === 'SMS')
    throw new WorkRefused(
      'NOT_PICKABLE',
      'SMS tasks are sent in batches by the remote centre, not picked up',
    );
  const { day, due } = await assignmentDay(tx, config);
  const s = await assignableStaff(tx, config, o.staffId, day, o.taskId);
  if (TEAM_CHANNELS.has(task.channel) && s.team !== task.channel)
    throw new WorkRefused('WRONG_TEAM', `task ${o.taskId} is for the ${task.channel} team`);
  if ((task.channel === 'OUTBOUND_CALL') !== (s.role === 'REMOTE_AGENT'))
    throw new WorkRefused(
      'STAFF_ROLE',
      task.channel === 'OUTBOUND_CALL'
        ? `task ${o.taskId} is an outbound call of the remote centre`
        : `a remote agent works only outbound calls`,
    );
  const channel = task.channel === 'POOL' || task.channel === 'LOBBY' ? staffChannel(s.role) : task.channel;
  return moveTask(tx, { taskId: o.taskId, orgId: task.org_id, staffId: o.staffId, channel, day, due });
}
