// wangji leads | tasks | outcome | pad | counter: the lead lists, a staff member's (or pool's) tasks,
// recording an outcome, and the two point-of-service prompts. Personal data is masked.

import { loadSeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { mask } from '../../domain/masking.js';
import { CounterPrompt } from '../../leads/counterPrompt.js';
import { PadLookup } from '../../leads/pad.js';
import { listTasks, recordOutcome, WorkRefused } from '../../leads/work.js';
import { leadReason } from '../../pipeline/models/leads/lead_candidates.js';
import { type Output, renderTable } from '../output.js';

const QUEUE_REASONS: Record<string, string> = {
  CAPACITY: '今日任务已满 capacity reached',
  CONTACT_CAP: '7 日内已联系 2 次 contact cap',
};

export async function leadsCommand(
  target: DbTarget,
  o: { activity?: string; org?: string; status: string; limit: number; config?: string; lang: 'zh' | 'en' },
  out: Output,
): Promise<number> {
  const config = loadSeasonConfig(o.config);
  const db = await openDb(target);
  try {
    const where = ['l.status = $1'];
    const params: string[] = [o.status];
    if (o.activity) {
      params.push(o.activity);
      where.push(`l.activity_id = $${params.length}`);
    }
    if (o.org) {
      params.push(o.org);
      where.push(`EXISTS (SELECT 1 FROM org_closure oc WHERE oc.ancestor_id = $${params.length}
                     AND oc.org_id = coalesce(t.credit_org_id, t.org_id, cu.home_org_id))`);
    }
    const rows = await db.query<Record<string, string | number | boolean | null>>(
      `SELECT l.lead_id, l.activity_id, l.entity_kind, l.entity_id, l.customer_id, cu.name, l.product_code,
              CAST(l.propensity AS VARCHAR) AS propensity, CAST(l.value AS VARCHAR) AS value, CAST(l.weight AS VARCHAR) AS weight,
              CAST(l.priority AS VARCHAR) AS priority, l.status, l.created_on, l.is_control, l.facts,
              t.task_id, t.org_id, t.staff_id, t.channel, t.status AS task_status
         FROM leads l
         LEFT JOIN tasks t ON t.lead_id = l.lead_id
         LEFT JOIN customers cu ON cu.customer_id = l.customer_id
        WHERE ${where.join(' AND ')}
        ORDER BY l.priority DESC, l.lead_id LIMIT ${o.limit}`,
      params,
    );
    type Cell = string | number | boolean | null;
    const leads: Record<string, Cell>[] = rows.map((r) => {
      const a = config.activities.find((x) => x.id === r.activity_id);
      const { facts, name, ...rest } = r;
      return {
        ...rest,
        customer_name: mask('name', name as string | null),
        reason: a ? leadReason(a, String(facts), o.lang) : '',
      };
    });
    out.result(leads, () =>
      leads.length === 0
        ? ['(no leads: run the pipeline for a date in the season — wangji run --as-of YYYY-MM-DD)']
        : renderTable(
            [
              'lead',
              'activity',
              'entity',
              'customer',
              'product',
              'p × v × w = priority',
              'task',
              'created',
              'reason',
            ],
            leads.map((l) => [
              l.lead_id,
              l.activity_id,
              l.entity_id,
              l.customer_name ?? '',
              l.product_code ?? '',
              `${Number(l.propensity)} × ${Number(l.value)} × ${Number(l.weight)} = ${Number(l.priority)}`,
              l.is_control
                ? 'control'
                : l.task_id
                  ? `#${l.task_id} ${l.channel} ${l.staff_id ?? l.org_id}`
                  : '',
              l.created_on,
              l.reason,
            ]),
          ),
    );
    return 0;
  } finally {
    await db.close();
  }
}

export async function tasksCommand(
  target: DbTarget,
  o: { staff?: string; pool?: string; all?: boolean; limit: number; config?: string; lang: 'zh' | 'en' },
  out: Output,
): Promise<number> {
  if (!o.staff === !o.pool) {
    out.error('give --staff ID or --pool ORG_ID');
    return 2;
  }
  const config = loadSeasonConfig(o.config);
  const db = await openDb(target);
  try {
    const tasks = await listTasks(db, config, {
      staffId: o.staff,
      poolOrgId: o.pool,
      statuses: o.all ? ['OPEN', 'IN_PROGRESS', 'QUEUED', 'DONE', 'CLOSED'] : undefined,
      limit: o.limit,
      lang: o.lang,
    });
    out.result(tasks, () =>
      tasks.length === 0
        ? ['(no tasks)']
        : renderTable(
            ['task', 'status', 'due', 'channel', 'customer', 'phone', 'talking points'],
            tasks.map((t) => [
              t.task_id,
              t.status === 'QUEUED'
                ? `QUEUED (${QUEUE_REASONS[t.queue_reason ?? ''] ?? t.queue_reason})`
                : t.status,
              t.due_date ?? '',
              t.channel,
              t.customer_name ?? t.entity_id,
              t.customer_phone ?? '',
              t.talking_points,
            ]),
          ),
    );
    return 0;
  } finally {
    await db.close();
  }
}

export async function outcomeCommand(
  target: DbTarget,
  o: {
    taskId: number;
    outcome: string;
    note?: string;
    reason?: string;
    at?: string;
    staff?: string;
    config?: string;
  },
  out: Output,
): Promise<number> {
  const config = loadSeasonConfig(o.config);
  const at = o.at ? new Date(o.at) : undefined;
  if (at && Number.isNaN(at.getTime())) {
    out.error(`--at: not a time: ${o.at} (e.g. 2027-01-05T10:30:00+08:00)`);
    return 2;
  }
  const db = await openDb(target);
  try {
    const r = await recordOutcome(db, config, {
      taskId: o.taskId,
      outcome: o.outcome.toUpperCase(),
      note: o.note,
      reason: o.reason,
      at,
      staffId: o.staff,
    });
    out.result(r, () => [
      `已记录 Recorded: task #${r.task_id} ${r.outcome} at ${r.contact_at} — task ${r.task_status}, lead ${r.lead_status}`,
    ]);
    return 0;
  } catch (e) {
    if (e instanceof WorkRefused) {
      out.error(`refused (${e.code}): ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

export async function padCommand(
  target: DbTarget,
  o: { customer?: string; idNo?: string; staff: string; config?: string; lang: 'zh' | 'en' },
  out: Output,
): Promise<number> {
  const secret = process.env.WANGJI_ID_SECRET;
  if (!secret) {
    out.error('set WANGJI_ID_SECRET (at least 16 characters): ID numbers are matched by an HMAC with it');
    return 2;
  }
  const config = loadSeasonConfig(o.config);
  const db = await openDb(target);
  try {
    const pad = await PadLookup.open(db, config, secret);
    const r = await pad.lookup({ customerId: o.customer, idNo: o.idNo }, { staffId: o.staff }, o.lang);
    out.result(r, () =>
      !r
        ? ['(no such customer)']
        : [
            `${r.customer.customer_id} ${r.customer.name ?? ''} ${r.customer.age ?? ''} ${r.customer.phone ?? ''} (${r.customer.home_org_id})`,
            '',
            ...renderTable(
              ['open lead', 'product', 'channel', 'reason'],
              r.leads.map((l) => [l.activity_name, l.product_name ?? '', l.channel ?? '', l.reason]),
            ),
            '',
            ...renderTable(
              ['product match', 'score', 'reason'],
              r.matches.map((m) => [`${m.product_name} (${m.product_code})`, Number(m.score), m.reason]),
            ),
          ],
    );
    return 0;
  } finally {
    await db.close();
  }
}

export async function counterCommand(
  target: DbTarget,
  o: { name?: string; bic?: string; account?: string; country?: string },
  out: Output,
): Promise<number> {
  const db = await openDb(target);
  try {
    const counter = await CounterPrompt.open(db);
    const r = counter.prompt({ beneficiaryName: o.name, bic: o.bic, account: o.account, country: o.country });
    out.result(r, () => [
      r.supported ? '支持 Supported' : '不支持 Not supported',
      ...(r.match
        ? [`${r.match.kind} ${r.match.institutionName} (${r.match.country ?? ''}) score ${r.match.score}`]
        : []),
      ...(r.offer ? [r.offer.text.zh, r.offer.text.en] : []),
    ]);
    return 0;
  } finally {
    await db.close();
  }
}
