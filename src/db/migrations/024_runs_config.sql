-- The season file a pipeline run used (wangji run --config, or the one the server was started with):
-- where it was read and the SHA-256 of its text, written when the run ends (src/ops/audited.ts). A run
-- whose hash differs from the previous run's is audited as CONFIG_CHANGED. Empty for runs made before,
-- and for runs called without a season file (tests).
ALTER TABLE runs ADD COLUMN config_file VARCHAR;
ALTER TABLE runs ADD COLUMN config_sha256 VARCHAR;
