// The assistance-action table (帮扶动作一览表, P7) with the bank's progress against it: the extract's
// rows (action_id, division_code, counterpart, action, owner_org_id, due_date, status) and the progress
// records people add (status IN_PROGRESS | DONE | BLOCKED, a note), the latest first.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { bankDate } from '../domain/bankTime.js';
import { type Bind, day, iso, maskedText, nextId, num, str, ts, type Writer } from './common.js';
import { freeText } from './inputs.js';

export const PROGRESS_STATUSES = ['IN_PROGRESS', 'DONE', 'BLOCKED'] as const;

export const assistanceProgressInput = z.object({
  status: z.enum(PROGRESS_STATUSES),
  note: freeText(2000).optional(),
});

export const assistanceView = z.object({
  action_id: z.string(),
  division_code: z.string().nullable(),
  counterpart: z.string().nullable(),
  action: z.string().nullable(),
  owner_org_id: z.string().nullable(),
  due_date: z.string().nullable(),
  status: z.string().nullable().describe("the extract's status (PLANNED / DONE)"),
  progress: z.object({
    records: z.number(),
    status: z.string().nullable().describe('the latest progress status recorded'),
    recorded_on: z.string().nullable(),
    org_id: z.string().nullable(),
  }),
});

export const progressRecord = z.object({
  progress_id: z.number(),
  org_id: z.string(),
  recorded_on: z.string(),
  status: z.string(),
  note: z.string().nullable().describe('digit runs masked'),
  recorded_by: z.string(),
  recorded_at: z.string(),
});

export const assistanceDetail = assistanceView.extend({ history: z.array(progressRecord) });

type View = z.infer<typeof assistanceView>;

export async function recordAssistanceProgress(
  tx: Db,
  p: { action_id: string; org_id: string } & z.infer<typeof assistanceProgressInput>,
  w: Writer,
): Promise<number> {
  const progressId = await nextId(tx, 'assistance_progress', 'progress_id');
  await tx.execute(
    `INSERT INTO assistance_progress (progress_id, action_id, org_id, recorded_on, status, note, recorded_by, recorded_at)
     VALUES ($1, $2, $3, CAST($4 AS DATE), $5, $6, $7, CAST($8 AS TIMESTAMP))`,
    [progressId, p.action_id, p.org_id, bankDate(w.at), p.status, p.note ?? null, w.username, ts(w.at)],
  );
  return progressId;
}

const COLUMNS = `aa.action_id, aa.division_code, aa.counterpart, aa.action, aa.owner_org_id, aa.due_date, aa.status,
  (SELECT count(*) FROM assistance_progress ap WHERE ap.action_id = aa.action_id) AS records,
  lp.status AS progress_status, lp.recorded_on AS progress_on, lp.org_id AS progress_org`;
const FROM = `assistance_actions aa
  LEFT JOIN assistance_progress lp ON lp.progress_id =
    (SELECT max(x.progress_id) FROM assistance_progress x WHERE x.action_id = aa.action_id)`;

function toView(r: Record<string, unknown>): View {
  return {
    action_id: String(r.action_id),
    division_code: str(r.division_code),
    counterpart: str(r.counterpart),
    action: str(r.action),
    owner_org_id: str(r.owner_org_id),
    due_date: day(r.due_date),
    status: str(r.status),
    progress: {
      records: num(r.records) ?? 0,
      status: str(r.progress_status),
      recorded_on: day(r.progress_on),
      org_id: str(r.progress_org),
    },
  };
}

export async function listAssistanceActions(
  db: Db,
  scope: string,
  params: Bind,
  f: { org?: string; status?: string; progress?: string },
  limit: number,
): Promise<View[]> {
  const where = [scope];
  if (f.org) where.push(`aa.owner_org_id = ${params.add(f.org)}`);
  if (f.status) where.push(`aa.status = ${params.add(f.status)}`);
  if (f.progress === 'NONE') where.push('lp.progress_id IS NULL');
  else if (f.progress) where.push(`lp.status = ${params.add(f.progress)}`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')}
      ORDER BY aa.due_date NULLS LAST, aa.action_id LIMIT ${limit}`,
    params.values,
  );
  return rows.map(toView);
}

export async function getAssistanceAction(
  db: Db,
  actionId: string,
): Promise<z.infer<typeof assistanceDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE aa.action_id = $1`, [actionId]);
  if (!r) return null;
  const history = await db.query(
    `SELECT progress_id, org_id, recorded_on, status, note, recorded_by, recorded_at FROM assistance_progress
      WHERE action_id = $1 ORDER BY progress_id DESC`,
    [actionId],
  );
  return {
    ...toView(r),
    history: history.map((h) => ({
      progress_id: Number(h.progress_id),
      org_id: String(h.org_id),
      recorded_on: day(h.recorded_on) as string,
      status: String(h.status),
      note: maskedText(str(h.note)),
      recorded_by: String(h.recorded_by),
      recorded_at: iso(h.recorded_at) as string,
    })),
  };
}
