-- The run ledger: every pipeline run (wangji run), its as-of, per-model timings and outcome.
CREATE SEQUENCE run_id_seq START 1;

CREATE TABLE runs (
  run_id BIGINT PRIMARY KEY,
  as_of DATE NOT NULL,
  stage VARCHAR,                      -- the one stage run, or empty for all
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,            -- RUNNING | PUBLISHED | FAILED (RUNNING after its end: the process died)
  message VARCHAR,                    -- why a run failed (the failed check or model)
  models VARCHAR NOT NULL             -- JSON: [{ model, stage, rows, seconds }]
);
