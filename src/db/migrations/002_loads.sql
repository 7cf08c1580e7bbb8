-- Load bookkeeping: one row per drop (applied or failed), one per file of an applied drop, and the
-- quarantine: every rejected row with file, line, column, value and reason.
CREATE SEQUENCE load_id_seq START 1;

CREATE TABLE loads (
  load_id BIGINT PRIMARY KEY,
  source_dir VARCHAR NOT NULL,
  as_of DATE,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,            -- APPLIED | FAILED
  message VARCHAR,                    -- the one-line reason of a FAILED drop
  files INTEGER NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_collapsed BIGINT NOT NULL,
  report VARCHAR NOT NULL             -- the whole load report as JSON
);

CREATE TABLE load_files (
  load_id BIGINT NOT NULL,
  extract VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  format VARCHAR NOT NULL,            -- csv | parquet
  encoding VARCHAR NOT NULL,          -- UTF-8 | UTF-8 (BOM) | GBK | binary
  sha256 VARCHAR NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_collapsed BIGINT NOT NULL,
  rows_inserted BIGINT NOT NULL,      -- rows written: new keys and new versions of changed rows
  rows_updated BIGINT NOT NULL,       -- stored keys whose values changed
  rows_removed BIGINT NOT NULL,       -- reference snapshots: stored keys no longer delivered
  rows_unchanged BIGINT NOT NULL,     -- accepted rows identical to what was stored (nothing written)
  extra_columns VARCHAR NOT NULL,     -- JSON array
  warnings VARCHAR NOT NULL,          -- JSON object: soft-reference column → unknown values count
  PRIMARY KEY (load_id, extract)
);

CREATE TABLE quarantine (
  load_id BIGINT NOT NULL,
  extract VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  line BIGINT,                        -- CSV record number (header = 1) or Parquet row number
  column_name VARCHAR,                -- empty when the record itself could not be parsed
  value VARCHAR,                      -- the value as delivered (the raw record for parse errors)
  reason VARCHAR NOT NULL
);
