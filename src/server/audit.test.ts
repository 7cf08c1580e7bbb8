// GET /api/audit and GET /api/audit/verify (issue #8) on both engines: the auditor reads the log newest
// first with the actor's role, every other role is refused (403, itself audited DENIED); the filters
// (instants, actor, actions, target) and the paging totals are worked by hand over entries appended at
// known times; a digit run in a detail leaves masked; the chain check names the first broken row after a
// row is edited behind the log's back.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { bank } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import {
  expectNoPersonalData,
  noopSeasonConfig,
  startTestServer,
  type TestServer,
} from '../../test/server.js';
import { appendAudit } from '../audit/log.js';

const NOW = new Date('2026-12-01T10:00:00Z');
const at = (hhmm: string) => new Date(`2026-11-30T${hhmm}:00Z`);

interface Entry {
  seq: number | null;
  loggedAt: string;
  actor: string;
  role: string | null;
  action: string;
  subject: string | null;
  detail: string | null;
}

describeEachEngine('GET /api/audit: the audit log for auditors', (engine) => {
  let db: TestDb;
  let server: TestServer;
  let before: number;

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    server = await startTestServer({
      db,
      config: noopSeasonConfig(),
      now: NOW,
      log: false,
      users: [
        { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null },
        { user: 'hq.ops', role: 'HQ_OPS', org: 'H', staff: null },
        { user: 'branch', role: 'BRANCH_MANAGER', org: 'B1', staff: 'BM1' },
      ],
    });
    // The users' creation and sign-ins are in the log already.
    const [n] = await db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log');
    before = Number(n?.n);
    expect(await server.audits('LOGIN')).toBe(3);
    // Known entries, logged at known times on the day before (the sign-ins are later: NOW).
    await appendAudit(db, {
      actor: 'hq.ops',
      action: 'RUN',
      subject: 'run:1',
      detail: { asOf: '2026-11-30' },
      at: at('01:00'),
    });
    await appendAudit(db, {
      actor: 'hq.ops',
      action: 'LOAD',
      subject: 'load:7',
      detail: { files: 3 },
      at: at('02:00'),
    });
    await appendAudit(db, { actor: 'cli:ops', action: 'RUN', subject: 'run:2', at: at('03:00') });
    await appendAudit(db, {
      actor: 'branch',
      action: 'REVEAL',
      subject: 'customer:C42',
      detail: { note: 'called back on 13912345678' },
      at: at('04:00'),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const list = async (query: string) => {
    const res = await server.call('GET', `/api/audit${query}`, { as: 'auditor' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { total: number; entries: Entry[]; actions: string[] };
  };

  it('lists every entry newest first, with the actor’s role, to the auditor', async () => {
    const all = await list('?limit=1000');
    expect(all.total).toBe(before + 4);
    expect(all.entries).toHaveLength(all.total);
    const seqs = all.entries.map((e) => e.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const run = all.entries.find((e) => e.subject === 'run:1');
    expect(run).toMatchObject({
      actor: 'hq.ops',
      role: 'HQ_OPS',
      action: 'RUN',
      loggedAt: '2026-11-30T01:00:00.000Z',
      detail: '{"asOf":"2026-11-30"}',
    });
    expect(all.entries.find((e) => e.actor === 'cli:ops')?.role).toBeNull();
    expect(all.actions).toEqual(expect.arrayContaining(['LOAD', 'LOGIN', 'REVEAL', 'RUN']));
    // The phone in the detail leaves masked.
    const reveal = all.entries.find((e) => e.action === 'REVEAL');
    expect(reveal?.detail).not.toContain('13912345678');
    expect(reveal?.detail).toMatch(/called back on 139/);
    expectNoPersonalData([JSON.stringify(all)]);
  });

  it('refuses every other role (403), and the refusal is audited', async () => {
    const denied = await server.audits('DENIED');
    for (const as of ['hq.ops', 'branch']) {
      expect((await server.call('GET', '/api/audit', { as })).statusCode).toBe(403);
      expect((await server.call('GET', '/api/audit/verify', { as })).statusCode).toBe(403);
    }
    expect(await server.audits('DENIED')).toBe(denied + 4);
    expect((await server.call('GET', '/api/audit')).statusCode).toBe(401);
  });

  it('filters by instants, actor, actions and target', async () => {
    const window = await list(
      `?from=${encodeURIComponent('2026-11-30T10:00:00+08:00')}&to=2026-11-30T04:00:00Z`,
    );
    expect(window.entries.map((e) => e.subject)).toEqual(['run:2', 'load:7']);
    expect(window.total).toBe(2);
    const byActor = await list('?actor=hq.ops&action=LOAD,RUN,LOGIN');
    expect(byActor.entries.map((e) => e.action)).toEqual(['LOAD', 'RUN', 'LOGIN']);
    const runs = await list('?action=RUN');
    expect(runs.entries.map((e) => e.subject)).toEqual(['run:2', 'run:1']);
    const two = await list('?action=RUN,LOAD&actor=hq.ops');
    expect(two.entries.map((e) => e.subject)).toEqual(['load:7', 'run:1']);
    const target = await list('?target=RUN:');
    expect(target.entries.map((e) => e.subject)).toEqual(['run:2', 'run:1']);
    expect((await list('?target=C42')).entries.map((e) => e.action)).toEqual(['REVEAL']);
    expect((await list('?actor=nobody')).total).toBe(0);
    // Refused in words: a date without a time, an action in lower case.
    for (const bad of ['?from=2026-11-30', '?action=run', '?limit=0']) {
      const res = await server.call('GET', `/api/audit${bad}`, { as: 'auditor' });
      expect(res.statusCode, bad).toBe(400);
    }
  });

  it('pages with the total of the filtered entries', async () => {
    const all = await list('?action=RUN,LOAD,REVEAL');
    expect(all.total).toBe(4);
    const first = await list('?action=RUN,LOAD,REVEAL&limit=3');
    const second = await list('?action=RUN,LOAD,REVEAL&limit=3&offset=3');
    expect(first.total).toBe(4);
    expect(second.total).toBe(4);
    expect(first.entries).toHaveLength(3);
    expect(second.entries).toHaveLength(1);
    expect([...first.entries, ...second.entries]).toEqual(all.entries);
    expect((await list('?offset=1000')).entries).toEqual([]);
  });

  it('verifies the chain: intact, then the first row edited behind its back', async () => {
    const res = await server.call('GET', '/api/audit/verify', { as: 'auditor' });
    expect(res.statusCode).toBe(200);
    const ok = res.json();
    expect(ok.ok).toBe(true);
    expect(ok.firstBroken).toBeUndefined();
    expect(ok.head.seq).toBeGreaterThan(4);
    expect(ok.checkedAt).toBe(NOW.toISOString());
    const [row] = await db.query<{ seq: number }>("SELECT seq FROM audit_log WHERE subject = 'load:7'");
    // PostgreSQL refuses UPDATE of a chained row (a trigger): the edit goes round it, as a tamperer would.
    if (engine.kind === 'postgres') await db.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await db.execute("UPDATE audit_log SET detail = '{\"files\":4}' WHERE subject = 'load:7'");
    if (engine.kind === 'postgres') await db.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
    const broken = (await server.call('GET', '/api/audit/verify', { as: 'auditor' })).json();
    expect(broken.ok).toBe(false);
    expect(broken.firstBroken.seq).toBe(Number(row?.seq));
    expect(broken.firstBroken.reason).toMatch(/does not match its hash/);
  });
});
