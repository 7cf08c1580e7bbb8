// The outbox of notices to people (issue #10, part 3): notices are queued in the database (one per
// dedupe key — kind, recipient, period — so queueing twice does nothing), then sent by a pluggable
// sender. A failed send stays PENDING with its error and is tried again after base × 2^(attempts−1)
// seconds; after maxAttempts it is FAILED (kept, with its error, for an operator). A sent notice is
// never sent again: a sender claims a notice (pushes its next attempt out by a lease) before sending,
// so two senders at once do not both send it.

import type { Db } from '../db/types.js';
import { utcTimestamp } from '../domain/bankTime.js';
import type { NoticesConfig } from './config.js';

export type NoticeKind = 'WEEKLY_BRIEFING' | 'LAGGARDS' | 'DIGEST';

export interface Notice {
  kind: NoticeKind;
  dedupeKey: string;
  recipient: string;
  userId: number | null;
  subject: string;
  /** Plain text, without unmasked personal data (masked names, no phone numbers). */
  body: string;
  attachment?: { name: string; content: Buffer };
}

/** What a sender is given; it resolves when the message was accepted, throws otherwise. */
export interface OutgoingMessage {
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; content: Buffer }[];
}

/** A way of delivering notices (SMTP email; tests plug in their own). */
export interface NoticeSender {
  readonly name: string;
  send(message: OutgoingMessage): Promise<void>;
}

/** Queue notices (in the caller's transaction or not); returns how many were new. */
export async function queueNotices(db: Db, notices: readonly Notice[], now: Date): Promise<number> {
  let queued = 0;
  for (const n of notices) {
    const [exists] = await db.query('SELECT 1 AS x FROM outbox WHERE dedupe_key = $1', [n.dedupeKey]);
    if (exists) continue;
    const [{ next } = { next: 1 }] = await db.query<{ next: number }>(
      'SELECT CAST(coalesce(max(notice_id), 0) + 1 AS BIGINT) AS next FROM outbox',
    );
    await db.execute(
      `INSERT INTO outbox VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CAST($10 AS TIMESTAMP), 'PENDING', 0, CAST($10 AS TIMESTAMP), NULL, NULL)`,
      [
        Number(next),
        n.kind,
        n.dedupeKey,
        n.recipient,
        n.userId,
        n.subject,
        n.body,
        n.attachment?.name ?? null,
        n.attachment ? n.attachment.content.toString('base64') : null,
        utcTimestamp(now),
      ],
    );
    queued++;
  }
  return queued;
}

export interface SendReport {
  sent: number;
  /** Failed this time, to be retried later. */
  retrying: number;
  /** Failed for the last allowed time: status FAILED. */
  gaveUp: number;
}

/** How long a claimed notice is held by its sender before another may try it (a crashed sender). */
const LEASE_MS = 10 * 60_000;

/** Send every PENDING notice whose next attempt is due at `now`. */
export async function sendOutbox(
  db: Db,
  sender: NoticeSender,
  config: Pick<NoticesConfig, 'retry'>,
  o: { now?: Date; limit?: number } = {},
): Promise<SendReport> {
  const now = o.now ?? new Date();
  const due = await db.query<{
    notice_id: number;
    recipient: string;
    subject: string;
    body: string;
    attachment_name: string | null;
    attachment_base64: string | null;
    attempts: number;
    next_attempt_at: string;
  }>(
    `SELECT notice_id, recipient, subject, body, attachment_name, attachment_base64, attempts, next_attempt_at
       FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= CAST($1 AS TIMESTAMP)
      ORDER BY next_attempt_at, notice_id LIMIT ${Math.max(1, Math.min(10_000, o.limit ?? 1000))}`,
    [utcTimestamp(now)],
  );
  const report: SendReport = { sent: 0, retrying: 0, gaveUp: 0 };
  for (const n of due) {
    const id = Number(n.notice_id);
    const claimed = await db.execute(
      `UPDATE outbox SET next_attempt_at = CAST($1 AS TIMESTAMP)
        WHERE notice_id = $2 AND status = 'PENDING' AND next_attempt_at = CAST($3 AS TIMESTAMP)`,
      [utcTimestamp(new Date(now.getTime() + LEASE_MS)), id, utcTimestamp(new Date(n.next_attempt_at))],
    );
    if (claimed !== 1) continue;
    const attempts = Number(n.attempts) + 1;
    try {
      await sender.send({
        to: n.recipient,
        subject: n.subject,
        text: n.body,
        attachments:
          n.attachment_name && n.attachment_base64
            ? [{ filename: n.attachment_name, content: Buffer.from(n.attachment_base64, 'base64') }]
            : [],
      });
      await db.execute(
        `UPDATE outbox SET status = 'SENT', attempts = $1, sent_at = CAST($2 AS TIMESTAMP), last_error = NULL WHERE notice_id = $3`,
        [attempts, utcTimestamp(new Date()), id],
      );
      report.sent++;
    } catch (e) {
      const error = errorText(e);
      const last = attempts >= config.retry.maxAttempts;
      const wait = config.retry.baseSeconds * 2 ** (attempts - 1) * 1000;
      await db.execute(
        `UPDATE outbox SET status = $1, attempts = $2, last_error = $3, next_attempt_at = CAST($4 AS TIMESTAMP) WHERE notice_id = $5`,
        [last ? 'FAILED' : 'PENDING', attempts, error, utcTimestamp(new Date(now.getTime() + wait)), id],
      );
      if (last) report.gaveUp++;
      else report.retrying++;
    }
  }
  return report;
}

/** An error as one line for the outbox (no stack; addresses may appear, as in any mail log). */
function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string; responseCode?: number };
  const text = [err.code, err.responseCode, err.message ?? String(e)].filter(Boolean).join(' ');
  return text.replace(/\s+/g, ' ').slice(0, 500);
}

/** The outbox backlog by status (the operations page, /metrics). */
export async function outboxBacklog(db: Db): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(
    'SELECT status, CAST(count(*) AS BIGINT) AS n FROM outbox GROUP BY status ORDER BY status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
