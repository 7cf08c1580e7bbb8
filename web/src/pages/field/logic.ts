// The field page's logic that is not layout (pure, tested in logic.test.ts): the calendar's day cells
// from the events, appointments and pension pay days; the forms' request bodies; a refusal in words.
import { ApiError } from '../../api/client';
import { formatDateTime } from '../../format/format';
import { type AppointmentReason, bookingBody } from '../tasks/appointment';

export const EVENT_TEAMS = ['DOOR', 'BACKPACK', 'CARE', 'LOBBY_SALON'] as const;
export const EVENT_STATUSES = ['PLANNED', 'DONE', 'CANCELLED'] as const;
export const APPOINTMENT_TEAMS = ['DOOR', 'BACKPACK', 'CARE'] as const;
export const APPOINTMENT_STATUSES = ['BOOKED', 'DONE', 'CANCELLED', 'NO_SHOW'] as const;
export const VISIT_KINDS = ['EMPLOYER', 'GOVERNMENT'] as const;
export const VISIT_OUTCOMES = ['MET', 'INTERESTED', 'AGREED', 'DECLINED', 'NOT_MET'] as const;
export const PROGRESS_STATUSES = ['IN_PROGRESS', 'DONE', 'BLOCKED'] as const;
export const SCENARIO_FAMILIES = ['WEALTH', 'LIFE', 'WELFARE', 'HAPPINESS'] as const;

export interface CalEvent {
  event_id: number;
  team: string;
  event_date: string;
  place: string;
  status: string;
}
export interface CalAppointment {
  appointment_id: number;
  team: string | null;
  slot_start: string;
  slot_end: string;
  status: string;
}
export interface CalPensionOutlet {
  org_id: string;
  days: { date: string; programs: { program_id: string; program_name: string | null }[] }[];
}

export interface DayCell {
  date: string;
  events: CalEvent[];
  appointments: CalAppointment[];
  /** Pension programs paying on the day (one entry per program, however many outlets). */
  pension: { program_id: string; program_name: string | null; outlets: number }[];
}

/** The bank date (Asia/Shanghai) of an instant. */
export const bankDateOf = (iso: string): string => formatDateTime(iso).slice(0, 10);

/**
 * One cell per day that has something, keyed by YYYY-MM-DD: the events of the day (by event_date),
 * the appointments starting on it (bank time, earliest first), the pension programs paying on it.
 * A team filter keeps the events and appointments of that team (appointments without a team go).
 */
export function dayCells(
  events: readonly CalEvent[],
  appointments: readonly CalAppointment[],
  pension: readonly CalPensionOutlet[],
  team?: string,
): Map<string, DayCell> {
  const cells = new Map<string, DayCell>();
  const cell = (date: string): DayCell => {
    let c = cells.get(date);
    if (!c) {
      c = { date, events: [], appointments: [], pension: [] };
      cells.set(date, c);
    }
    return c;
  };
  for (const e of events) if (!team || e.team === team) cell(e.event_date).events.push(e);
  for (const a of appointments)
    if (!team || a.team === team) cell(bankDateOf(a.slot_start)).appointments.push(a);
  for (const c of cells.values()) c.appointments.sort((a, b) => a.slot_start.localeCompare(b.slot_start));
  for (const o of pension)
    for (const d of o.days)
      for (const p of d.programs) {
        const c = cell(d.date);
        const hit = c.pension.find((x) => x.program_id === p.program_id);
        if (hit) hit.outlets += 1;
        else c.pension.push({ program_id: p.program_id, program_name: p.program_name, outlets: 1 });
      }
  return cells;
}

/** The first and last day of a month YYYY-MM. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

// ——— forms → request bodies ———

const text = (s: string | null | undefined) => {
  const v = s?.trim();
  return v ? v : undefined;
};
const num = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** Drops the undefined keys (a body carries only what was given). */
function clean<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface EventForm {
  team: string;
  place: string;
  community?: string;
  division_code?: string;
  event_date: string;
  staff_ids: string[];
  status?: string;
  station_id?: number | null;
  service_point_id?: number | null;
  cards_opened?: number | null;
  appointments_taken?: number | null;
  participants?: number | null;
  notes?: string;
}

/** POST /api/field/events: the org is the one in view when it is not the user's own. */
export function eventBody(f: EventForm, org?: string): Record<string, unknown> {
  return clean({
    team: f.team,
    org_id: org,
    place: f.place.trim(),
    community: text(f.community),
    division_code: text(f.division_code),
    event_date: f.event_date,
    staff_ids: [...new Set(f.staff_ids.map((s) => s.trim()).filter(Boolean))],
    status: f.status,
    station_id: num(f.station_id),
    service_point_id: num(f.service_point_id),
    cards_opened: num(f.cards_opened),
    appointments_taken: num(f.appointments_taken),
    participants: num(f.participants),
    notes: text(f.notes),
  });
}

export interface EventResultForm {
  status: string;
  place?: string;
  event_date?: string;
  cards_opened?: number | null;
  appointments_taken?: number | null;
  participants?: number | null;
  notes?: string;
}

/** PATCH /api/field/events/:id with the results: an emptied count is sent as null (cleared). */
export function eventResultBody(f: EventResultForm): Record<string, unknown> {
  const orNull = (n: number | null | undefined) => (typeof n === 'number' ? n : null);
  return clean({
    status: f.status,
    place: text(f.place),
    event_date: text(f.event_date),
    cards_opened: orNull(f.cards_opened),
    appointments_taken: orNull(f.appointments_taken),
    participants: orNull(f.participants),
    notes: f.notes === undefined ? undefined : f.notes,
  });
}

export interface VisitForm {
  kind: string;
  employer_id?: string;
  counterpart?: string;
  visited_on: string;
  outcome: string;
  summary?: string;
  next_step?: string;
  next_date?: string;
}

/** POST /api/field/visits, or the reason in an i18n key when the form cannot be sent. */
export function visitBody(
  f: VisitForm,
  org?: string,
):
  | { body: Record<string, unknown> }
  | { error: 'visitNeedsEmployer' | 'visitNeedsWhom' | 'visitNextBefore' } {
  const employer = text(f.employer_id);
  const counterpart = text(f.counterpart);
  if (f.kind === 'EMPLOYER' && !employer) return { error: 'visitNeedsEmployer' };
  if (!employer && !counterpart) return { error: 'visitNeedsWhom' };
  if (f.next_date && f.next_date < f.visited_on) return { error: 'visitNextBefore' };
  return {
    body: clean({
      kind: f.kind,
      employer_id: employer,
      counterpart,
      org_id: org,
      visited_on: f.visited_on,
      outcome: f.outcome,
      summary: text(f.summary),
      next_step: text(f.next_step),
      next_date: text(f.next_date),
    }),
  };
}

export interface BenefitProgressForm {
  recipients_reached: number;
  paid_into_card: number;
  note?: string;
}

/** POST /api/field/benefit-programs/:id/progress, or null when paid into a card exceeds the reached. */
export function benefitProgressBody(f: BenefitProgressForm): Record<string, unknown> | null {
  if (!Number.isInteger(f.recipients_reached) || !Number.isInteger(f.paid_into_card)) return null;
  if (f.paid_into_card > f.recipients_reached || f.paid_into_card < 0) return null;
  return clean({
    recipients_reached: f.recipients_reached,
    paid_into_card: f.paid_into_card,
    note: text(f.note),
  });
}

export interface PlaceForm {
  name: string;
  place: string;
  division_code?: string;
  start_date?: string;
  end_date?: string;
  opened_on?: string;
  staff_ids?: string[];
  partners?: string;
  notes?: string;
}

/** POST /api/field/service-points (null when it ends before it starts). */
export function servicePointBody(f: PlaceForm, org?: string): Record<string, unknown> | null {
  if (!f.start_date || !f.end_date || f.end_date < f.start_date) return null;
  return clean({
    org_id: org,
    name: f.name.trim(),
    place: f.place.trim(),
    division_code: text(f.division_code),
    start_date: f.start_date,
    end_date: f.end_date,
    staff_ids: [...new Set((f.staff_ids ?? []).map((s) => s.trim()).filter(Boolean))],
    notes: text(f.notes),
  });
}

/** POST /api/field/stations: partners typed one a line as `name` or `name | kind`. */
export function stationBody(f: PlaceForm, org?: string): Record<string, unknown> {
  const partners = (f.partners ?? '')
    .split('\n')
    .map((l) => l.split('|').map((x) => x.trim()))
    .filter(([name]) => name)
    .map(([name, kind]) => clean({ partner_name: name as string, partner_kind: text(kind) }));
  return clean({
    org_id: org,
    name: f.name.trim(),
    place: f.place.trim(),
    division_code: text(f.division_code),
    opened_on: text(f.opened_on),
    partners,
    notes: text(f.notes),
  });
}

/** A server refusal in words: the field page's own codes first, then the app's, then the message. */
export function refusalWords(e: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (e instanceof ApiError) {
    const title =
      t(`field.refusals.${e.code}`, { defaultValue: '' }) ||
      t(`refusals.${e.code}`, { defaultValue: '' }) ||
      t('refusals.OTHER');
    return `${title}（${e.message}）`;
  }
  return String((e as Error)?.message ?? e);
}

export interface AppointmentForm {
  customer_id: string;
  date: string;
  start: string;
  minutes: number;
  reason: AppointmentReason;
  team?: string;
  staff_id?: string;
  notes?: string;
}

/** POST /api/appointments: the slot on the bank's clock (tasks' bookingBody), or null when no real one. */
export function appointmentBody(f: AppointmentForm, org?: string): Record<string, unknown> | null {
  const slot = bookingBody({
    date: f.date,
    start: f.start,
    minutes: f.minutes,
    reason: f.reason,
    notes: f.notes,
  });
  const customer = text(f.customer_id);
  if (!slot || !customer) return null;
  return clean({
    ...slot,
    customer_id: customer,
    org_id: org,
    team: text(f.team),
    staff_id: text(f.staff_id),
  });
}

/**
 * A form label in both languages ('地点 Place', 'Place 地点') as a table header in one: the Chinese
 * part of a Chinese-first label, the English part of an English-first one.
 */
export function oneLanguage(label: string): string {
  const cjk = /[\u3400-\u9fff]/;
  const m = /^(\S.*?)\s+(\S.*)$/.exec(label);
  if (!m) return label;
  const [, first, rest] = m as unknown as [string, string, string];
  if (cjk.test(first) && !cjk.test(rest) && /^[A-Za-z]/.test(rest)) return first;
  if (/^[A-Za-z]{2,}/.test(first) && cjk.test(rest)) {
    const i = label.search(/\s+[\u3400-\u9fff][^A-Za-z]*$/);
    return i > 0 ? label.slice(0, i) : label;
  }
  return label;
}
