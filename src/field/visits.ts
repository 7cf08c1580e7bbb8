// Employer and government visits (P3): who went where, when, what came of it, what next. A visit to an
// employer with any outcome but NOT_MET also converts the employer's EMPLOYER_VISIT lead
// (src/leads/conversions.ts, VISIT_RECORDED).

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { type Bind, day, iso, maskedText, nextId, str, ts, updateRow, type Writer } from './common.js';
import { freeText, id, isoDate, label, nonEmpty } from './inputs.js';

export const VISIT_KINDS = ['EMPLOYER', 'GOVERNMENT'] as const;
export const VISIT_OUTCOMES = ['MET', 'INTERESTED', 'AGREED', 'DECLINED', 'NOT_MET'] as const;

export const visitCreate = z
  .object({
    kind: z.enum(VISIT_KINDS),
    employer_id: id.optional().describe('required for EMPLOYER; a government employer for GOVERNMENT'),
    counterpart: label.optional().describe('the body visited when it is no employer of the extract'),
    org_id: id.optional().describe('default: your org'),
    staff_id: id.optional().describe('who visited (default: you)'),
    visited_on: isoDate,
    outcome: z.enum(VISIT_OUTCOMES),
    summary: freeText(2000).optional(),
    next_step: freeText(500).optional(),
    next_date: isoDate.optional(),
  })
  .refine((v) => v.kind !== 'EMPLOYER' || v.employer_id, {
    message: 'an employer visit names the employer',
    path: ['employer_id'],
  })
  .refine((v) => v.employer_id || v.counterpart, {
    message: 'a government visit names an employer or the counterpart',
    path: ['counterpart'],
  })
  .refine((v) => !v.next_date || v.next_date >= v.visited_on, {
    message: 'the next date is not before the visit',
    path: ['next_date'],
  });

export const visitPatch = z
  .object({
    outcome: z.enum(VISIT_OUTCOMES).optional(),
    summary: freeText(2000).optional(),
    next_step: freeText(500).optional(),
    next_date: isoDate.nullable().optional(),
  })
  .refine(nonEmpty, 'nothing to change');

export const visitView = z.object({
  visit_id: z.number(),
  kind: z.string(),
  employer_id: z.string().nullable(),
  employer_name: z.string().nullable(),
  counterpart: z.string().nullable(),
  org_id: z.string(),
  staff_id: z.string(),
  visited_on: z.string(),
  outcome: z.string(),
  next_date: z.string().nullable(),
  has_notes: z.boolean().describe('a summary or next step was written (shown in the detail)'),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});

export const visitDetail = visitView.extend({
  summary: z.string().nullable().describe('free text, digit runs masked'),
  next_step: z.string().nullable().describe('free text, digit runs masked'),
});

export type VisitCreate = z.infer<typeof visitCreate> & { org_id: string; staff_id: string };
export type VisitView = z.infer<typeof visitView>;
export type VisitDetail = z.infer<typeof visitDetail>;

export async function createVisit(tx: Db, v: VisitCreate, w: Writer): Promise<number> {
  const visitId = await nextId(tx, 'visits', 'visit_id');
  await tx.execute(
    `INSERT INTO visits (visit_id, kind, employer_id, counterpart, org_id, staff_id, visited_on, outcome, summary,
                         next_step, next_date, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS DATE), $8, $9, $10, CAST($11 AS DATE), $12, CAST($13 AS TIMESTAMP))`,
    [
      visitId,
      v.kind,
      v.employer_id ?? null,
      v.counterpart ?? null,
      v.org_id,
      v.staff_id,
      v.visited_on,
      v.outcome,
      v.summary ?? null,
      v.next_step ?? null,
      v.next_date ?? null,
      w.username,
      ts(w.at),
    ],
  );
  return visitId;
}

/** Change a visit; returns the fields changed. */
export async function updateVisit(
  tx: Db,
  visitId: number,
  patch: z.infer<typeof visitPatch>,
  w: Writer,
): Promise<string[]> {
  return updateRow(
    tx,
    'visits',
    'visit_id',
    visitId,
    patch,
    { outcome: 'outcome', summary: 'summary', next_step: 'next_step', next_date: 'next_date:DATE' },
    w,
  );
}

const COLUMNS = `v.visit_id, v.kind, v.employer_id, e.employer_name, v.counterpart, v.org_id, v.staff_id, v.visited_on,
  v.outcome, v.summary, v.next_step, v.next_date, v.created_by, v.created_at, v.updated_at`;
const FROM = 'visits v LEFT JOIN employers e ON e.employer_id = v.employer_id';

function toView(r: Record<string, unknown>): VisitView {
  return {
    visit_id: Number(r.visit_id),
    kind: String(r.kind),
    employer_id: str(r.employer_id),
    employer_name: str(r.employer_name),
    counterpart: str(r.counterpart),
    org_id: String(r.org_id),
    staff_id: String(r.staff_id),
    visited_on: day(r.visited_on) as string,
    outcome: String(r.outcome),
    next_date: day(r.next_date),
    has_notes: r.summary !== null || r.next_step !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

export interface VisitFilter {
  org?: string;
  employer?: string;
  kind?: string;
  from?: string;
  to?: string;
}

/** Visits matching `scope` (a condition on `v`, its values in `params`) and the filter, latest first. */
export async function listVisits(
  db: Db,
  scope: string,
  params: Bind,
  f: VisitFilter,
  limit: number,
): Promise<VisitView[]> {
  const where = [scope];
  if (f.org) where.push(`v.org_id = ${params.add(f.org)}`);
  if (f.employer) where.push(`v.employer_id = ${params.add(f.employer)}`);
  if (f.kind) where.push(`v.kind = ${params.add(f.kind)}`);
  if (f.from) where.push(`v.visited_on >= CAST(${params.add(f.from)} AS DATE)`);
  if (f.to) where.push(`v.visited_on <= CAST(${params.add(f.to)} AS DATE)`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')}
      ORDER BY v.visited_on DESC, v.visit_id DESC LIMIT ${limit}`,
    params.values,
  );
  return rows.map(toView);
}

export async function getVisit(db: Db, visitId: number): Promise<VisitDetail | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE v.visit_id = $1`, [visitId]);
  if (!r) return null;
  return { ...toView(r), summary: maskedText(str(r.summary)), next_step: maskedText(str(r.next_step)) };
}
