// The contact policy (PLAYBOOK.md step 5), as pure rules the work API applies when a contact is
// recorded (routing applies the cap too): at most «2» marketing contacts per customer in any rolling
// 7 × 24 hours across activities — a contact is an outcome other than NOT_REACHED; no SMS or outbound
// call between «21:00» and «09:00» bank time; service tasks are exempt from both.

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

export const REMOTE_CHANNELS = ['SMS', 'OUTBOUND_CALL'];
const WEEK_MS = 7 * 24 * 3_600_000;

/** HH:MM of an instant in the bank's time zone (China Standard Time, UTC+8). */
export function bankClock(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);
}

/** The bank's calendar date of an instant. */
export function bankDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** True when HH:MM falls in the quiet hours [from, to), which may wrap past midnight. */
export function inQuietHours(clock: string, quiet: { from: string; to: string }): boolean {
  return quiet.from <= quiet.to
    ? clock >= quiet.from && clock < quiet.to
    : clock >= quiet.from || clock < quiet.to;
}

export interface ContactCheck {
  outcome: Outcome;
  channel: string;
  marketing: boolean;
  at: Date;
  /** Instants of the customer's earlier marketing contacts (outcomes other than NOT_REACHED). */
  earlier: Date[];
  cap: number;
  quiet: { from: string; to: string };
}

/** Why the contact may not be recorded, or null when it may. */
export function contactRefusal(
  c: ContactCheck,
): { code: 'QUIET_HOURS' | 'CONTACT_CAP'; message: string } | null {
  if (!c.marketing) return null;
  const clock = bankClock(c.at);
  if (REMOTE_CHANNELS.includes(c.channel) && inQuietHours(clock, c.quiet))
    return {
      code: 'QUIET_HOURS',
      message: `no ${c.channel} between ${c.quiet.from} and ${c.quiet.to} (it is ${clock} bank time)`,
    };
  if (c.outcome === 'NOT_REACHED') return null;
  const t = c.at.getTime();
  const inWindow = c.earlier.filter((e) => e.getTime() > t - WEEK_MS && e.getTime() <= t).length;
  if (inWindow >= c.cap)
    return {
      code: 'CONTACT_CAP',
      message: `the customer has had ${inWindow} marketing contacts in the last 7 × 24 hours (at most ${c.cap})`,
    };
  return null;
}
