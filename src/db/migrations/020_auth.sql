-- Sign-in (MISSION X5, issue 7): the people who use the server, their sessions, the failed sign-ins
-- that throttle further attempts, and the hash chain that makes the audit log tamper-evident.
-- src/server/auth/ reads and writes these tables; src/audit/log.ts the chain. Ids are assigned as
-- max + 1 under the audit lock (every change here is audited in the same transaction).

-- A user: bound to one org (the root of a SUBTREE scope, the outlet of an OWN one) and, for the roles
-- that act as a staff member (OWN, WALK_IN), to that staff member. Usernames are lower case.
CREATE TABLE users (
  user_id BIGINT NOT NULL,
  username VARCHAR NOT NULL,
  display_name VARCHAR,
  role VARCHAR NOT NULL,                -- src/server/roles.ts ROLES
  org_id VARCHAR NOT NULL,
  staff_id VARCHAR,
  password_hash VARCHAR NOT NULL,       -- argon2id, PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)
  disabled BOOLEAN NOT NULL,
  password_set_at TIMESTAMP NOT NULL,
  created_at TIMESTAMP NOT NULL,
  disabled_at TIMESTAMP
);

-- A session: the cookie holds a random token; only its SHA-256 is stored, so a copy of this table
-- signs nobody in. A new session on every sign-in; revoked on sign-out, on a password reset and when
-- the user is disabled. Idle and absolute timeouts are judged from last_seen_at and created_at.
CREATE TABLE sessions (
  session_id VARCHAR NOT NULL,          -- sha256 hex of the cookie token
  user_id BIGINT NOT NULL,
  csrf_token VARCHAR NOT NULL,          -- echoed in the x-csrf-token header by every write
  created_at TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP NOT NULL,      -- touched at most once a minute
  ip_key VARCHAR NOT NULL,              -- the address signed in from (IPv6: its /64), for the throttle's known addresses
  revoked_at TIMESTAMP,
  revoked_reason VARCHAR                -- LOGOUT | USER_DISABLED | PASSWORD_RESET
);

-- Failed sign-ins, for the throttle (src/server/auth/throttle.ts). The typed username is kept only as
-- a SHA-256 (a password typed into the username field must not be stored); rows older than the
-- throttle's window are pruned as new ones arrive, and a good sign-in clears its (username, address).
CREATE TABLE login_failures (
  username_key VARCHAR NOT NULL,        -- sha256 hex of the lower-cased username as typed
  ip_key VARCHAR NOT NULL,
  failed_at TIMESTAMP NOT NULL
);

-- The audit log's hash chain (src/audit/log.ts): seq numbers the rows 1, 2, 3 … with no gap;
-- hash = sha256 over (prev_hash, seq, logged_at, actor, action, subject, detail); prev_hash is the
-- previous row's hash (64 zeros for seq 1). Rows written before the chain existed are chained, in
-- logged_at order, by the first append.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN hash VARCHAR;
