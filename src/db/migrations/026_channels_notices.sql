-- Channel hand-offs and notices to people (issue #10 part B). src/channels/ writes channel_batches,
-- channel_batch_lines and channel_callbacks; src/notices/ the outbox. No phone number is stored here:
-- a batch's lines name the task and the customer by id, the phone numbers go only into the batch file
-- (or the HTTP push) handed to the sending system.

-- One batch handed to a sending system: an SMS batch (file, or HTTP push to the gateway) or an
-- outbound-call list for the remote-banking centre.
CREATE TABLE channel_batches (
  batch_id BIGINT NOT NULL,
  channel VARCHAR NOT NULL,             -- SMS | OUTBOUND_CALL
  created_at TIMESTAMP NOT NULL,        -- the moment of sending the contact policy was judged at (UTC)
  actor VARCHAR NOT NULL,               -- who sent it (a username, cli:<os user>, scheduler)
  lines BIGINT NOT NULL,                -- customers in the batch
  skipped BIGINT NOT NULL,              -- tasks the contact policy held back at that moment
  skipped_reasons VARCHAR NOT NULL,     -- JSON: { "QUIET_HOURS": 3, "NO_CONSENT": 1, … }
  mode VARCHAR NOT NULL,                -- FILE | HTTP
  file_path VARCHAR,                    -- the batch file written
  file_sha256 VARCHAR,
  status VARCHAR NOT NULL,              -- SENT | PUSH_FAILED (the file was written, the push failed)
  error VARCHAR
);

-- A line of a batch: one task (one customer). line_no counts from 1 within the batch; contact_id is
-- the contact recorded when the batch was sent (so the 7-day cap counts it).
CREATE TABLE channel_batch_lines (
  batch_id BIGINT NOT NULL,
  line_no BIGINT NOT NULL,
  task_id BIGINT NOT NULL,
  customer_id VARCHAR NOT NULL,
  activity_id VARCHAR NOT NULL,
  contact_id BIGINT NOT NULL,
  status VARCHAR NOT NULL,              -- SENT, then what the callbacks said: DELIVERED | FAILED | an outcome
  status_at TIMESTAMP
);

-- Every callback line applied, by its key (sha256 of batch, line, status and time): the same line
-- applied again — from the same file twice, or from two files — changes nothing.
CREATE TABLE channel_callbacks (
  callback_key VARCHAR NOT NULL,
  batch_id BIGINT NOT NULL,
  line_no BIGINT NOT NULL,
  status VARCHAR NOT NULL,
  event_at TIMESTAMP NOT NULL,
  applied_at TIMESTAMP NOT NULL,
  source VARCHAR NOT NULL,              -- FILE:<name> | HTTP
  effect VARCHAR NOT NULL               -- what it did: RECORDED:<outcome> | STATUS_ONLY | IGNORED:<why>
);

-- Notices to people, queued and sent by a pluggable sender (src/notices/outbox.ts). A failed send
-- stays with its error and is retried with backoff; a sent one is never sent again. Bodies carry no
-- unmasked personal data (masked names, no phone numbers).
CREATE TABLE outbox (
  notice_id BIGINT NOT NULL,
  kind VARCHAR NOT NULL,                -- WEEKLY_BRIEFING | LAGGARDS | DIGEST
  dedupe_key VARCHAR NOT NULL,          -- one notice per key: kind, recipient and period
  recipient VARCHAR NOT NULL,           -- an email address
  user_id BIGINT,
  subject VARCHAR NOT NULL,
  body VARCHAR NOT NULL,                -- plain text
  attachment_name VARCHAR,
  attachment_base64 VARCHAR,
  queued_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,              -- PENDING | SENT | FAILED (attempts exhausted)
  attempts INTEGER NOT NULL,
  next_attempt_at TIMESTAMP NOT NULL,
  last_error VARCHAR,
  sent_at TIMESTAMP
);

-- Where a user's notices go (wangji users add --email, wangji notices email).
ALTER TABLE users ADD COLUMN email VARCHAR;
