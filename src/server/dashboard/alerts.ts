// The dashboard's alerts: what needs someone's attention in the org's subtree, as counts with a
// sentence in Chinese and English, each limited to what the user may see (scope.ts):
//   PAYROLL_STOPPED, PAYROLL_DROP   employers with a churn alert (payroll_alerts, P4) — employers in scope
//   CUSTOMER_PAYROLL_STOPPED        customers whose payroll stopped (customer_features) — customers in scope
//   KPI_BEHIND                      the org's own KPIs flagged laggard (behind time progress)
//   CHILD_LAGGARDS                  children of the org flagged laggard on some KPI
//   TASKS_OVERDUE                   open tasks past their due date (bank date of now) — tasks in scope
//   TASKS_QUEUED                    tasks waiting (staff capacity, the contact cap) — tasks in scope
//   BUDGET_LOW, BUDGET_REFUSED      incentive budgets of the org's branch (above it, or below it) with
//                                   under 10 % left, or grants it could not pay (X4)
// Alerts with nothing to count are left out. The order is by severity, then kind.

import type { Db } from '../../db/types.js';
import type { Principal } from '../roles.js';
import { customerVisible, employerVisible, SqlParams, taskVisible } from '../scope.js';

/** `1 task`, `3 tasks`: the English sentences agree with their count. */
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
export type Severity = 'HIGH' | 'MEDIUM' | 'INFO';

export interface Alert {
  kind: string;
  severity: Severity;
  count: number;
  /** What it is about beyond the org (a branch's budget kind), or null. */
  subject: string | null;
  zh: string;
  en: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { HIGH: 0, MEDIUM: 1, INFO: 2 };

/** Share of a budget left below which it is called low. */
const BUDGET_LOW_SHARE = '0.1';

const inSubtreeOf = (expr: string, root: string) =>
  `EXISTS (SELECT 1 FROM org_closure ac WHERE ac.org_id = ${expr} AND ac.ancestor_id = ${root})`;

async function count(db: Db, sql: string, params: SqlParams): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, params.values);
  return Number(row?.n ?? 0);
}

export interface AlertContext {
  db: Db;
  principal: Principal;
  orgId: string;
  /** The data date D. */
  asOf: string;
  /** Today's bank date (due dates are judged against it). */
  today: string;
}

export async function dashboardAlerts(c: AlertContext): Promise<Alert[]> {
  const { db, principal: p, orgId } = c;
  const out: Alert[] = [];
  const add = (a: Alert) => {
    if (a.count > 0) out.push(a);
  };

  // Employers with a churn alert.
  {
    const params = new SqlParams([orgId]);
    const rows = await db.query<{ kind: string; n: number }>(
      `SELECT a.kind, count(*) AS n FROM payroll_alerts a JOIN employers e ON e.employer_id = a.employer_id
        WHERE ${inSubtreeOf('e.org_id', '$1')} AND ${employerVisible(p, params)}
        GROUP BY a.kind`,
      params.values,
    );
    const n = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
    add({
      kind: 'PAYROLL_STOPPED',
      severity: 'HIGH',
      count: n('STOPPED'),
      subject: null,
      zh: `${n('STOPPED')} 家代发单位本月停发工资`,
      en: `${plural(n('STOPPED'), 'payroll employer')} stopped paying salaries here`,
    });
    add({
      kind: 'PAYROLL_DROP',
      severity: 'MEDIUM',
      count: n('DROP'),
      subject: null,
      zh: `${n('DROP')} 家代发单位代发人数明显下降`,
      en: `${plural(n('DROP'), 'payroll employer')} paid markedly fewer people`,
    });
  }

  // Customers whose payroll stopped.
  {
    const params = new SqlParams([orgId]);
    const n = await count(
      db,
      `SELECT count(*) AS n FROM customer_features f JOIN customers c ON c.customer_id = f.customer_id
        WHERE f.payroll_stopped AND ${inSubtreeOf('c.home_org_id', '$1')} AND ${customerVisible(p, params)}`,
      params,
    );
    add({
      kind: 'CUSTOMER_PAYROLL_STOPPED',
      severity: 'MEDIUM',
      count: n,
      subject: null,
      zh: `${n} 位代发客户工资停发`,
      en: `${n} payroll ${n === 1 ? "customer's salary" : "customers' salaries"} stopped`,
    });
  }

  // KPIs behind time progress: the org's own, and its children.
  {
    const own = await count(
      db,
      `SELECT count(*) AS n FROM kpi_progress
        WHERE as_of = CAST($1 AS DATE) AND scope_kind = 'ORG' AND scope_id = $2 AND laggard`,
      new SqlParams([c.asOf, orgId]),
    );
    add({
      kind: 'KPI_BEHIND',
      severity: 'HIGH',
      count: own,
      subject: null,
      zh: `${own} 项指标落后于时序进度`,
      en: `${plural(own, 'KPI')} ${own === 1 ? 'is' : 'are'} behind time progress`,
    });
    const children = await count(
      db,
      `SELECT count(DISTINCT scope_id) AS n FROM kpi_progress
        WHERE as_of = CAST($1 AS DATE) AND scope_kind = 'ORG' AND parent_id = $2 AND laggard`,
      new SqlParams([c.asOf, orgId]),
    );
    add({
      kind: 'CHILD_LAGGARDS',
      severity: 'MEDIUM',
      count: children,
      subject: null,
      zh: `${children} 个下级机构有落后指标`,
      en: `${plural(children, 'child org')} ${children === 1 ? 'is a laggard' : 'are laggards'} on some KPI`,
    });
  }

  // Tasks overdue and waiting.
  {
    const params = new SqlParams([orgId, c.today]);
    const [row] = await db.query<{ overdue: number | null; queued: number | null }>(
      `SELECT sum(CASE WHEN t.status IN ('OPEN', 'IN_PROGRESS') AND t.due_date < CAST($2 AS DATE) THEN 1 ELSE 0 END) AS overdue,
              sum(CASE WHEN t.status = 'QUEUED' THEN 1 ELSE 0 END) AS queued
         FROM tasks t
        WHERE t.status IN ('OPEN', 'IN_PROGRESS', 'QUEUED') AND ${inSubtreeOf('t.org_id', '$1')}
          AND ${taskVisible(p, params)}`,
      params.values,
    );
    const overdue = Number(row?.overdue ?? 0);
    const queued = Number(row?.queued ?? 0);
    add({
      kind: 'TASKS_OVERDUE',
      severity: 'HIGH',
      count: overdue,
      subject: null,
      zh: `${overdue} 条名单任务已过期未处理`,
      en: `${plural(overdue, 'task')} ${overdue === 1 ? 'is' : 'are'} past the due date`,
    });
    add({
      kind: 'TASKS_QUEUED',
      severity: 'INFO',
      count: queued,
      subject: null,
      zh: `${queued} 条名单任务排队等待（人员容量或接触上限）`,
      en: `${plural(queued, 'task')} ${queued === 1 ? 'is' : 'are'} queued (staff capacity or the contact cap)`,
    });
  }

  // Incentive budgets of the branch the org belongs to, or of branches below it.
  {
    const params = new SqlParams([orgId]);
    const rows = await db.query<{
      branch_id: string;
      kind: string;
      budget: string;
      remaining: string;
      refusals: number;
      low: boolean;
    }>(
      `SELECT b.branch_id, b.kind, b.budget, b.remaining, b.refusals,
              (b.budget > 0 AND b.remaining < b.budget * CAST('${BUDGET_LOW_SHARE}' AS DECIMAL(4,2))) AS low
         FROM budgets b
        WHERE b.as_of = (SELECT max(as_of) FROM budgets)
          AND (${inSubtreeOf('b.branch_id', '$1')}
               OR EXISTS (SELECT 1 FROM org_closure up WHERE up.org_id = $1 AND up.ancestor_id = b.branch_id))
        ORDER BY b.branch_id, b.kind`,
      params.values,
    );
    for (const b of rows) {
      const subject = `${b.branch_id}:${b.kind}`;
      const kindZh = b.kind === 'POINTS' ? '积分' : '立减金';
      if (b.low)
        add({
          kind: 'BUDGET_LOW',
          severity: 'MEDIUM',
          count: 1,
          subject,
          zh: `${b.branch_id} ${kindZh}预算剩余 ${b.remaining}（共 ${b.budget}），不足一成`,
          en: `${b.branch_id} ${b.kind} budget: ${b.remaining} of ${b.budget} left, under 10 %`,
        });
      add({
        kind: 'BUDGET_REFUSED',
        severity: 'HIGH',
        count: Number(b.refusals),
        subject,
        zh: `${b.branch_id} ${kindZh}预算不足，${Number(b.refusals)} 笔奖励未能发放`,
        en: `${b.branch_id} ${b.kind} budget: ${plural(Number(b.refusals), 'grant')} could not be paid`,
      });
    }
  }

  const key = (a: Alert) => `${SEVERITY_ORDER[a.severity]}|${a.kind}|${a.subject ?? ''}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
