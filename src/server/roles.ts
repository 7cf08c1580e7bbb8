// Who may do what (MISSION X5, ARCHITECTURE "Access"): roles are the staff roles of DATA-CONTRACT plus
// HQ_ADMIN and AUDITOR, each bound to an org. Permissions are data that build on each other (a role
// lists the role it extends and what it adds), and every role has a scope — the condition the server
// applies to every list, detail, aggregate, export and write:
//   BANK      the whole bank (HQ roles)
//   SUBTREE   the user's org and everything under it (branch, sub-branch and outlet managers)
//   OWN       the staff member's own customers and tasks, plus the outlet's pool (account managers,
//             corporate RMs: also their employers, corporate_rm_id, and those employers' staff in aggregate)
//   REMOTE    only tasks routed to the remote channels (SMS, outbound calls)
//   WALK_IN   any walk-in customer, only through the point-of-service lookups (masked, audited)
//   AUDIT     the audit log

export const ROLES = [
  'ACCOUNT_MANAGER',
  'CORPORATE_RM',
  'LOBBY',
  'TELLER',
  'OUTLET_MANAGER',
  'SUBBRANCH_MANAGER',
  'BRANCH_MANAGER',
  'HQ_OPS',
  'REMOTE_AGENT',
  'HQ_ADMIN',
  'AUDITOR',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'dashboard:read',
  'payroll:read',
  'leads:read',
  'leads:work', // record outcomes, book appointments, pick up from the pool
  'leads:reassign',
  'pos:counter',
  'pos:pad',
  'reports:read',
  'reports:export',
  'targets:read',
  'targets:write',
  'merchants:read',
  'county:read',
  'field:read',
  'field:write',
  'pii:reveal',
  'ops:read',
  'ops:run',
  'users:admin',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type Scope = 'BANK' | 'SUBTREE' | 'OWN' | 'REMOTE' | 'WALK_IN' | 'AUDIT';

interface RoleDef {
  extends?: Role;
  adds: Permission[];
  scope: Scope;
}

export const ROLE_DEFS: Record<Role, RoleDef> = {
  // The lobby PAD is the lobby's and the counter's (the PAD lookup also checks the staff extract's
  // role): managers do not inherit pos:pad.
  LOBBY: { adds: ['pos:counter', 'pos:pad'], scope: 'WALK_IN' },
  TELLER: { extends: 'LOBBY', adds: [], scope: 'WALK_IN' },
  REMOTE_AGENT: { adds: ['leads:read', 'leads:work'], scope: 'REMOTE' },
  ACCOUNT_MANAGER: {
    adds: ['dashboard:read', 'leads:read', 'leads:work', 'pos:counter', 'field:read', 'field:write'],
    scope: 'OWN',
  },
  CORPORATE_RM: { extends: 'ACCOUNT_MANAGER', adds: ['payroll:read'], scope: 'OWN' },
  OUTLET_MANAGER: {
    extends: 'CORPORATE_RM',
    adds: [
      'leads:reassign',
      'reports:read',
      'reports:export',
      'targets:read',
      'targets:write',
      'merchants:read',
      'county:read',
      'pii:reveal',
    ],
    scope: 'SUBTREE',
  },
  SUBBRANCH_MANAGER: { extends: 'OUTLET_MANAGER', adds: [], scope: 'SUBTREE' },
  BRANCH_MANAGER: { extends: 'SUBBRANCH_MANAGER', adds: ['ops:read'], scope: 'SUBTREE' },
  HQ_OPS: { extends: 'BRANCH_MANAGER', adds: ['ops:run'], scope: 'BANK' },
  HQ_ADMIN: { extends: 'HQ_OPS', adds: ['users:admin'], scope: 'BANK' },
  AUDITOR: { adds: ['audit:read'], scope: 'AUDIT' },
};

/** Every permission of a role, its own and those of the roles it extends. */
export function permissionsOf(role: Role): Set<Permission> {
  const out = new Set<Permission>();
  for (let r: Role | undefined = role; r; r = ROLE_DEFS[r].extends)
    for (const p of ROLE_DEFS[r].adds) out.add(p);
  return out;
}

/** The signed-in user as every route sees it. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  /** The org the user is bound to (the scope's root for SUBTREE; the outlet for OWN). */
  orgId: string;
  /** The staff member the user is (OWN, REMOTE, WALK_IN roles), when bound to one. */
  staffId: string | null;
  scope: Scope;
  permissions: Set<Permission>;
  /** The session's id as stored (a hash of the cookie's token, never the token itself). */
  sessionId: string;
  /** The session's CSRF token: every write must echo it in the x-csrf-token header. */
  csrfToken: string;
}
