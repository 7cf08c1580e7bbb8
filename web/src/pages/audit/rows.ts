// The audit page's pure logic: an instant in bank time to the second, the filters as the API's query,
// the rows as CSV (exactly what the table shows).
import type { CsvCell } from '../../format/csv';

export interface AuditEntry {
  seq: number | null;
  loggedAt: string;
  actor: string;
  role: string | null;
  action: string;
  subject: string | null;
  detail: string | null;
}

const SHANGHAI = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An instant as YYYY-MM-DD HH:mm:ss in Asia/Shanghai; '—' when missing or unreadable. */
export function bankTimeSeconds(v: string | null | undefined): string {
  if (!v) return '—';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '—';
  const p = Object.fromEntries(SHANGHAI.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

export interface AuditFilters {
  /** Bank dates YYYY-MM-DD, both included. */
  fromDate?: string | null;
  toDate?: string | null;
  actor?: string;
  actions?: string[];
  target?: string;
}

const nextDay = (d: string) => {
  const x = new Date(`${d}T00:00:00+08:00`);
  x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString();
};

/** The filters as GET /api/audit's query: bank dates become instants (from 00:00, to the next day's 00:00). */
export function auditQuery(f: AuditFilters, page: { limit: number; offset: number }) {
  return {
    from: f.fromDate ? new Date(`${f.fromDate}T00:00:00+08:00`).toISOString() : undefined,
    to: f.toDate ? nextDay(f.toDate) : undefined,
    actor: f.actor?.trim() || undefined,
    action: f.actions?.length ? f.actions.join(',') : undefined,
    target: f.target?.trim() || undefined,
    limit: page.limit,
    offset: page.offset,
  };
}

export const AUDIT_CSV_HEADER = [
  'seq',
  'time (Asia/Shanghai)',
  'actor',
  'role',
  'action',
  'target',
  'detail',
];

/** The rows shown, as CSV cells, in the order shown. */
export function auditCsvRows(rows: readonly AuditEntry[]): CsvCell[][] {
  return rows.map((r) => [
    r.seq,
    bankTimeSeconds(r.loggedAt),
    r.actor,
    r.role,
    r.action,
    r.subject,
    r.detail,
  ]);
}
