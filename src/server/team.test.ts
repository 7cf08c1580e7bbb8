// GET /api/team on the hand-made bank of test/api-bank.ts (both engines), with a little more work
// inserted: AM1 has an overdue task in progress, a done one and a conversion credited to them; AM2's
// two contacts of the last days count, an older one (8 days before the app's clock) does not; a control
// lead's conversion is nobody's credit. Worked by hand below.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { bank, config, D, insertWork, NOW } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { startTestServer, type TestServer } from '../../test/server.js';
import { runPipeline } from '../pipeline/runner.js';

describeEachEngine('GET /api/team: the team’s progress on leads', (engine) => {
  let db: TestDb;
  let server: TestServer;

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const run = await runPipeline(db, { asOf: D, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    await insertWork(db);
    const lead = (id: number, activity: string) =>
      `(${id}, DATE '2026-11-15', '${activity}', 'CUSTOMER', 'C1', 'C1', 'C1', NULL, '{"age": 46}', '{"age": 46}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, 0.5, FALSE, FALSE)`;
    await db.exec(`INSERT INTO leads VALUES ${lead(7, 'WEALTH_B')}, ${lead(8, 'WEALTH_C')}`);
    const task = (id: number, staff: string, status: string, due: string) =>
      `(${id}, ${id}, 'WEALTH', 'C1', 'O1', '${staff}', 'MANAGER', 'O1', '${status}', NULL, DATE '${D}', DATE '${D}', DATE '${due}', NULL, NULL, NULL)`;
    await db.exec(
      `INSERT INTO tasks VALUES ${task(7, 'AM1', 'IN_PROGRESS', '2027-01-20')}, ${task(8, 'AM1', 'DONE', '2027-01-25')}`,
    );
    await db.exec(`INSERT INTO contacts VALUES
      (3, 3, 3, 'WEALTH', 'C3', 'AM2', 'MANAGER', 'CONTACTED', NULL, NULL, TIMESTAMP '2027-01-13 01:00:00', TIMESTAMP '2027-01-13 01:00:00', TRUE, TRUE),
      (4, 1, 1, 'WEALTH', 'C1', 'AM1', 'MANAGER', 'NOT_REACHED', NULL, NULL, TIMESTAMP '2027-01-20 03:00:00', TIMESTAMP '2027-01-20 03:00:00', FALSE, TRUE)`);
    const [season] = await db.query<{ s: string }>(
      'SELECT CAST(max(season_start) AS VARCHAR) AS s FROM leads',
    );
    await db.exec(`INSERT INTO conversions VALUES
      (8, DATE '${season?.s}', 'WEALTH', 'C1', 'WEALTH_PURCHASE', DATE '${D}', 'W1', FALSE, FALSE, 8, 'O1', 'AM1', DATE '${D}'),
      (9, DATE '${season?.s}', 'WEALTH', 'C2', 'WEALTH_PURCHASE', DATE '${D}', 'W2', TRUE, FALSE, NULL, NULL, 'AM2', DATE '${D}')`);
    server = await startTestServer({
      db,
      config,
      now: NOW,
      users: [
        { user: 'branch', role: 'BRANCH_MANAGER', org: 'B1', staff: 'BM1' },
        { user: 'outlet', role: 'OUTLET_MANAGER', org: 'O1', staff: 'OM1' },
        { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('lists each task worker of the subtree with their tasks, overdue ones, contacts and conversions', async () => {
    const res = await server.call('GET', '/api/team', { as: 'branch' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { today: string; org_id: string; members: Record<string, unknown>[] };
    expect(body.today).toBe('2027-01-21');
    expect(body.org_id).toBe('B1');
    // Lobby and teller staff of O1 do not work tasks; AM3 (O3) and RA1 (RC) are outside B1.
    const zero = { queued: 0, open: 0, in_progress: 0, done: 0, overdue: 0, contacts_7d: 0, converted: 0 };
    expect(body.members).toEqual([
      {
        staff_id: 'AM1',
        staff_name: '经理一',
        role: 'ACCOUNT_MANAGER',
        org_id: 'O1',
        org_name: '网点一',
        ...zero,
        open: 1,
        in_progress: 1,
        done: 1,
        overdue: 1,
        converted: 1,
      },
      {
        staff_id: 'AM2',
        staff_name: '经理二',
        role: 'ACCOUNT_MANAGER',
        org_id: 'O2',
        org_name: '网点二',
        ...zero,
        open: 1,
        contacts_7d: 2,
      },
      {
        staff_id: 'BM1',
        staff_name: '分行长',
        role: 'BRANCH_MANAGER',
        org_id: 'B1',
        org_name: '分行一',
        ...zero,
      },
      {
        staff_id: 'OM1',
        staff_name: '网点主任',
        role: 'OUTLET_MANAGER',
        org_id: 'O1',
        org_name: '网点一',
        ...zero,
      },
      {
        staff_id: 'RM1',
        staff_name: '对公一',
        role: 'CORPORATE_RM',
        org_id: 'S1',
        org_name: '支行一',
        ...zero,
        open: 1,
      },
      {
        staff_id: 'SM1',
        staff_name: '支行长',
        role: 'SUBBRANCH_MANAGER',
        org_id: 'S1',
        org_name: '支行一',
        ...zero,
      },
    ]);
  });

  it('narrows to an org of the subtree, refuses one outside the scope and roles that do not manage', async () => {
    const o1 = await server.call('GET', '/api/team?org=O1', { as: 'branch' });
    expect((o1.json() as { members: { staff_id: string }[] }).members.map((m) => m.staff_id)).toEqual([
      'AM1',
      'OM1',
    ]);
    expect((await server.call('GET', '/api/team?org=O3', { as: 'branch' })).statusCode).toBe(404);
    expect((await server.call('GET', '/api/team?org=S1', { as: 'outlet' })).statusCode).toBe(404);
    expect((await server.call('GET', '/api/team', { as: 'am1' })).statusCode).toBe(403);
  });
});
