// Org and staff scope for the report, target and funnel routes: the orgs (and staff of orgs) a
// principal may see, as SQL conditions (scope.ts's orgVisible, with the same fallback as the
// dashboard before org_closure is published: a subtree is then only its root) and as id sets for
// filtering what a library function built (the weekly briefing, the target list).

import type { FastifyRequest } from 'fastify';
import type { RouteDeps } from './app.js';
import { NotFound } from './errors.js';
import { auditDenied, principalOf } from './plugins/auth.js';
import { isPublished } from './published.js';
import type { Principal } from './roles.js';
import { orgVisible, SqlParams } from './scope.js';

/** The condition "org `orgExpr` is in the principal's scope". */
export async function orgInScopeSql(
  deps: RouteDeps,
  p: Principal,
  orgExpr: string,
  params: SqlParams,
): Promise<string> {
  if (p.scope === 'SUBTREE' && !(await isPublished(deps.db, 'org_closure')))
    return `(${orgExpr} = ${params.add(p.orgId)})`;
  return orgVisible(p, orgExpr, params);
}

export interface ScopeSets {
  /** null: everything (BANK). */
  orgs: Set<string> | null;
  staff: Set<string> | null;
}

/** The ids of the orgs and staff members in scope (null sets for the whole bank). */
export async function scopeSets(deps: RouteDeps, p: Principal): Promise<ScopeSets> {
  if (p.scope === 'BANK') return { orgs: null, staff: null };
  const op = new SqlParams();
  const orgs = await deps.db.query<{ id: string }>(
    `SELECT o.org_id AS id FROM orgs o WHERE ${await orgInScopeSql(deps, p, 'o.org_id', op)}`,
    op.values,
  );
  const sp = new SqlParams();
  const staff = await deps.db.query<{ id: string }>(
    `SELECT s.staff_id AS id FROM staff s WHERE ${await orgInScopeSql(deps, p, 's.org_id', sp)}`,
    sp.values,
  );
  return { orgs: new Set(orgs.map((r) => r.id)), staff: new Set(staff.map((r) => r.id)) };
}

export const inSet = (set: Set<string> | null, id: string | null) =>
  set === null || (id !== null && set.has(id));

export type ScopedOrg = {
  org_id: string;
  org_name: string | null;
  level: string | null;
  parent_id: string | null;
};

/**
 * The org asked for (default the principal's own) when it is in scope; else 404 — the same answer
 * as for a missing org — audited when the org exists outside the scope.
 */
export async function requireOrg(
  deps: RouteDeps,
  request: FastifyRequest,
  orgId: string | undefined,
): Promise<ScopedOrg> {
  const p = principalOf(request);
  const id = orgId ?? p.orgId;
  const params = new SqlParams([id]);
  const visible = await orgInScopeSql(deps, p, 'o.org_id', params);
  const [org] = await deps.db.query<ScopedOrg>(
    `SELECT o.org_id, o.org_name, o.level, o.parent_id FROM orgs o WHERE o.org_id = $1 AND ${visible}`,
    params.values,
  );
  if (org) return org;
  const [exists] = await deps.db.query('SELECT org_id FROM orgs WHERE org_id = $1', [id]);
  if (exists) await auditDenied(deps.db, request, `org ${id} outside the scope`);
  throw new NotFound('no such org in your scope');
}
