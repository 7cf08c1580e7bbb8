-- PostgreSQL keys for the balance cache: a period can never be stored twice (DuckDB tables carry no
-- keys, see 004; there the single writing process and the cache transaction guarantee it).
ALTER TABLE balance_periods ADD PRIMARY KEY (account_id, period_start, period_end);
ALTER TABLE balance_cached ADD PRIMARY KEY (period_start, period_end);
ALTER TABLE balance_cache_inputs ADD PRIMARY KEY (month);
