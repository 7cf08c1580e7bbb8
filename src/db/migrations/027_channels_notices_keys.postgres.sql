-- PostgreSQL keys of 026's tables. The callback key and the outbox's dedupe key are unique: a
-- callback line or a notice is recorded once, whatever two processes do at the same moment. None is
-- granted to wangji_console (the outbox's bodies are staff-facing mail).
ALTER TABLE channel_batches ADD PRIMARY KEY (batch_id);
ALTER TABLE channel_batch_lines ADD PRIMARY KEY (batch_id, line_no);
CREATE INDEX channel_batch_lines_task ON channel_batch_lines (task_id);
ALTER TABLE channel_callbacks ADD PRIMARY KEY (callback_key);
ALTER TABLE outbox ADD PRIMARY KEY (notice_id);
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
