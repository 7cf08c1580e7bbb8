// Notices on both engines, sent by the SMTP sender to a local SMTP sink started here: the weekly
// briefing arrives with its .xlsx attachment; a sink that is down leaves the notice in the outbox with
// its error, a retry before the backoff has passed sends nothing, a later one sends it once, and a sent
// notice is never sent again. The laggard list reaches the managers concerned only, and the daily
// digest of an account manager carries masked names and no phone numbers.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { expectNoPersonalData } from '../../test/server.js';
import { loadSeasonConfig } from '../config/season.js';
import { D, insertBriefingBank } from '../reports/testing.js';
import { addUser } from '../server/auth/users.js';
import { noticesConfigSchema } from './config.js';
import {
  noticesTick,
  queueDigests,
  queueLaggardLists,
  queueWeeklyBriefing,
  setUserEmail,
} from './notices.js';
import { type NoticeSender, type OutgoingMessage, outboxBacklog, sendOutbox } from './outbox.js';
import { smtpSender } from './smtp.js';

const season = loadSeasonConfig();

/** A tiny SMTP sink: accepts every message and keeps its raw text. */
class SmtpSink {
  messages: { from: string; to: string[]; data: string }[] = [];
  private server: Server | null = null;
  private sockets = new Set<Socket>();

  start(port = 0): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.setEncoding('utf8');
      let buffer = '';
      let data: string | null = null;
      let from = '';
      let to: string[] = [];
      socket.write('220 sink ESMTP\r\n');
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        for (;;) {
          if (data !== null) {
            const end = buffer.indexOf('\r\n.\r\n');
            if (end < 0) return;
            data += buffer.slice(0, end);
            buffer = buffer.slice(end + 5);
            this.messages.push({ from, to, data });
            data = null;
            to = [];
            socket.write('250 queued\r\n');
            continue;
          }
          const nl = buffer.indexOf('\r\n');
          if (nl < 0) return;
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 2);
          const verb = line.slice(0, 4).toUpperCase();
          if (verb === 'EHLO') socket.write('250-sink\r\n250 8BITMIME\r\n');
          else if (verb === 'MAIL') {
            from = line;
            socket.write('250 ok\r\n');
          } else if (verb === 'RCPT') {
            to.push(line.replace(/^RCPT TO:\s*/i, ''));
            socket.write('250 ok\r\n');
          } else if (verb === 'DATA') {
            data = '';
            // A message may start right after DATA: keep reading the buffer as data.
            buffer = `\r\n${buffer}`;
            socket.write('354 go on\r\n');
          } else if (verb === 'QUIT') {
            socket.end('221 bye\r\n');
            return;
          } else socket.write('250 ok\r\n');
        }
      });
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
    this.server = null;
  }
}

/** The decoded parts of a raw MIME message that carry a filename. */
function attachments(raw: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  if (!boundary) return out;
  for (const part of raw.split(`--${boundary}`)) {
    const [head = '', ...rest] = part.split('\r\n\r\n');
    const name = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
    if (!name) continue;
    expect(head).toMatch(/Content-Transfer-Encoding: base64/i);
    out.set(name, Buffer.from(rest.join('\r\n\r\n').replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

const freePort = async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
};

describeEachEngine('notices', (engine) => {
  let db: TestDb;
  const sink = new SmtpSink();
  const T = new Date('2027-01-11T00:00:00Z'); // 08:00 bank time on Monday 2027-01-11

  beforeAll(async () => {
    db = await engine.open();
    await insertBriefingBank(db);
    const users: [string, Parameters<typeof addUser>[1]['role'], string, string | null][] = [
      ['hq.ops', 'HQ_OPS', 'H', null],
      ['bm.b1', 'BRANCH_MANAGER', 'B1', null],
      ['bm.b2', 'BRANCH_MANAGER', 'B2', null],
      ['am.st01', 'ACCOUNT_MANAGER', 'O1', 'ST01'],
      ['no.mail', 'HQ_OPS', 'H', null],
    ];
    for (const [username, role, orgId, staffId] of users) {
      await addUser(db, { username, role, orgId, staffId }, { actor: 'test', now: T });
      if (username !== 'no.mail')
        await setUserEmail(db, { username, email: `${username}@bank.example`, actor: 'test' });
    }
  }, 120_000);

  afterAll(async () => {
    await sink.stop();
    await db?.close();
  });

  it('a down sink leaves the briefing in the outbox with its error; a later retry sends it once, with the attachment', async () => {
    const port = await freePort();
    const notices = noticesConfigSchema.parse({
      sender: 'smtp',
      smtp: { host: '127.0.0.1', port, from: 'wangji@bank.example', timeoutMs: 3000 },
      briefing: { roles: ['HQ_OPS'], addresses: ['board@bank.example'] },
      retry: { baseSeconds: 60, maxAttempts: 3 },
    });
    expect(await queueWeeklyBriefing(db, season, notices, { asOf: D, now: T })).toBe(2);
    // Queued once per as-of and address, however often it is asked.
    expect(await queueWeeklyBriefing(db, season, notices, { asOf: D, now: T })).toBe(0);
    const sender = smtpSender(notices.smtp, {});

    const down = await sendOutbox(db, sender, notices, { now: T });
    expect(down).toEqual({ sent: 0, retrying: 2, gaveUp: 0 });
    const failed = await db.query<{
      status: string;
      attempts: number;
      last_error: string;
      next_attempt_at: string;
    }>('SELECT status, attempts, last_error, next_attempt_at FROM outbox ORDER BY notice_id');
    for (const f of failed) {
      expect(f.status).toBe('PENDING');
      expect(Number(f.attempts)).toBe(1);
      expect(f.last_error).toMatch(/ECONNREFUSED/);
      expect(f.next_attempt_at).toBe(new Date(T.getTime() + 60_000).toISOString());
    }

    await sink.start(port);
    // Before the backoff has passed: nothing is tried.
    expect(await sendOutbox(db, sender, notices, { now: new Date(T.getTime() + 30_000) })).toEqual({
      sent: 0,
      retrying: 0,
      gaveUp: 0,
    });
    expect(sink.messages).toHaveLength(0);
    const later = new Date(T.getTime() + 61_000);
    expect(await sendOutbox(db, sender, notices, { now: later })).toEqual({
      sent: 2,
      retrying: 0,
      gaveUp: 0,
    });
    expect(sink.messages).toHaveLength(2);
    expect(sink.messages.map((m) => m.to.join()).sort()).toEqual([
      '<board@bank.example>',
      '<hq.ops@bank.example>',
    ]);
    const [stored] = await db.query<{ attachment_base64: string }>(
      'SELECT attachment_base64 FROM outbox ORDER BY notice_id LIMIT 1',
    );
    for (const m of sink.messages) {
      const files = attachments(m.data);
      const xlsx = files.get(`wangji-briefing-${D}.xlsx`);
      expect(xlsx, 'the briefing is attached').toBeDefined();
      expect(xlsx?.subarray(0, 2).toString('latin1')).toBe('PK'); // an .xlsx is a zip
      expect(xlsx?.equals(Buffer.from(stored?.attachment_base64 ?? '', 'base64'))).toBe(true);
    }
    // Sent ones are never sent again.
    expect(await sendOutbox(db, sender, notices, { now: new Date(T.getTime() + 3_600_000) })).toEqual({
      sent: 0,
      retrying: 0,
      gaveUp: 0,
    });
    expect(sink.messages).toHaveLength(2);
    expect(await outboxBacklog(db)).toEqual({ SENT: 2 });
  });

  it('gives up after the last attempt, keeping the notice and its error', async () => {
    const notices = noticesConfigSchema.parse({
      smtp: { host: '127.0.0.1', port: await freePort(), timeoutMs: 3000 },
      briefing: { roles: [], addresses: ['late@bank.example'] },
      retry: { baseSeconds: 1, maxAttempts: 2 },
    });
    expect(await queueWeeklyBriefing(db, season, notices, { asOf: D, now: T })).toBe(1);
    const sender = smtpSender(notices.smtp, {});
    expect(await sendOutbox(db, sender, notices, { now: T })).toEqual({ sent: 0, retrying: 1, gaveUp: 0 });
    expect(await sendOutbox(db, sender, notices, { now: new Date(T.getTime() + 2000) })).toEqual({
      sent: 0,
      retrying: 0,
      gaveUp: 1,
    });
    const [n] = await db.query<{ status: string; last_error: string | null }>(
      "SELECT status, last_error FROM outbox WHERE recipient = 'late@bank.example'",
    );
    expect(n?.status).toBe('FAILED');
    expect(n?.last_error).toMatch(/ECONNREFUSED/);
  });

  it('sends each manager the laggards ranked under their org only, staff names masked', async () => {
    const notices = noticesConfigSchema.parse({ laggards: { roles: ['BRANCH_MANAGER'] } });
    const queued = await queueLaggardLists(db, season, notices, { asOf: D, now: T });
    const rows = await db.query<{ recipient: string; body: string }>(
      "SELECT recipient, body FROM outbox WHERE kind = 'LAGGARDS' ORDER BY recipient",
    );
    expect(rows.length).toBe(queued);
    const b1 = rows.find((r) => r.recipient === 'bm.b1@bank.example');
    expect(b1, 'B1 has laggards under it').toBeDefined();
    // Only orgs of B1's subtree (S1, O1, O2) and their staff; never B2's side (S2, O3).
    expect(b1?.body).toMatch(/（(S1|O1|O2|ST\d+)）/);
    expect(b1?.body).not.toMatch(/（(S2|O3|B2|B3|B4|B5)）/);
    for (const name of ['张伟', '李娜', '王芳']) expect(b1?.body).not.toContain(name);
  });

  it('queues an account manager’s daily digest: new tasks and today’s appointments, names masked, no phones', async () => {
    await db.exec(`INSERT INTO customers (customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since) VALUES
      ('K1', '欧阳明月', 'ID_CARD', '420102199001011234', 'F', DATE '1990-01-01', '13800001111', 'O1', 'ST01', '420102', 'C3', 'Y', 'N', DATE '2020-01-01')`);
    await db.exec(`INSERT INTO lead_runs VALUES (DATE '${D}', 1, TIMESTAMP '2027-01-10 22:00:00', '{}')`);
    await db.exec(
      `INSERT INTO leads VALUES (1, DATE '2026-11-15', 'X', 'CUSTOMER', 'K1', 'K1', 'K1', NULL, '{}', '{}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, 0.5, FALSE, FALSE)`,
    );
    await db.exec(
      `INSERT INTO tasks VALUES (1, 1, 'X', 'K1', 'O1', 'ST01', 'MANAGER', 'O1', 'OPEN', NULL, DATE '${D}', DATE '${D}', DATE '2027-01-17', NULL, NULL, NULL)`,
    );
    await db.exec(`INSERT INTO appointments (appointment_id, customer_id, task_id, org_id, team, staff_id, reason, slot_start, slot_end, status, notes, created_by, created_at)
      VALUES (1, 'K1', 1, 'O1', NULL, 'ST01', 'WEALTH', TIMESTAMP '2027-01-11 02:00:00', TIMESTAMP '2027-01-11 02:30:00', 'BOOKED', NULL, 'am.st01', TIMESTAMP '2027-01-10 02:00:00'),
             (2, 'K1', 1, 'O1', NULL, 'ST01', 'WEALTH', TIMESTAMP '2027-01-12 02:00:00', TIMESTAMP '2027-01-12 02:30:00', 'BOOKED', NULL, 'am.st01', TIMESTAMP '2027-01-10 02:00:00')`);
    const notices = noticesConfigSchema.parse({});
    expect(await queueDigests(db, season, notices, { now: T })).toBe(1);
    expect(await queueDigests(db, season, notices, { now: T })).toBe(0);
    const [d] = await db.query<{ recipient: string; subject: string; body: string }>(
      "SELECT recipient, subject, body FROM outbox WHERE kind = 'DIGEST'",
    );
    expect(d?.recipient).toBe('am.st01@bank.example');
    expect(d?.subject).toContain('新任务 1 条，预约 1 个');
    expect(d?.body).toContain('任务 1｜X｜客户 欧');
    expect(d?.body).toContain('10:00–10:30');
    expectNoPersonalData(
      [d?.subject ?? '', d?.body ?? ''],
      ['欧阳明月', '13800001111', '420102199001011234'],
    );
    // Every notice queued in this file: no unmasked personal data.
    const all = await db.query<{ subject: string; body: string }>('SELECT subject, body FROM outbox');
    expectNoPersonalData(all.flatMap((n) => [n.subject, n.body]));
  });

  it('ticks: a date without a briefing queues none, the digests stay once a day, a plugged-in sender gets what is due once', async () => {
    const got: OutgoingMessage[] = [];
    const sender: NoticeSender = { name: 'test', send: async (m) => void got.push(m) };
    const notices = noticesConfigSchema.parse({ digestHour: 7 });
    const pending = Number(
      (await db.query<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'PENDING'"))[0]?.n,
    );
    expect(pending).toBeGreaterThan(0);
    const r = await noticesTick(db, season, notices, { asOf: '2027-02-01', now: T, sender });
    expect(r.queued).toEqual({ digests: 0, briefings: 0, laggards: 0 });
    expect(r.sent).toEqual({ sent: pending, retrying: 0, gaveUp: 0 });
    expect(got).toHaveLength(pending);
    expect((await noticesTick(db, season, notices, { asOf: null, now: T, sender })).sent?.sent).toBe(0);
    expect(got).toHaveLength(pending);
  });
});
