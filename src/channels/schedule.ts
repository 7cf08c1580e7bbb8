// What `wangji serve` runs for the remote channels and the notices: a step after each nightly
// publication (src/nightly/scheduler.ts afterPublish) — the channels' batches, the notices of the
// published date (the weekly briefing and laggard lists on the briefing's weekday), the due notices
// sent — and a timer every channels.sendEveryMinutes: the callback files dropped in
// channels.callbacks.inDir applied, then, outside the quiet hours, the batches (tasks published at
// night go out from 09:00 bank time), and the notices (digests from notices.digestHour). Log lines
// carry counts and ids only, never a phone number or a name.

import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { bankClock } from '../domain/bankTime.js';
import { inQuietHours } from '../leads/contactPolicy.js';
import type { OpsConfig } from '../nightly/config.js';
import type { AfterPublish, NightlyLog } from '../nightly/scheduler.js';
import { noticesTick } from '../notices/notices.js';
import type { NoticeSender } from '../notices/outbox.js';
import { smtpSender } from '../notices/smtp.js';
import { type BatchResult, produceChannelBatches } from './batches.js';
import { applyCallbackFile, type CallbackReport } from './callbacks.js';

const summary = (results: BatchResult[]) =>
  results.map((r) => ({
    channel: r.channel,
    batch: r.batchId,
    lines: r.lines,
    skipped: r.skippedReasons,
    status: r.status,
  }));

function senderOf(ops: OpsConfig): NoticeSender | null {
  return ops.notices.sender === 'smtp' ? smtpSender(ops.notices.smtp) : null;
}

/** The afterPublish steps of the channels and the notices (register them in serve's afterPublishSteps). */
export function channelsAndNoticesSteps(season: SeasonConfig, ops: OpsConfig): AfterPublish[] {
  const sender = senderOf(ops);
  return [
    async (ctx) => {
      const results = await produceChannelBatches(ctx.db, season, ops.channels, {
        now: ctx.at,
        actor: 'scheduler',
      });
      ctx.log.info({ asOf: ctx.asOf, batches: summary(results) }, 'channel batches after publication');
    },
    async (ctx) => {
      const r = await noticesTick(ctx.db, season, ops.notices, { asOf: ctx.asOf, now: ctx.at, sender });
      ctx.log.info({ asOf: ctx.asOf, ...r }, 'notices after publication');
    },
  ];
}

/**
 * Apply the callback files the senders dropped in channels.callbacks.inDir (`*.jsonl`, `*.csv`, at
 * least 10 s old so a file still being written is left alone), then move each to `applied/` beside
 * its report (`<name>.report.json`: counts and rejected line numbers, no content). Applying is
 * idempotent, so a file moved back in changes nothing.
 */
export async function applyCallbackDir(
  db: Db,
  season: SeasonConfig,
  ops: OpsConfig,
  o: { now?: Date; baseDir?: string } = {},
): Promise<CallbackReport[]> {
  const dir = resolve(o.baseDir ?? process.cwd(), ops.channels.callbacks.inDir);
  if (!existsSync(dir)) return [];
  const now = (o.now ?? new Date()).getTime();
  const reports: CallbackReport[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (!/\.(jsonl|csv)$/i.test(name) || !statSync(file).isFile()) continue;
    if (now - statSync(file).mtimeMs < 10_000) continue;
    const report = await applyCallbackFile(db, season, file, { actor: 'scheduler', now: new Date(now) });
    const done = join(dir, 'applied');
    mkdirSync(done, { recursive: true });
    writeFileSync(join(done, `${name}.report.json`), `${JSON.stringify(report, null, 2)}\n`);
    renameSync(file, join(done, name));
    reports.push(report);
  }
  return reports;
}

/** Open remote tasks not yet handed off (a cheap test before a timed send). */
async function pendingRemote(db: Db): Promise<number> {
  const [r] = await db.query<{ n: number }>(
    `SELECT CAST(count(*) AS BIGINT) AS n FROM tasks t
      WHERE t.channel IN ('SMS', 'OUTBOUND_CALL') AND t.status = 'OPEN'
        AND NOT EXISTS (SELECT 1 FROM channel_batch_lines b WHERE b.task_id = t.task_id)`,
  );
  return Number(r?.n ?? 0);
}

/**
 * Every channels.sendEveryMinutes: outside the quiet hours, send the remote tasks waiting (when there
 * are any: an idle tick writes nothing, not even an audit entry); then the notices due. Returns a stop
 * function. One tick at a time; a failing tick is logged and the next one tries again.
 */
export function startChannelsTimer(
  db: Db,
  season: SeasonConfig,
  ops: OpsConfig,
  log: NightlyLog,
  now: () => Date = () => new Date(),
): () => void {
  const minutes = ops.channels.sendEveryMinutes;
  if (minutes === 0) return () => undefined;
  const sender = senderOf(ops);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const at = now();
      for (const r of await applyCallbackDir(db, season, ops, { now: at }))
        log.info(
          {
            source: r.source,
            lines: r.lines,
            applied: r.applied,
            duplicates: r.duplicates,
            rejected: r.rejected.length,
          },
          'channel callbacks',
        );
      if (!inQuietHours(bankClock(at), season.thresholds.quiet_hours) && (await pendingRemote(db)) > 0) {
        const results = await produceChannelBatches(db, season, ops.channels, {
          now: at,
          actor: 'scheduler',
        });
        log.info({ batches: summary(results) }, 'channel batches');
      }
      const r = await noticesTick(db, season, ops.notices, { asOf: null, now: at, sender });
      if (r.queued.digests > 0 || (r.sent && r.sent.sent + r.sent.retrying + r.sent.gaveUp > 0))
        log.info({ ...r }, 'notices');
    } catch (e) {
      log.error({ err: { message: (e as Error).message } }, 'channels and notices tick failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
