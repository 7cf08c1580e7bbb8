// The notices people get (issue #10, part 3), queued in the outbox (outbox.ts) for the sender:
//   WEEKLY_BRIEFING  the weekly briefing as an .xlsx attachment (src/reports/xlsx.ts), to the users of
//                    notices.briefing.roles with an email, and notices.briefing.addresses
//   LAGGARDS         each manager's laggard list: the orgs and staff ranked under the manager's org
//                    (anywhere in its subtree) that are behind time progress, per KPI
//   DIGEST           an account manager's (or corporate RM's) new tasks of the latest list and the
//                    appointments due today, daily
// Recipients are users with an email (users.email: wangji users add --email, wangji notices email).
// No email carries unmasked personal data: customers' and staff's names are masked, no phone number,
// no ID number; customers are otherwise named by their ids.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAudit } from '../audit/log.js';
import { BRIEFING_LEVELS, type SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { bankClock, bankDate, utcTimestamp } from '../domain/bankTime.js';
import { mask } from '../domain/masking.js';
import { BriefingError, buildBriefing } from '../reports/briefing.js';
import { writeBriefingXlsx } from '../reports/xlsx.js';
import type { NoticesConfig } from './config.js';
import { type Notice, type NoticeSender, queueNotices, type SendReport, sendOutbox } from './outbox.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface Recipient {
  user_id: number;
  username: string;
  role: string;
  org_id: string;
  staff_id: string | null;
  email: string;
}

async function recipients(db: Db, roles: readonly string[]): Promise<Recipient[]> {
  if (roles.length === 0) return [];
  const rows = await db.query<Recipient & Record<string, string | number | null>>(
    `SELECT user_id, username, role, org_id, staff_id, email FROM users
      WHERE NOT disabled AND email IS NOT NULL AND role IN (${roles.map((_, i) => `$${i + 1}`).join(', ')})
      ORDER BY user_id`,
    [...roles],
  );
  return rows.map((r) => ({ ...r, user_id: Number(r.user_id) }));
}

/** Set (or clear, with null) where a user's notices go; audited as USER_EMAIL_SET. */
export async function setUserEmail(
  db: Db,
  o: { username: string; email: string | null; actor: string },
): Promise<void> {
  const email = o.email?.trim() || null;
  if (email !== null && !EMAIL.test(email)) throw new Error(`not an email address: ${email}`);
  const changed = await db.execute('UPDATE users SET email = $1 WHERE username = $2', [
    email,
    o.username.trim().toLowerCase(),
  ]);
  if (changed !== 1) throw new Error(`no user ${o.username}`);
  // The address itself stays out of the audit log (a personal address may be personal data).
  await appendAudit(db, {
    actor: o.actor,
    action: 'USER_EMAIL_SET',
    subject: o.username.trim().toLowerCase(),
    detail: { set: email !== null },
  });
}

/** The weekly briefing of `asOf` as .xlsx to its recipients (once per as-of and address). */
export async function queueWeeklyBriefing(
  db: Db,
  season: SeasonConfig,
  notices: NoticesConfig,
  o: { asOf: string; now?: Date },
): Promise<number> {
  const now = o.now ?? new Date();
  const briefing = await buildBriefing(db, season, { asOf: o.asOf });
  const dir = mkdtempSync(join(tmpdir(), 'wangji-briefing-'));
  let content: Buffer;
  try {
    const file = join(dir, 'briefing.xlsx');
    await writeBriefingXlsx(briefing, 'zh', file);
    content = readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const to = new Map<string, number | null>();
  for (const r of await recipients(db, notices.briefing.roles))
    if (!to.has(r.email)) to.set(r.email, r.user_id);
  for (const a of notices.briefing.addresses) if (!to.has(a)) to.set(a, null);
  const phase = briefing.phase ? `${briefing.phase.zh}（${briefing.phase.slogan}）` : '';
  const list: Notice[] = [...to].map(([email, userId]) => ({
    kind: 'WEEKLY_BRIEFING',
    dedupeKey: `WEEKLY_BRIEFING:${o.asOf}:${email}`,
    recipient: email,
    userId,
    subject: `旺季周报 ${o.asOf}`,
    body: [
      `旺季营销周报，数据日期 ${o.asOf}${briefing.previousAsOf ? `，对比 ${briefing.previousAsOf}` : ''}。`,
      phase ? `当前阶段：${phase}，剩余 ${briefing.phase?.daysLeft} 天。` : '',
      `详见附件 wangji-briefing-${o.asOf}.xlsx。`,
      '',
      'Wangji weekly briefing: see the attached workbook.',
    ]
      .filter((l) => l !== '')
      .join('\n'),
    attachment: { name: `wangji-briefing-${o.asOf}.xlsx`, content },
  }));
  return queueNotices(db, list, now);
}

/** Each manager's laggard list of `asOf` (once per as-of and manager). */
export async function queueLaggardLists(
  db: Db,
  season: SeasonConfig,
  notices: NoticesConfig,
  o: { asOf: string; now?: Date },
): Promise<number> {
  const now = o.now ?? new Date();
  const managers = await recipients(db, notices.laggards.roles);
  if (managers.length === 0) return 0;
  const orgs = await db.query<{ org_id: string; parent_id: string | null; org_name: string | null }>(
    'SELECT org_id, parent_id, org_name FROM orgs',
  );
  const children = new Map<string, string[]>();
  for (const g of orgs)
    if (g.parent_id) children.set(g.parent_id, [...(children.get(g.parent_id) ?? []), g.org_id]);
  const subtree = (root: string): Set<string> => {
    const out = new Set<string>([root]);
    const stack = [root];
    while (stack.length)
      for (const c of children.get(stack.pop() as string) ?? [])
        if (!out.has(c)) {
          out.add(c);
          stack.push(c);
        }
    return out;
  };
  const rows: {
    kpi: string;
    level: string;
    scopeId: string;
    name: string;
    parentId: string | null;
    completion: string | null;
    timeProgress: string;
    rank: number | null;
    ranked: number | null;
  }[] = [];
  for (const level of BRIEFING_LEVELS) {
    const b = await buildBriefing(db, season, { asOf: o.asOf, level });
    for (const k of b.kpis)
      for (const r of k.rows)
        if (r.laggard)
          rows.push({
            kpi: k.def.zh,
            level,
            scopeId: r.scope_id,
            // Staff members are people: their names are masked as any person's.
            name: (level === 'STAFF' ? mask('name', r.name) : r.name) ?? r.scope_id,
            parentId: r.parent_id,
            completion: r.completion,
            timeProgress: r.time_progress,
            rank: r.rank,
            ranked: r.ranked,
          });
  }
  const pct = (v: string | null) => (v === null ? '—' : `${(Number(v) * 100).toFixed(1)}%`);
  const list: Notice[] = [];
  for (const m of managers) {
    const mine = subtree(m.org_id);
    const lag = rows.filter((r) => r.parentId !== null && mine.has(r.parentId));
    if (lag.length === 0) continue;
    list.push({
      kind: 'LAGGARDS',
      dedupeKey: `LAGGARDS:${o.asOf}:${m.user_id}`,
      recipient: m.email,
      userId: m.user_id,
      subject: `旺季落后名单 ${o.asOf}（${lag.length} 项）`,
      body: [
        `数据日期 ${o.asOf}：以下单位／人员完成率低于时序进度。`,
        '',
        ...lag.map(
          (r) =>
            `· ${r.kpi}｜${r.name}（${r.scopeId}）｜完成率 ${pct(r.completion)}，时序进度 ${pct(r.timeProgress)}${r.rank !== null ? `｜排名 ${r.rank}/${r.ranked}` : ''}`,
        ),
      ].join('\n'),
    });
  }
  return queueNotices(db, list, now);
}

/**
 * Daily digests for `now`'s bank day: each account manager's (and corporate RM's) new tasks of the
 * latest list (assigned on the latest lead run's as-of date) and the appointments due that day. One
 * notice per user and day; nobody with neither gets one.
 */
export async function queueDigests(
  db: Db,
  season: SeasonConfig,
  _notices: NoticesConfig,
  o: { now?: Date } = {},
): Promise<number> {
  const now = o.now ?? new Date();
  const today = bankDate(now);
  const [run] = await db.query<{ d: string | null }>('SELECT max(as_of) AS d FROM lead_runs');
  const listDay = run?.d ?? today;
  const users = (await recipients(db, ['ACCOUNT_MANAGER', 'CORPORATE_RM'])).filter((u) => u.staff_id);
  const list: Notice[] = [];
  const dayStart = utcTimestamp(new Date(Date.parse(`${today}T00:00:00+08:00`)));
  const dayEnd = utcTimestamp(new Date(Date.parse(`${today}T00:00:00+08:00`) + 86_400_000));
  for (const u of users) {
    const tasks = await db.query<{
      task_id: number;
      activity_id: string;
      customer_id: string | null;
      name: string | null;
      due_date: string | null;
    }>(
      `SELECT t.task_id, t.activity_id, t.customer_id, c.name, t.due_date
         FROM tasks t LEFT JOIN customers c ON c.customer_id = t.customer_id
        WHERE t.staff_id = $1 AND t.assigned_on = CAST($2 AS DATE) AND t.status IN ('OPEN', 'IN_PROGRESS')
        ORDER BY t.task_id LIMIT 200`,
      [u.staff_id as string, listDay],
    );
    const appointments = await db.query<{
      appointment_id: number;
      customer_id: string;
      name: string | null;
      reason: string;
      slot_start: string;
      slot_end: string;
    }>(
      `SELECT a.appointment_id, a.customer_id, c.name, a.reason, a.slot_start, a.slot_end
         FROM appointments a LEFT JOIN customers c ON c.customer_id = a.customer_id
        WHERE a.staff_id = $1 AND a.status = 'BOOKED'
          AND a.slot_start >= CAST($2 AS TIMESTAMP) AND a.slot_start < CAST($3 AS TIMESTAMP)
        ORDER BY a.slot_start, a.appointment_id`,
      [u.staff_id as string, dayStart, dayEnd],
    );
    if (tasks.length === 0 && appointments.length === 0) continue;
    const activity = (id: string) => season.activities.find((a) => a.id === id)?.name.zh ?? id;
    const who = (name: string | null, id: string | null) => `${mask('name', name) ?? '—'}（${id ?? '—'}）`;
    list.push({
      kind: 'DIGEST',
      dedupeKey: `DIGEST:${today}:${u.user_id}`,
      recipient: u.email,
      userId: u.user_id,
      subject: `今日工作 ${today}：新任务 ${tasks.length} 条，预约 ${appointments.length} 个`,
      body: [
        `${today} 工作提醒`,
        '',
        `新任务（${listDay} 名单）${tasks.length} 条：`,
        ...tasks.map(
          (t) =>
            `· 任务 ${t.task_id}｜${activity(t.activity_id)}｜客户 ${who(t.name, t.customer_id)}｜截止 ${t.due_date ?? '—'}`,
        ),
        '',
        `今日预约 ${appointments.length} 个：`,
        ...appointments.map(
          (a) =>
            `· ${bankClock(new Date(a.slot_start))}–${bankClock(new Date(a.slot_end))}｜客户 ${who(a.name, a.customer_id)}｜${a.reason}`,
        ),
      ].join('\n'),
    });
  }
  return queueNotices(db, list, now);
}

export interface NoticesTickResult {
  queued: { digests: number; briefings: number; laggards: number };
  sent: SendReport | null;
}

/**
 * What the scheduler calls after a successful publish (and may call hourly): the day's digests once the
 * bank hour reaches notices.digestHour, the weekly briefing and laggard lists of `asOf` on the
 * briefing's weekday, then a send of whatever is due (when a sender is given).
 */
export async function noticesTick(
  db: Db,
  season: SeasonConfig,
  notices: NoticesConfig,
  o: { asOf: string | null; now?: Date; sender?: NoticeSender | null },
): Promise<NoticesTickResult> {
  const now = o.now ?? new Date();
  const hour = Number(bankClock(now).slice(0, 2));
  const weekday = ((new Date(Date.parse(`${bankDate(now)}T00:00:00Z`)).getUTCDay() + 6) % 7) + 1;
  const queued = { digests: 0, briefings: 0, laggards: 0 };
  if (hour >= notices.digestHour) queued.digests = await queueDigests(db, season, notices, { now });
  if (o.asOf && weekday === notices.briefing.weekday) {
    try {
      queued.briefings = await queueWeeklyBriefing(db, season, notices, { asOf: o.asOf, now });
      queued.laggards = await queueLaggardLists(db, season, notices, { asOf: o.asOf, now });
    } catch (e) {
      // No briefing for that date (no targets, nothing published): the digests and sends go on.
      if (!(e instanceof BriefingError)) throw e;
    }
  }
  const sent = o.sender ? await sendOutbox(db, o.sender, notices, { now }) : null;
  return { queued, sent };
}
