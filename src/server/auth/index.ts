// Sign-in for the server (issue 7): login, the session behind a cookie, logout. Every attempt is audited
// (LOGIN; LOGIN_FAILED with the reason: UNKNOWN_USER, BAD_PASSWORD, DISABLED or THROTTLED), but the
// answer never tells whether a username exists: unknown and disabled users get BAD_CREDENTIALS like a
// wrong password, after the same work (an unknown user's attempt is checked against a dummy hash).
// Throttling: ./throttle.ts. Sessions: ./sessions.ts. Users: ./users.ts.

import { randomBytes } from 'node:crypto';
import { withAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { type Principal, ROLES } from '../roles.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import {
  createSession,
  isSessionToken,
  principalOf,
  resolveSession as resolve,
  revokeSession,
  sessionIdOf,
} from './sessions.js';
import { checkThrottle, clearFailures, ipKey, recordFailure, usernameKey } from './throttle.js';
import { normaliseUsername, USERNAME } from './users.js';

export const SESSION_COOKIE = 'wangji_session';

let dummy: Promise<string> | undefined;
/** A hash of a random password, for unknown usernames: their attempt costs what a real one does. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}

/** What an unknown username is recorded as: its first two characters, the rest starred (it may be a password typed in the wrong field). */
function maskTyped(s: string): string {
  const chars = [...s.slice(0, 64)];
  return chars.length <= 2
    ? '*'.repeat(chars.length)
    : chars.slice(0, 2).join('') + '*'.repeat(chars.length - 2);
}

type LoginUser = {
  user_id: number;
  username: string;
  role: string;
  org_id: string;
  staff_id: string | null;
  password_hash: string;
  disabled: boolean;
};

export async function login(
  db: Db,
  o: { username: string; password: string; ip: string; now?: Date },
): Promise<
  | { ok: true; token: string; principal: Principal }
  | { ok: false; reason: 'BAD_CREDENTIALS' | 'THROTTLED'; retryAfterSeconds?: number }
> {
  const now = o.now ?? new Date();
  const username = normaliseUsername(o.username);
  const ip = ipKey(o.ip);
  const uKey = usernameKey(username);
  const fallback = await dummyHash();
  const [user] = USERNAME.test(username)
    ? await db.query<LoginUser>(
        `SELECT user_id, username, role, org_id, staff_id, password_hash, disabled FROM users WHERE username = $1`,
        [username],
      )
    : [];
  const subject = user ? user.username : maskTyped(username);
  const actor = `ip:${ip}`;

  const throttle = await checkThrottle(db, {
    usernameKey: uKey,
    ipKey: ip,
    userId: user ? Number(user.user_id) : null,
    now,
  });
  if (!throttle.allowed) {
    await withAudit(db, (_tx, audit) =>
      audit({
        actor,
        action: 'LOGIN_FAILED',
        subject,
        detail: { reason: 'THROTTLED', ip, retryAfterSeconds: throttle.retryAfterSeconds },
        at: now,
      }),
    );
    return { ok: false, reason: 'THROTTLED', retryAfterSeconds: throttle.retryAfterSeconds };
  }

  const passwordOk = await verifyPassword(user?.password_hash ?? fallback, o.password);
  const roleOk = user !== undefined && (ROLES as readonly string[]).includes(user.role);
  if (user && passwordOk && !user.disabled && roleOk) {
    const rehash = needsRehash(user.password_hash) ? await hashPassword(o.password) : null;
    const s = await withAudit(db, async (tx, audit) => {
      const s = await createSession(tx, { userId: Number(user.user_id), ipKey: ip, now });
      await clearFailures(tx, { usernameKey: uKey, ipKey: ip });
      if (rehash)
        await tx.execute('UPDATE users SET password_hash = $2 WHERE user_id = $1', [user.user_id, rehash]);
      await audit({
        actor: user.username,
        action: 'LOGIN',
        subject: user.username,
        detail: { ip, session: s.sessionId.slice(0, 16) },
        at: now,
      });
      return s;
    });
    return { ok: true, token: s.token, principal: principalOf(user, s) as Principal };
  }

  // BAD_ROLE: a row edited outside `wangji users` to a role this version does not know.
  const reason = !user
    ? 'UNKNOWN_USER'
    : user.disabled
      ? 'DISABLED'
      : !passwordOk
        ? 'BAD_PASSWORD'
        : 'BAD_ROLE';
  await withAudit(db, async (tx, audit) => {
    await recordFailure(tx, { usernameKey: uKey, ipKey: ip, now });
    await audit({ actor, action: 'LOGIN_FAILED', subject, detail: { reason, ip }, at: now });
  });
  return { ok: false, reason: 'BAD_CREDENTIALS' };
}

export async function resolveSession(db: Db, token: string, now?: Date): Promise<Principal | null> {
  return resolve(db, token, now);
}

/** End the session of a cookie token (audited as LOGOUT); nothing happens for an unknown or ended one. */
export async function logout(db: Db, token: string): Promise<void> {
  if (!isSessionToken(token)) return;
  const sessionId = sessionIdOf(token);
  const now = new Date();
  await withAudit(db, async (tx, audit) => {
    const [s] = await tx.query<{ username: string }>(
      `SELECT u.username FROM sessions s JOIN users u ON u.user_id = s.user_id
        WHERE s.session_id = $1 AND s.revoked_at IS NULL`,
      [sessionId],
    );
    if (!s) return;
    if (!(await revokeSession(tx, { sessionId, reason: 'LOGOUT', now }))) return;
    await audit({
      actor: s.username,
      action: 'LOGOUT',
      subject: s.username,
      detail: { session: sessionId.slice(0, 16) },
      at: now,
    });
  });
}
