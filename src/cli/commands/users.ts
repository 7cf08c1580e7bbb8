// wangji users add | disable | reset | list: the people who sign in to the server. A generated password
// is printed once (add, reset) and never again; every change is audited as `cli:<os user>`.

import { userInfo } from 'node:os';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import type { Db } from '../../db/types.js';
import { setUserEmail } from '../../notices/notices.js';
import { addUser, disableUser, listUsers, resetPassword, UserError } from '../../server/auth/users.js';
import { type Output, renderTable } from '../output.js';

/** Who runs the CLI, for the audit log. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env.USER ?? 'unknown'}`;
  }
}

async function withUsers(target: DbTarget, out: Output, fn: (db: Db) => Promise<void>): Promise<number> {
  const db = await openDb(target);
  try {
    await fn(db);
    return 0;
  } catch (e) {
    if (e instanceof UserError) {
      out.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

const ONCE = '密码只显示这一次 This password is shown once: hand it over now; it cannot be shown again.';

export function usersAddCommand(
  target: DbTarget,
  o: { username: string; role: string; org: string; staff?: string; name?: string; email?: string },
  out: Output,
): Promise<number> {
  return withUsers(target, out, async (db) => {
    const { user, password } = await addUser(
      db,
      { username: o.username, role: o.role, orgId: o.org, staffId: o.staff, displayName: o.name },
      { actor: cliActor() },
    );
    // Where the user's notices go (src/notices/): set after the user exists, audited on its own.
    if (o.email) await setUserEmail(db, { username: user.username, email: o.email, actor: cliActor() });
    out.result({ ...user, password }, () => [
      `用户已添加 User added: ${user.username} (${user.role}, org ${user.orgId}${user.staffId ? `, staff ${user.staffId}` : ''})`,
      `密码 Password: ${password}`,
      ONCE,
    ]);
  });
}

export function usersDisableCommand(target: DbTarget, username: string, out: Output): Promise<number> {
  return withUsers(target, out, async (db) => {
    const r = await disableUser(db, username, { actor: cliActor() });
    out.result(r, () => [
      `用户已停用 User disabled: ${r.user.username}; 已撤销会话 sessions revoked: ${r.sessionsRevoked}`,
    ]);
  });
}

export function usersResetCommand(target: DbTarget, username: string, out: Output): Promise<number> {
  return withUsers(target, out, async (db) => {
    const r = await resetPassword(db, username, { actor: cliActor() });
    out.result({ user: r.user, password: r.password, sessionsRevoked: r.sessionsRevoked }, () => [
      `密码已重置 Password reset: ${r.user.username}; 已撤销会话 sessions revoked: ${r.sessionsRevoked}`,
      `新密码 New password: ${r.password}`,
      ONCE,
      ...(r.user.disabled ? ['(该用户仍为停用状态 the user stays disabled)'] : []),
    ]);
  });
}

export function usersListCommand(target: DbTarget, out: Output): Promise<number> {
  return withUsers(target, out, async (db) => {
    const users = await listUsers(db);
    out.result(users, () =>
      users.length === 0
        ? ['(no users: add one with wangji users add USERNAME --role ROLE --org ORG)']
        : renderTable(
            ['user', 'name', 'role', 'org', 'staff', 'status', 'sessions', 'created', 'password set'],
            users.map((u) => [
              u.username,
              u.displayName ?? '',
              u.role,
              u.orgId,
              u.staffId ?? '',
              u.disabled ? `disabled ${u.disabledAt?.slice(0, 16) ?? ''}` : 'active',
              u.activeSessions,
              u.createdAt.slice(0, 16),
              u.passwordSetAt.slice(0, 16),
            ]),
          ),
    );
  });
}
