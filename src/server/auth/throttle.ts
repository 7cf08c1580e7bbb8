// Sign-in throttling (issue 7): slow password guessing per account and per address WITHOUT letting an
// attacker lock the real user out.
//
// The design. A failed sign-in is recorded as (username key, address key, time) in login_failures;
// failures are counted over a sliding window of an hour. A throttled attempt is refused before the
// password is looked at (the attacker learns nothing while refused, and spends no hashing of ours),
// and is not itself counted. Delays grow exponentially — 15 s, 30 s, 1 min … capped at 15 min —
// measured from the last failure of what is throttled. Three counters:
//   1. (username, address): after 5 failures of that username from that address, each further
//      attempt from there waits. This is the account's own lock, but it is per address: guessing
//      from 10.0.0.9 slows 10.0.0.9 only, and the real user signing in from anywhere else is not
//      touched.
//   2. address: after 30 failures from one address (any usernames: password spraying), that address
//      waits — except for a username that signed in successfully from that address in the last 30
//      days (a "known" address: colleagues behind the branch's one NAT address are not locked out by
//      one of them, or by malware on one machine).
//   3. account under attack: when a username has 10 or more failures from all addresses together (a
//      distributed guess), an address that is not known for it gets 1 free failure instead of 5
//      before its delays start. A fresh address still gets its first attempt — so the real user can
//      always sign in, from a known address with the usual allowance — while a botnet gets about one
//      guess per address per window.
// A good sign-in clears the failures of its (username, address). Usernames are counted by their
// SHA-256 (a password typed into the username field is never stored); IPv6 addresses by their /64
// (one host usually holds a whole /64). A known-address exemption is visible to someone at that
// address (an unthrottled username there has signed in from it): a small leak accepted for not locking
// colleagues out.

import { type BinaryLike, createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Db } from '../../db/types.js';
import { utcTimestamp } from '../../domain/bankTime.js';

export const THROTTLE = {
  /** Failures are counted over this sliding window. */
  windowMs: 60 * 60_000,
  /** Failures of one username from one address before delays begin. */
  pairFree: 5,
  /** Failures from one address (any usernames) before delays begin (known addresses are exempt). */
  ipFree: 30,
  /** Failures of one username from all addresses that mark it as under attack. */
  accountAlarm: 10,
  /** Failures of an unknown address allowed for an account under attack before delays begin. */
  pairFreeUnderAttack: 1,
  /** The first delay; doubled by every further failure. */
  baseDelayMs: 15_000,
  maxDelayMs: 15 * 60_000,
  /** An address the user signed in from within this many days is known. */
  knownAddressDays: 30,
} as const;

const sha256 = (s: BinaryLike) => createHash('sha256').update(s).digest('hex');

/** What failures are counted by, for a username as typed (trimmed, lower-cased). */
export function usernameKey(username: string): string {
  return sha256(username.trim().toLowerCase());
}

/** What an address is counted by: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function ipKey(ip: string): string {
  let s = ip.trim().toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (mapped) s = mapped[1] as string;
  if (isIPv4(s)) return s;
  if (isIPv6(s)) return `${expandIPv6(s).slice(0, 4).join(':')}::/64`;
  return s.length === 0 ? 'unknown' : s.slice(0, 64);
}

/** The 8 hextets of a valid IPv6 address (each without leading zeros). */
function expandIPv6(s: string): string[] {
  const toGroups = (part: string): string[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!g.includes('.')) return [String(Number.parseInt(g, 16).toString(16))];
      const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  };
  const [head = '', tail] = s.split('::');
  const h = toGroups(head);
  if (tail === undefined) return h;
  const t = toGroups(tail);
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
}

/** The delay after `over` failures beyond the free ones (over ≥ 1). */
export function delayMs(over: number): number {
  return Math.min(THROTTLE.maxDelayMs, THROTTLE.baseDelayMs * 2 ** Math.min(30, over - 1));
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * May this attempt have its password checked? userId: the account's, or null when the username is
 * unknown (the same queries run either way, so that timing does not tell).
 */
export async function checkThrottle(
  db: Db,
  o: { usernameKey: string; ipKey: string; userId: number | null; now: Date },
): Promise<ThrottleDecision> {
  const now = o.now.getTime();
  const since = utcTimestamp(new Date(now - THROTTLE.windowMs));
  const knownSince = utcTimestamp(new Date(now - THROTTLE.knownAddressDays * 86_400_000));
  const [counts] = await db.query<{
    pair_n: number;
    pair_last: string | null;
    ip_n: number;
    ip_last: string | null;
    account_n: number;
    known: number;
  }>(
    `SELECT
        count(*) FILTER (WHERE username_key = $1 AND ip_key = $2) AS pair_n,
        max(failed_at) FILTER (WHERE username_key = $1 AND ip_key = $2) AS pair_last,
        count(*) FILTER (WHERE ip_key = $2) AS ip_n,
        max(failed_at) FILTER (WHERE ip_key = $2) AS ip_last,
        count(*) FILTER (WHERE username_key = $1) AS account_n,
        (SELECT count(*) FROM (SELECT 1 FROM sessions
            WHERE user_id = $4 AND ip_key = $2 AND created_at > CAST($5 AS TIMESTAMP) LIMIT 1) k) AS known
       FROM login_failures
      WHERE (username_key = $1 OR ip_key = $2) AND failed_at > CAST($3 AS TIMESTAMP)`,
    [o.usernameKey, o.ipKey, since, o.userId ?? -1, knownSince],
  );
  const pairN = Number(counts?.pair_n ?? 0);
  const ipN = Number(counts?.ip_n ?? 0);
  const known = Number(counts?.known ?? 0) > 0;
  const underAttack = Number(counts?.account_n ?? 0) >= THROTTLE.accountAlarm;
  const pairFree = underAttack && !known ? THROTTLE.pairFreeUnderAttack : THROTTLE.pairFree;
  let until = 0;
  if (pairN >= pairFree && counts?.pair_last)
    until = Math.max(until, Date.parse(counts.pair_last) + delayMs(pairN - pairFree + 1));
  if (!known && ipN >= THROTTLE.ipFree && counts?.ip_last)
    until = Math.max(until, Date.parse(counts.ip_last) + delayMs(ipN - THROTTLE.ipFree + 1));
  return until > now
    ? { allowed: false, retryAfterSeconds: Math.ceil((until - now) / 1000) }
    : { allowed: true };
}

/** Record a failed attempt (in the caller's transaction) and prune failures older than the window. */
export async function recordFailure(
  tx: Db,
  o: { usernameKey: string; ipKey: string; now: Date },
): Promise<void> {
  await tx.execute('DELETE FROM login_failures WHERE failed_at <= CAST($1 AS TIMESTAMP)', [
    utcTimestamp(new Date(o.now.getTime() - THROTTLE.windowMs)),
  ]);
  await tx.execute(
    'INSERT INTO login_failures (username_key, ip_key, failed_at) VALUES ($1, $2, CAST($3 AS TIMESTAMP))',
    [o.usernameKey, o.ipKey, utcTimestamp(o.now)],
  );
}

/** A good sign-in clears the failures of its (username, address). */
export async function clearFailures(tx: Db, o: { usernameKey: string; ipKey: string }): Promise<void> {
  await tx.execute('DELETE FROM login_failures WHERE username_key = $1 AND ip_key = $2', [
    o.usernameKey,
    o.ipKey,
  ]);
}
