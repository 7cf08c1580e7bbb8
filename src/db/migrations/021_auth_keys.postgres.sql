-- PostgreSQL keys of the sign-in tables and the audit chain, and a guard that keeps chained audit rows
-- append-only. No grant to wangji_console: users (password hashes), sessions (token hashes, CSRF
-- tokens), login_failures and the audit log stay out of the analysts' console.
ALTER TABLE users ADD PRIMARY KEY (user_id);
CREATE UNIQUE INDEX users_username ON users (username);
ALTER TABLE sessions ADD PRIMARY KEY (session_id);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX login_failures_pair ON login_failures (username_key, ip_key, failed_at);
CREATE INDEX login_failures_ip ON login_failures (ip_key, failed_at);
CREATE INDEX login_failures_at ON login_failures (failed_at);
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);

-- Chained rows may be neither changed nor deleted, nor the table truncated (the chain would reveal
-- it anyway: this makes it a deliberate act of the table's owner, who must disable the trigger first).
-- Rows without a seq (written before the chain existed) may be re-written once, when they are chained.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'audit_log is append-only (TRUNCATE refused)';
  END IF;
  IF OLD.seq IS NOT NULL THEN
    RAISE EXCEPTION 'audit_log is append-only (% of seq % refused)', TG_OP, OLD.seq;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
