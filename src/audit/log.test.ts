// The audit log's hash chain on both engines: appends number and chain the rows, rows from before the
// chain are adopted once, concurrent appends stay in one unbroken chain, and verifyAudit finds the first
// row changed, deleted or inserted behind the log's back. PAD lookups write through it.

import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { loadSeasonConfig } from '../config/season.js';
import { PadLookup } from '../leads/pad.js';
import { appendAudit, auditHash, GENESIS_HASH, listAudit, verifyAudit, withAudit } from './log.js';

const T0 = new Date('2026-12-01T02:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

it('hashes a row over its chain position and every value, unambiguously', () => {
  const row = {
    seq: 1,
    loggedAt: T0.toISOString(),
    actor: 'a|b',
    action: 'X',
    subject: null,
    detail: null,
    prevHash: GENESIS_HASH,
  };
  const h = auditHash(row);
  expect(h).toMatch(/^[0-9a-f]{64}$/);
  expect(auditHash({ ...row, actor: 'a', action: 'b|X' })).not.toBe(h);
  expect(auditHash({ ...row, subject: '' })).not.toBe(h);
  expect(auditHash({ ...row, seq: 2 })).not.toBe(h);
});

describeEachEngine('audit log', (engine) => {
  let db: TestDb;
  beforeEach(async () => {
    db = await engine.open();
  });
  afterEach(async () => {
    await db?.close();
  });

  /** Let the test play the attacker: on PostgreSQL the append-only guard must be switched off first. */
  const asAttacker = async (sql: string) => {
    if (engine.kind === 'postgres')
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.exec(sql);
  };

  const appendFive = async () => {
    for (let i = 1; i <= 5; i++)
      await appendAudit(db, { actor: `u${i}`, action: 'TEST', subject: `S${i}`, detail: { i }, at: at(i) });
  };

  it('chains rows from before the chain first, then numbers every append', async () => {
    // Two PAD lookups logged before the chain existed (as migration 012's code wrote them).
    await db.exec(`INSERT INTO audit_log (logged_at, actor, action, subject, detail) VALUES
      (CAST('2026-11-30 09:00:00' AS TIMESTAMP), 'L1', 'PAD_LOOKUP', 'C02', '{"by":"customer_id"}'),
      (CAST('2026-11-30 08:00:00' AS TIMESTAMP), 'L1', 'PAD_LOOKUP', 'C01', NULL)`);
    expect(await verifyAudit(db)).toEqual({ ok: true, rows: 2, head: null });
    const r = await appendAudit(db, { actor: 'u1', action: 'TEST', subject: 'S1', detail: { n: 1 }, at: T0 });
    expect(r).toMatchObject({ seq: 3, detail: '{"n":1}', loggedAt: T0.toISOString() });
    const rows = await db.query<{
      seq: number;
      subject: string;
      prev_hash: string;
      hash: string;
      logged_at: string;
    }>('SELECT seq, subject, prev_hash, hash, logged_at FROM audit_log ORDER BY seq');
    expect(rows.map((x) => [x.seq, x.subject])).toEqual([
      [1, 'C01'],
      [2, 'C02'],
      [3, 'S1'],
    ]);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.hash);
    expect(rows[2]?.hash).toBe(r.hash);
    const v = await verifyAudit(db);
    expect(v).toEqual({ ok: true, rows: 3, head: { seq: 3, hash: r.hash } });
    expect((await listAudit(db, { limit: 2 })).map((x) => x.seq)).toEqual([3, 2]);
  });

  it('keeps concurrent appends in one unbroken chain, and an action with its entry in one transaction', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendAudit(db, { actor: 'u', action: 'TEST', subject: `S${i}` })),
    );
    expect(await verifyAudit(db)).toMatchObject({ ok: true, rows: 20, head: { seq: 20 } });
    // A failing action leaves no entry.
    await expect(
      withAudit(db, async (_tx, audit) => {
        await audit({ actor: 'u', action: 'TEST', subject: 'rolled back' });
        throw new Error('the action failed');
      }),
    ).rejects.toThrow(/the action failed/);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, rows: 20 });
    expect(await appendAudit(db, { actor: 'u', action: 'TEST' })).toMatchObject({ seq: 21 });
  });

  it('finds a changed row', async () => {
    await appendFive();
    if (engine.kind === 'postgres')
      await expect(db.exec("UPDATE audit_log SET detail = '{}' WHERE seq = 3")).rejects.toThrow(
        /append-only/,
      );
    await asAttacker(`UPDATE audit_log SET detail = '{"i":30}' WHERE seq = 3`);
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      rows: 5,
      firstBroken: { seq: 3, reason: expect.stringMatching(/seq 3 does not match its hash/) },
    });
  });

  it('finds a changed row whose hash was recomputed, at the next row', async () => {
    await appendFive();
    const [r] = await db.query<{ prev_hash: string; logged_at: string }>(
      'SELECT prev_hash, logged_at FROM audit_log WHERE seq = 2',
    );
    const forged = auditHash({
      seq: 2,
      loggedAt: r?.logged_at ?? '',
      actor: 'u2',
      action: 'TEST',
      subject: 'SOMEONE_ELSE',
      detail: '{"i":2}',
      prevHash: r?.prev_hash ?? '',
    });
    await asAttacker(`UPDATE audit_log SET subject = 'SOMEONE_ELSE', hash = '${forged}' WHERE seq = 2`);
    expect((await verifyAudit(db)).firstBroken).toEqual({
      seq: 3,
      reason: expect.stringMatching(/prev_hash does not match the hash of seq 2/),
    });
  });

  it('finds a deleted row', async () => {
    await appendFive();
    if (engine.kind === 'postgres')
      await expect(db.exec('DELETE FROM audit_log WHERE seq = 2')).rejects.toThrow(/append-only/);
    await asAttacker('DELETE FROM audit_log WHERE seq = 2');
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      rows: 4,
      firstBroken: { seq: 2, reason: 'seq 2 is missing: a row was deleted' },
    });
  });

  it('finds an inserted row, with or without a place in the chain', async () => {
    await appendFive();
    // Without a seq: it stays outside the chain (an append does not adopt it) and is reported.
    await db.exec(`INSERT INTO audit_log (logged_at, actor, action, subject, detail)
      VALUES (CAST('2026-12-01 02:00:02.500' AS TIMESTAMP), 'u9', 'TEST', 'FORGED', NULL)`);
    await appendAudit(db, { actor: 'u6', action: 'TEST', subject: 'S6', at: at(6) });
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      rows: 7,
      head: { seq: 6 },
      firstBroken: { seq: null, reason: expect.stringMatching(/^1 row outside the chain/) },
    });
    await asAttacker("DELETE FROM audit_log WHERE subject = 'FORGED'");
    expect((await verifyAudit(db)).ok).toBe(true);
    // With a seq, between two rows: the rows after it are renumbered, but the hashes give it away.
    await asAttacker('UPDATE audit_log SET seq = seq + 100 WHERE seq >= 4');
    await asAttacker('UPDATE audit_log SET seq = seq - 99 WHERE seq >= 104');
    const [r3] = await db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = 3');
    await db.execute(
      `INSERT INTO audit_log (logged_at, actor, action, subject, detail, seq, prev_hash, hash)
       VALUES (CAST('2026-12-01 02:00:03.500' AS TIMESTAMP), 'u9', 'TEST', 'FORGED', NULL, 4, $1, $2)`,
      [r3?.hash ?? '', 'f'.repeat(64)],
    );
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      rows: 7,
      firstBroken: {
        seq: 4,
        reason: expect.stringMatching(/seq 4 does not match its hash: changed, or inserted/),
      },
    });
  });

  it('chains PAD lookups', async () => {
    await insertBank(db, [
      [
        'orgs',
        'org_id, org_name, level, parent_id',
        ["('HQ', '总行', 'HQ', NULL)", "('OU1', '网点', 'OUTLET', 'HQ')"],
      ],
      [
        'staff',
        'staff_id, org_id, staff_name, role',
        ["('L1', 'OU1', '大堂一', 'LOBBY')", "('M1', 'OU1', '经理一', 'ACCOUNT_MANAGER')"],
      ],
    ]);
    await db.exec(`INSERT INTO audit_log (logged_at, actor, action, subject, detail)
      VALUES (CAST('2026-11-30 08:00:00' AS TIMESTAMP), 'L1', 'PAD_LOOKUP', 'C01', NULL)`);
    await db.exec('CREATE TABLE customer_features (customer_id VARCHAR, age INTEGER)'); // published by a run
    const pad = await PadLookup.open(db, loadSeasonConfig(), 'a-secret-of-16-chars');
    expect(await pad.lookup({ customerId: 'C404' }, { staffId: 'L1' })).toBeNull();
    expect(await pad.lookup({ idNo: '110101199001011234' }, { staffId: 'L1' })).toBeNull();
    await expect(pad.lookup({ customerId: 'C404' }, { staffId: 'M1' })).rejects.toThrow(
      /may not look customers up/,
    );
    const rows = await listAudit(db);
    expect(rows.map((r) => [r.seq, r.actor, r.action, r.subject, r.detail])).toEqual([
      [4, 'M1', 'PAD_LOOKUP_REFUSED', 'C404', '{"role":"ACCOUNT_MANAGER","by":"customer_id","found":true}'],
      [3, 'L1', 'PAD_LOOKUP', null, '{"role":"LOBBY","by":"id_no","found":false}'],
      [2, 'L1', 'PAD_LOOKUP', 'C404', '{"role":"LOBBY","by":"customer_id","found":true}'],
      [1, 'L1', 'PAD_LOOKUP', 'C01', null],
    ]);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, rows: 4, head: { seq: 4 } });
  });
});
