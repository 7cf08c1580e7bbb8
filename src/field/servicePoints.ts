// Temporary service points (临时服务点, P11): a place the bank staffs for a while (a market day, a
// village square in the pension week), with its staff.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import {
  type Bind,
  day,
  FieldRefused,
  iso,
  maskedText,
  nextId,
  setStaffOf,
  staffByRecord,
  str,
  ts,
  updateRow,
  type Writer,
} from './common.js';
import { division, freeText, id, isoDate, label, nonEmpty, staffIds } from './inputs.js';

const fields = {
  name: label,
  place: label,
  division_code: division.optional(),
  start_date: isoDate,
  end_date: isoDate,
  staff_ids: staffIds,
  notes: freeText(2000).optional(),
};

export const servicePointCreate = z
  .object({ ...fields, org_id: id.optional().describe('default: your org') })
  .refine((s) => s.end_date >= s.start_date, { message: 'ends before it starts', path: ['end_date'] });

export const servicePointPatch = z
  .object({
    name: label.optional(),
    place: label.optional(),
    start_date: isoDate.optional(),
    end_date: isoDate.optional(),
    staff_ids: staffIds.optional(),
    notes: freeText(2000).optional(),
  })
  .refine(nonEmpty, 'nothing to change');

export const servicePointView = z.object({
  service_point_id: z.number(),
  org_id: z.string(),
  name: z.string(),
  place: z.string(),
  division_code: z.string().nullable(),
  start_date: z.string(),
  end_date: z.string(),
  staff_ids: z.array(z.string()),
  events: z.number().describe('outreach events held there'),
  has_notes: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export const servicePointDetail = servicePointView.extend({ notes: z.string().nullable() });

type View = z.infer<typeof servicePointView>;

const setStaff = (tx: Db, pointId: number, staff: readonly string[]) =>
  setStaffOf(tx, 'service_point_staff', 'service_point_id', pointId, staff);

export async function createServicePoint(
  tx: Db,
  s: z.infer<typeof servicePointCreate> & { org_id: string },
  w: Writer,
): Promise<number> {
  const pointId = await nextId(tx, 'service_points', 'service_point_id');
  await tx.execute(
    `INSERT INTO service_points (service_point_id, org_id, name, place, division_code, start_date, end_date, notes,
                                 created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, CAST($6 AS DATE), CAST($7 AS DATE), $8, $9, CAST($10 AS TIMESTAMP))`,
    [
      pointId,
      s.org_id,
      s.name,
      s.place,
      s.division_code ?? null,
      s.start_date,
      s.end_date,
      s.notes ?? null,
      w.username,
      ts(w.at),
    ],
  );
  await setStaff(tx, pointId, s.staff_ids);
  return pointId;
}

/** Change a service point; ENDS_BEFORE_START when the dates would cross. */
export async function updateServicePoint(
  tx: Db,
  pointId: number,
  patch: z.infer<typeof servicePointPatch>,
  w: Writer,
): Promise<string[]> {
  const changed = await updateRow(
    tx,
    'service_points',
    'service_point_id',
    pointId,
    patch,
    {
      name: 'name',
      place: 'place',
      start_date: 'start_date:DATE',
      end_date: 'end_date:DATE',
      notes: 'notes',
    },
    w,
  );
  const [bad] = await tx.query(
    'SELECT 1 AS x FROM service_points WHERE service_point_id = $1 AND end_date < start_date',
    [pointId],
  );
  if (bad) throw new FieldRefused('ENDS_BEFORE_START', 'the service point would end before it starts');
  if (patch.staff_ids) {
    await setStaff(tx, pointId, patch.staff_ids);
    changed.push('staff_ids');
  }
  return changed;
}

const COLUMNS = `sp.service_point_id, sp.org_id, sp.name, sp.place, sp.division_code, sp.start_date, sp.end_date, sp.notes,
  sp.created_by, sp.created_at, sp.updated_at,
  (SELECT count(*) FROM outreach_events ev WHERE ev.service_point_id = sp.service_point_id) AS events`;

function toView(r: Record<string, unknown>, staff: string[]): View {
  return {
    service_point_id: Number(r.service_point_id),
    org_id: String(r.org_id),
    name: String(r.name),
    place: String(r.place),
    division_code: str(r.division_code),
    start_date: day(r.start_date) as string,
    end_date: day(r.end_date) as string,
    staff_ids: staff,
    events: Number(r.events ?? 0),
    has_notes: r.notes !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

const staffOf = (db: Db, ids: number[]) => staffByRecord(db, 'service_point_staff', 'service_point_id', ids);

export async function listServicePoints(
  db: Db,
  scope: string,
  params: Bind,
  f: { org?: string; on?: string },
  limit: number,
): Promise<View[]> {
  const where = [scope];
  if (f.org) where.push(`sp.org_id = ${params.add(f.org)}`);
  if (f.on) {
    const d = params.add(f.on);
    where.push(`sp.start_date <= CAST(${d} AS DATE) AND sp.end_date >= CAST(${d} AS DATE)`);
  }
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM service_points sp WHERE ${where.join(' AND ')}
      ORDER BY sp.start_date DESC, sp.service_point_id DESC LIMIT ${limit}`,
    params.values,
  );
  const staff = await staffOf(
    db,
    rows.map((r) => Number(r.service_point_id)),
  );
  return rows.map((r) => toView(r, staff.get(Number(r.service_point_id)) ?? []));
}

export async function getServicePoint(
  db: Db,
  pointId: number,
): Promise<z.infer<typeof servicePointDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM service_points sp WHERE sp.service_point_id = $1`, [
    pointId,
  ]);
  if (!r) return null;
  const staff = await staffOf(db, [pointId]);
  return { ...toView(r, staff.get(pointId) ?? []), notes: maskedText(str(r.notes)) };
}
