// The booking form's request (pure, tested): a date and a start time on the bank's clock (Asia/Shanghai,
// UTC+8, no daylight saving) and a length in minutes → the ISO instants with their offset that
// POST /api/tasks/:id/appointment takes.

export const SLOT_MINUTES = [30, 60, 90, 120] as const;
export const APPOINTMENT_REASONS = [
  'SSC_CARD',
  'PENSION',
  'ACCOUNT',
  'CARD_SERVICE',
  'WEALTH',
  'BENEFIT',
  'OTHER',
] as const;
export type AppointmentReason = (typeof APPOINTMENT_REASONS)[number];

export interface BookingForm {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm */
  start: string;
  minutes: number;
  reason: AppointmentReason;
  notes?: string;
}

export interface BookingBody {
  slot_start: string;
  slot_end: string;
  reason: AppointmentReason;
  notes?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The request body, or null when the date or time is not a real one. */
export function bookingBody(f: BookingForm): BookingBody | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.date);
  const t = /^(\d{2}):(\d{2})$/.exec(f.start);
  if (!d || !t || !Number.isInteger(f.minutes) || f.minutes <= 0) return null;
  const [y, mo, da, h, mi] = [d[1], d[2], d[3], t[1], t[2]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (h > 23 || mi > 59) return null;
  // The slot as UTC milliseconds of the bank's wall clock, then shifted back by 8 hours.
  const wall = Date.UTC(y, mo - 1, da, h, mi);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== da)
    return null;
  const bank = (ms: number) => {
    const x = new Date(ms);
    return `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}T${pad(x.getUTCHours())}:${pad(x.getUTCMinutes())}:00+08:00`;
  };
  const body: BookingBody = {
    slot_start: bank(wall),
    slot_end: bank(wall + f.minutes * 60_000),
    reason: f.reason,
  };
  const notes = f.notes?.trim();
  if (notes) body.notes = notes;
  return body;
}
