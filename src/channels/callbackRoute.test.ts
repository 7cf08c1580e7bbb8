// POST /api/channels/callback on both engines: off (503) without a configured token, 401 with a wrong
// one, applied once with the right one (the same body again changes nothing), audited, and no phone
// number in any answer or log line.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bank, config, RAW } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { MOBILE } from '../../test/server.js';
import { buildApp } from '../server/app.js';
import { produceChannelBatches } from './batches.js';
import { channelsConfigSchema } from './config.js';

const D = '2027-01-20';
const AT = new Date('2027-01-21T02:00:00Z');

describeEachEngine('POST /api/channels/callback', (engine) => {
  let db: TestDb;
  let app: FastifyInstance;
  let dir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    db = await engine.open();
    dir = mkdtempSync(join(tmpdir(), 'wangji-cb-'));
    await insertBank(db, bank);
    await db.exec(
      `INSERT INTO leads VALUES (1, DATE '2026-11-15', 'WEALTH', 'CUSTOMER', 'C1', 'C1', 'C1', NULL, '{"age": 46}', '{"age": 46}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, 0.5, FALSE, FALSE)`,
    );
    await db.exec(
      `INSERT INTO tasks VALUES (1, 1, 'WEALTH', 'C1', 'RC', NULL, 'OUTBOUND_CALL', 'O1', 'OPEN', NULL, DATE '${D}', DATE '${D}', DATE '2027-01-27', NULL, NULL, NULL)`,
    );
    const [call] = await produceChannelBatches(db, config, channelsConfigSchema.parse({}), {
      now: AT,
      actor: 'test',
      baseDir: dir,
      channel: 'OUTBOUND_CALL',
    });
    expect(call?.lines).toBe(1);
    app = await buildApp({
      db,
      config,
      now: () => AT,
      log: { level: 'info', stream: { write: (l: string) => void logs.push(l) } },
    });
    await app.ready();
  }, 120_000);

  afterAll(async () => {
    delete process.env.WANGJI_CHANNELS_CALLBACK_TOKEN;
    await app?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const body = {
    lines: [{ batch_id: 1, line_no: 1, status: 'INTERESTED', at: '2027-01-21T10:30:00+08:00' }],
  };
  const post = (authorization?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/channels/callback',
      headers: authorization ? { authorization } : {},
      payload: body,
    });

  it('is off without a configured token, refuses a wrong one, applies the right one once', async () => {
    delete process.env.WANGJI_CHANNELS_CALLBACK_TOKEN;
    const off = await post('Bearer anything');
    expect(off.statusCode).toBe(503);
    process.env.WANGJI_CHANNELS_CALLBACK_TOKEN = 'cb-secret';
    expect((await post()).statusCode).toBe(401);
    expect((await post('Bearer wrong')).statusCode).toBe(401);
    const [before] = await db.query<{ outcome: string }>('SELECT outcome FROM contacts WHERE task_id = 1');
    expect(before?.outcome).toBe('CONTACTED');
    const ok = await post('Bearer cb-secret');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ source: 'HTTP', lines: 1, applied: 1, duplicates: 0, rejected: [] });
    const [after] = await db.query<{ outcome: string }>('SELECT outcome FROM contacts WHERE task_id = 1');
    expect(after?.outcome).toBe('INTERESTED');
    const again = await post('Bearer cb-secret');
    expect(again.json()).toMatchObject({ applied: 0, duplicates: 1 });
    const audits = await db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'CHANNEL_CALLBACK' ORDER BY seq",
    );
    expect(audits.map((a) => a.actor)).toEqual(['channel-gateway', 'channel-gateway']);
    for (const text of [off.body, ok.body, again.body, ...logs]) {
      expect(text).not.toMatch(MOBILE);
      expect(text).not.toContain(RAW.C1.phone);
      expect(text).not.toContain('cb-secret');
    }
  });
});
