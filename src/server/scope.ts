// Who sees what (ARCHITECTURE "Access"), as SQL conditions every list, detail, aggregate and write
// adds to its WHERE clause. Values are bound parameters, never pasted into the SQL: a condition takes
// the query's SqlParams and adds its own. The expressions passed in (`t.org_id`, `c.customer_id` …)
// are column references written in the code, never input.
//
//   orgs        BANK all; SUBTREE the principal's org and below (org_closure); OWN the principal's own
//               org (for aggregates); REMOTE, WALK_IN, AUDIT none
//   tasks       BANK all; SUBTREE owned by an org of the subtree; OWN the staff member's own tasks and
//               the pool of their outlet; REMOTE the tasks routed to the remote channels (SMS, outbound
//               calls); WALK_IN, AUDIT none
//   customers   BANK all; SUBTREE home org in the subtree; OWN managed by the staff member, or with a
//               task they see; REMOTE with a task they see; WALK_IN (point-of-service lookups only),
//               AUDIT none
//   employers   BANK all; SUBTREE the employer's org in the subtree; OWN the corporate RM's own
//               (corporate_rm_id); REMOTE, WALK_IN, AUDIT none
//
// The subtree is read from the published table org_closure(org_id, ancestor_id, depth).

import { REMOTE_CHANNELS } from '../config/season.js';
import type { SqlValue } from '../db/types.js';
import type { Principal, Scope } from './roles.js';

/** The bound parameters of one query: add() returns the placeholder ($n) for a value. */
export class SqlParams {
  readonly values: SqlValue[] = [];
  constructor(initial: SqlValue[] = []) {
    this.values.push(...initial);
  }
  add(value: SqlValue): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  list(values: readonly SqlValue[]): string {
    return values.map((v) => this.add(v)).join(', ');
  }
}

const NONE = '(1 = 0)';
const ALL = '(1 = 1)';

function unreachable(scope: never): never {
  throw new Error(`unknown scope ${String(scope)}`);
}

/** `orgExpr` is an org of the principal's subtree (the org itself included). */
function inSubtree(p: Principal, orgExpr: string, params: SqlParams): string {
  // IN rather than a correlated EXISTS (the same rows: org_closure's key is (org_id, ancestor_id)):
  // DuckDB plans the EXISTS as a join applied after every other join of the query, so a manager's
  // task list joined every task of the bank to its lead and customer first (#9's soak: 1.5 s a page
  // at 200,000 customers); PostgreSQL plans both as a semi-join.
  return `(${orgExpr} IN (SELECT sc.org_id FROM org_closure sc WHERE sc.ancestor_id = ${params.add(p.orgId)}))`;
}

/** Orgs whose figures (aggregates) the principal may see. */
export function orgVisible(p: Principal, orgExpr: string, params: SqlParams): string {
  const scope: Scope = p.scope;
  switch (scope) {
    case 'BANK':
      return ALL;
    case 'SUBTREE':
      return inSubtree(p, orgExpr, params);
    case 'OWN':
      return `(${orgExpr} = ${params.add(p.orgId)})`;
    case 'REMOTE':
    case 'WALK_IN':
    case 'AUDIT':
      return NONE;
    default:
      return unreachable(scope);
  }
}

/** Tasks (alias `t`, or the one given) the principal may see and work. */
export function taskVisible(p: Principal, params: SqlParams, t = 't'): string {
  const scope: Scope = p.scope;
  switch (scope) {
    case 'BANK':
      return ALL;
    case 'SUBTREE':
      return inSubtree(p, `${t}.org_id`, params);
    case 'OWN': {
      const pool = `(${t}.staff_id IS NULL AND ${t}.org_id = ${params.add(p.orgId)})`;
      return p.staffId ? `(${t}.staff_id = ${params.add(p.staffId)} OR ${pool})` : pool;
    }
    case 'REMOTE':
      return `(${t}.channel IN (${params.list(REMOTE_CHANNELS)}))`;
    case 'WALK_IN':
    case 'AUDIT':
      return NONE;
    default:
      return unreachable(scope);
  }
}

/** Customers (alias `c`, or the one given) whose (masked) records the principal may see. */
export function customerVisible(p: Principal, params: SqlParams, c = 'c'): string {
  const scope: Scope = p.scope;
  const viaTask = () =>
    `EXISTS (SELECT 1 FROM tasks vt WHERE vt.customer_id = ${c}.customer_id AND ${taskVisible(p, params, 'vt')})`;
  switch (scope) {
    case 'BANK':
      return ALL;
    case 'SUBTREE':
      return inSubtree(p, `${c}.home_org_id`, params);
    case 'OWN':
      return p.staffId ? `(${c}.manager_id = ${params.add(p.staffId)} OR ${viaTask()})` : viaTask();
    case 'REMOTE':
      return viaTask();
    case 'WALK_IN':
    case 'AUDIT':
      return NONE;
    default:
      return unreachable(scope);
  }
}

/**
 * Employers (alias `e`, or the one given; columns org_id and corporate_rm_id of `employers`) whose
 * payroll figures the principal may see: BANK all; SUBTREE the employer's org in the subtree; OWN the
 * corporate RM's own employers (corporate_rm_id); REMOTE, WALK_IN, AUDIT none.
 */
export function employerVisible(p: Principal, params: SqlParams, e = 'e'): string {
  const scope: Scope = p.scope;
  switch (scope) {
    case 'BANK':
      return ALL;
    case 'SUBTREE':
      return inSubtree(p, `${e}.org_id`, params);
    case 'OWN':
      return p.staffId ? `(${e}.corporate_rm_id = ${params.add(p.staffId)})` : NONE;
    case 'REMOTE':
    case 'WALK_IN':
    case 'AUDIT':
      return NONE;
    default:
      return unreachable(scope);
  }
}
