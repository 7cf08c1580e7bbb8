// Outreach events (外拓, P11, O2): a team's day at a place — the door team at an employer, the backpack
// team in a village, the caring team at a community, a salon in the lobby — with its staff and results.
// The results are the counts the team typed and, beside them, the cards the accounts extract shows
// opened on the event's date by the event's staff through the team's channel (PLAYBOOK: "cards opened
// at an event count for the event's team through open_channel and open_staff_id").

import { z } from 'zod';
import type { Db } from '../db/types.js';
import {
  type Bind,
  day,
  iso,
  maskedText,
  nextId,
  num,
  setStaffOf,
  staffByRecord,
  str,
  ts,
  updateRow,
  type Writer,
} from './common.js';
import { count, division, freeText, id, isoDate, label, nonEmpty, staffIds } from './inputs.js';

export const EVENT_TEAMS = ['DOOR', 'BACKPACK', 'CARE', 'LOBBY_SALON'] as const;
export const EVENT_STATUSES = ['PLANNED', 'DONE', 'CANCELLED'] as const;

/** The accounts' open_channel of each team (a lobby salon's cards are opened on the lobby PAD). */
export const TEAM_CHANNEL: Record<(typeof EVENT_TEAMS)[number], string> = {
  DOOR: 'DOOR_TEAM',
  BACKPACK: 'BACKPACK_TEAM',
  CARE: 'CARE_TEAM',
  LOBBY_SALON: 'LOBBY_PAD',
};

export const eventCreate = z.object({
  team: z.enum(EVENT_TEAMS),
  org_id: id.optional().describe('default: your org'),
  place: label,
  community: label.optional().describe('the village or community'),
  division_code: division.optional(),
  event_date: isoDate,
  staff_ids: staffIds,
  station_id: z.number().int().positive().optional(),
  service_point_id: z.number().int().positive().optional(),
  status: z.enum(EVENT_STATUSES).default('PLANNED'),
  cards_opened: count.optional(),
  appointments_taken: count.optional(),
  participants: count.optional(),
  notes: freeText(2000).optional(),
});

export const eventPatch = z
  .object({
    place: label.optional(),
    community: label.nullable().optional(),
    event_date: isoDate.optional(),
    staff_ids: staffIds.optional(),
    status: z.enum(EVENT_STATUSES).optional(),
    cards_opened: count.nullable().optional(),
    appointments_taken: count.nullable().optional(),
    participants: count.nullable().optional(),
    notes: freeText(2000).optional(),
  })
  .refine(nonEmpty, 'nothing to change');

export const eventView = z.object({
  event_id: z.number(),
  team: z.string(),
  org_id: z.string(),
  place: z.string(),
  community: z.string().nullable(),
  division_code: z.string().nullable(),
  event_date: z.string(),
  station_id: z.number().nullable(),
  service_point_id: z.number().nullable(),
  status: z.string(),
  staff_ids: z.array(z.string()),
  results: z.object({
    cards_opened: z.number().nullable().describe('as the team typed it'),
    cards_opened_accounts: z
      .number()
      .describe("cards (debit, credit) opened on the date by the event's staff through the team's channel"),
    appointments_taken: z.number().nullable(),
    participants: z.number().nullable(),
  }),
  has_notes: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});

export const eventDetail = eventView.extend({ notes: z.string().nullable().describe('digit runs masked') });

export type EventCreate = z.infer<typeof eventCreate> & { org_id: string };
export type EventView = z.infer<typeof eventView>;

const setStaff = (tx: Db, eventId: number, staff: readonly string[]) =>
  setStaffOf(tx, 'outreach_event_staff', 'event_id', eventId, staff);

export async function createEvent(tx: Db, e: EventCreate, w: Writer): Promise<number> {
  const eventId = await nextId(tx, 'outreach_events', 'event_id');
  await tx.execute(
    `INSERT INTO outreach_events (event_id, team, org_id, place, community, division_code, event_date, station_id,
       service_point_id, status, cards_opened, appointments_taken, participants, notes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, CAST($7 AS DATE), $8, $9, $10, $11, $12, $13, $14, $15, CAST($16 AS TIMESTAMP))`,
    [
      eventId,
      e.team,
      e.org_id,
      e.place,
      e.community ?? null,
      e.division_code ?? null,
      e.event_date,
      e.station_id ?? null,
      e.service_point_id ?? null,
      e.status,
      e.cards_opened ?? null,
      e.appointments_taken ?? null,
      e.participants ?? null,
      e.notes ?? null,
      w.username,
      ts(w.at),
    ],
  );
  await setStaff(tx, eventId, e.staff_ids);
  return eventId;
}

export async function updateEvent(
  tx: Db,
  eventId: number,
  patch: z.infer<typeof eventPatch>,
  w: Writer,
): Promise<string[]> {
  const fields = await updateRow(
    tx,
    'outreach_events',
    'event_id',
    eventId,
    patch,
    {
      place: 'place',
      community: 'community',
      event_date: 'event_date:DATE',
      status: 'status',
      cards_opened: 'cards_opened',
      appointments_taken: 'appointments_taken',
      participants: 'participants',
      notes: 'notes',
    },
    w,
  );
  if (patch.staff_ids) {
    await setStaff(tx, eventId, patch.staff_ids);
    fields.push('staff_ids');
  }
  return fields;
}

const CHANNEL = `CASE ev.team ${Object.entries(TEAM_CHANNEL)
  .map(([t, c]) => `WHEN '${t}' THEN '${c}'`)
  .join(' ')} END`;

const COLUMNS = `ev.event_id, ev.team, ev.org_id, ev.place, ev.community, ev.division_code, ev.event_date, ev.station_id,
  ev.service_point_id, ev.status, ev.cards_opened, ev.appointments_taken, ev.participants, ev.notes, ev.created_by,
  ev.created_at, ev.updated_at,
  (SELECT count(DISTINCT a.account_id) FROM accounts a
    WHERE a.open_date = ev.event_date AND a.account_type IN ('DEBIT_CARD', 'CREDIT_CARD')
      AND (a.open_channel = ${CHANNEL} OR (ev.service_point_id IS NOT NULL AND a.open_channel = 'SERVICE_POINT'))
      AND a.open_staff_id IN (SELECT es.staff_id FROM outreach_event_staff es WHERE es.event_id = ev.event_id)
  ) AS cards_opened_accounts`;

function toView(r: Record<string, unknown>, staff: string[]): EventView {
  return {
    event_id: Number(r.event_id),
    team: String(r.team),
    org_id: String(r.org_id),
    place: String(r.place),
    community: str(r.community),
    division_code: str(r.division_code),
    event_date: day(r.event_date) as string,
    station_id: num(r.station_id),
    service_point_id: num(r.service_point_id),
    status: String(r.status),
    staff_ids: staff,
    results: {
      cards_opened: num(r.cards_opened),
      cards_opened_accounts: Number(r.cards_opened_accounts ?? 0),
      appointments_taken: num(r.appointments_taken),
      participants: num(r.participants),
    },
    has_notes: r.notes !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

const staffOf = (db: Db, ids: number[]) => staffByRecord(db, 'outreach_event_staff', 'event_id', ids);

export interface EventFilter {
  org?: string;
  team?: string;
  status?: string;
  station?: number;
  from?: string;
  to?: string;
}

export async function listEvents(
  db: Db,
  scope: string,
  params: Bind,
  f: EventFilter,
  limit: number,
): Promise<EventView[]> {
  const where = [scope];
  if (f.org) where.push(`ev.org_id = ${params.add(f.org)}`);
  if (f.team) where.push(`ev.team = ${params.add(f.team)}`);
  if (f.status) where.push(`ev.status = ${params.add(f.status)}`);
  if (f.station) where.push(`ev.station_id = ${params.add(f.station)}`);
  if (f.from) where.push(`ev.event_date >= CAST(${params.add(f.from)} AS DATE)`);
  if (f.to) where.push(`ev.event_date <= CAST(${params.add(f.to)} AS DATE)`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM outreach_events ev WHERE ${where.join(' AND ')}
      ORDER BY ev.event_date DESC, ev.event_id DESC LIMIT ${limit}`,
    params.values,
  );
  const staff = await staffOf(
    db,
    rows.map((r) => Number(r.event_id)),
  );
  return rows.map((r) => toView(r, staff.get(Number(r.event_id)) ?? []));
}

export async function getEvent(db: Db, eventId: number): Promise<z.infer<typeof eventDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM outreach_events ev WHERE ev.event_id = $1`, [eventId]);
  if (!r) return null;
  const staff = await staffOf(db, [eventId]);
  return { ...toView(r, staff.get(eventId) ?? []), notes: maskedText(str(r.notes)) };
}
