// Incentives (PLAYBOOK.md step 7, MISSION X4): a conversion of a treated lead earns its activity's
// points or 立减金 once per (season, customer, activity, event kind), paid from the budget of the
// branch above the task's crediting org for that kind. Grants go in order of event date, then
// customer id; one that would exceed what is left of the budget is refused and reported (and tried
// again by later runs, so a budget raised in the season file pays it). The ledger is only appended to.

import type { SeasonConfig } from '../config/season.js';
import type { Db, SqlValue } from '../db/types.js';
import { fromUnits, toUnits } from '../domain/money.js';
import { insertRows } from './tables.js';

/** Exact yuan (or points) as integer hundredths, and back. */
const toCents = (decimal: string) => toUnits(decimal, 2);
const fromCents = (cents: bigint) => fromUnits(cents, 2);

/** The budget of a branch for a kind in the season config (0 when none is set). */
export function budgetOf(config: SeasonConfig, branchId: string, kind: 'POINTS' | 'LIJIANJIN'): string {
  return config.budgets.branches[branchId]?.[kind] ?? config.budgets.default[kind] ?? '0';
}

export interface GrantSummary {
  granted: number;
  refused: number;
  refusals: string[];
}

export async function grantIncentives(
  db: Db,
  config: SeasonConfig,
  asOf: string,
  byteOrder: (expr: string) => string,
): Promise<GrantSummary> {
  const rewarded = config.activities.filter((a) => a.incentive && !a.service);
  if (!rewarded.length) return { granted: 0, refused: 0, refusals: [] };
  const incentive = new Map(
    rewarded.map((a) => [a.id, a.incentive as { kind: 'POINTS' | 'LIJIANJIN'; amount: string }]),
  );
  const due = await db.query<{
    lead_id: number;
    season_start: string;
    customer_id: string;
    activity_id: string;
    event_kind: string;
    event_date: string;
    branch_id: string | null;
    refused_before: boolean;
  }>(
    `SELECT c.lead_id, c.season_start, c.customer_id, c.activity_id, c.event_kind, c.event_date,
            (SELECT min(oc.ancestor_id) FROM org_closure oc JOIN orgs o ON o.org_id = oc.ancestor_id
              WHERE oc.org_id = c.credit_org_id AND o.level = 'BRANCH') AS branch_id,
            EXISTS (SELECT 1 FROM incentive_ledger r WHERE r.season_start = c.season_start AND r.customer_id = c.customer_id
                      AND r.activity_id = c.activity_id AND r.event_kind = c.event_kind AND r.status = 'REFUSED') AS refused_before
       FROM conversions c
      WHERE NOT c.is_control AND NOT c.service AND c.customer_id IS NOT NULL
        AND c.activity_id IN (${rewarded.map((a) => `'${a.id}'`).join(', ')})
        AND NOT EXISTS (SELECT 1 FROM incentive_ledger g WHERE g.season_start = c.season_start AND g.customer_id = c.customer_id
                          AND g.activity_id = c.activity_id AND g.event_kind = c.event_kind AND g.status = 'GRANTED')
      ORDER BY c.event_date, ${byteOrder('c.customer_id')}, c.lead_id`,
  );
  if (!due.length) return { granted: 0, refused: 0, refusals: [] };
  const spent = new Map<string, bigint>();
  for (const r of await db.query<{ season_start: string; branch_id: string; kind: string; amount: string }>(
    `SELECT season_start, branch_id, kind, CAST(sum(amount) AS DECIMAL(18,2)) AS amount FROM incentive_ledger
      WHERE status = 'GRANTED' AND branch_id IS NOT NULL GROUP BY season_start, branch_id, kind`,
  ))
    spent.set(`${r.season_start}|${r.branch_id}|${r.kind}`, toCents(r.amount));
  const [{ next } = { next: 0 }] = await db.query<{ next: number }>(
    'SELECT CAST(coalesce(max(entry_id), 0) AS BIGINT) AS next FROM incentive_ledger',
  );
  let entryId = Number(next);
  const once = new Set<string>();
  const rows: SqlValue[][] = [];
  const summary: GrantSummary = { granted: 0, refused: 0, refusals: [] };
  for (const c of due) {
    const key = `${c.season_start}|${c.customer_id}|${c.activity_id}|${c.event_kind}`;
    const rule = incentive.get(c.activity_id) as { kind: 'POINTS' | 'LIJIANJIN'; amount: string };
    const amount = toCents(rule.amount);
    let refusal: string | null = null;
    // The same customer converting two leads of one activity (a guardian of two minors) earns once.
    if (once.has(key)) refusal = 'already granted for this customer, activity and event';
    else if (!c.branch_id) refusal = 'no branch above the crediting org';
    else {
      const pot = `${c.season_start}|${c.branch_id}|${rule.kind}`;
      const budget = toCents(budgetOf(config, c.branch_id, rule.kind));
      const used = spent.get(pot) ?? 0n;
      if (used + amount > budget)
        refusal = `budget ${rule.kind} of ${c.branch_id}: ${fromCents(budget - used)} left, ${fromCents(amount)} needed`;
      else spent.set(pot, used + amount);
    }
    if (!refusal) once.add(key);
    if (refusal) {
      summary.refused++;
      if (summary.refusals.length < 20)
        summary.refusals.push(`${c.activity_id} ${c.customer_id}: ${refusal}`);
      if (c.refused_before) continue; // reported once in the ledger; the run report repeats it
    } else summary.granted++;
    rows.push([
      ++entryId,
      c.season_start,
      asOf,
      c.lead_id,
      c.customer_id,
      c.activity_id,
      c.event_kind,
      c.event_date,
      c.branch_id,
      rule.kind,
      fromCents(amount),
      refusal ? 'REFUSED' : 'GRANTED',
      refusal,
    ]);
  }
  await insertRows(db, 'incentive_ledger', rows);
  return summary;
}

/** The budgets table: every branch and kind with a budget or a ledger entry, for D's season. */
export async function publishBudgets(
  db: Db,
  config: SeasonConfig,
  asOf: string,
  seasonStart: string,
): Promise<void> {
  const branches = await db.query<{ org_id: string }>(
    `SELECT org_id FROM orgs WHERE level = 'BRANCH' ORDER BY org_id`,
  );
  const ledger = await db.query<{
    branch_id: string;
    kind: string;
    granted: string;
    grants: number;
    refusals: number;
  }>(
    `SELECT branch_id, kind,
            CAST(coalesce(sum(CASE WHEN status = 'GRANTED' THEN amount END), 0) AS DECIMAL(18,2)) AS granted,
            CAST(sum(CASE WHEN status = 'GRANTED' THEN 1 ELSE 0 END) AS BIGINT) AS grants,
            CAST(count(DISTINCT CASE WHEN status = 'REFUSED' THEN customer_id || '|' || activity_id || '|' || event_kind END) AS BIGINT) AS refusals
       FROM incentive_ledger WHERE season_start = CAST($1 AS DATE) AND branch_id IS NOT NULL GROUP BY branch_id, kind`,
    [seasonStart],
  );
  const byKey = new Map(ledger.map((l) => [`${l.branch_id}|${l.kind}`, l]));
  await db.exec('DELETE FROM budgets');
  const rows: SqlValue[][] = [];
  for (const { org_id } of branches)
    for (const kind of ['POINTS', 'LIJIANJIN'] as const) {
      const budget = toCents(budgetOf(config, org_id, kind));
      const l = byKey.get(`${org_id}|${kind}`);
      if (budget === 0n && !l) continue;
      const granted = toCents(l?.granted ?? '0');
      rows.push([
        asOf,
        seasonStart,
        org_id,
        kind,
        fromCents(budget),
        fromCents(granted),
        fromCents(budget - granted),
        Number(l?.grants ?? 0),
        Number(l?.refusals ?? 0),
      ]);
    }
  await insertRows(db, 'budgets', rows);
}
