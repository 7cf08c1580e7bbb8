-- PostgreSQL keys of the targets and KPI history, and the console's read access (no personal data).
CREATE UNIQUE INDEX targets_key ON targets (season_start, kpi, scope_kind, scope_id, period_start, period_end);
CREATE UNIQUE INDEX kpi_progress_key ON kpi_progress (as_of, kpi, scope_kind, scope_id, period_start, period_end);
GRANT SELECT ON targets, kpi_progress TO wangji_console;
