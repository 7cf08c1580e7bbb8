// Who sees which field-operation record (ARCHITECTURE "Access"), as SQL conditions on the record's
// table, built from the helpers of scope.ts and orgScope.ts (values bound, never pasted):
//   visits            the org's (orgs in scope), or to an employer in field scope, or (OWN) made by me
//   outreach events   the org's, or (OWN) one I staffed
//   appointments      BANK / SUBTREE the org's; OWN mine (I go, or I booked it), or my team's at my org
//   service points    the org's, or (OWN) one I staff
//   stations, tuition partners   the org's
//   service plans     for an employer in field scope, or (OWN) one I own
//   assistance actions            owner_org_id in scope
//   benefit programs  BANK all; else a program covering the division of an org in scope
// "Employers in field scope": the org's employers (BANK, SUBTREE, OWN's own org) and, for a corporate
// RM, their own employers (employerVisible, corporate_rm_id). "Orgs in scope" for OWN is the user's
// own org (their outlet). A record outside the scope answers 404 like a missing one; the attempt is
// audited as DENIED when the record exists.

import type { FastifyRequest } from 'fastify';
import type { Db } from '../db/types.js';
import { FieldRefused, type Writer, withFieldWrite } from '../field/common.js';
import type { RouteDeps } from './app.js';
import { NotFound, Refused } from './errors.js';
import { orgInScopeSql, requireOrg } from './orgScope.js';
import { auditDenied, principalOf } from './plugins/auth.js';
import { isPublished } from './published.js';
import type { Principal } from './roles.js';
import { customerVisible, employerVisible, SqlParams } from './scope.js';

export type FieldKind =
  | 'visit'
  | 'event'
  | 'appointment'
  | 'service_point'
  | 'station'
  | 'service_plan'
  | 'tuition_partner'
  | 'assistance_action'
  | 'benefit_program';

interface KindDef {
  table: string;
  alias: string;
  id: string;
  label: string;
}

export const FIELD_KINDS: Record<FieldKind, KindDef> = {
  visit: { table: 'visits', alias: 'v', id: 'visit_id', label: 'visit' },
  event: { table: 'outreach_events', alias: 'ev', id: 'event_id', label: 'outreach event' },
  appointment: { table: 'appointments', alias: 'ap', id: 'appointment_id', label: 'appointment' },
  service_point: { table: 'service_points', alias: 'sp', id: 'service_point_id', label: 'service point' },
  station: { table: 'stations', alias: 'st', id: 'station_id', label: 'station' },
  service_plan: { table: 'service_plans', alias: 'pl', id: 'plan_id', label: 'service plan' },
  tuition_partner: { table: 'tuition_partners', alias: 'tp', id: 'partner_id', label: 'tuition partner' },
  assistance_action: {
    table: 'assistance_actions',
    alias: 'aa',
    id: 'action_id',
    label: 'assistance action',
  },
  benefit_program: { table: 'benefit_programs', alias: 'bp', id: 'program_id', label: 'benefit program' },
};

/** `staffExpr` is the principal's own staff member (OWN roles only; otherwise never true). */
function mine(p: Principal, staffExpr: string, params: SqlParams): string {
  return p.scope === 'OWN' && p.staffId ? `(${staffExpr} = ${params.add(p.staffId)})` : '(1 = 0)';
}

/** The prefix a division code covers: 420000 → 42, 420200 → 4202, 420202 → 420202 (SQL). */
export function coveredPrefixSql(codeExpr: string): string {
  return `(CASE WHEN ${codeExpr} LIKE '%0000' THEN left(${codeExpr}, 2) WHEN ${codeExpr} LIKE '%00' THEN left(${codeExpr}, 4) ELSE ${codeExpr} END)`;
}

/** Employers `e` in field scope (see the head of this file). */
export async function employerInFieldScope(
  deps: RouteDeps,
  p: Principal,
  params: SqlParams,
  e = 'e',
): Promise<string> {
  const byOrg = await orgInScopeSql(deps, p, `${e}.org_id`, params);
  return p.scope === 'OWN' ? `(${byOrg} OR ${employerVisible(p, params, e)})` : byOrg;
}

/** The condition "the record (alias of FIELD_KINDS) is in the principal's scope". */
export async function fieldVisible(
  deps: RouteDeps,
  p: Principal,
  kind: FieldKind,
  params: SqlParams,
): Promise<string> {
  const a = FIELD_KINDS[kind].alias;
  const org = (expr: string) => orgInScopeSql(deps, p, expr, params);
  switch (kind) {
    case 'visit':
      return `(${await org(`${a}.org_id`)} OR EXISTS (SELECT 1 FROM employers fe WHERE fe.employer_id = ${a}.employer_id AND ${await employerInFieldScope(deps, p, params, 'fe')}) OR ${mine(p, `${a}.staff_id`, params)})`;
    case 'event':
      return `(${await org(`${a}.org_id`)} OR EXISTS (SELECT 1 FROM outreach_event_staff fs WHERE fs.event_id = ${a}.event_id AND ${mine(p, 'fs.staff_id', params)}))`;
    case 'service_point':
      return `(${await org(`${a}.org_id`)} OR EXISTS (SELECT 1 FROM service_point_staff fs WHERE fs.service_point_id = ${a}.service_point_id AND ${mine(p, 'fs.staff_id', params)}))`;
    case 'appointment':
      if (p.scope === 'BANK' || p.scope === 'SUBTREE') return org(`${a}.org_id`);
      if (p.scope === 'OWN' && p.staffId) {
        const me = params.add(p.staffId);
        return `(${a}.staff_id = ${me} OR ${a}.created_by = ${params.add(p.username)}
          OR (${a}.org_id = ${params.add(p.orgId)} AND ${a}.team IS NOT NULL
              AND ${a}.team = (SELECT fs.team FROM staff fs WHERE fs.staff_id = ${me})))`;
      }
      return `(${a}.created_by = ${params.add(p.username)})`;
    case 'station':
    case 'tuition_partner':
      return org(`${a}.org_id`);
    case 'service_plan':
      return `(EXISTS (SELECT 1 FROM employers fe WHERE fe.employer_id = ${a}.employer_id AND ${await employerInFieldScope(deps, p, params, 'fe')}) OR ${mine(p, `${a}.owner_staff_id`, params)})`;
    case 'assistance_action':
      return org(`${a}.owner_org_id`);
    case 'benefit_program':
      if (p.scope === 'BANK') return '(1 = 1)';
      return `EXISTS (SELECT 1 FROM orgs fo WHERE fo.division_code LIKE ${coveredPrefixSql(`${a}.division_code`)} || '%' AND ${await org('fo.org_id')})`;
  }
}

export type RecordState = 'VISIBLE' | 'HIDDEN' | 'MISSING';

/** Whether a record is in the principal's scope, outside it, or missing. */
export async function fieldState(
  db: Db,
  deps: RouteDeps,
  p: Principal,
  kind: FieldKind,
  id: number | string,
): Promise<RecordState> {
  const { table, alias, id: column } = FIELD_KINDS[kind];
  const params = new SqlParams([id]);
  const visible = await fieldVisible(deps, p, kind, params);
  const [row] = await db.query<{ visible: number }>(
    `SELECT CASE WHEN ${visible} THEN 1 ELSE 0 END AS visible FROM ${table} ${alias} WHERE ${alias}.${column} = $1`,
    params.values,
  );
  return !row ? 'MISSING' : Number(row.visible) === 1 ? 'VISIBLE' : 'HIDDEN';
}

/** Go on only with a record in scope; else 404, audited as DENIED when it exists outside the scope. */
export async function requireField(
  deps: RouteDeps,
  request: FastifyRequest,
  kind: FieldKind,
  id: number | string,
): Promise<void> {
  const state = await fieldState(deps.db, deps, principalOf(request), kind, id);
  if (state === 'VISIBLE') return;
  const label = FIELD_KINDS[kind].label;
  if (state === 'HIDDEN') await auditDenied(deps.db, request, `${label} ${id} outside the scope`);
  throw new NotFound(`no ${label} ${id} in your scope`);
}

/** The same check inside a write's transaction (the record may have moved meanwhile). */
export async function recheckField(
  tx: Db,
  deps: RouteDeps,
  p: Principal,
  kind: FieldKind,
  id: number | string,
): Promise<void> {
  if ((await fieldState(tx, deps, p, kind, id)) !== 'VISIBLE')
    throw new NotFound(`no ${FIELD_KINDS[kind].label} ${id} in your scope`);
}

/** 404 for an object of the extracts outside the scope, audited as DENIED when it exists. */
async function refuse(
  deps: RouteDeps,
  request: FastifyRequest,
  what: string,
  existsSql: string,
  id: string,
): Promise<never> {
  const [exists] = await deps.db.query(existsSql, [id]);
  if (exists) await auditDenied(deps.db, request, `${what} ${id} outside the scope`);
  throw new NotFound(`no such ${what} in your scope`);
}

/** An employer in field scope, else 404 (audited when it exists). */
export async function requireEmployer(deps: RouteDeps, request: FastifyRequest, id: string): Promise<void> {
  const p = principalOf(request);
  const params = new SqlParams([id]);
  const cond = await employerInFieldScope(deps, p, params);
  const [row] = await deps.db.query(
    `SELECT e.employer_id FROM employers e WHERE e.employer_id = $1 AND ${cond}`,
    params.values,
  );
  if (!row)
    await refuse(deps, request, 'employer', 'SELECT 1 AS x FROM employers WHERE employer_id = $1', id);
}

/** Staff members whose org is in scope (OWN: of the user's own org), else 404 (audited when they exist). */
export async function requireStaff(
  deps: RouteDeps,
  request: FastifyRequest,
  ids: readonly string[],
): Promise<void> {
  const p = principalOf(request);
  for (const id of new Set(ids)) {
    const params = new SqlParams([id]);
    const cond = await orgInScopeSql(deps, p, 's.org_id', params);
    const [row] = await deps.db.query(
      `SELECT s.staff_id FROM staff s WHERE s.staff_id = $1 AND ${cond}`,
      params.values,
    );
    if (!row) await refuse(deps, request, 'staff member', 'SELECT 1 AS x FROM staff WHERE staff_id = $1', id);
  }
}

/** A customer in scope (scope.ts customerVisible), else 404 (audited when the customer exists). */
export async function requireCustomer(deps: RouteDeps, request: FastifyRequest, id: string): Promise<void> {
  const p = principalOf(request);
  const params = new SqlParams([id]);
  const cond =
    p.scope === 'SUBTREE' && !(await isPublished(deps.db, 'org_closure'))
      ? '(1 = 0)'
      : customerVisible(p, params);
  const [row] = await deps.db.query(
    `SELECT c.customer_id FROM customers c WHERE c.customer_id = $1 AND ${cond}`,
    params.values,
  );
  if (!row)
    await refuse(deps, request, 'customer', 'SELECT 1 AS x FROM customers WHERE customer_id = $1', id);
}

/** Who writes: the signed-in user, at the server's clock. */
export function writerOf(request: FastifyRequest, now: () => Date): Writer {
  return { username: principalOf(request).username, at: now() };
}

/** The field rules' refusals as HTTP answers. */
export function fieldHttp(e: unknown): unknown {
  if (!(e instanceof FieldRefused)) return e;
  return e.code === 'NOT_FOUND' ? new NotFound(e.message) : new Refused(e.code, e.message);
}

export interface FieldWrite {
  /** The audit action (FIELD_VISIT, APPOINTMENT …). */
  action: string;
  /** The subject's kind: the entry's subject is `<subject>:<id>` (visit:12). */
  subject: string;
  /** The record re-checked in scope inside the transaction (updates), if any. */
  recheck?: { kind: FieldKind; id: number | string };
}

/**
 * One audited field write: the audit lock, the scope re-check, the change, and exactly one audit entry
 * (detail: the operation and the fields changed, never their values) — committed together or not at all.
 */
export async function fieldWrite<T extends number | string>(
  deps: RouteDeps,
  request: FastifyRequest,
  w: FieldWrite,
  fn: (tx: Db, writer: Writer) => Promise<{ id: T; op: string; fields?: string[] }>,
): Promise<T> {
  const p = principalOf(request);
  const writer = writerOf(request, deps.now);
  return withFieldWrite(deps.db, async (tx, audit) => {
    if (w.recheck) await recheckField(tx, deps, p, w.recheck.kind, w.recheck.id);
    const r = await fn(tx, writer);
    await audit({
      actor: p.username,
      action: w.action,
      subject: `${w.subject}:${r.id}`,
      detail: { op: r.op, ...(r.fields ? { fields: r.fields } : {}) },
      at: writer.at,
    });
    return r.id;
  }).catch((e: unknown) => {
    throw fieldHttp(e);
  });
}

/** The org a new record belongs to: the one named (in scope, else 404 audited) or the user's own. */
export async function writeOrg(
  deps: RouteDeps,
  request: FastifyRequest,
  orgId: string | undefined,
): Promise<string> {
  return (await requireOrg(deps, request, orgId)).org_id;
}

/** The scope condition of a list and its parameters. */
export async function listScope(
  deps: RouteDeps,
  request: FastifyRequest,
  kind: FieldKind,
): Promise<{ sql: string; params: SqlParams }> {
  const params = new SqlParams();
  return { sql: await fieldVisible(deps, principalOf(request), kind, params), params };
}
