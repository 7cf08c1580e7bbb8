// wangji notices send | digest | briefing | email: the outbox of notices to people. `send` sends what
// is due (failed sends are retried with backoff), `digest` queues today's account-manager digests,
// `briefing` queues the weekly briefing and the laggard lists of a data date, `email` sets where a
// user's notices go. The settings are the `notices:` section of the operations config; the SMTP user
// and password come from the environment variables it names.

import { loadSeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import type { Db } from '../../db/types.js';
import { readOpsConfig } from '../../nightly/config.js';
import { queueDigests, queueLaggardLists, queueWeeklyBriefing, setUserEmail } from '../../notices/notices.js';
import { outboxBacklog, sendOutbox } from '../../notices/outbox.js';
import { smtpSender } from '../../notices/smtp.js';
import type { Output } from '../output.js';
import { cliActor } from './users.js';

async function withDb(target: DbTarget, fn: (db: Db) => Promise<number>): Promise<number> {
  const db = await openDb(target);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function noticesSendCommand(
  target: DbTarget,
  o: { opsConfig?: string },
  out: Output,
): Promise<number> {
  const notices = readOpsConfig(o.opsConfig).config.notices;
  return withDb(target, async (db) => {
    if (notices.sender === 'off') {
      out.error('notices.sender is off in the operations config: nothing is sent (set it to smtp)');
      return 2;
    }
    const r = await sendOutbox(db, smtpSender(notices.smtp), notices);
    const backlog = await outboxBacklog(db);
    out.result({ ...r, backlog }, () => [
      `已发送 Sent ${r.sent}, 稍后重试 retrying ${r.retrying}, 放弃 gave up ${r.gaveUp}`,
      `发件箱 Outbox: ${
        Object.entries(backlog)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'empty'
      }`,
    ]);
    return r.retrying + r.gaveUp > 0 ? 1 : 0;
  });
}

export function noticesDigestCommand(
  target: DbTarget,
  o: { at?: string; config?: string; opsConfig?: string },
  out: Output,
): Promise<number> {
  const now = o.at ? new Date(o.at) : new Date();
  if (Number.isNaN(now.getTime())) {
    out.error(`--at: not a time: ${o.at}`);
    return Promise.resolve(2);
  }
  const season = loadSeasonConfig(o.config);
  const notices = readOpsConfig(o.opsConfig).config.notices;
  return withDb(target, async (db) => {
    const queued = await queueDigests(db, season, notices, { now });
    out.result({ queued }, () => [`已排队日报 Digests queued: ${queued}`]);
    return 0;
  });
}

export function noticesBriefingCommand(
  target: DbTarget,
  o: { asOf: string; config?: string; opsConfig?: string },
  out: Output,
): Promise<number> {
  const season = loadSeasonConfig(o.config);
  const notices = readOpsConfig(o.opsConfig).config.notices;
  return withDb(target, async (db) => {
    const briefings = await queueWeeklyBriefing(db, season, notices, { asOf: o.asOf });
    const laggards = await queueLaggardLists(db, season, notices, { asOf: o.asOf });
    out.result({ briefings, laggards }, () => [
      `已排队周报 Briefings queued: ${briefings}; 落后名单 laggard lists: ${laggards}`,
    ]);
    return 0;
  });
}

export function noticesEmailCommand(
  target: DbTarget,
  o: { username: string; email: string | null },
  out: Output,
): Promise<number> {
  return withDb(target, async (db) => {
    try {
      await setUserEmail(db, { username: o.username, email: o.email, actor: cliActor() });
    } catch (e) {
      out.error((e as Error).message);
      return 1;
    }
    out.result({ username: o.username, email: o.email }, () => [
      o.email
        ? `通知邮箱已设置 Email set for ${o.username}`
        : `通知邮箱已清除 Email cleared for ${o.username}`,
    ]);
    return 0;
  });
}
