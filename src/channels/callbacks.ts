// Delivery reports and call outcomes coming back from the sending systems (issue #10, B3), as a file
// (`wangji channels callback FILE`) or POST /api/channels/callback. Each callback line names a batch
// line (batch_id, line_no) and what happened to it; applying it turns it into the task's contact or
// outcome. Idempotent: a (batch, line, status) is applied once — recorded in channel_callbacks — so a
// file applied twice, or a line repeated, changes nothing.
//
// What a status does (the hand-off already recorded a CONTACTED contact when the batch was sent):
//   DELIVERED, CONTACTED                 the line's status only (the contact stands)
//   FAILED, NOT_REACHED                  the hand-off contact becomes NOT_REACHED: it no longer
//                                        counts towards the 7-day cap; the task's last outcome
//   INTERESTED, APPOINTMENT,             the hand-off contact takes that outcome; the task's last
//   CONVERTED_CLAIMED                    outcome
//   REFUSED, REFUSED_ALL, INVALID        recorded through the work API (always allowed: the customer's
//                                        "stop" is heard): the task is done, a REFUSED_ALL stops all
//                                        marketing (PIPL art. 24) — on a task already closed too
// SMS reports DELIVERED | FAILED | REFUSED_ALL (a TD reply); call outcomes are the outcomes above.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { withAudit } from '../audit/log.js';
import type { SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { utcTimestamp } from '../domain/bankTime.js';
import { recordOutcomeIn, WorkRefused } from '../leads/work.js';

export const SMS_STATUSES = ['DELIVERED', 'FAILED', 'REFUSED_ALL'] as const;
export const CALL_STATUSES = [
  'CONTACTED',
  'NOT_REACHED',
  'INTERESTED',
  'APPOINTMENT',
  'REFUSED',
  'REFUSED_ALL',
  'INVALID',
  'CONVERTED_CLAIMED',
] as const;
const ALL = [...new Set([...SMS_STATUSES, ...CALL_STATUSES])] as [string, ...string[]];

/** One callback line (a JSON object of a .jsonl file, a row of a .csv file, an item of the HTTP body). */
export const callbackLineSchema = z
  .object({
    batch_id: z.coerce.number().int().positive(),
    line_no: z.coerce.number().int().positive(),
    status: z.enum(ALL),
    /** When it happened: ISO 8601 with an offset or Z. */
    at: z.string().refine((s) => /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)), {
      message: 'must be an ISO 8601 time with an offset (2027-01-21T10:05:00+08:00)',
    }),
    /** Optional cross-check: the line's task. */
    task_id: z.coerce.number().int().positive().optional(),
    /** INVALID: why (a wrong number …). */
    reason: z.string().max(500).optional(),
    note: z.string().max(500).optional(),
  })
  .strip();
export type CallbackLine = z.output<typeof callbackLineSchema>;

export interface CallbackReport {
  source: string;
  lines: number;
  applied: number;
  /** Already applied before (or earlier in the same input): nothing changed. */
  duplicates: number;
  /** Lines not applied, with why (the input's line number from 1, without its content). */
  rejected: { line: number; reason: string }[];
}

/** Parse a callback file: JSON Lines, or CSV with a header row (by the .csv extension). */
export function parseCallbackText(text: string, csv: boolean): { line: number; value: unknown }[] {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!csv)
    return rows.flatMap((r, i) => {
      if (!r.trim()) return [];
      try {
        return [{ line: i + 1, value: JSON.parse(r) as unknown }];
      } catch {
        return [{ line: i + 1, value: null }];
      }
    });
  const head = splitCsv(rows[0] ?? '');
  return rows.slice(1).flatMap((r, i) => {
    if (!r.trim()) return [];
    const cells = splitCsv(r);
    return [
      {
        line: i + 2,
        value: Object.fromEntries(head.map((h, j) => [h.trim(), cells[j] === '' ? undefined : cells[j]])),
      },
    ];
  });
}

/** One CSV record (RFC 4180 quotes; records do not span lines in callback files). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Apply a callback file (see parseCallbackText); audited as CHANNEL_CALLBACK. */
export async function applyCallbackFile(
  db: Db,
  season: SeasonConfig,
  file: string,
  o: { actor: string; now?: Date },
): Promise<CallbackReport> {
  const items = parseCallbackText(readFileSync(file, 'utf8'), file.toLowerCase().endsWith('.csv'));
  return applyCallbacks(db, season, items, { ...o, source: `FILE:${basename(file)}` });
}

const key = (l: CallbackLine) =>
  createHash('sha256').update(`${l.batch_id}:${l.line_no}:${l.status}`, 'utf8').digest('hex');

/** Apply callback lines in one transaction with their audit entry. */
export async function applyCallbacks(
  db: Db,
  season: SeasonConfig,
  items: { line: number; value: unknown }[],
  o: { actor: string; source: string; now?: Date },
): Promise<CallbackReport> {
  const now = o.now ?? new Date();
  return withAudit(db, async (tx, audit) => {
    // The run lock first: the same line from two requests at once is applied once, not refused twice.
    const lock = tx.dialect.exclusiveLock('run');
    if (lock) await tx.exec(lock);
    const report: CallbackReport = {
      source: o.source,
      lines: items.length,
      applied: 0,
      duplicates: 0,
      rejected: [],
    };
    const seen = new Set<string>();
    for (const item of items) {
      const parsed = callbackLineSchema.safeParse(item.value);
      if (!parsed.success) {
        report.rejected.push({
          line: item.line,
          reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; '),
        });
        continue;
      }
      const l = parsed.data;
      const k = key(l);
      const [done] = await tx.query('SELECT 1 AS x FROM channel_callbacks WHERE callback_key = $1', [k]);
      if (done || seen.has(k)) {
        report.duplicates++;
        continue;
      }
      const [line] = await tx.query<{
        task_id: number;
        customer_id: string;
        contact_id: number;
        channel: string;
      }>(
        `SELECT bl.task_id, bl.customer_id, bl.contact_id, b.channel
           FROM channel_batch_lines bl JOIN channel_batches b ON b.batch_id = bl.batch_id
          WHERE bl.batch_id = $1 AND bl.line_no = $2`,
        [l.batch_id, l.line_no],
      );
      if (!line) {
        report.rejected.push({ line: item.line, reason: `no line ${l.line_no} in batch ${l.batch_id}` });
        continue;
      }
      if (l.task_id !== undefined && l.task_id !== Number(line.task_id)) {
        report.rejected.push({
          line: item.line,
          reason: `line ${l.line_no} of batch ${l.batch_id} is task ${line.task_id}, not ${l.task_id}`,
        });
        continue;
      }
      const allowed: readonly string[] = line.channel === 'SMS' ? SMS_STATUSES : CALL_STATUSES;
      if (!allowed.includes(l.status)) {
        report.rejected.push({
          line: item.line,
          reason: `${l.status} is not a status of a ${line.channel} batch (one of ${allowed.join(', ')})`,
        });
        continue;
      }
      const at = new Date(l.at);
      const effect = await applyOne(tx, season, l, { ...line, task_id: Number(line.task_id) }, at);
      await tx.execute(
        `INSERT INTO channel_callbacks VALUES ($1, $2, $3, $4, CAST($5 AS TIMESTAMP), CAST($6 AS TIMESTAMP), $7, $8)`,
        [k, l.batch_id, l.line_no, l.status, utcTimestamp(at), utcTimestamp(now), o.source, effect],
      );
      await tx.execute(
        `UPDATE channel_batch_lines SET status = $1, status_at = CAST($2 AS TIMESTAMP) WHERE batch_id = $3 AND line_no = $4`,
        [l.status, utcTimestamp(at), l.batch_id, l.line_no],
      );
      seen.add(k);
      report.applied++;
    }
    await audit({
      actor: o.actor,
      action: 'CHANNEL_CALLBACK',
      subject: o.source,
      detail: {
        lines: report.lines,
        applied: report.applied,
        duplicates: report.duplicates,
        rejected: report.rejected.length,
      },
      at: now,
    });
    return report;
  });
}

async function applyOne(
  tx: Db,
  season: SeasonConfig,
  l: CallbackLine,
  line: { task_id: number; customer_id: string; contact_id: number },
  at: Date,
): Promise<string> {
  switch (l.status) {
    case 'DELIVERED':
    case 'CONTACTED':
      return 'STATUS_ONLY';
    case 'FAILED':
    case 'NOT_REACHED':
    case 'INTERESTED':
    case 'APPOINTMENT':
    case 'CONVERTED_CLAIMED': {
      const outcome = l.status === 'FAILED' ? 'NOT_REACHED' : l.status;
      await tx.execute(
        `UPDATE contacts SET outcome = $1, is_contact = $2, note = coalesce($3, note) WHERE contact_id = $4`,
        [outcome, outcome !== 'NOT_REACHED', l.note?.trim() || null, line.contact_id],
      );
      await tx.execute(
        `UPDATE tasks SET last_outcome = $1 WHERE task_id = $2 AND status IN ('OPEN', 'IN_PROGRESS')`,
        [outcome, line.task_id],
      );
      return `RECORDED:${outcome}`;
    }
    default: {
      // REFUSED, REFUSED_ALL, INVALID: the work API records them whatever the policy.
      try {
        await recordOutcomeIn(tx, season, {
          taskId: line.task_id,
          outcome: l.status,
          at,
          note: l.note,
          reason: l.status === 'INVALID' ? l.reason?.trim() || 'reported by the sending system' : l.reason,
        });
        return `RECORDED:${l.status}`;
      } catch (e) {
        if (!(e instanceof WorkRefused) || e.code !== 'TASK_CLOSED') throw e;
        if (l.status !== 'REFUSED_ALL') return 'IGNORED:TASK_CLOSED';
        // The task was closed meanwhile: the refusal of all marketing still stands.
        await tx.execute(
          `INSERT INTO consent_events VALUES ($1, 'REFUSED_ALL', CAST($2 AS TIMESTAMP), NULL, $3)`,
          [line.customer_id, utcTimestamp(at), l.note?.trim() || null],
        );
        return 'RECORDED:REFUSED_ALL';
      }
    }
  }
}
