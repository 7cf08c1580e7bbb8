// The balance KPIs (METRICS.md "KPIs"): DEPOSIT_ADB_GROWTH = Σ over customers of ADB(c, a, min(b, D))
// − ADB(c, baseline), and AUM_GROWTH = Σ aum(c, min(b, D)) − aum(c, a − 1). Both are built from
// balance "pieces" — a period cut at month boundaries: the pieces of completed months come from the
// cache of balance periods (computed once, reused by every later run), the pieces inside month(D)
// are computed live from that month's rows. A window's Σ balance × days is the sum of its pieces; the
// balance at the end of day z is the closing balance of the piece [first of z's month, z + 1).
//
// ADB growth is kept exact: per org and staff the credit is Σ (P × days_B − B × days_P) with divisor
// days_P × days_B (P, B: Σ balance × days over the period and the baseline), divided once after the
// roll-up, so that the org's figure is the sum of its customers' exact differences, rounded once.

import type { SeasonConfig } from '../config/season.js';
import { quoteIdent, quoteString } from '../db/dialect.js';
import type { Db } from '../db/types.js';
import { daysBetweenInclusive } from '../domain/calendar.js';
import { addDays, monthStart } from '../domain/dates.js';
import { dateLiteral } from '../extracts/checks.js';
import { tempTable } from '../leads/tables.js';
import { type Period, refreshBalanceCache } from '../pipeline/balanceCache.js';

const DEPOSIT = "('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT')";
const AUM = "('DEBIT_CARD', 'SAVINGS', 'TIME_DEPOSIT', 'WEALTH', 'FUND', 'INSURANCE', 'GOLD')";

export interface BalancePeriod {
  kpi: 'DEPOSIT_ADB_GROWTH' | 'AUM_GROWTH';
  start: string;
  end: string;
  /** min(end, D). */
  lastDay: string;
}

/** [start, end) cut at month boundaries. */
function pieces(start: string, end: string): Period[] {
  const out: Period[] = [];
  for (let s = start; s < end; ) {
    const next = monthStart(s, 1);
    const e = next < end ? next : end;
    out.push({ start: s, end: e });
    s = e;
  }
  return out;
}

/** The baseline window of a period starting on a: the month before month(a), or the previous calendar year. */
export function baselineOf(a: string, baseline: SeasonConfig['kpi']['adb_baseline']): Period {
  if (baseline === 'PREVIOUS_YEAR') {
    const y = Number(a.slice(0, 4)) - 1;
    return { start: `${y}-01-01`, end: `${y + 1}-01-01` };
  }
  return { start: monthStart(a, -1), end: monthStart(a) };
}

/**
 * Fill `target` (a new table) with the balance KPIs' credits: kpi, period_start, period_end, org_id
 * (home_org_id), staff_id (manager_id), amount, divisor — over the population at D.
 */
export async function balanceCredits(
  db: Db,
  o: {
    asOf: string;
    periods: BalancePeriod[];
    config: SeasonConfig;
    target: string;
    /** This run's balance_live table (month(D) up to D per account). */
    balanceLive: string;
  },
): Promise<void> {
  const M = monthStart(o.asOf);
  // uses: (kpi, period, piece, role, factor): P and B pieces weigh balance × days, END and START the closing balance.
  const uses: (string | number)[][] = [];
  const divisors = new Map<string, bigint>();
  for (const p of o.periods) {
    const key = `${p.kpi}|${p.start}|${p.end}`;
    if (p.kpi === 'DEPOSIT_ADB_GROWTH') {
      const b = baselineOf(p.start, o.config.kpi.adb_baseline);
      const daysP = daysBetweenInclusive(p.start, p.lastDay);
      const daysB = daysBetweenInclusive(b.start, addDays(b.end, -1));
      divisors.set(key, BigInt(daysP) * BigInt(daysB));
      for (const x of pieces(p.start, addDays(p.lastDay, 1)))
        uses.push([p.kpi, p.start, p.end, x.start, x.end, 'P', daysB]);
      for (const x of pieces(b.start, b.end)) uses.push([p.kpi, p.start, p.end, x.start, x.end, 'B', -daysP]);
    } else {
      divisors.set(key, 1n);
      const closing = (z: string, factor: number) =>
        uses.push([p.kpi, p.start, p.end, monthStart(z), addDays(z, 1), 'C', factor]);
      closing(p.lastDay, 1);
      closing(addDays(p.start, -1), -1);
    }
  }
  const cached = new Map<string, Period>();
  const live = new Map<string, Period>();
  for (const u of uses) {
    const piece = { start: u[3] as string, end: u[4] as string };
    (piece.end <= M ? cached : live).set(`${piece.start}/${piece.end}`, piece);
  }
  // The live pieces open with the cached closing balances of the month before month(D).
  const refresh = [...cached.values()];
  if (live.size) refresh.push({ start: monthStart(o.asOf, -1), end: M });
  // balance_live, earlier in the run, checked the cache against the balances.
  if (refresh.length)
    await refreshBalanceCache(db, { asOf: o.asOf, periods: refresh, full: false, verified: true });
  await tempTable(
    db,
    'kpi_balance_uses',
    [
      ['kpi', 'VARCHAR'],
      ['period_start', 'DATE'],
      ['period_end', 'DATE'],
      ['piece_start', 'DATE'],
      ['piece_end', 'DATE'],
      ['role', 'VARCHAR'],
      ['factor', 'BIGINT'],
    ],
    uses,
  );
  // The month-to-date piece [first of month(D), D + 1) is balance_live's (Σ over month(D) up to D and
  // the balance at the end of D, already computed for every account); other pieces inside month(D) —
  // a period starting or ending within it — are computed from month(D)'s rows.
  const monthToDate = `${M}/${addDays(o.asOf, 1)}`;
  await livePieces(
    db,
    o.asOf,
    [...live.entries()].filter(([k]) => k !== monthToDate).map(([, p]) => p),
  );
  const cachedPieces = cached.size
    ? `SELECT b.account_id, b.period_start AS piece_start, b.period_end AS piece_end, b.balance_days, b.closing_balance
         FROM balance_periods b
         JOIN (SELECT DISTINCT piece_start, piece_end FROM kpi_balance_uses WHERE piece_end <= ${dateLiteral(M)}) u
           ON u.piece_start = b.period_start AND u.piece_end = b.period_end`
    : null;
  const mtdPiece = live.has(monthToDate)
    ? `SELECT account_id, ${dateLiteral(M)} AS piece_start, ${dateLiteral(addDays(o.asOf, 1))} AS piece_end,
              mtd_balance_days AS balance_days, balance_d AS closing_balance FROM ${o.balanceLive}`
    : null;
  const D = dateLiteral(o.asOf);
  const divisorCase = [...divisors.entries()]
    .map(([k, v]) => {
      const [kpi, s, e] = k.split('|') as [string, string, string];
      return `WHEN u.kpi = ${quoteString(kpi)} AND u.period_start = ${dateLiteral(s)} AND u.period_end = ${dateLiteral(e)} THEN ${v}`;
    })
    .join(' ');
  // Both KPIs are sums over customers of linear figures, so the pieces are summed straight into the
  // (home org, manager) groups they are credited to — never per customer (1 M customers × pieces).
  await db.exec(`CREATE TABLE ${quoteIdent(o.target)} AS
    WITH piece_values AS (
      ${[cachedPieces, mtdPiece].filter(Boolean).join(' UNION ALL ')}
      ${cachedPieces || mtdPiece ? 'UNION ALL' : ''}
      SELECT account_id, piece_start, piece_end, balance_days, closing_balance FROM kpi_live_pieces
    ),
    per_group AS (
      SELECT v.piece_start, v.piece_end, c.home_org_id AS org_id, c.manager_id AS staff_id,
             sum(CASE WHEN a.account_type IN ${DEPOSIT} THEN v.balance_days ELSE 0 END) AS deposit_days,
             sum(v.closing_balance) AS aum_closing
        FROM piece_values v
        JOIN accounts a ON a.account_id = v.account_id AND a.account_type IN ${AUM}
        JOIN customers c ON c.customer_id = a.customer_id
       WHERE c.customer_since IS NULL OR c.customer_since <= ${D}
       GROUP BY v.piece_start, v.piece_end, c.home_org_id, c.manager_id
    )
    SELECT u.kpi, u.period_start, u.period_end, g.org_id, g.staff_id,
           CAST(sum(CASE WHEN u.role = 'C' THEN g.aum_closing ELSE g.deposit_days END * u.factor) AS DECIMAL(38,2)) AS amount,
           CAST(max(CASE ${divisorCase || 'WHEN 1 = 0 THEN 1'} ELSE 1 END) AS BIGINT) AS divisor
      FROM kpi_balance_uses u
      JOIN per_group g ON g.piece_start = u.piece_start AND g.piece_end = u.piece_end
     GROUP BY u.kpi, u.period_start, u.period_end, g.org_id, g.staff_id`);
}

/**
 * kpi_live_pieces(account_id, piece_start, piece_end, balance_days, closing_balance) for pieces inside
 * month(D): spans of month(D)'s rows, the first opening from the cached closing of the month before.
 */
async function livePieces(db: Db, asOf: string, list: Period[]): Promise<void> {
  await tempTable(
    db,
    'kpi_live_windows',
    [
      ['piece_start', 'DATE'],
      ['piece_end', 'DATE'],
    ],
    list.map((p) => [p.start, p.end]),
  );
  await db.exec('DROP TABLE IF EXISTS kpi_live_pieces');
  if (list.length === 0) {
    // Usually so: every live piece is the month to date, which balance_live holds.
    await db.exec(`CREATE TEMP TABLE kpi_live_pieces (account_id VARCHAR, piece_start DATE, piece_end DATE,
      balance_days DECIMAL(38,2), closing_balance DECIMAL(18,2))`);
    return;
  }
  const [D, D1, M, M0] = [asOf, addDays(asOf, 1), monthStart(asOf), monthStart(asOf, -1)].map(dateLiteral);
  await db.exec(`CREATE TEMP TABLE kpi_live_pieces AS
    WITH window_rows AS (
      SELECT account_id, CAST(${M} AS DATE) AS from_day, closing_balance AS balance
        FROM balance_periods WHERE period_start = ${M0} AND period_end = ${M}
         AND account_id NOT IN (SELECT account_id FROM balances WHERE balance_date = ${M})
      UNION ALL
      SELECT account_id, balance_date, balance FROM balances WHERE balance_date >= ${M} AND balance_date <= ${D}
    ),
    spans AS (
      SELECT account_id, balance, from_day,
             coalesce(lead(from_day) OVER (PARTITION BY account_id ORDER BY from_day), ${D1}) AS next_day
        FROM window_rows
    )
    SELECT s.account_id, w.piece_start, w.piece_end,
           CAST(sum(s.balance * (least(s.next_day, w.piece_end) - greatest(s.from_day, w.piece_start))) AS DECIMAL(38,2)) AS balance_days,
           CAST(sum(CASE WHEN s.next_day >= w.piece_end THEN s.balance ELSE 0 END) AS DECIMAL(18,2)) AS closing_balance
      FROM spans s JOIN kpi_live_windows w ON s.from_day < w.piece_end AND s.next_day > w.piece_start
     GROUP BY s.account_id, w.piece_start, w.piece_end`);
}
