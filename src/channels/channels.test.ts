// Channel hand-offs on the API tests' hand-made bank (test/api-bank.ts), on both engines: a batch
// never holds a customer the contact policy forbids at the moment of sending (no consent, DND, a
// refusal of all marketing, the 7-day cap — counting the batch's own contacts — and the quiet hours:
// a send at 22:00 bank time yields nothing until 09:00); every send is audited; phone numbers appear
// only in the batch files (and the push); a callback file applied twice changes nothing.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bank, config, RAW } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { MOBILE } from '../../test/server.js';
import { opsConfigSchema } from '../nightly/config.js';
import { batchFileText, produceChannelBatches } from './batches.js';
import { applyCallbacks, parseCallbackText } from './callbacks.js';
import { channelsConfigSchema } from './config.js';
import { applyCallbackDir, channelsAndNoticesSteps } from './schedule.js';

const D = '2027-01-20';
/** 22:00 bank time on D; 09:00 bank time on D + 1. */
const AT_22 = new Date('2027-01-20T14:00:00Z');
const AT_09 = new Date('2027-01-21T01:00:00Z');

const EXTRA = {
  C7: { phone: '13500000007', name: '周无同意' },
  C8: { phone: '13500000008', name: '吴免打扰' },
  C9: { phone: '13500000009', name: '郑拒绝' },
};
const ALL_PHONES = [...Object.values(RAW).map((r) => r.phone), ...Object.values(EXTRA).map((r) => r.phone)];

/**
 * Tasks (all OPEN, remote centre RC): SMS to C1 three times (three activities: the third would be a
 * third contact in 7 days), C3 (two contacts this week already), C7 (no consent), C8 (DND), C9 (refused
 * all marketing); outbound calls to C5 and C2; C4's SMS is a service task (exempt from the cap).
 */
const TASKS: [id: number, customer: string, channel: string, activity: string, priority: string][] = [
  [11, 'C1', 'SMS', 'WEALTH', '0.9'],
  [12, 'C1', 'SMS', 'WEALTH_B', '0.8'],
  [13, 'C1', 'SMS', 'WEALTH_C', '0.7'],
  [14, 'C3', 'SMS', 'WEALTH', '0.6'],
  [15, 'C7', 'SMS', 'WEALTH', '0.5'],
  [16, 'C8', 'SMS', 'WEALTH', '0.5'],
  [17, 'C9', 'SMS', 'WEALTH', '0.5'],
  [18, 'C5', 'OUTBOUND_CALL', 'WEALTH', '0.5'],
  [19, 'C2', 'OUTBOUND_CALL', 'WEALTH', '0.4'],
];

async function insertRemoteWork(db: TestDb): Promise<void> {
  await db.exec(`INSERT INTO customers (customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since) VALUES
    ('C7', '${EXTRA.C7.name}', 'ID_CARD', NULL, 'F', DATE '1980-06-01', '${EXTRA.C7.phone}', 'O1', NULL, '420102', 'C3', 'N', 'N', DATE '2020-01-01'),
    ('C8', '${EXTRA.C8.name}', 'ID_CARD', NULL, 'F', DATE '1980-06-01', '${EXTRA.C8.phone}', 'O1', NULL, '420102', 'C3', 'Y', 'Y', DATE '2020-01-01'),
    ('C9', '${EXTRA.C9.name}', 'ID_CARD', NULL, 'F', DATE '1980-06-01', '${EXTRA.C9.phone}', 'O1', NULL, '420102', 'C3', 'Y', 'N', DATE '2020-01-01')`);
  const lead = ([id, c, , activity, priority]: (typeof TASKS)[number]) =>
    `(${id}, DATE '2026-11-15', '${activity}', 'CUSTOMER', '${c}', '${c}', '${c}', NULL, '{"age": 46}', '{"age": 46}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, ${priority}, FALSE, FALSE)`;
  await db.exec(`INSERT INTO leads VALUES ${TASKS.map(lead).join(', ')}`);
  const task = ([id, c, channel, activity]: (typeof TASKS)[number]) =>
    `(${id}, ${id}, '${activity}', '${c}', 'RC', NULL, '${channel}', 'O1', 'OPEN', NULL, DATE '${D}', DATE '${D}', DATE '2027-01-27', NULL, NULL, NULL)`;
  await db.exec(`INSERT INTO tasks VALUES ${TASKS.map(task).join(', ')}`);
  // C3: two marketing contacts this week (the cap is 2); C9 refused all marketing last week.
  await db.exec(`INSERT INTO contacts VALUES
      (1, 14, 14, 'WEALTH', 'C3', 'AM2', 'MANAGER', 'CONTACTED', NULL, NULL, TIMESTAMP '2027-01-18 02:00:00', TIMESTAMP '2027-01-18 02:00:00', TRUE, TRUE),
      (2, 14, 14, 'WEALTH', 'C3', 'AM2', 'MANAGER', 'INTERESTED', NULL, NULL, TIMESTAMP '2027-01-19 02:00:00', TIMESTAMP '2027-01-19 02:00:00', TRUE, TRUE)`);
  await db.exec(
    `INSERT INTO consent_events VALUES ('C9', 'REFUSED_ALL', TIMESTAMP '2027-01-15 02:00:00', 'AM1', NULL)`,
  );
}

const count = async (db: TestDb, sql: string, params: (string | number)[] = []) =>
  Number((await db.query<{ n: number }>(sql, params))[0]?.n ?? 0);

/** Everything the callbacks may change, as text. */
async function snapshot(db: TestDb): Promise<string> {
  const parts: unknown[] = [];
  for (const sql of [
    'SELECT * FROM contacts ORDER BY contact_id',
    'SELECT * FROM tasks ORDER BY task_id',
    'SELECT * FROM leads ORDER BY lead_id',
    'SELECT * FROM consent_events ORDER BY event_at, customer_id',
    'SELECT * FROM channel_batch_lines ORDER BY batch_id, line_no',
    'SELECT callback_key, effect FROM channel_callbacks ORDER BY callback_key',
  ])
    parts.push(await db.query(sql));
  return JSON.stringify(parts);
}

function jsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describeEachEngine('channel hand-offs', (engine) => {
  let db: TestDb;
  let dir: string;
  const channels = channelsConfigSchema.parse({ sms: { format: 'jsonl' }, outboundCall: { format: 'csv' } });

  beforeAll(async () => {
    db = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'wangji-channels-'));
    await insertBank(db, bank);
    await insertRemoteWork(db);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends nothing at 22:00 bank time (quiet hours), and audits the attempt', async () => {
    const results = await produceChannelBatches(db, config, channels, {
      now: AT_22,
      actor: 'test',
      baseDir: dir,
    });
    expect(results.map((r) => [r.channel, r.status, r.lines])).toEqual([
      ['SMS', 'EMPTY', 0],
      ['OUTBOUND_CALL', 'EMPTY', 0],
    ]);
    // The customers the policy forbids anyway are held for that; the rest for the quiet hours.
    expect(results[0]?.skippedReasons).toEqual({ QUIET_HOURS: 5, NO_CONSENT: 1, DO_NOT_DISTURB: 1 });
    expect(results[1]?.skippedReasons).toEqual({ QUIET_HOURS: 2 });
    expect(await count(db, 'SELECT count(*) AS n FROM channel_batches')).toBe(0);
    expect(await count(db, 'SELECT count(*) AS n FROM contacts')).toBe(2);
    expect(await count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'CHANNEL_SEND_EMPTY'")).toBe(
      2,
    );
  });

  it('at 09:00 sends only the customers the contact policy allows, and counts the batch’s own contacts', async () => {
    const results = await produceChannelBatches(db, config, channels, {
      now: AT_09,
      actor: 'ops.user',
      baseDir: dir,
    });
    const [sms, call] = results;
    expect(sms?.status).toBe('SENT');
    expect(sms?.skippedReasons).toEqual({
      CONTACT_CAP: 2, // C1's third SMS in 7 days, and C3 (two contacts this week)
      NO_CONSENT: 1,
      DO_NOT_DISTURB: 1,
      REFUSED_ALL: 1,
    });
    const smsLines = jsonl(sms?.filePath as string);
    expect(smsLines.map((l) => [l.task_id, l.customer_id])).toEqual([
      [11, 'C1'],
      [12, 'C1'],
    ]);
    for (const l of smsLines) {
      expect(l.phone).toBe(RAW.C1.phone); // unmasked: the sending system needs it
      expect(l.name).not.toBe(RAW.C1.name);
      expect(String(l.name)).toMatch(/^张/);
      expect(String(l.message).endsWith('回复TD退订')).toBe(true);
      expect(l.refusal_instruction).toBe('回复TD退订');
      expect(String(l.message)).not.toContain(RAW.C1.name);
    }
    // The call list: CSV with a header, both callable customers, the agent's refusal instruction.
    const csv = readFileSync(call?.filePath as string, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe(
      'batch_id,line_no,task_id,customer_id,phone,name,activity_id,message,refusal_instruction',
    );
    expect(csv.slice(1).map((r) => r.split(',').slice(2, 5))).toEqual([
      ['18', 'C5', RAW.C5.phone],
      ['19', 'C2', RAW.C2.phone],
    ]);
    expect(csv[1]).toContain(channels.outboundCall.refusalInstruction);
    // Contacts recorded at the moment of sending, so the cap counts them.
    const contacts = await db.query<{ task_id: number; outcome: string; contact_at: string }>(
      'SELECT task_id, outcome, contact_at FROM contacts WHERE contact_id > 2 ORDER BY task_id',
    );
    expect(contacts.map((c) => [Number(c.task_id), c.outcome, c.contact_at])).toEqual(
      [11, 12, 18, 19].map((t) => [t, 'CONTACTED', AT_09.toISOString()]),
    );
    // Audited: who, when, how many.
    const audits = await db.query<{ actor: string; subject: string; detail: string; logged_at: string }>(
      "SELECT actor, subject, detail, logged_at FROM audit_log WHERE action = 'CHANNEL_BATCH_SENT' ORDER BY seq",
    );
    expect(audits.map((a) => [a.actor, a.subject, JSON.parse(a.detail).lines, a.logged_at])).toEqual([
      ['ops.user', `batch:${sms?.batchId}`, 2, AT_09.toISOString()],
      ['ops.user', `batch:${call?.batchId}`, 2, AT_09.toISOString()],
    ]);
    const batches = await db.query<{ lines: number; actor: string }>(
      'SELECT lines, actor FROM channel_batches ORDER BY batch_id',
    );
    expect(batches.map((b) => [Number(b.lines), b.actor])).toEqual([
      [2, 'ops.user'],
      [2, 'ops.user'],
    ]);
  });

  it('hands a task off once: sending again finds nothing new', async () => {
    const again = await produceChannelBatches(db, config, channels, {
      now: new Date(AT_09.getTime() + 3_600_000),
      actor: 'test',
      baseDir: dir,
    });
    expect(again.map((r) => r.lines)).toEqual([0, 0]);
    expect(await count(db, 'SELECT count(*) AS n FROM channel_batch_lines')).toBe(4);
  });

  it('keeps phone numbers out of every table and the audit log', async () => {
    const texts = [];
    for (const t of ['channel_batches', 'channel_batch_lines', 'channel_callbacks', 'audit_log', 'contacts'])
      texts.push(JSON.stringify(await db.query(`SELECT * FROM ${t}`)));
    for (const text of texts) {
      expect(text).not.toMatch(MOBILE);
      for (const phone of ALL_PHONES) expect(text).not.toContain(phone);
    }
  });

  it('applies callbacks once: the same file twice, or a line repeated, changes nothing', async () => {
    const [smsBatch, callBatch] = (
      await db.query<{ batch_id: number }>('SELECT batch_id FROM channel_batches ORDER BY batch_id')
    ).map((b) => Number(b.batch_id));
    const file = [
      { batch_id: smsBatch, line_no: 1, status: 'DELIVERED', at: '2027-01-21T09:01:00+08:00' },
      { batch_id: smsBatch, line_no: 2, status: 'FAILED', at: '2027-01-21T09:01:00+08:00' },
      {
        batch_id: callBatch,
        line_no: 1,
        status: 'REFUSED_ALL',
        at: '2027-01-21T10:00:00+08:00',
        task_id: 18,
      },
      { batch_id: callBatch, line_no: 2, status: 'INTERESTED', at: '2027-01-21T10:05:00+08:00' },
      { batch_id: callBatch, line_no: 2, status: 'INTERESTED', at: '2027-01-21T10:05:00+08:00' },
      { batch_id: smsBatch, line_no: 9, status: 'DELIVERED', at: '2027-01-21T09:01:00+08:00' },
      { batch_id: smsBatch, line_no: 1, status: 'INTERESTED', at: '2027-01-21T09:01:00+08:00' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const items = parseCallbackText(`${file}\nnot json\n`, false);
    const first = await applyCallbacks(db, config, items, {
      actor: 'test',
      source: 'FILE:cb.jsonl',
      now: AT_09,
    });
    expect(first).toMatchObject({ lines: 8, applied: 4, duplicates: 1 });
    expect(first.rejected.map((r) => r.line)).toEqual([6, 7, 8]);
    // FAILED: the SMS was not a contact after all; REFUSED_ALL: the task is done and marketing stops;
    // INTERESTED: the hand-off contact takes the call's outcome.
    const byTask = async (task: number) =>
      (
        await db.query<{ outcome: string; is_contact: boolean }>(
          'SELECT outcome, is_contact FROM contacts WHERE task_id = $1 AND contact_id > 2 ORDER BY contact_id',
          [task],
        )
      ).map((c) => [c.outcome, Boolean(c.is_contact)]);
    expect(await byTask(11)).toEqual([['CONTACTED', true]]);
    expect(await byTask(12)).toEqual([['NOT_REACHED', false]]);
    expect(await byTask(18)).toEqual([
      ['CONTACTED', true],
      ['REFUSED_ALL', true],
    ]);
    expect(await byTask(19)).toEqual([['INTERESTED', true]]);
    const [t18] = await db.query<{ status: string }>('SELECT status FROM tasks WHERE task_id = 18');
    expect(t18?.status).toBe('DONE');
    expect(await count(db, "SELECT count(*) AS n FROM consent_events WHERE customer_id = 'C5'")).toBe(1);

    const before = await snapshot(db);
    const second = await applyCallbacks(db, config, items, {
      actor: 'test',
      source: 'FILE:cb.jsonl',
      now: AT_09,
    });
    expect(second).toMatchObject({ lines: 8, applied: 0, duplicates: 5 });
    expect(await snapshot(db)).toBe(before);
    expect(await count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'CHANNEL_CALLBACK'")).toBe(2);
  });

  it('runs as an afterPublish step of the nightly scheduler', async () => {
    await db.exec(
      `INSERT INTO leads VALUES (20, DATE '2026-11-15', 'WEALTH', 'CUSTOMER', 'C4', 'C4', 'C4', NULL, '{"age": 46}', '{"age": 46}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, 0.5, FALSE, FALSE)`,
    );
    await db.exec(
      `INSERT INTO tasks VALUES (20, 20, 'WEALTH', 'C4', 'RC', NULL, 'SMS', 'O3', 'OPEN', NULL, DATE '${D}', DATE '${D}', DATE '2027-01-27', NULL, NULL, NULL)`,
    );
    const ops = opsConfigSchema.parse({ channels: { sms: { outDir: join(dir, 'step') } } });
    const logs: object[] = [];
    const log = { info: (o: object) => void logs.push(o), warn: () => undefined, error: () => undefined };
    for (const step of channelsAndNoticesSteps(config, ops))
      await step({
        db,
        asOf: D,
        drop: 'd',
        loadId: 1,
        runId: 1,
        at: new Date(AT_09.getTime() + 7_200_000),
        log,
      });
    const [line] = await db.query<{ task_id: number }>(
      'SELECT task_id FROM channel_batch_lines WHERE task_id = 20',
    );
    expect(Number(line?.task_id)).toBe(20);
    expect(JSON.stringify(logs)).not.toMatch(MOBILE);
  });

  it('applies the callback files dropped in the callbacks folder, once, and moves them aside', async () => {
    const ops = opsConfigSchema.parse({ channels: { callbacks: { inDir: 'cb-in' } } });
    const inDir = join(dir, 'cb-in');
    mkdirSync(inDir, { recursive: true });
    const [line] = await db.query<{ batch_id: number; line_no: number }>(
      'SELECT batch_id, line_no FROM channel_batch_lines WHERE task_id = 20',
    );
    const file = join(inDir, 'delivery.csv');
    writeFileSync(
      file,
      `batch_id,line_no,status,at\r\n${line?.batch_id},${line?.line_no},FAILED,2027-01-21T11:01:00+08:00\r\n`,
    );
    const now = new Date(AT_09.getTime() + 7_300_000);
    // Too fresh (it may still be being written): left alone.
    utimesSync(file, now, now);
    expect(await applyCallbackDir(db, config, ops, { now, baseDir: dir })).toEqual([]);
    const old = new Date(now.getTime() - 60_000);
    utimesSync(file, old, old);
    const [report] = await applyCallbackDir(db, config, ops, { now, baseDir: dir });
    expect(report).toMatchObject({ source: 'FILE:delivery.csv', lines: 1, applied: 1 });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(join(inDir, 'applied', 'delivery.csv'))).toBe(true);
    expect(JSON.parse(readFileSync(join(inDir, 'applied', 'delivery.csv.report.json'), 'utf8')).applied).toBe(
      1,
    );
    const [c] = await db.query<{ outcome: string }>('SELECT outcome FROM contacts WHERE task_id = 20');
    expect(c?.outcome).toBe('NOT_REACHED');
  });

  it('reads CSV callback files too', () => {
    const items = parseCallbackText(
      '\uFEFFbatch_id,line_no,status,at,note\r\n1,2,"DELIVERED",2027-01-21T01:00:00Z,"a, b"\r\n',
      true,
    );
    expect(items).toEqual([
      {
        line: 2,
        value: { batch_id: '1', line_no: '2', status: 'DELIVERED', at: '2027-01-21T01:00:00Z', note: 'a, b' },
      },
    ]);
  });
});

describe('batch files', () => {
  it('neutralise formulas in CSV text cells but keep phone numbers as they are', () => {
    const text = batchFileText(
      [
        {
          batch_id: 1,
          line_no: 1,
          task_id: 5,
          customer_id: 'C1',
          phone: '+8613800000001',
          name: '=HYPERLINK("x")',
          activity_id: 'A',
          message: 'hi, there',
          refusal_instruction: '回复TD退订',
        },
      ],
      'csv',
    );
    expect(text.split('\r\n')[1]).toBe(
      '1,1,5,C1,+8613800000001,"\'=HYPERLINK(""x"")",A,"hi, there",回复TD退订',
    );
  });
});

describeEachEngine('SMS push to the gateway', (engine) => {
  let db: TestDb;
  let dir: string;
  let server: Server;
  let url: string;
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  let answer = 500;

  beforeAll(async () => {
    db = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'wangji-push-'));
    await insertBank(db, bank);
    await insertRemoteWork(db);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = answer;
        res.end(answer === 200 ? '{"accepted":true}' : 'down');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms/batches`;
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pushes the batch with its token; a failed push is marked and pushed again on the next send', async () => {
    const channels = channelsConfigSchema.parse({ sms: { mode: 'http', gatewayUrl: url } });
    const env = { WANGJI_SMS_GATEWAY_TOKEN: 'gw-secret' };
    answer = 500;
    const [sms] = await produceChannelBatches(db, config, channels, {
      now: AT_09,
      actor: 'test',
      baseDir: dir,
      channel: 'SMS',
      env,
    });
    expect(sms).toMatchObject({ status: 'PUSH_FAILED', lines: 2, error: 'the gateway answered HTTP 500' });
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe('Bearer gw-secret');
    expect(received[0]?.headers['x-wangji-batch']).toBe(String(sms?.batchId));
    expect(received[0]?.body).toBe(readFileSync(sms?.filePath as string, 'utf8'));
    expect(received[0]?.body).toContain(RAW.C1.phone);

    answer = 200;
    const [next] = await produceChannelBatches(db, config, channels, {
      now: new Date(AT_09.getTime() + 60_000),
      actor: 'test',
      baseDir: dir,
      channel: 'SMS',
      env,
    });
    expect(next?.status).toBe('EMPTY');
    expect(received).toHaveLength(2); // the failed batch again, nothing else
    expect(received[1]?.body).toBe(received[0]?.body);
    const [b] = await db.query<{ status: string; error: string | null }>(
      'SELECT status, error FROM channel_batches WHERE batch_id = $1',
      [sms?.batchId as number],
    );
    expect(b).toEqual({ status: 'SENT', error: null });
    expect(await count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'CHANNEL_PUSHED'")).toBe(1);
    expect(await count(db, "SELECT count(*) AS n FROM audit_log WHERE action = 'CHANNEL_PUSH_FAILED'")).toBe(
      1,
    );
  });
});

describeEachEngine('two sends at once', (engine) => {
  let db: TestDb;
  let dir: string;

  beforeAll(async () => {
    db = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'wangji-concurrent-'));
    await insertBank(db, bank);
    await insertRemoteWork(db);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('never hand off a task twice nor break the cap', async () => {
    const channels = channelsConfigSchema.parse({});
    const send = () =>
      produceChannelBatches(db, config, channels, { now: AT_09, actor: 'test', baseDir: dir });
    const [a, b] = await Promise.all([send(), send()]);
    const lines = [...(a ?? []), ...(b ?? [])].reduce((n, r) => n + r.lines, 0);
    expect(lines).toBe(4);
    const rows = await db.query<{ task_id: number }>(
      'SELECT task_id FROM channel_batch_lines ORDER BY task_id',
    );
    expect(rows.map((r) => Number(r.task_id))).toEqual([11, 12, 18, 19]);
  });
});
