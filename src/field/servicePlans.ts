// Per-employer service plans (P6): the employer's pain points, what the bank offers (payroll process,
// auto-debit categories, open-ended wealth, whole-life insurance, fund and gold savings plans, card
// replacement help), who owns the plan, and where it stands.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { type Bind, day, iso, maskedText, nextId, str, ts, updateRow, type Writer } from './common.js';
import { freeText, id, isoDate, nonEmpty } from './inputs.js';

export const PLAN_OFFERS = [
  'PAYROLL_PROCESS',
  'AUTO_DEBIT',
  'OPEN_WEALTH',
  'WHOLE_LIFE_INSURANCE',
  'FUND_PLAN',
  'GOLD_PLAN',
  'CARD_REPLACEMENT',
  'OTHER',
] as const;
export const PLAN_STATUSES = ['DRAFT', 'PROPOSED', 'AGREED', 'IN_PROGRESS', 'DONE', 'DROPPED'] as const;
/** The biller kinds of the bill_agreements extract. */
export const BILLER_KINDS = [
  'WATER',
  'POWER',
  'GAS',
  'TELECOM',
  'SOCIAL_INSURANCE',
  'TUITION_CROSS_BORDER',
  'OTHER',
] as const;

const offers = z
  .array(z.enum(PLAN_OFFERS))
  .min(1)
  .max(PLAN_OFFERS.length)
  .refine((a) => new Set(a).size === a.length, 'each offer once');
const billers = z
  .array(z.enum(BILLER_KINDS))
  .max(BILLER_KINDS.length)
  .refine((a) => new Set(a).size === a.length, 'each kind once');

export const planCreate = z
  .object({
    employer_id: id,
    pain_points: freeText(2000).optional(),
    offers,
    auto_debit_kinds: billers.optional().describe('with AUTO_DEBIT: the biller kinds offered'),
    owner_staff_id: id.optional().describe('default: you'),
    status: z.enum(PLAN_STATUSES).default('DRAFT'),
    due_date: isoDate.optional(),
    notes: freeText(2000).optional(),
  })
  .refine((p) => !p.auto_debit_kinds?.length || p.offers.includes('AUTO_DEBIT'), {
    message: 'auto-debit kinds come with the AUTO_DEBIT offer',
    path: ['auto_debit_kinds'],
  });

export const planPatch = z
  .object({
    pain_points: freeText(2000).optional(),
    offers: offers.optional(),
    auto_debit_kinds: billers.optional(),
    owner_staff_id: id.optional(),
    status: z.enum(PLAN_STATUSES).optional(),
    due_date: isoDate.nullable().optional(),
    notes: freeText(2000).optional(),
  })
  .refine(nonEmpty, 'nothing to change');

export const planView = z.object({
  plan_id: z.number(),
  employer_id: z.string(),
  employer_name: z.string().nullable(),
  employer_org_id: z.string().nullable(),
  offers: z.array(z.string()),
  auto_debit_kinds: z.array(z.string()),
  owner_staff_id: z.string(),
  status: z.string(),
  due_date: z.string().nullable(),
  has_notes: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export const planDetail = planView.extend({
  pain_points: z.string().nullable().describe('digit runs masked'),
  notes: z.string().nullable().describe('digit runs masked'),
});

type View = z.infer<typeof planView>;
const joined = (a: readonly string[] | undefined) => (a === undefined ? undefined : a.join('|'));
const split = (v: unknown) => (v === null || v === undefined || v === '' ? [] : String(v).split('|'));

export async function createPlan(
  tx: Db,
  p: z.infer<typeof planCreate> & { owner_staff_id: string },
  w: Writer,
): Promise<number> {
  const planId = await nextId(tx, 'service_plans', 'plan_id');
  await tx.execute(
    `INSERT INTO service_plans (plan_id, employer_id, pain_points, offers, auto_debit_kinds, owner_staff_id, status,
                                due_date, notes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS DATE), $9, $10, CAST($11 AS TIMESTAMP))`,
    [
      planId,
      p.employer_id,
      p.pain_points ?? null,
      joined(p.offers) as string,
      joined(p.auto_debit_kinds) ?? null,
      p.owner_staff_id,
      p.status,
      p.due_date ?? null,
      p.notes ?? null,
      w.username,
      ts(w.at),
    ],
  );
  return planId;
}

export async function updatePlan(
  tx: Db,
  planId: number,
  patch: z.infer<typeof planPatch>,
  w: Writer,
): Promise<string[]> {
  return updateRow(
    tx,
    'service_plans',
    'plan_id',
    planId,
    { ...patch, offers: joined(patch.offers), auto_debit_kinds: joined(patch.auto_debit_kinds) },
    {
      pain_points: 'pain_points',
      offers: 'offers',
      auto_debit_kinds: 'auto_debit_kinds',
      owner_staff_id: 'owner_staff_id',
      status: 'status',
      due_date: 'due_date:DATE',
      notes: 'notes',
    },
    w,
  );
}

const COLUMNS = `pl.plan_id, pl.employer_id, e.employer_name, e.org_id AS employer_org_id, pl.offers, pl.auto_debit_kinds,
  pl.owner_staff_id, pl.status, pl.due_date, pl.pain_points, pl.notes, pl.created_by, pl.created_at, pl.updated_at`;
const FROM = 'service_plans pl LEFT JOIN employers e ON e.employer_id = pl.employer_id';

function toView(r: Record<string, unknown>): View {
  return {
    plan_id: Number(r.plan_id),
    employer_id: String(r.employer_id),
    employer_name: str(r.employer_name),
    employer_org_id: str(r.employer_org_id),
    offers: split(r.offers),
    auto_debit_kinds: split(r.auto_debit_kinds),
    owner_staff_id: String(r.owner_staff_id),
    status: String(r.status),
    due_date: day(r.due_date),
    has_notes: r.pain_points !== null || r.notes !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

export async function listPlans(
  db: Db,
  scope: string,
  params: Bind,
  f: { employer?: string; status?: string; owner?: string },
  limit: number,
): Promise<View[]> {
  const where = [scope];
  if (f.employer) where.push(`pl.employer_id = ${params.add(f.employer)}`);
  if (f.status) where.push(`pl.status = ${params.add(f.status)}`);
  if (f.owner) where.push(`pl.owner_staff_id = ${params.add(f.owner)}`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY pl.plan_id LIMIT ${limit}`,
    params.values,
  );
  return rows.map(toView);
}

export async function getPlan(db: Db, planId: number): Promise<z.infer<typeof planDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE pl.plan_id = $1`, [planId]);
  return r
    ? { ...toView(r), pain_points: maskedText(str(r.pain_points)), notes: maskedText(str(r.notes)) }
    : null;
}
