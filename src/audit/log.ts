// The audit log (MISSION X5, issue 7): one row per audited action, append-only, made tamper-evident by
// a hash chain. Row n carries seq = n (1, 2, 3 … with no gap), prev_hash = row n−1's hash (64 zeros for
// row 1) and
//   hash = sha256 hex of the UTF-8 JSON array [prev_hash, seq, logged_at, actor, action, subject, detail]
// with logged_at as ISO-8601 UTC to the millisecond ('2026-11-28T21:00:00.000Z') and an absent
// subject or detail as null. (A JSON array, not a join with a separator: '|' in a value must not let
// two different rows hash alike.) The hash is computed here, in TypeScript, so both engines agree.
//
// Appends are serialised by the 'audit' lock of the dialect (a PostgreSQL advisory lock) taken inside
// the appending transaction; an engine without one (DuckDB: one process, one connection that cannot
// hold two transactions) by a queue per Db in this process. An action and its audit row can share one transaction
// (withAudit), so that neither is written without the other.
//
// Rows written before the chain existed (seq NULL: the PAD lookups of migration 012's days) are
// chained in logged_at order by the first append, while the chain is still empty. After that a row
// without seq can only have been written around this module: verifyAudit reports it, and appends
// leave it alone (adopting it would launder a forged row into the chain).
//
// What a keyless chain cannot show: someone able to write the table who recomputes every hash after
// the row they changed, or who removes rows from the end. verifyAudit returns the head (seq, hash):
// recording it elsewhere (a ticket, a printout, another system) lets a later check anchor on it.
//
// Never put personal data in an entry beyond masked forms: subjects are ids (customer, user, task).

import { createHash } from 'node:crypto';
import type { Db } from '../db/types.js';
import { utcTimestamp } from '../domain/bankTime.js';

export interface AuditEntry {
  /** Who: a username, a staff id, `cli:<os user>`, `ip:<address>` for an unauthenticated attempt. */
  actor: string;
  /** What, in upper snake case: LOGIN, LOGIN_FAILED, PAD_LOOKUP, USER_DISABLED … */
  action: string;
  /** Whom or what it was done to: an id, never a name. */
  subject?: string | null;
  /** More facts as JSON (an object is serialised), without personal data. */
  detail?: string | Record<string, unknown> | null;
  /** When (default now). */
  at?: Date;
}

export interface AuditRecord {
  seq: number;
  loggedAt: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of a row of the chain (see the head of this file). */
export function auditHash(r: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256')
    .update(JSON.stringify([r.prevHash, r.seq, r.loggedAt, r.actor, r.action, r.subject, r.detail]), 'utf8')
    .digest('hex');
}

/** Appends audit rows within the caller's transaction; see withAudit. */
export type Audit = (entry: AuditEntry) => Promise<AuditRecord>;

const queues = new WeakMap<Db, Promise<unknown>>();

/** Run fn after every earlier fn of this Db has settled (an in-process queue). */
function serialised<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(db) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  queues.set(
    db,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * Run fn in one transaction with `audit` to append entries in it: the change and its audit rows are
 * committed together or not at all. The audit lock is taken at the first entry and held to the commit
 * (so a transaction that waits for another lock first, e.g. the pipeline's, does not hold up every
 * sign-in meanwhile). Inside fn use `tx` and `audit`, never `db`: on an engine owned by one process
 * (DuckDB) these transactions are queued, and another appendAudit on `db` would wait for this one.
 */
export function withAudit<T>(db: Db, fn: (tx: Db, audit: Audit) => Promise<T>): Promise<T> {
  const body = () =>
    db.transaction(async (tx) => {
      let locked = false;
      return fn(tx, async (entry) => {
        if (!locked) await takeLock(tx);
        locked = true;
        return appendLocked(tx, entry);
      });
    });
  // Without a cross-process lock the engine is one process's, on one connection that holds one
  // transaction at a time: queue them here. Otherwise the lock orders appends, across processes too.
  return db.dialect.exclusiveLock('audit') === '' ? serialised(db, body) : body();
}

/**
 * Take the audit lock now, to the end of the caller's transaction: for changes that must be serialised
 * with the chain from their first read (user ids, usernames).
 */
export const lockAudit = takeLock;

/** Append one entry in a transaction of its own. */
export function appendAudit(db: Db, entry: AuditEntry): Promise<AuditRecord> {
  return withAudit(db, (_tx, audit) => audit(entry));
}

/**
 * Append one entry inside a transaction the caller already holds (takes the audit lock until that
 * transaction ends). Prefer withAudit, which also keeps this process's appends in order.
 */
export async function appendAuditInTransaction(tx: Db, entry: AuditEntry): Promise<AuditRecord> {
  await takeLock(tx);
  return appendLocked(tx, entry);
}

async function takeLock(tx: Db): Promise<void> {
  const lock = tx.dialect.exclusiveLock('audit');
  if (lock) await tx.exec(lock);
}

function detailText(d: AuditEntry['detail']): string | null {
  if (d === undefined || d === null) return null;
  return typeof d === 'string' ? d : JSON.stringify(d);
}

const INSERT = `INSERT INTO audit_log (logged_at, actor, action, subject, detail, seq, prev_hash, hash)`;
const VALUES = (i: number) =>
  `(CAST($${i + 1} AS TIMESTAMP), $${i + 2}, $${i + 3}, $${i + 4}, $${i + 5}, $${i + 6}, $${i + 7}, $${i + 8})`;

async function appendLocked(tx: Db, entry: AuditEntry): Promise<AuditRecord> {
  if (!entry.actor) throw new Error('an audit entry needs an actor');
  if (!entry.action) throw new Error('an audit entry needs an action');
  const [last] = await tx.query<{ seq: number; hash: string | null }>(
    'SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
  );
  const head = last ? { seq: Number(last.seq), hash: last.hash ?? '' } : await chainLegacyRows(tx);
  const at = entry.at ?? new Date();
  const body = {
    seq: head.seq + 1,
    loggedAt: at.toISOString(),
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject ?? null,
    detail: detailText(entry.detail),
    prevHash: head.hash,
  };
  const record: AuditRecord = { ...body, hash: auditHash(body) };
  await tx.execute(`${INSERT} VALUES ${VALUES(0)}`, paramsOf(record));
  return record;
}

function paramsOf(r: AuditRecord): (string | number | null)[] {
  return [
    utcTimestamp(new Date(r.loggedAt)),
    r.actor,
    r.action,
    r.subject,
    r.detail,
    r.seq,
    r.prevHash,
    r.hash,
  ];
}

/**
 * The chain is empty: number the rows written before it existed in logged_at order (ties by their
 * values, byte order), rewriting them with their chain columns; returns the head.
 */
async function chainLegacyRows(tx: Db): Promise<{ seq: number; hash: string }> {
  const b = tx.dialect.binaryText;
  const rows = await tx.query<{
    logged_at: string;
    actor: string;
    action: string;
    subject: string | null;
    detail: string | null;
  }>(
    `SELECT logged_at, actor, action, subject, detail FROM audit_log WHERE seq IS NULL
      ORDER BY logged_at, ${b('actor')}, ${b('action')}, ${b('subject')} NULLS FIRST, ${b('detail')} NULLS FIRST`,
  );
  let head = { seq: 0, hash: GENESIS_HASH };
  if (rows.length === 0) return head;
  const records = rows.map((r) => {
    const body = {
      seq: head.seq + 1,
      loggedAt: new Date(r.logged_at).toISOString(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      detail: r.detail,
      prevHash: head.hash,
    };
    const record: AuditRecord = { ...body, hash: auditHash(body) };
    head = { seq: record.seq, hash: record.hash };
    return record;
  });
  await tx.execute('DELETE FROM audit_log WHERE seq IS NULL');
  for (let i = 0; i < records.length; i += 200) {
    const batch = records.slice(i, i + 200);
    await tx.execute(
      `${INSERT} VALUES ${batch.map((_, j) => VALUES(j * 8)).join(', ')}`,
      batch.flatMap(paramsOf),
    );
  }
  return head;
}

const VERIFY_PAGE = 10_000;

export interface AuditVerification {
  /** True when every row is in the chain and the chain is whole. */
  ok: boolean;
  /** Rows examined (chained and not). */
  rows: number;
  /** The last row of the chain: record it elsewhere to anchor a later check. */
  head: { seq: number; hash: string } | null;
  /**
   * The first place the chain is broken, in seq order: seq null for a row written outside the chain
   * (after the chain began).
   */
  firstBroken?: { seq: number | null; reason: string };
}

/** Recompute the chain: detects changed rows, deleted rows (a gap in seq) and inserted rows. */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  let expected = 1;
  let prev = GENESIS_HASH;
  let rows = 0;
  let head: AuditVerification['head'] = null;
  let firstBroken: AuditVerification['firstBroken'];
  const broken = (seq: number | null, reason: string) => {
    firstBroken ??= { seq, reason };
  };
  // Read in ranges of seq (not with a cursor: the server's other requests share DuckDB's connection),
  // so that every copy of a duplicated seq lands in the same page.
  const [range] = await db.query<{ min_seq: number | null; max_seq: number | null }>(
    'SELECT min(seq) AS min_seq, max(seq) AS max_seq FROM audit_log',
  );
  const maxSeq = Number(range?.max_seq ?? 0);
  for (let lo = Math.min(0, Number(range?.min_seq ?? 1) - 1); lo < maxSeq; lo += VERIFY_PAGE) {
    const batch = await db.query<{
      seq: number;
      logged_at: string;
      actor: string;
      action: string;
      subject: string | null;
      detail: string | null;
      prev_hash: string | null;
      hash: string | null;
    }>(
      `SELECT seq, logged_at, actor, action, subject, detail, prev_hash, hash FROM audit_log
        WHERE seq > $1 AND seq <= $2 ORDER BY seq, ${db.dialect.binaryText("coalesce(hash, '')")}`,
      [lo, lo + VERIFY_PAGE],
    );
    for (const r of batch) {
      rows++;
      const seq = Number(r.seq);
      if (seq < expected) {
        broken(
          seq,
          seq < 1
            ? `seq ${seq} is outside the chain: a row was inserted`
            : `seq ${seq} appears more than once: a row was inserted`,
        );
        continue;
      }
      if (seq > expected) {
        broken(
          expected,
          seq === expected + 1
            ? `seq ${expected} is missing: a row was deleted`
            : `seqs ${expected}–${seq - 1} are missing: rows were deleted`,
        );
      } else if (r.prev_hash !== prev) {
        broken(
          seq,
          `prev_hash does not match the hash of seq ${seq - 1}: a row was inserted or replaced here, or seq ${seq - 1} was changed and its hash recomputed`,
        );
      }
      const body = {
        seq,
        loggedAt: r.logged_at,
        actor: r.actor,
        action: r.action,
        subject: r.subject,
        detail: r.detail,
        prevHash: r.prev_hash ?? '',
      };
      if (auditHash(body) !== r.hash)
        broken(seq, `seq ${seq} does not match its hash: changed, or inserted, after it was written`);
      expected = seq + 1;
      prev = r.hash ?? '';
      head = { seq, hash: prev };
    }
  }
  const [loose] = await db.query<{ n: number; first: string | null }>(
    'SELECT count(*) AS n, min(logged_at) AS first FROM audit_log WHERE seq IS NULL',
  );
  const unchained = Number(loose?.n ?? 0);
  rows += unchained;
  // Before the first append, rows without seq are the ones written before the chain existed.
  if (unchained > 0 && head !== null)
    broken(
      null,
      `${unchained} row${unchained === 1 ? '' : 's'} outside the chain (no seq; the first logged at ${loose?.first}): inserted around the audit log`,
    );
  return { ok: firstBroken === undefined, rows, head, ...(firstBroken ? { firstBroken } : {}) };
}

/** The newest entries first (the CLI's `audit list`, the auditor's view); seq null: outside the chain. */
export async function listAudit(
  db: Db,
  o: { limit?: number; beforeSeq?: number } = {},
): Promise<(Omit<AuditRecord, 'seq'> & { seq: number | null })[]> {
  const limit = Math.max(1, Math.min(10_000, Math.floor(o.limit ?? 50)));
  const params = o.beforeSeq === undefined ? [] : [o.beforeSeq];
  const rows = await db.query<{
    seq: number | null;
    logged_at: string;
    actor: string;
    action: string;
    subject: string | null;
    detail: string | null;
    prev_hash: string | null;
    hash: string | null;
  }>(
    `SELECT seq, logged_at, actor, action, subject, detail, prev_hash, hash FROM audit_log
      ${o.beforeSeq === undefined ? '' : 'WHERE seq < $1'}
      ORDER BY seq DESC NULLS FIRST, logged_at DESC LIMIT ${limit}`,
    params,
  );
  return rows.map((r) => ({
    seq: r.seq === null ? null : Number(r.seq),
    loggedAt: r.logged_at,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    detail: r.detail,
    prevHash: r.prev_hash ?? '',
    hash: r.hash ?? '',
  }));
}
