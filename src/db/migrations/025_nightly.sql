-- The nightly drop (issue #10, src/nightly/): what the scheduler did with each drop of the watched
-- folder, and the alerts it raised. A drop is remembered by its folder name and its manifest's hash:
-- the same drop is never taken twice (a corrected re-delivery, with another manifest, is a new one).
-- A drop still being worked when the server stopped has no row yet, and is taken again at the next
-- start (a load applies the same rows again as unchanged).
CREATE TABLE nightly_drops (
  name VARCHAR NOT NULL,                -- the sub-folder's name in the watched folder
  manifest_sha256 VARCHAR NOT NULL,     -- of the manifest.json's bytes
  as_of DATE NOT NULL,                  -- the manifest's data date
  status VARCHAR NOT NULL,              -- PUBLISHED | FAILED (load failed, run failed, or out of order)
  load_id BIGINT,                       -- the load (loads), when it was loaded
  run_id BIGINT,                        -- the pipeline run (runs), when it was run
  message VARCHAR,                      -- why it failed, in words (digit runs masked)
  moved_to VARCHAR,                     -- where a failed drop was moved (inside the watched folder)
  seen_at TIMESTAMP NOT NULL,           -- when the scheduler took it (UTC)
  finished_at TIMESTAMP NOT NULL,
  PRIMARY KEY (name, manifest_sha256)
);

-- An alert for operators: a drop missing (or late) by the configured hour, a drop that failed. Open
-- until resolved (a missing drop that is then published resolves its alert). The ops API
-- (GET /api/ops/alerts), /metrics and the log show them.
CREATE TABLE nightly_alerts (
  alert_id BIGINT NOT NULL PRIMARY KEY,
  kind VARCHAR NOT NULL,                -- DROP_MISSING | DROP_FAILED
  as_of DATE NOT NULL,                  -- the data date concerned
  drop_name VARCHAR,                    -- the drop concerned (DROP_FAILED)
  message VARCHAR NOT NULL,
  raised_at TIMESTAMP NOT NULL,
  resolved_at TIMESTAMP,
  resolution VARCHAR                    -- how it was resolved, in words
);
