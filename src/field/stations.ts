// Stations (驿站, O2): a place with services in four scenario families — wealth (金融知识普及基地,
// 财富管理加油站), life (便民生态云平台, 生活服务超市), public welfare (志愿服务, 老年人关爱), happiness
// (卫生/康养/敬老服务) — their partners (organisations), and the outreach events held there with
// their participants (a headcount per event; people are not named).

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { type Bind, day, iso, maskedText, nextId, num, str, ts, updateRow, type Writer } from './common.js';
import { division, freeText, id, isoDate, label, nonEmpty } from './inputs.js';

export const SCENARIO_FAMILIES = ['WEALTH', 'LIFE', 'WELFARE', 'HAPPINESS'] as const;
export const STATION_STATUSES = ['ACTIVE', 'CLOSED'] as const;

const service = z.object({ family: z.enum(SCENARIO_FAMILIES), service: label });
const partner = z.object({
  partner_name: label.describe('an organisation, never a person'),
  partner_kind: label.optional(),
  family: z.enum(SCENARIO_FAMILIES).optional(),
});
const services = z.array(service).max(50);
const partners = z.array(partner).max(50);

export const stationCreate = z.object({
  org_id: id.optional().describe('default: your org'),
  name: label,
  place: label,
  division_code: division.optional(),
  opened_on: isoDate.optional(),
  status: z.enum(STATION_STATUSES).default('ACTIVE'),
  services: services.default([]),
  partners: partners.default([]),
  notes: freeText(2000).optional(),
});

export const stationPatch = z
  .object({
    name: label.optional(),
    place: label.optional(),
    opened_on: isoDate.nullable().optional(),
    status: z.enum(STATION_STATUSES).optional(),
    services: services.optional().describe('replaces the list'),
    partners: partners.optional().describe('replaces the list'),
    notes: freeText(2000).optional(),
  })
  .refine(nonEmpty, 'nothing to change');

export const stationView = z.object({
  station_id: z.number(),
  org_id: z.string(),
  name: z.string(),
  place: z.string(),
  division_code: z.string().nullable(),
  opened_on: z.string().nullable(),
  status: z.string(),
  services: z.array(z.object({ family: z.string(), service: z.string() })),
  partners: z.array(
    z.object({
      partner_name: z.string(),
      partner_kind: z.string().nullable(),
      family: z.string().nullable(),
    }),
  ),
  events: z.number().describe('outreach events held there (not cancelled)'),
  participants: z.number().describe('participants of those events, summed'),
  has_notes: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export const stationDetail = stationView.extend({ notes: z.string().nullable() });

type View = z.infer<typeof stationView>;

async function setLists(
  tx: Db,
  stationId: number,
  s: { services?: z.infer<typeof services>; partners?: z.infer<typeof partners> },
): Promise<void> {
  if (s.services) {
    await tx.execute('DELETE FROM station_services WHERE station_id = $1', [stationId]);
    for (const x of s.services)
      await tx.execute('INSERT INTO station_services (station_id, family, service) VALUES ($1, $2, $3)', [
        stationId,
        x.family,
        x.service,
      ]);
  }
  if (s.partners) {
    await tx.execute('DELETE FROM station_partners WHERE station_id = $1', [stationId]);
    for (const x of s.partners)
      await tx.execute(
        'INSERT INTO station_partners (station_id, partner_name, partner_kind, family) VALUES ($1, $2, $3, $4)',
        [stationId, x.partner_name, x.partner_kind ?? null, x.family ?? null],
      );
  }
}

export async function createStation(
  tx: Db,
  s: z.infer<typeof stationCreate> & { org_id: string },
  w: Writer,
): Promise<number> {
  const stationId = await nextId(tx, 'stations', 'station_id');
  await tx.execute(
    `INSERT INTO stations (station_id, org_id, name, place, division_code, opened_on, status, notes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, CAST($6 AS DATE), $7, $8, $9, CAST($10 AS TIMESTAMP))`,
    [
      stationId,
      s.org_id,
      s.name,
      s.place,
      s.division_code ?? null,
      s.opened_on ?? null,
      s.status,
      s.notes ?? null,
      w.username,
      ts(w.at),
    ],
  );
  await setLists(tx, stationId, s);
  return stationId;
}

export async function updateStation(
  tx: Db,
  stationId: number,
  patch: z.infer<typeof stationPatch>,
  w: Writer,
): Promise<string[]> {
  const changed = await updateRow(
    tx,
    'stations',
    'station_id',
    stationId,
    patch,
    { name: 'name', place: 'place', opened_on: 'opened_on:DATE', status: 'status', notes: 'notes' },
    w,
  );
  await setLists(tx, stationId, patch);
  if (patch.services) changed.push('services');
  if (patch.partners) changed.push('partners');
  return changed;
}

const COLUMNS = `st.station_id, st.org_id, st.name, st.place, st.division_code, st.opened_on, st.status, st.notes,
  st.created_by, st.created_at, st.updated_at,
  (SELECT count(*) FROM outreach_events ev WHERE ev.station_id = st.station_id AND ev.status <> 'CANCELLED') AS events,
  (SELECT coalesce(sum(ev.participants), 0) FROM outreach_events ev
    WHERE ev.station_id = st.station_id AND ev.status <> 'CANCELLED') AS participants`;

async function listsOf(db: Db, ids: number[]) {
  const svc = new Map<number, View['services']>();
  const ptn = new Map<number, View['partners']>();
  if (!ids.length) return { svc, ptn };
  const inList = ids.map((_, i) => `$${i + 1}`).join(', ');
  for (const r of await db.query(
    `SELECT station_id, family, service FROM station_services WHERE station_id IN (${inList}) ORDER BY station_id, family, service`,
    ids,
  )) {
    const k = Number(r.station_id);
    svc.set(k, [...(svc.get(k) ?? []), { family: String(r.family), service: String(r.service) }]);
  }
  for (const r of await db.query(
    `SELECT station_id, partner_name, partner_kind, family FROM station_partners WHERE station_id IN (${inList})
      ORDER BY station_id, partner_name`,
    ids,
  )) {
    const k = Number(r.station_id);
    ptn.set(k, [
      ...(ptn.get(k) ?? []),
      { partner_name: String(r.partner_name), partner_kind: str(r.partner_kind), family: str(r.family) },
    ]);
  }
  return { svc, ptn };
}

function toView(r: Record<string, unknown>, lists: Awaited<ReturnType<typeof listsOf>>): View {
  const k = Number(r.station_id);
  return {
    station_id: k,
    org_id: String(r.org_id),
    name: String(r.name),
    place: String(r.place),
    division_code: str(r.division_code),
    opened_on: day(r.opened_on),
    status: String(r.status),
    services: lists.svc.get(k) ?? [],
    partners: lists.ptn.get(k) ?? [],
    events: Number(r.events ?? 0),
    participants: num(r.participants) ?? 0,
    has_notes: r.notes !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

export async function listStations(
  db: Db,
  scope: string,
  params: Bind,
  f: { org?: string; family?: string; status?: string },
  limit: number,
): Promise<View[]> {
  const where = [scope];
  if (f.org) where.push(`st.org_id = ${params.add(f.org)}`);
  if (f.status) where.push(`st.status = ${params.add(f.status)}`);
  if (f.family)
    where.push(
      `EXISTS (SELECT 1 FROM station_services ss WHERE ss.station_id = st.station_id AND ss.family = ${params.add(f.family)})`,
    );
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM stations st WHERE ${where.join(' AND ')} ORDER BY st.station_id LIMIT ${limit}`,
    params.values,
  );
  const lists = await listsOf(
    db,
    rows.map((r) => Number(r.station_id)),
  );
  return rows.map((r) => toView(r, lists));
}

export async function getStation(db: Db, stationId: number): Promise<z.infer<typeof stationDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM stations st WHERE st.station_id = $1`, [stationId]);
  if (!r) return null;
  return { ...toView(r, await listsOf(db, [stationId])), notes: maskedText(str(r.notes)) };
}
