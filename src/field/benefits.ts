// The benefit-policy table (惠农惠民政策一览表, P7) with progress against it: the extract's programs,
// the figures each org records to date (recipients reached, of whom paid into a card of the bank —
// the latest record per org counts), and beside them what the extracts show: customers credited by the
// program (benefit_credits) and of those, credited into a social-security card account.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { bankDate } from '../domain/bankTime.js';
import { type Bind, day, iso, maskedText, nextId, num, str, ts, type Writer } from './common.js';
import { count, freeText } from './inputs.js';

export const benefitProgressInput = z
  .object({
    recipients_reached: count.describe('recipients your org has reached so far'),
    paid_into_card: count.describe('of whom paid into a card of the bank so far'),
    note: freeText(2000).optional(),
  })
  .refine((b) => b.paid_into_card <= b.recipients_reached, {
    message: 'paid into a card cannot exceed the recipients reached',
    path: ['paid_into_card'],
  });

export const benefitView = z.object({
  program_id: z.string(),
  program_name: z.string().nullable(),
  kind: z.string().nullable(),
  division_code: z.string().nullable(),
  into_ssc: z.string().nullable(),
  pay_day: z.number().nullable(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  progress: z.object({
    orgs: z.number().describe('orgs in scope with a record'),
    recipients_reached: z.number(),
    paid_into_card: z.number(),
    last_recorded_on: z.string().nullable(),
  }),
  credited: z.object({
    customers: z.number().describe('customers in scope credited by the program (benefit_credits)'),
    into_ssc: z.number().describe('of whom credited into a social-security card account'),
  }),
});

export const benefitRecord = z.object({
  progress_id: z.number(),
  org_id: z.string(),
  recorded_on: z.string(),
  recipients_reached: z.number(),
  paid_into_card: z.number(),
  note: z.string().nullable().describe('digit runs masked'),
  recorded_by: z.string(),
  recorded_at: z.string(),
});

export const benefitDetail = benefitView.extend({ history: z.array(benefitRecord) });

type View = z.infer<typeof benefitView>;

export async function recordBenefitProgress(
  tx: Db,
  p: { program_id: string; org_id: string } & z.infer<typeof benefitProgressInput>,
  w: Writer,
): Promise<number> {
  const progressId = await nextId(tx, 'benefit_progress', 'progress_id');
  await tx.execute(
    `INSERT INTO benefit_progress (progress_id, program_id, org_id, recorded_on, recipients_reached, paid_into_card, note,
                                   recorded_by, recorded_at)
     VALUES ($1, $2, $3, CAST($4 AS DATE), $5, $6, $7, $8, CAST($9 AS TIMESTAMP))`,
    [
      progressId,
      p.program_id,
      p.org_id,
      bankDate(w.at),
      p.recipients_reached,
      p.paid_into_card,
      p.note ?? null,
      w.username,
      ts(w.at),
    ],
  );
  return progressId;
}

/** The scope pieces of a benefit query: on programs `bp`, progress records `bq`, customers `cu`. */
export interface BenefitScope {
  programs: string;
  progress: string;
  customers: string;
}

function sql(s: BenefitScope, where: string[]): string {
  return `WITH latest AS (
      SELECT bq.program_id, count(*) AS orgs, sum(bq.recipients_reached) AS reached, sum(bq.paid_into_card) AS paid,
             max(bq.recorded_on) AS last_on
        FROM benefit_progress bq
       WHERE bq.progress_id IN (SELECT max(progress_id) FROM benefit_progress GROUP BY program_id, org_id)
         AND ${s.progress}
       GROUP BY bq.program_id
    ), credited AS (
      SELECT b.program_id, count(DISTINCT b.customer_id) AS customers,
             count(DISTINCT CASE WHEN a.card_kind IN ('SSC_GEN3', 'SSC_GEN2') THEN b.customer_id END) AS into_ssc
        FROM benefit_credits b
        JOIN customers cu ON cu.customer_id = b.customer_id
        LEFT JOIN accounts a ON a.account_id = b.account_id
       WHERE ${s.customers}
       GROUP BY b.program_id
    )
    SELECT bp.program_id, bp.program_name, bp.kind, bp.division_code, bp.into_ssc, bp.pay_day, bp.start_date, bp.end_date,
           l.orgs, l.reached, l.paid, l.last_on, c.customers, c.into_ssc AS credited_ssc
      FROM benefit_programs bp
      LEFT JOIN latest l ON l.program_id = bp.program_id
      LEFT JOIN credited c ON c.program_id = bp.program_id
     WHERE ${[s.programs, ...where].join(' AND ')}`;
}

function toView(r: Record<string, unknown>): View {
  return {
    program_id: String(r.program_id),
    program_name: str(r.program_name),
    kind: str(r.kind),
    division_code: str(r.division_code),
    into_ssc: str(r.into_ssc),
    pay_day: num(r.pay_day),
    start_date: day(r.start_date),
    end_date: day(r.end_date),
    progress: {
      orgs: num(r.orgs) ?? 0,
      recipients_reached: num(r.reached) ?? 0,
      paid_into_card: num(r.paid) ?? 0,
      last_recorded_on: day(r.last_on),
    },
    credited: { customers: num(r.customers) ?? 0, into_ssc: num(r.credited_ssc) ?? 0 },
  };
}

export async function listBenefitPrograms(
  db: Db,
  scope: BenefitScope,
  params: Bind,
  f: { kind?: string },
  limit: number,
): Promise<View[]> {
  const where: string[] = [];
  if (f.kind) where.push(`bp.kind = ${params.add(f.kind)}`);
  const rows = await db.query(`${sql(scope, where)} ORDER BY bp.program_id LIMIT ${limit}`, params.values);
  return rows.map(toView);
}

export async function getBenefitProgram(
  db: Db,
  scope: BenefitScope,
  params: Bind,
  programId: string,
): Promise<View | null> {
  const [r] = await db.query(sql(scope, [`bp.program_id = ${params.add(programId)}`]), params.values);
  return r ? toView(r) : null;
}

/** The progress records of a program, latest first, limited by `progressScope` (a condition on `bq`). */
export async function benefitHistory(
  db: Db,
  progressScope: string,
  params: Bind,
  programId: string,
): Promise<z.infer<typeof benefitRecord>[]> {
  const history = await db.query(
    `SELECT bq.progress_id, bq.org_id, bq.recorded_on, bq.recipients_reached, bq.paid_into_card, bq.note, bq.recorded_by,
            bq.recorded_at
       FROM benefit_progress bq WHERE bq.program_id = ${params.add(programId)} AND ${progressScope}
      ORDER BY bq.progress_id DESC`,
    params.values,
  );
  return history.map((h) => ({
    progress_id: Number(h.progress_id),
    org_id: String(h.org_id),
    recorded_on: day(h.recorded_on) as string,
    recipients_reached: Number(h.recipients_reached),
    paid_into_card: Number(h.paid_into_card),
    note: maskedText(str(h.note)),
    recorded_by: String(h.recorded_by),
    recorded_at: iso(h.recorded_at) as string,
  }));
}
