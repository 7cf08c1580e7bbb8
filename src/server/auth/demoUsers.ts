// Demo sign-ins for `wangji demo` (issue 7): one user per role, bound to orgs and staff of the loaded bank
// so that every scope shows something — one story down the tree: the account manager with the most open
// tasks, the outlet they work at with its manager, lobby and teller, the outlet's sub-branch (its manager
// and a corporate RM) and branch; HQ roles and the auditor at HQ; a remote agent of the remote centre.
// Idempotent: only missing users are created (with a generated password, returned once); users that
// exist already are listed without one.

import { withAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { ROLES, type Role } from '../roles.js';
import { generatePassword, hashPassword } from './passwords.js';
import { addUserIn, UserError } from './users.js';

export interface DemoUser {
  username: string;
  role: Role;
  orgId: string;
  staffId: string | null;
  /** The generated password when the user was created now; null when it existed already. */
  password: string | null;
}

/** The demo username of a role: account-manager, hq-admin … */
export const demoUsername = (role: Role) => role.toLowerCase().replaceAll('_', '-');

interface Binding {
  orgId: string;
  staffId: string | null;
}

async function bindings(db: Db): Promise<Record<Role, Binding>> {
  const [hq] = await db.query<{ org_id: string }>(
    "SELECT org_id FROM orgs WHERE level = 'HQ' ORDER BY org_id LIMIT 1",
  );
  if (!hq)
    throw new UserError('INVALID', 'no HQ org in the orgs table: load a bank first (wangji demo loads one)');
  const staffOf = async (role: string, orgIds: string[] = []): Promise<Binding | null> => {
    for (const orgId of orgIds) {
      const [s] = await db.query<{ staff_id: string; org_id: string }>(
        'SELECT staff_id, org_id FROM staff WHERE role = $1 AND org_id = $2 ORDER BY staff_id LIMIT 1',
        [role, orgId],
      );
      if (s) return { orgId: s.org_id, staffId: s.staff_id };
    }
    const [s] = await db.query<{ staff_id: string; org_id: string }>(
      'SELECT staff_id, org_id FROM staff WHERE role = $1 AND org_id IS NOT NULL ORDER BY staff_id LIMIT 1',
      [role],
    );
    return s ? { orgId: s.org_id, staffId: s.staff_id } : null;
  };
  const need = (role: Role, b: Binding | null): Binding => {
    if (!b)
      throw new UserError('INVALID', `the bank has no staff member of role ${role} to bind the demo user to`);
    return b;
  };
  // The account manager with the most open tasks (any, before the first pipeline run).
  const [am] = await db.query<{ staff_id: string; org_id: string }>(
    `SELECT s.staff_id, s.org_id FROM staff s
       LEFT JOIN (SELECT staff_id, count(*) AS n FROM tasks WHERE status IN ('OPEN', 'IN_PROGRESS') GROUP BY staff_id) t
         ON t.staff_id = s.staff_id
      WHERE s.role = 'ACCOUNT_MANAGER' AND s.org_id IS NOT NULL
      ORDER BY coalesce(t.n, 0) DESC, s.staff_id LIMIT 1`,
  );
  const accountManager = need('ACCOUNT_MANAGER', am ? { orgId: am.org_id, staffId: am.staff_id } : null);
  const parentOf = async (orgId: string | null): Promise<string | null> => {
    if (!orgId) return null;
    const [o] = await db.query<{ parent_id: string | null }>('SELECT parent_id FROM orgs WHERE org_id = $1', [
      orgId,
    ]);
    return o?.parent_id ?? null;
  };
  const outlet = accountManager.orgId;
  const sub = await parentOf(outlet);
  const branch = await parentOf(sub);
  const at = (orgs: (string | null)[]) => orgs.filter((o): o is string => o !== null);
  const manager = async (role: Role, orgId: string | null): Promise<Binding> =>
    (await staffOf(role, at([orgId]))) ??
    (orgId ? { orgId, staffId: null } : need(role, await staffOf(role)));
  const hqOps = await staffOf('HQ_OPS', [hq.org_id]);
  return {
    ACCOUNT_MANAGER: accountManager,
    CORPORATE_RM: need('CORPORATE_RM', await staffOf('CORPORATE_RM', at([sub, branch]))),
    LOBBY: need('LOBBY', await staffOf('LOBBY', [outlet])),
    TELLER: need('TELLER', await staffOf('TELLER', [outlet])),
    OUTLET_MANAGER: await manager('OUTLET_MANAGER', outlet),
    SUBBRANCH_MANAGER: await manager('SUBBRANCH_MANAGER', sub),
    BRANCH_MANAGER: await manager('BRANCH_MANAGER', branch),
    HQ_OPS: hqOps ?? { orgId: hq.org_id, staffId: null },
    REMOTE_AGENT: need('REMOTE_AGENT', await staffOf('REMOTE_AGENT')),
    HQ_ADMIN: { orgId: hq.org_id, staffId: null },
    AUDITOR: { orgId: hq.org_id, staffId: null },
  };
}

/** Create the missing demo users (one per role); returns all of them, passwords only for the new ones. */
export async function seedDemoUsers(db: Db, o: { actor?: string; now?: Date } = {}): Promise<DemoUser[]> {
  const existing = new Map(
    (
      await db.query<{ username: string; role: string; org_id: string; staff_id: string | null }>(
        'SELECT username, role, org_id, staff_id FROM users',
      )
    ).map((u) => [u.username, u]),
  );
  const missing = ROLES.filter((r) => !existing.has(demoUsername(r)));
  const bound = missing.length > 0 ? await bindings(db) : null;
  // Hash before taking the audit lock: eleven argon2id hashes take about a second.
  const created = new Map<Role, { password: string; hash: string }>();
  for (const role of missing) {
    const password = generatePassword();
    created.set(role, { password, hash: await hashPassword(password) });
  }
  if (bound && missing.length > 0) {
    await withAudit(db, async (tx, audit) => {
      for (const role of missing) {
        const b = bound[role];
        await addUserIn(
          tx,
          audit,
          {
            username: demoUsername(role),
            role,
            orgId: b.orgId,
            staffId: b.staffId,
            displayName: `Demo ${role.toLowerCase().replaceAll('_', ' ')}`,
          },
          {
            actor: o.actor ?? 'system:demo',
            now: o.now,
            passwordHash: (created.get(role) as { hash: string }).hash,
          },
        );
      }
    });
  }
  return ROLES.map((role) => {
    const username = demoUsername(role);
    const had = existing.get(username);
    if (had)
      return { username, role: had.role as Role, orgId: had.org_id, staffId: had.staff_id, password: null };
    const b = (bound as Record<Role, Binding>)[role];
    return {
      username,
      role,
      orgId: b.orgId,
      staffId: b.staffId,
      password: created.get(role)?.password ?? null,
    };
  });
}
