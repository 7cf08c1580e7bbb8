// Users (issue 7): added, disabled and given new passwords by an administrator (the CLI's `wangji users`,
// later an HQ_ADMIN page). Each change and its audit entry are written in one transaction. Passwords are
// generated here and returned once; only their argon2id hash is kept.
//
// A user is bound to an org of the `orgs` table and, when given, a staff member of `staff` in that org.
// Roles that act as a staff member (scope OWN: own customers and tasks; WALK_IN: the point-of-service
// lookups, which check the staff member's role) must be bound to one.

import { type Audit, lockAudit, withAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { utcTimestamp } from '../../domain/bankTime.js';
import { ROLE_DEFS, ROLES, type Role } from '../roles.js';
import { generatePassword, hashPassword } from './passwords.js';
import { revokeUserSessions, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './sessions.js';

export type UserErrorCode = 'INVALID' | 'EXISTS' | 'NOT_FOUND';

/** A refused user change, with a message fit to show to the administrator. */
export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Lower-case letters, digits and . _ - ; 2 to 64 characters, starting with a letter or digit. */
export const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase();
}

export interface UserInfo {
  userId: number;
  username: string;
  displayName: string | null;
  role: Role;
  orgId: string;
  staffId: string | null;
  disabled: boolean;
  createdAt: string;
  passwordSetAt: string;
  disabledAt: string | null;
}

type UserDbRow = {
  user_id: number;
  username: string;
  display_name: string | null;
  role: string;
  org_id: string;
  staff_id: string | null;
  disabled: boolean;
  created_at: string;
  password_set_at: string;
  disabled_at: string | null;
};

const COLUMNS =
  'user_id, username, display_name, role, org_id, staff_id, disabled, created_at, password_set_at, disabled_at';

function info(r: UserDbRow): UserInfo {
  return {
    userId: Number(r.user_id),
    username: r.username,
    displayName: r.display_name,
    role: r.role as Role,
    orgId: r.org_id,
    staffId: r.staff_id,
    disabled: Boolean(r.disabled),
    createdAt: r.created_at,
    passwordSetAt: r.password_set_at,
    disabledAt: r.disabled_at,
  };
}

/** Who changes users, for the audit log (`cli:<os user>`, or an admin's username). */
export interface Change {
  actor: string;
  now?: Date;
}

/** Roles whose scope is a staff member's (they need one). */
export const STAFF_BOUND_ROLES: readonly Role[] = ROLES.filter((r) =>
  ['OWN', 'WALK_IN'].includes(ROLE_DEFS[r].scope),
);

export interface NewUser {
  username: string;
  role: string;
  orgId: string;
  staffId?: string | null;
  displayName?: string | null;
}

/** Check a new user against the bank (in the caller's transaction); returns it normalised. */
async function validate(tx: Db, u: NewUser): Promise<Required<NewUser> & { role: Role }> {
  const username = normaliseUsername(u.username);
  if (!USERNAME.test(username))
    throw new UserError(
      'INVALID',
      `username "${u.username}" is not valid: 2–64 characters, lower-case letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  const role = u.role.trim().toUpperCase();
  if (!(ROLES as readonly string[]).includes(role))
    throw new UserError('INVALID', `role "${u.role}" is not one of ${ROLES.join(', ')}`);
  const orgId = u.orgId.trim();
  const [org] = await tx.query<{ org_id: string }>('SELECT org_id FROM orgs WHERE org_id = $1', [orgId]);
  if (!org)
    throw new UserError(
      'INVALID',
      `org "${orgId}" is not in the orgs table (load the bank's extracts first)`,
    );
  const staffId = u.staffId?.trim() || null;
  if (staffId) {
    const [s] = await tx.query<{ org_id: string | null; role: string | null }>(
      'SELECT org_id, role FROM staff WHERE staff_id = $1',
      [staffId],
    );
    if (!s) throw new UserError('INVALID', `staff member "${staffId}" is not in the staff table`);
    if (s.org_id !== orgId)
      throw new UserError(
        'INVALID',
        `staff member "${staffId}" belongs to org ${s.org_id ?? '(none)'}, not ${orgId}`,
      );
  } else if (STAFF_BOUND_ROLES.includes(role as Role)) {
    throw new UserError('INVALID', `role ${role} acts as a staff member: give the staff id (--staff)`);
  }
  const displayName = u.displayName?.trim() || null;
  if (displayName && displayName.length > 100)
    throw new UserError('INVALID', 'the display name is at most 100 characters');
  return { username, role: role as Role, orgId, staffId, displayName };
}

async function findUser(tx: Db, username: string): Promise<UserDbRow> {
  const [r] = await tx.query<UserDbRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [
    normaliseUsername(username),
  ]);
  if (!r) throw new UserError('NOT_FOUND', `no user "${username}"`);
  return r;
}

/** Add a user in a transaction that is being audited (used by addUser and the demo seed). */
export async function addUserIn(
  tx: Db,
  audit: Audit,
  u: NewUser,
  o: Change & { passwordHash: string },
): Promise<UserInfo> {
  await lockAudit(tx); // user ids and usernames are allocated under the audit lock
  const v = await validate(tx, u);
  const now = o.now ?? new Date();
  const [taken] = await tx.query('SELECT 1 AS x FROM users WHERE username = $1', [v.username]);
  if (taken) throw new UserError('EXISTS', `user "${v.username}" exists already`);
  const [next] = await tx.query<{ id: number }>('SELECT coalesce(max(user_id), 0) + 1 AS id FROM users');
  const userId = Number(next?.id ?? 1);
  const at = utcTimestamp(now);
  await tx.execute(
    `INSERT INTO users (user_id, username, display_name, role, org_id, staff_id, password_hash, disabled,
                        password_set_at, created_at, disabled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, false, CAST($8 AS TIMESTAMP), CAST($8 AS TIMESTAMP), NULL)`,
    [userId, v.username, v.displayName, v.role, v.orgId, v.staffId, o.passwordHash, at],
  );
  await audit({
    actor: o.actor,
    action: 'USER_ADDED',
    subject: v.username,
    detail: { userId, role: v.role, org: v.orgId, staff: v.staffId },
    at: now,
  });
  const [row] = await tx.query<UserDbRow>(`SELECT ${COLUMNS} FROM users WHERE user_id = $1`, [userId]);
  return info(row as UserDbRow);
}

/** Add a user with a generated password, returned once (only its hash is kept). */
export async function addUser(db: Db, u: NewUser, o: Change): Promise<{ user: UserInfo; password: string }> {
  // Check first (a clear error without the cost of a hash), hash outside the audit lock, then write.
  const v = await validate(db, u);
  const [taken] = await db.query('SELECT 1 AS x FROM users WHERE username = $1', [v.username]);
  if (taken) throw new UserError('EXISTS', `user "${v.username}" exists already`);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const user = await withAudit(db, (tx, audit) => addUserIn(tx, audit, u, { ...o, passwordHash }));
  return { user, password };
}

/** Disable a user and revoke all of their sessions at once. */
export async function disableUser(
  db: Db,
  username: string,
  o: Change,
): Promise<{ user: UserInfo; sessionsRevoked: number }> {
  const now = o.now ?? new Date();
  return withAudit(db, async (tx, audit) => {
    await lockAudit(tx);
    const r = await findUser(tx, username);
    if (r.disabled) throw new UserError('INVALID', `user "${r.username}" is disabled already`);
    await tx.execute(
      'UPDATE users SET disabled = true, disabled_at = CAST($2 AS TIMESTAMP) WHERE user_id = $1',
      [r.user_id, utcTimestamp(now)],
    );
    const sessionsRevoked = await revokeUserSessions(tx, {
      userId: Number(r.user_id),
      reason: 'USER_DISABLED',
      now,
    });
    await audit({
      actor: o.actor,
      action: 'USER_DISABLED',
      subject: r.username,
      detail: { userId: Number(r.user_id), sessionsRevoked },
      at: now,
    });
    const [row] = await tx.query<UserDbRow>(`SELECT ${COLUMNS} FROM users WHERE user_id = $1`, [r.user_id]);
    return { user: info(row as UserDbRow), sessionsRevoked };
  });
}

/** Give a user a new generated password (returned once) and revoke all of their sessions. */
export async function resetPassword(
  db: Db,
  username: string,
  o: Change,
): Promise<{ user: UserInfo; password: string; sessionsRevoked: number }> {
  const now = o.now ?? new Date();
  await findUser(db, username);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return withAudit(db, async (tx, audit) => {
    await lockAudit(tx);
    const r = await findUser(tx, username);
    await tx.execute(
      'UPDATE users SET password_hash = $2, password_set_at = CAST($3 AS TIMESTAMP) WHERE user_id = $1',
      [r.user_id, passwordHash, utcTimestamp(now)],
    );
    const sessionsRevoked = await revokeUserSessions(tx, {
      userId: Number(r.user_id),
      reason: 'PASSWORD_RESET',
      now,
    });
    await audit({
      actor: o.actor,
      action: 'PASSWORD_RESET',
      subject: r.username,
      detail: { userId: Number(r.user_id), sessionsRevoked },
      at: now,
    });
    return { user: info(r), password, sessionsRevoked };
  });
}

/** Every user, by username, without password hashes; with their live session counts. */
export async function listUsers(
  db: Db,
  now: Date = new Date(),
): Promise<(UserInfo & { activeSessions: number })[]> {
  const rows = await db.query<UserDbRow & { active_sessions: number }>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `u.${c}`)
      .join(', ')},
            (SELECT count(*) FROM sessions s WHERE s.user_id = u.user_id AND s.revoked_at IS NULL
                AND s.last_seen_at > CAST($1 AS TIMESTAMP) AND s.created_at > CAST($2 AS TIMESTAMP)) AS active_sessions
       FROM users u ORDER BY ${db.dialect.binaryText('u.username')}`,
    [
      utcTimestamp(new Date(now.getTime() - SESSION_IDLE_MS)),
      utcTimestamp(new Date(now.getTime() - SESSION_ABSOLUTE_MS)),
    ],
  );
  return rows.map((r) => ({ ...info(r), activeSessions: Number(r.active_sessions) }));
}
