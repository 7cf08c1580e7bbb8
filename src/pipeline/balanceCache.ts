// The cache of completed balance periods (migration 009). Completed months never change, so their
// per-account balance sums are computed once and reused by later runs; a run computes only the
// current month live. Safety does not depend on how data arrived: before reusing anything, the
// balances are fingerprinted per calendar month (row count, balance sum, xor of row hashes — one
// grouped scan), and every cached period that ends after the first month whose fingerprint changed
// is dropped and recomputed. `wangji run --full` empties the cache first; it must publish the same
// tables (tested).

import { analyze } from '../db/analyze.js';
import type { Db } from '../db/types.js';
import { monthStart } from '../domain/dates.js';
import { dateLiteral } from '../extracts/checks.js';

export interface Period {
  start: string;
  /** Exclusive: the first day after the period. */
  end: string;
}

export interface CacheRefresh {
  reused: number;
  computed: number;
  /** The first month whose balances changed since cached periods were computed from it (null: none). */
  changedFrom: string | null;
}

/**
 * The completed periods a run as of D needs: every month from W13's first to the month before
 * month(D), and the season's first partial month [S, its month's end] when S is not a 1st and that
 * month is complete.
 */
export function neededPeriods(asOf: string, w13Start: string, seasonStart: string): Period[] {
  const current = monthStart(asOf);
  const periods: Period[] = [];
  for (let m = w13Start; m < current; m = monthStart(m, 1)) periods.push({ start: m, end: monthStart(m, 1) });
  if (seasonStart <= asOf && !seasonStart.endsWith('-01') && monthStart(seasonStart, 1) <= current)
    periods.push({ start: seasonStart, end: monthStart(seasonStart, 1) });
  return periods;
}

/**
 * Bring the cache up to date for a run's periods: in one transaction that holds the cache lock, so
 * that two runs (PostgreSQL) or a crash midway can never leave a period stored twice or half.
 */
export function refreshBalanceCache(
  db: Db,
  o: {
    asOf: string;
    periods: Period[];
    full: boolean;
    /**
     * The cache was already checked against the balances in this run (balance_live does it first):
     * only compute the periods still missing, without fingerprinting 77 M rows again.
     */
    verified?: boolean;
  },
): Promise<CacheRefresh> {
  return db.transaction(async (tx) => {
    const lock = tx.dialect.exclusiveLock('cache');
    if (lock) await tx.exec(lock);
    if (o.verified) {
      const missing = await missingPeriods(tx, o.periods);
      if (missing.length > 0) await computePeriods(tx, missing);
      return { reused: o.periods.length - missing.length, computed: missing.length, changedFrom: null };
    }
    return refresh(tx, o);
  });
}

async function missingPeriods(db: Db, periods: Period[]): Promise<Period[]> {
  const cached = new Set(
    (
      await db.query<{ period_start: string; period_end: string }>(
        'SELECT period_start, period_end FROM balance_cached',
      )
    ).map((p) => `${p.period_start}/${p.period_end}`),
  );
  return periods.filter((p) => !cached.has(`${p.start}/${p.end}`));
}

async function refresh(db: Db, o: { asOf: string; periods: Period[]; full: boolean }): Promise<CacheRefresh> {
  if (o.full) {
    for (const t of ['balance_periods', 'balance_cached', 'balance_cache_inputs'])
      await db.exec(`DELETE FROM ${t}`);
  }
  const current = monthStart(o.asOf);
  const hash = db.dialect.rowHash([
    'account_id',
    'CAST(balance_date AS VARCHAR)',
    'CAST(balance AS VARCHAR)',
  ]);
  const now = await db.query<{
    month: string;
    row_count: number;
    balance_sum: string;
    row_hash: number | string;
  }>(
    `SELECT CAST(date_trunc('month', balance_date) AS DATE) AS month, count(*) AS row_count,
            CAST(coalesce(sum(balance), 0) AS DECIMAL(38,2)) AS balance_sum, CAST(coalesce(bit_xor(${hash}), 0) AS BIGINT) AS row_hash
       FROM balances WHERE balance_date < ${dateLiteral(current)}
      GROUP BY CAST(date_trunc('month', balance_date) AS DATE)`,
  );
  const then = await db.query<{
    month: string;
    row_count: number;
    balance_sum: string;
    row_hash: number | string;
  }>('SELECT month, row_count, balance_sum, row_hash FROM balance_cache_inputs');
  const key = (r: { row_count: number; balance_sum: string; row_hash: number | string }) =>
    `${r.row_count}|${r.balance_sum}|${r.row_hash}`;
  const before = new Map(then.map((r) => [r.month, key(r)]));
  const after = new Map(now.map((r) => [r.month, key(r)]));
  let changedFrom: string | null = null;
  for (const m of new Set([...before.keys(), ...after.keys()])) {
    if (m >= current) continue; // the live month is never cached
    if (before.get(m) !== after.get(m) && (changedFrom === null || m < changedFrom)) changedFrom = m;
  }
  let invalidated = 0;
  if (changedFrom) {
    // A period depends on every row dated before its end.
    await db.exec(`DELETE FROM balance_periods WHERE period_end > ${dateLiteral(changedFrom)}`);
    invalidated = await db.execute(
      `DELETE FROM balance_cached WHERE period_end > ${dateLiteral(changedFrom)}`,
    );
  }
  const missing = await missingPeriods(db, o.periods);
  if (missing.length > 0) await computePeriods(db, missing);
  // The fingerprints the cache now stands on: this run's months as checked now; the later months
  // (cached by a run for a later date, not used or checked here) as they were when cached.
  const kept = then.filter((r) => r.month >= current);
  const stored = [...now, ...kept];
  await db.exec('DELETE FROM balance_cache_inputs');
  for (let i = 0; i < stored.length; i += 100) {
    const part = stored.slice(i, i + 100);
    await db.execute(
      `INSERT INTO balance_cache_inputs (month, row_count, balance_sum, row_hash) VALUES ${part
        .map(
          (_, k) =>
            `(CAST($${4 * k + 1} AS DATE), $${4 * k + 2}, CAST($${4 * k + 3} AS DECIMAL(38,2)), CAST($${4 * k + 4} AS BIGINT))`,
        )
        .join(', ')}`,
      part.flatMap((r) => [r.month, r.row_count, r.balance_sum, String(r.row_hash)]),
    );
  }
  return {
    reused: o.periods.length - missing.length,
    computed: missing.length,
    changedFrom: invalidated > 0 ? changedFrom : null,
  };
}

/** Σ balance × days and the closing balance of every account over each period, in one pass. */
async function computePeriods(db: Db, periods: Period[]): Promise<void> {
  // ISO dates sort as text.
  const first = periods.map((p) => p.start).sort()[0] as string;
  const last = periods
    .map((p) => p.end)
    .sort()
    .at(-1) as string;
  const values = periods.map((p) => `(${dateLiteral(p.start)}, ${dateLiteral(p.end)})`).join(', ');
  for (const p of periods) {
    const where = `period_start = ${dateLiteral(p.start)} AND period_end = ${dateLiteral(p.end)}`;
    await db.exec(`DELETE FROM balance_periods WHERE ${where}`);
    await db.exec(`DELETE FROM balance_cached WHERE ${where}`);
  }
  await db.exec(`
    INSERT INTO balance_periods (account_id, period_start, period_end, balance_days, closing_balance)
    SELECT * FROM (
    WITH periods (period_start, period_end) AS (VALUES ${values}),
    opening AS (
      -- The row in force on the first period's first day.
      SELECT account_id, max(balance_date) AS balance_date FROM balances
       WHERE balance_date <= ${dateLiteral(first)} GROUP BY account_id
    ),
    window_rows AS (
      SELECT b.account_id, b.balance_date, b.balance
        FROM balances b JOIN opening o ON o.account_id = b.account_id AND o.balance_date = b.balance_date
      UNION ALL
      SELECT account_id, balance_date, balance FROM balances
       WHERE balance_date > ${dateLiteral(first)} AND balance_date < ${dateLiteral(last)}
    ),
    spans AS (
      SELECT account_id, balance, balance_date AS from_day,
             coalesce(lead(balance_date) OVER (PARTITION BY account_id ORDER BY balance_date), ${dateLiteral(last)}) AS next_day
        FROM window_rows
    )
    SELECT s.account_id, p.period_start, p.period_end,
           CAST(sum(s.balance * (least(s.next_day, p.period_end) - greatest(s.from_day, p.period_start))) AS DECIMAL(38,2)),
           CAST(max(CASE WHEN s.next_day >= p.period_end THEN s.balance END) AS DECIMAL(18,2))
      FROM spans s JOIN periods p ON s.from_day < p.period_end AND s.next_day > p.period_start
     GROUP BY s.account_id, p.period_start, p.period_end) computed`);
  await db.exec(`INSERT INTO balance_cached (period_start, period_end) VALUES ${values}`);
  await analyze(db, 'balance_periods'); // the balance models join it next
}
