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

/** Outcomes that record the customer turning the bank down: always recorded, whatever the policy. */
export const REFUSALS: readonly Outcome[] = ['REFUSED', 'REFUSED_ALL', 'INVALID'];

export interface ContactCheck {
  outcome: Outcome;
  channel: string;
  marketing: boolean;
  at: Date;
  /** Instants of the customer's other marketing contacts (outcomes other than NOT_REACHED), before or after. */
  others: Date[];
  cap: number;
  quiet: { from: string; to: string };
}

/**
 * Why the contact may not be recorded, or null when it may. A refusal (REFUSED, REFUSED_ALL, INVALID)
 * is always recorded: a customer who says "stop" at 22:30 or on a third call must be heard.
 */
export function contactRefusal(
  c: ContactCheck,
): { code: 'QUIET_HOURS' | 'CONTACT_CAP'; message: string } | null {
  if (!c.marketing || REFUSALS.includes(c.outcome)) return null;
  const clock = bankClock(c.at);
  if (REMOTE_CHANNELS.includes(c.channel) && inQuietHours(clock, c.quiet))
    return {
      code: 'QUIET_HOURS',
      message: `no ${c.channel} between ${c.quiet.from} and ${c.quiet.to} (it is ${clock} bank time)`,
    };
  if (c.outcome === 'NOT_REACHED') return null;
  // Every rolling 7 × 24 hours that holds the new contact — those ending at it or at a later contact
  // less than a week after it — may hold at most `cap` contacts, the new one included.
  const t = c.at.getTime();
  const times = [...c.others.map((d) => d.getTime()), t];
  const ends = times.filter((x) => x >= t && x < t + WEEK_MS);
  const worst = Math.max(...ends.map((end) => times.filter((x) => x > end - WEEK_MS && x <= end).length));
  if (worst > c.cap)
    return {
      code: 'CONTACT_CAP',
      message: `the customer would have ${worst} marketing contacts within 7 × 24 hours (at most ${c.cap})`,
    };
  return null;
}
