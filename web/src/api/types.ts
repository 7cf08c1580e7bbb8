// The shapes the API answers (docs/server.md; the zod schemas of src/server/routes/*.ts, OpenAPI at
// /api/docs/json). Money and ratios are exact decimal strings.

export type Decimal = string;

export interface SessionUser {
  username: string;
  role: string;
  orgId: string;
  staffId: string | null;
  permissions: string[];
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

export interface OrgMeasures {
  org_id: string;
  org_name: string | null;
  level: string | null;
  customers: number;
  new_customers: number;
  existing_customers: number;
  aum_d: Decimal;
  deposits_d: Decimal;
  adb_mtd: Decimal;
  value_season: Decimal;
}

export interface MeasurePoint extends Omit<OrgMeasures, 'org_id' | 'org_name' | 'level'> {
  as_of: string;
}

export interface KpiRow {
  kpi: string;
  program: string;
  period: string;
  period_start: string;
  period_end: string;
  actual: Decimal;
  target: Decimal | null;
  completion: Decimal | null;
  time_progress: Decimal;
  gap: Decimal | null;
  rank: number | null;
  ranked: number | null;
  laggard: boolean;
  daily_needed: Decimal | null;
}

export interface RankingRow {
  kpi: string;
  period: string;
  period_start: string;
  period_end: string;
  org_id: string;
  org_name: string | null;
  actual: Decimal;
  target: Decimal | null;
  completion: Decimal | null;
  time_progress: Decimal;
  gap: Decimal | null;
  rank: number | null;
  ranked: number | null;
  laggard: boolean;
  rank_before: number | null;
  rank_change: number | null;
}

export interface Alert {
  kind: string;
  severity: 'HIGH' | 'MEDIUM' | 'INFO';
  count: number;
  subject: string | null;
  zh: string;
  en: string;
}

export interface Phase {
  phase: string;
  zh: string;
  slogan: string;
  en: string;
  start: string;
  end: string;
  daysLeft: number;
}

export interface Dashboard {
  asOf: string | null;
  season: { label: string; start: string; end: string; daysLeft: number } | null;
  phase: Phase | null;
  org: { org_id: string; org_name: string | null; level: string | null; parent_id: string | null };
  measures: OrgMeasures[];
  weekBefore: MeasurePoint | null;
  trend: MeasurePoint[];
  segments: { segment: string; members: number }[];
  segmentTrend: { as_of: string; segment: string; members: number }[];
  kpis: KpiRow[];
  rankings: RankingRow[];
  laggards: unknown[];
  alerts: Alert[];
}

export interface TaskView {
  task_id: number;
  lead_id: number;
  activity_id: string;
  activity_name: string;
  entity_kind: string;
  entity_id: string;
  customer_id: string | null;
  customer_name: string | null;
  customer_phone: string | null;
  org_id: string;
  staff_id: string | null;
  channel: string;
  status: string;
  queue_reason: string | null;
  created_on: string;
  assigned_on: string | null;
  due_date: string | null;
  product_code: string | null;
  product_name: string | null;
  priority: string;
  reason: string;
  talking_points: string;
  last_outcome: string | null;
}

export interface TaskList {
  total: number;
  tasks: TaskView[];
}

export interface CustomerCard {
  customer_id: string;
  name: string | null;
  phone: string | null;
  id_no: string | null;
  gender: string | null;
  home_org_id: string | null;
  home_org_name: string | null;
  manager_id: string | null;
  risk_level: string | null;
  marketing_consent: string | null;
  dnd: string | null;
  customer_since: string | null;
  marketing_refused: boolean;
}

export interface TaskDetail {
  task: TaskView;
  customer: CustomerCard | null;
  contacts: {
    contact_id: number;
    outcome: string;
    channel: string;
    staff_id: string | null;
    contact_at: string;
  }[];
}

export const OUTCOMES = [
  'CONTACTED',
  'NOT_REACHED',
  'INTERESTED',
  'APPOINTMENT',
  'REFUSED',
  'REFUSED_ALL',
  'CONVERTED_CLAIMED',
  'INVALID',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const TASK_STATUSES = ['QUEUED', 'OPEN', 'IN_PROGRESS', 'DONE', 'CLOSED'] as const;

export interface OutcomeResult {
  contact_id: number;
  task_id: number;
  outcome: Outcome;
  contact_at: string;
  task_status: string;
  lead_status: string;
}

export interface MovedTask {
  task_id: number;
  org_id: string;
  staff_id: string | null;
  channel: string;
  due_date: string;
}

/** What a booking answers with (the slot as booked; the customer masked). */
export interface BookedAppointment {
  appointment_id: number;
  task_id: number | null;
  slot_start: string;
  slot_end: string;
  status: string;
}
