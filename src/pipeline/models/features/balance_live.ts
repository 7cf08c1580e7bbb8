// balance_live(account_id, balance_d, mtd_balance_days, season_balance_days): the live part of every
// balance figure — month(D) up to D — per account with a balance in force: its balance at the end of D,
// Σ over month(D)'s days up to D of its balance, and the same from S when S falls in month(D). Before
// computing it, the cache of completed periods is brought up to date (src/pipeline/balanceCache.ts);
// the balance in force on month(D)'s first day comes from the cached closing balance of the month
// before, so that only month(D)'s rows are read.

import { quoteIdent } from '../../../db/dialect.js';
import { addDays, lastCompleteMonth, monthStart } from '../../../domain/dates.js';
import { dateLiteral } from '../../../extracts/checks.js';
import { neededPeriods, refreshBalanceCache } from '../../balanceCache.js';
import type { Model } from '../../models.js';

export const balanceLiveModel: Model = {
  name: 'balance_live',
  stage: 'features',
  description:
    'per account, the balance at the end of D and Σ balance × days over month(D) up to D (and from S when S is in month(D)); refreshes the cache of completed periods it starts from',
  reads: ['balances'],
  key: ['account_id'],
  async build(db, ctx, target) {
    const d = ctx.asOf;
    const first = monthStart(d);
    const seasonStart = ctx.seasonStart;
    const refresh = await refreshBalanceCache(db, {
      asOf: d,
      periods: neededPeriods(d, monthStart(lastCompleteMonth(d), -12), seasonStart),
      full: ctx.full,
    });
    ctx.note(
      `balance cache: ${refresh.reused} periods reused, ${refresh.computed} computed${refresh.changedFrom ? ` (balances changed from ${refresh.changedFrom.slice(0, 7)})` : ''}`,
    );
    const [D, D1, M, M0] = [d, addDays(d, 1), first, monthStart(d, -1)].map(dateLiteral);
    // The live season part starts at S when S is inside month(D), else at month(D)'s first day.
    const seasonFrom = seasonStart <= d ? dateLiteral([seasonStart, first].sort()[1] as string) : null;
    await db.exec(`CREATE TABLE ${quoteIdent(target)} AS
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
      SELECT account_id,
             CAST(sum(CASE WHEN next_day > ${D} THEN balance ELSE 0 END) AS DECIMAL(18,2)) AS balance_d,
             CAST(sum(balance * (next_day - from_day)) AS DECIMAL(38,2)) AS mtd_balance_days,
             CAST(${
               seasonFrom
                 ? `sum(CASE WHEN next_day > ${seasonFrom} THEN balance * (next_day - greatest(from_day, ${seasonFrom})) ELSE 0 END)`
                 : '0'
             } AS DECIMAL(38,2)) AS season_balance_days
        FROM spans
       GROUP BY account_id`);
  },
};
