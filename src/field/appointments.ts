// Home-visit appointments (预约机制, P11): a customer, a reason, a slot, who goes (a staff member, the
// org's team, or both) and what became of it. A staff member, and a team of an org, is in one place at
// a time: a slot that overlaps another appointment of the same staff member, or of the same team of
// the same org, is refused (DOUBLE_BOOKED) unless that one was cancelled. Status: BOOKED → DONE |
// CANCELLED | NO_SHOW; the last three are final.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { bankDayEnd } from '../domain/bankTime.js';
import { addDays } from '../domain/dates.js';
import { mask } from '../domain/masking.js';
import {
  type Bind,
  FieldRefused,
  iso,
  maskedText,
  nextId,
  num,
  str,
  ts,
  updateRow,
  type Writer,
} from './common.js';
import { freeText, id, isoDate } from './inputs.js';

export const APPOINTMENT_TEAMS = ['DOOR', 'BACKPACK', 'CARE'] as const;
export const APPOINTMENT_STATUSES = ['BOOKED', 'DONE', 'CANCELLED', 'NO_SHOW'] as const;
export const APPOINTMENT_REASONS = [
  'SSC_CARD',
  'PENSION',
  'ACCOUNT',
  'CARD_SERVICE',
  'WEALTH',
  'BENEFIT',
  'OTHER',
] as const;

/** The longest slot (a home visit is not a day's work). */
export const MAX_SLOT_HOURS = 8;

const instant = z.iso
  .datetime({ offset: true })
  .describe('ISO-8601 with its offset, e.g. 2027-01-22T10:00:00+08:00');

export const slotFields = {
  slot_start: instant,
  slot_end: instant,
  team: z.enum(APPOINTMENT_TEAMS).optional(),
  staff_id: id.optional().describe('who goes (default: you, for an account manager)'),
  reason: z.enum(APPOINTMENT_REASONS),
  notes: freeText(1000).optional(),
};

type Slot = { slot_start: string; slot_end: string };
const slotOrder = (s: Slot) => Date.parse(s.slot_end) > Date.parse(s.slot_start);
const slotLength = (s: Slot) =>
  Date.parse(s.slot_end) - Date.parse(s.slot_start) <= MAX_SLOT_HOURS * 3_600_000;

/** The slot checks of a booking body: it ends after it starts, within MAX_SLOT_HOURS. */
function withSlotChecks<S extends z.ZodType<Slot>>(schema: S): S {
  return schema
    .refine(slotOrder, { message: 'the slot must end after it starts', path: ['slot_end'] })
    .refine(slotLength, { message: `a slot lasts at most ${MAX_SLOT_HOURS} hours`, path: ['slot_end'] });
}

export const appointmentCreate = withSlotChecks(
  z.object({ ...slotFields, customer_id: id, org_id: id.optional().describe('default: your org') }),
);
export const taskAppointment = withSlotChecks(z.object(slotFields));

export const appointmentPatch = z.object({
  status: z.enum(['DONE', 'CANCELLED', 'NO_SHOW']),
  notes: freeText(1000).optional(),
});

export const appointmentView = z.object({
  appointment_id: z.number(),
  customer_id: z.string(),
  customer_name: z.string().nullable().describe('masked'),
  customer_phone: z.string().nullable().describe('masked'),
  task_id: z.number().nullable(),
  org_id: z.string(),
  team: z.string().nullable(),
  staff_id: z.string().nullable(),
  reason: z.string(),
  slot_start: z.string(),
  slot_end: z.string(),
  status: z.string(),
  has_notes: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export const appointmentDetail = appointmentView.extend({
  notes: z.string().nullable().describe('digit runs masked'),
});

export interface NewAppointment {
  customer_id: string;
  task_id: number | null;
  org_id: string;
  team: string | null;
  staff_id: string | null;
  reason: string;
  slot_start: string;
  slot_end: string;
  notes: string | null;
}

const utc = (s: string) => ts(new Date(s));

/**
 * Book a slot; DOUBLE_BOOKED when it overlaps a live appointment of the same staff member or of the
 * same team of the same org. The caller's transaction holds the audit lock, so two bookings of one
 * slot cannot both pass the check.
 */
export async function bookAppointment(tx: Db, a: NewAppointment, w: Writer): Promise<number> {
  if (!a.staff_id && !a.team)
    throw new FieldRefused('NO_ONE', 'an appointment names who goes: a staff member or a team');
  const [clash] = await tx.query<{
    staff_id: string | null;
    team: string | null;
    slot_start: string;
    slot_end: string;
  }>(
    `SELECT staff_id, team, org_id, slot_start, slot_end FROM appointments
      WHERE status <> 'CANCELLED'
        AND slot_start < CAST($1 AS TIMESTAMP) AND slot_end > CAST($2 AS TIMESTAMP)
        AND ((staff_id IS NOT NULL AND staff_id = $3) OR (team IS NOT NULL AND team = $4 AND org_id = $5))
      ORDER BY slot_start LIMIT 1`,
    [utc(a.slot_end), utc(a.slot_start), a.staff_id, a.team, a.org_id],
  );
  if (clash) {
    const who =
      a.staff_id && clash.staff_id === a.staff_id
        ? `staff member ${a.staff_id}`
        : `the ${a.team} team of ${a.org_id}`;
    throw new FieldRefused(
      'DOUBLE_BOOKED',
      `${who} already has an appointment from ${iso(clash.slot_start)} to ${iso(clash.slot_end)}`,
    );
  }
  const appointmentId = await nextId(tx, 'appointments', 'appointment_id');
  await tx.execute(
    `INSERT INTO appointments (appointment_id, customer_id, task_id, org_id, team, staff_id, reason, slot_start, slot_end,
                               status, notes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS TIMESTAMP), CAST($9 AS TIMESTAMP), 'BOOKED', $10, $11,
             CAST($12 AS TIMESTAMP))`,
    [
      appointmentId,
      a.customer_id,
      a.task_id,
      a.org_id,
      a.team,
      a.staff_id,
      a.reason,
      utc(a.slot_start),
      utc(a.slot_end),
      a.notes,
      w.username,
      ts(w.at),
    ],
  );
  return appointmentId;
}

/** BOOKED → DONE | CANCELLED | NO_SHOW; a closed appointment is not changed again (APPOINTMENT_CLOSED). */
export async function setAppointmentStatus(
  tx: Db,
  appointmentId: number,
  patch: z.infer<typeof appointmentPatch>,
  w: Writer,
): Promise<string[]> {
  const [row] = await tx.query<{ status: string }>(
    'SELECT status FROM appointments WHERE appointment_id = $1',
    [appointmentId],
  );
  if (!row) throw new FieldRefused('NOT_FOUND', `no appointment ${appointmentId}`);
  if (row.status !== 'BOOKED')
    throw new FieldRefused('APPOINTMENT_CLOSED', `appointment ${appointmentId} is ${row.status} already`);
  return updateRow(
    tx,
    'appointments',
    'appointment_id',
    appointmentId,
    patch,
    { status: 'status', notes: 'notes' },
    w,
  );
}

const COLUMNS = `ap.appointment_id, ap.customer_id, c.name AS customer_name, c.phone AS customer_phone, ap.task_id,
  ap.org_id, ap.team, ap.staff_id, ap.reason, ap.slot_start, ap.slot_end, ap.status, ap.notes, ap.created_by,
  ap.created_at, ap.updated_at`;
const FROM = 'appointments ap LEFT JOIN customers c ON c.customer_id = ap.customer_id';

function toView(r: Record<string, unknown>): z.infer<typeof appointmentView> {
  return {
    appointment_id: Number(r.appointment_id),
    customer_id: String(r.customer_id),
    customer_name: mask('name', str(r.customer_name)),
    customer_phone: mask('phone', str(r.customer_phone)),
    task_id: num(r.task_id),
    org_id: String(r.org_id),
    team: str(r.team),
    staff_id: str(r.staff_id),
    reason: String(r.reason),
    slot_start: iso(r.slot_start) as string,
    slot_end: iso(r.slot_end) as string,
    status: String(r.status),
    has_notes: r.notes !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

export interface AppointmentFilter {
  /** A bank date: slots starting on that day (UTC+8). */
  date?: string;
  team?: string;
  org?: string;
  staff?: string;
  status?: string;
}

export const appointmentQuery = z.object({
  date: isoDate.optional().describe('slots starting on this bank date'),
  team: z.enum(APPOINTMENT_TEAMS).optional(),
  org: id.optional(),
  staff: id.optional(),
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export async function listAppointments(
  db: Db,
  scope: string,
  params: Bind,
  f: AppointmentFilter,
  limit: number,
): Promise<z.infer<typeof appointmentView>[]> {
  const where = [scope];
  if (f.date) {
    where.push(`ap.slot_start >= CAST(${params.add(ts(bankDayEnd(addDays(f.date, -1))))} AS TIMESTAMP)`);
    where.push(`ap.slot_start < CAST(${params.add(ts(bankDayEnd(f.date)))} AS TIMESTAMP)`);
  }
  if (f.team) where.push(`ap.team = ${params.add(f.team)}`);
  if (f.org) where.push(`ap.org_id = ${params.add(f.org)}`);
  if (f.staff) where.push(`ap.staff_id = ${params.add(f.staff)}`);
  if (f.status) where.push(`ap.status = ${params.add(f.status)}`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where.join(' AND ')} ORDER BY ap.slot_start, ap.appointment_id LIMIT ${limit}`,
    params.values,
  );
  return rows.map(toView);
}

export async function getAppointment(
  db: Db,
  appointmentId: number,
): Promise<z.infer<typeof appointmentDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM ${FROM} WHERE ap.appointment_id = $1`, [appointmentId]);
  return r ? { ...toView(r), notes: maskedText(str(r.notes)) } : null;
}
