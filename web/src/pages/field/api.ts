// The field page's queries and writes (GET/POST/PATCH /api/field/…, /api/appointments) and their shapes
// (src/field/*.ts). Keys: ['field', kind, params…]; every write refreshes ['field'].
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Query } from '../../api/client';

export interface FieldEvent {
  event_id: number;
  team: string;
  org_id: string;
  place: string;
  community: string | null;
  division_code: string | null;
  event_date: string;
  station_id: number | null;
  service_point_id: number | null;
  status: string;
  staff_ids: string[];
  results: {
    cards_opened: number | null;
    cards_opened_accounts: number;
    appointments_taken: number | null;
    participants: number | null;
  };
  has_notes: boolean;
  created_by: string;
  created_at: string;
  updated_at: string | null;
}
export type FieldEventDetail = FieldEvent & { notes: string | null };

export interface Appointment {
  appointment_id: number;
  customer_id: string;
  customer_name: string | null;
  customer_phone: string | null;
  task_id: number | null;
  org_id: string;
  team: string | null;
  staff_id: string | null;
  reason: string;
  slot_start: string;
  slot_end: string;
  status: string;
  has_notes: boolean;
  created_by: string;
  created_at: string;
  updated_at: string | null;
}

export interface PensionCalendar {
  org_id: string;
  month: string;
  outlets: {
    org_id: string;
    org_name: string | null;
    division_code: string | null;
    days: {
      date: string;
      programs: {
        program_id: string;
        program_name: string | null;
        division_code: string | null;
        into_ssc: string | null;
        pay_day: number;
      }[];
    }[];
  }[];
}

export interface Visit {
  visit_id: number;
  kind: string;
  employer_id: string | null;
  employer_name: string | null;
  counterpart: string | null;
  org_id: string;
  staff_id: string;
  visited_on: string;
  outcome: string;
  next_date: string | null;
  has_notes: boolean;
  created_by: string;
  created_at: string;
  updated_at: string | null;
}

export interface ServicePoint {
  service_point_id: number;
  org_id: string;
  name: string;
  place: string;
  division_code: string | null;
  start_date: string;
  end_date: string;
  staff_ids: string[];
  events: number;
  has_notes: boolean;
}

export interface Station {
  station_id: number;
  org_id: string;
  name: string;
  place: string;
  division_code: string | null;
  opened_on: string | null;
  status: string;
  services: { family: string; service: string }[];
  partners: { partner_name: string; partner_kind: string | null; family: string | null }[];
  events: number;
  participants: number;
  has_notes: boolean;
}

export interface AssistanceAction {
  action_id: string;
  division_code: string | null;
  counterpart: string | null;
  action: string | null;
  owner_org_id: string | null;
  due_date: string | null;
  status: string | null;
  progress: { records: number; status: string | null; recorded_on: string | null; org_id: string | null };
}

export interface BenefitProgram {
  program_id: string;
  program_name: string | null;
  kind: string | null;
  division_code: string | null;
  into_ssc: string | null;
  pay_day: number | null;
  start_date: string | null;
  end_date: string | null;
  progress: {
    orgs: number;
    recipients_reached: number;
    paid_into_card: number;
    last_recorded_on: string | null;
  };
  credited: { customers: number; into_ssc: number };
}

export interface ServicePlan {
  plan_id: number;
  employer_id: string;
  employer_name: string | null;
  offers: string[];
  status: string;
  owner_staff_id: string;
  due_date: string | null;
}

export interface TuitionPartner {
  partner_id: number;
  org_id: string;
  name: string;
  kind: string;
  status: string;
  lists_received: number;
  last_list_on: string | null;
  prospects: { received: number; consented: number };
}

const useList = <T>(key: string, path: string, query: Query, enabled = true) =>
  useQuery({
    queryKey: ['field', key, query],
    queryFn: () => api<T>('GET', path, { query }),
    enabled,
  });

export const useEvents = (q: Query) =>
  useList<{ events: FieldEvent[] }>('events', '/api/field/events', { limit: 1000, ...q });
export const useEvent = (id: number) =>
  useQuery({
    queryKey: ['field', 'event', id],
    queryFn: () => api<FieldEventDetail>('GET', `/api/field/events/${id}`),
    enabled: Number.isInteger(id) && id > 0,
  });
export const useAppointments = (q: Query) =>
  useList<{ appointments: Appointment[] }>('appointments', '/api/appointments', { limit: 1000, ...q });
export const usePensionDays = (org: string, month: string) =>
  useList<PensionCalendar>('pension', '/api/field/pension-days', { org, month });
export const useVisits = (q: Query) =>
  useList<{ visits: Visit[] }>('visits', '/api/field/visits', { limit: 1000, ...q });
export const useServicePoints = (q: Query) =>
  useList<{ service_points: ServicePoint[] }>('service-points', '/api/field/service-points', {
    limit: 1000,
    ...q,
  });
export const useStations = (q: Query) =>
  useList<{ stations: Station[] }>('stations', '/api/field/stations', { limit: 1000, ...q });
export const useStation = (id: number | null) =>
  useQuery({
    queryKey: ['field', 'station', id],
    queryFn: () =>
      api<{ station: Station & { notes: string | null }; events: FieldEvent[] }>(
        'GET',
        `/api/field/stations/${id}`,
      ),
    enabled: id !== null,
  });
export const useAssistance = (q: Query) =>
  useList<{ actions: AssistanceAction[] }>('assistance', '/api/field/assistance-actions', {
    limit: 1000,
    ...q,
  });
export const useBenefits = (q: Query) =>
  useList<{ programs: BenefitProgram[] }>('benefits', '/api/field/benefit-programs', { limit: 1000, ...q });
export const useServicePlans = (q: Query) =>
  useList<{ plans: ServicePlan[] }>('plans', '/api/field/service-plans', { limit: 1000, ...q });
export const useTuitionPartners = (q: Query) =>
  useList<{ partners: TuitionPartner[] }>('tuition', '/api/field/tuition-partners', { limit: 1000, ...q });

/** A write; on success every field query is fetched again. */
export function useFieldWrite<V, R = unknown>(
  method: 'POST' | 'PATCH',
  path: (v: V) => string,
  body: (v: V) => unknown,
) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: V) => api<R>(method, path(v), { body: body(v) }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['field'] }),
  });
}
