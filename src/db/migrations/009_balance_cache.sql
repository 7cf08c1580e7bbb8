-- The pipeline's cache of completed balance periods (ARCHITECTURE: completed months never change, so
-- they are computed once). Per account and period — a calendar month, or the season's first partial
-- month [S, month end] — the sum over its days of the balance in force, and the balance in force on its
-- last day. `balance_cache_inputs` holds, per calendar month of balance_date, a fingerprint of the
-- balances rows the cache was built from: a period is reused only while every month up to its end is
-- unchanged. Not an analysts' table: `wangji run --full` empties and rebuilds it.
CREATE TABLE balance_periods (
  account_id VARCHAR NOT NULL,
  period_start DATE NOT NULL,
  period_end DATE NOT NULL,           -- exclusive: the first day after the period
  balance_days DECIMAL(38,2) NOT NULL,
  closing_balance DECIMAL(18,2) NOT NULL
);

CREATE TABLE balance_cache_inputs (
  month DATE NOT NULL,
  row_count BIGINT NOT NULL,
  balance_sum DECIMAL(38,2) NOT NULL,
  row_hash BIGINT NOT NULL
);

-- The periods balance_periods holds (a period may have no account rows at all).
CREATE TABLE balance_cached (
  period_start DATE NOT NULL,
  period_end DATE NOT NULL
);
