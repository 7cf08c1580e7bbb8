// The contact policy (PLAYBOOK.md step 5), as pure rules the work API applies when a contact is
// recorded (routing applies the cap too): at most «2» marketing contacts per customer in any rolling
// 7 × 24 hours across activities — a contact is an outcome other than NOT_REACHED; no SMS or outbound
// call between «21:00» and «09:00» bank time; service tasks are exempt from both.

import { REMOTE_CHANNELS } from '../config/season.js';
import { bankClock } from '../domain/bankTime.js';

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

const WEEK_MS = 7 * 24 * 3_600_000;

/** True when HH:MM falls in the quiet hours [from, to), which may wrap past midnight. */
export function inQuietHours(clock: string, quiet: { from: string; to: string }): boolean {
  return quiet.from <= quiet.to
    ? clock >= quiet.from && clock < quiet.to
    : clock >= quiet.from || clock < quiet.to;
}

/**
 * The order in which consent events decide (PIPL art. 24): the latest stands, and at the same instant
 * a refusal of all marketing stands over a re-grant.
 */
export const CONSENT_ORDER = "event_at DESC, CASE WHEN event = 'REFUSED_ALL' THEN 0 ELSE 1 END";

/** SQL: the latest consent event of `customer` (an expression) — 'REFUSED_ALL', 'REGRANTED' or NULL. */
export const latestConsentSql = (customer: string) =>
  `(SELECT event FROM consent_events WHERE customer_id = ${customer} ORDER BY ${CONSENT_ORDER} LIMIT 1)`;

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
  if ((REMOTE_CHANNELS as readonly string[]).includes(c.channel) && inQuietHours(clock, c.quiet))
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
