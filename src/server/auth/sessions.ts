// Sessions (issue 7): the cookie holds a token of 32 random bytes (base64url, 256 bits); the table
// holds only its SHA-256 (the session id), so a copy of the table signs nobody in. A new session on
// every sign-in; it ends after 30 minutes without a request (idle) or 12 hours after sign-in
// (absolute), on sign-out, on a password reset, and at once when the user is disabled (resolveSession
// also checks the user, so even a session missed by a revocation is refused). The principal is built
// from the user's row: a changed role or org applies within SESSION_CACHE_MS.
//
// Resolved rows are kept in memory for SESSION_CACHE_MS (bench/serve.bench.ts: on DuckDB the point
// query costs about 1 ms on the one serialised connection, so at 1,000 req/s the lookup alone would
// take the whole connection). Expiry is judged at every request from the kept row; any revocation in
// this process makes every kept row unusable at once; one made by another process (PostgreSQL and
// the CLI), or read on another PostgreSQL connection before the revoking transaction commits, applies
// within SESSION_CACHE_MS.

import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/types.js';
import { utcTimestamp } from '../../domain/bankTime.js';
import { type Principal, permissionsOf, ROLE_DEFS, ROLES, type Role } from '../roles.js';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** last_seen_at is written at most this often (a request stream must not write on every request). */
export const SESSION_TOUCH_MS = 60_000;
/** How long a resolved session's row is used before it is read again (see the top of the file). */
export const SESSION_CACHE_MS = 1_000;
/**
 * On DuckDB this server owns the file: no other process can revoke a session while it runs (user
 * management is the CLI's, which cannot open the file then), so rows are kept longer — re-reading
 * 200 staff members' sessions every second queued behind each other on the one connection.
 */
export const SESSION_CACHE_DUCKDB_MS = 30_000;
const SESSION_CACHE_MAX = 10_000;

export type RevokeReason = 'LOGOUT' | 'USER_DISABLED' | 'PASSWORD_RESET';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The session id stored for a cookie token. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewSession {
  token: string;
  sessionId: string;
  csrfToken: string;
}

/** Create a session for a user (in the caller's transaction). */
export async function createSession(
  tx: Db,
  o: { userId: number; ipKey: string; now: Date },
): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const sessionId = sessionIdOf(token);
  const at = utcTimestamp(o.now);
  await tx.execute(
    `INSERT INTO sessions (session_id, user_id, csrf_token, created_at, last_seen_at, ip_key, revoked_at, revoked_reason)
     VALUES ($1, $2, $3, CAST($4 AS TIMESTAMP), CAST($4 AS TIMESTAMP), $5, NULL, NULL)`,
    [sessionId, o.userId, csrfToken, at, o.ipKey],
  );
  return { token, sessionId, csrfToken };
}

export type UserRow = {
  user_id: number;
  username: string;
  role: string;
  org_id: string;
  staff_id: string | null;
};

/** The principal of a user row with a session; null when the row's role is not a known one. */
export function principalOf(u: UserRow, session: { sessionId: string; csrfToken: string }): Principal | null {
  if (!(ROLES as readonly string[]).includes(u.role)) return null;
  const role = u.role as Role;
  return {
    userId: Number(u.user_id),
    username: u.username,
    role,
    orgId: u.org_id,
    staffId: u.staff_id,
    scope: ROLE_DEFS[role].scope,
    permissions: permissionsOf(role),
    sessionId: session.sessionId,
    csrfToken: session.csrfToken,
  };
}

/**
 * The signed-in user of a cookie token; null when the token is malformed or unknown, the session was
 * revoked or has expired (idle or absolute), or the user is disabled. Touches last_seen_at at most
 * once a minute.
 */
export async function resolveSession(
  db: Db,
  token: string,
  now: Date = new Date(),
): Promise<Principal | null> {
  if (!TOKEN.test(token)) return null;
  const sessionId = sessionIdOf(token);
  const s = await sessionRow(db, sessionId);
  if (!s || s.revoked_at !== null || s.disabled) return null;
  const t = now.getTime();
  const lastSeen = Date.parse(s.last_seen_at);
  if (t - lastSeen >= SESSION_IDLE_MS || t - Date.parse(s.created_at) >= SESSION_ABSOLUTE_MS) return null;
  const principal = principalOf(s, { sessionId, csrfToken: s.csrf_token });
  if (principal && t - lastSeen >= SESSION_TOUCH_MS) {
    // Written behind the request, which does not wait for it: the kept row already says when the
    // session was last seen, and a touch that fails at worst ends the session sooner.
    s.last_seen_at = now.toISOString();
    db.execute(
      `UPDATE sessions SET last_seen_at = CAST($2 AS TIMESTAMP)
        WHERE session_id = $1 AND revoked_at IS NULL AND last_seen_at < CAST($2 AS TIMESTAMP)`,
      [sessionId, utcTimestamp(now)],
    ).catch(() => undefined);
  }
  return principal;
}

type SessionRow = UserRow & {
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  revoked_at: string | null;
  disabled: boolean;
};

/** Rows read lately, by session id; usable while their generation is the current one. */
const cache = new Map<string, { row: SessionRow; readAt: number; generation: number }>();
/** Bumped by every revocation: rows read before it (or while it ran) are read again. */
let generation = 0;

function forgetSessions(): void {
  generation++;
  cache.clear();
}

async function sessionRow(db: Db, sessionId: string): Promise<SessionRow | undefined> {
  const t = performance.now();
  const kept = cache.get(sessionId);
  const keep = db.kind === 'duckdb' ? SESSION_CACHE_DUCKDB_MS : SESSION_CACHE_MS;
  if (kept && kept.generation === generation && t - kept.readAt < keep) return kept.row;
  const at = generation;
  const [s] = await db.query<SessionRow>(
    `SELECT s.csrf_token, s.created_at, s.last_seen_at, s.revoked_at,
            u.user_id, u.username, u.role, u.org_id, u.staff_id, u.disabled
       FROM sessions s JOIN users u ON u.user_id = s.user_id
      WHERE s.session_id = $1`,
    [sessionId],
  );
  if (!s) return undefined;
  if (at === generation) {
    cache.delete(sessionId);
    if (cache.size >= SESSION_CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(sessionId, { row: s, readAt: t, generation: at });
  }
  return s;
}

/** Revoke every live session of a user (in the caller's transaction); returns how many. */
export async function revokeUserSessions(
  tx: Db,
  o: { userId: number; reason: RevokeReason; now: Date },
): Promise<number> {
  forgetSessions();
  try {
    return await tx.execute(
      `UPDATE sessions SET revoked_at = CAST($2 AS TIMESTAMP), revoked_reason = $3
        WHERE user_id = $1 AND revoked_at IS NULL`,
      [o.userId, utcTimestamp(o.now), o.reason],
    );
  } finally {
    forgetSessions();
  }
}

/** Revoke one session (in the caller's transaction); false when it was unknown or already revoked. */
export async function revokeSession(
  tx: Db,
  o: { sessionId: string; reason: RevokeReason; now: Date },
): Promise<boolean> {
  forgetSessions();
  try {
    const n = await tx.execute(
      `UPDATE sessions SET revoked_at = CAST($2 AS TIMESTAMP), revoked_reason = $3
        WHERE session_id = $1 AND revoked_at IS NULL`,
      [o.sessionId, utcTimestamp(o.now), o.reason],
    );
    return n > 0;
  } finally {
    forgetSessions();
  }
}

export function isSessionToken(token: string): boolean {
  return TOKEN.test(token);
}
