// The workbench's read model (src/server/workbench.ts) on both engines: what an account manager or a
// corporate RM is answered from memory equals what the database query answers, a write through the
// API shows at once (to the writer and to everyone whose list it changed), a finished load or run
// drops everything, and a write by another process shows within the time to live.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { bank, config, D, insertWork, NOW } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { startTestServer, type TestServer, type TestUser } from '../../test/server.js';
import type { Db } from '../db/types.js';
import {
  recordOutcome,
  TASK_VIEW_COLUMNS,
  TASK_VIEW_FROM,
  TASK_VIEW_ORDER,
  toTaskView,
} from '../leads/work.js';
import { runPipeline } from '../pipeline/runner.js';
import { dataChanged } from './changes.js';
import { permissionsOf, ROLE_DEFS } from './roles.js';
import { SqlParams, taskVisible } from './scope.js';
import { byTaskOrder, Workbench, type WorkbenchView } from './workbench.js';

const USERS: TestUser[] = [
  { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
  { user: 'am2', role: 'ACCOUNT_MANAGER', org: 'O2', staff: 'AM2' },
  { user: 'rm1', role: 'CORPORATE_RM', org: 'S1', staff: 'RM1' },
  { user: 'outlet', role: 'OUTLET_MANAGER', org: 'O1', staff: 'OM1' },
];

const principal = (u: TestUser) => ({
  userId: 0,
  username: u.user,
  role: u.role,
  orgId: u.org,
  staffId: u.staff,
  scope: ROLE_DEFS[u.role].scope,
  permissions: permissionsOf(u.role),
  sessionId: 'x',
  csrfToken: 'x',
});

/** A Db that counts its queries and can hold them until released (a read caught in flight). */
function counting(db: Db) {
  let queries = 0;
  let gate: Promise<void> | null = null;
  const wrapped = new Proxy(db, {
    get(target, k) {
      if (k === 'query')
        return async (...args: Parameters<Db['query']>) => {
          queries++;
          if (gate) await gate;
          return target.query(...args);
        };
      const v = Reflect.get(target, k);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    db: wrapped as Db,
    queries: () => queries,
    hold: () => {
      let release = () => {};
      gate = new Promise<void>((r) => {
        release = r;
      });
      return () => {
        gate = null;
        release();
      };
    },
  };
}

/** An outcome on a task as the outcome route reports it to the workbench (not in the database). */
const outcomeOn = (taskId: number) => ({
  taskId,
  status: 'IN_PROGRESS',
  outcome: 'NOT_REACHED',
  contactId: 1_000_000 + taskId,
  contactAt: '2027-01-21T02:00:00.000Z',
  staffId: null,
});

/** A view without the instants its entries were read at. */
const content = (v: WorkbenchView) => ({
  own: { ...v.own, builtAt: 0 },
  pool: v.pool ? { ...v.pool, builtAt: 0 } : null,
});

it('orders tasks as the database does: open first, queued last, exact priority, then id', () => {
  const t = (task_id: number, status: string, priority: string) => ({ task_id, status, priority });
  const rows = [
    t(1, 'QUEUED', '9'),
    t(2, 'OPEN', '0.10000000000000000001'),
    t(3, 'OPEN', '0.1'),
    t(4, 'IN_PROGRESS', '12.5'),
    t(5, 'OPEN', '0.1'),
    t(6, 'OPEN', '2'),
  ];
  expect([...rows].sort(byTaskOrder).map((r) => r.task_id)).toEqual([4, 6, 2, 3, 5, 1]);
});

describeEachEngine('the workbench read model', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const ids = async (as: string, query = '') =>
    (
      (await server.call('GET', `/api/tasks?status=OPEN,IN_PROGRESS,QUEUED,DONE${query}`, { as })).json()
        .tasks as { task_id: number }[]
    ).map((t) => t.task_id);

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const run = await runPipeline(db, { asOf: D, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    await insertWork(db);
    server = await startTestServer({ db, config, users: USERS, now: NOW, log: false });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('answers from memory exactly what the database query answers', async () => {
    for (const u of USERS.filter((x) => ROLE_DEFS[x.role].scope === 'OWN')) {
      const params = new SqlParams();
      const rows = await db.query(
        `SELECT ${TASK_VIEW_COLUMNS} FROM ${TASK_VIEW_FROM} WHERE ${taskVisible(principal(u), params)}
          ORDER BY ${TASK_VIEW_ORDER}`,
        params.values,
      );
      const expected = rows.map((r) => toTaskView(config, r, 'en'));
      const res = await server.call('GET', '/api/tasks?status=OPEN,IN_PROGRESS,QUEUED,DONE,CLOSED&lang=en', {
        as: u.user,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().tasks, u.user).toEqual(expected);
      expect(res.json().total).toBe(expected.length);
      for (const t of expected) {
        const detail = await server.call('GET', `/api/tasks/${t.task_id}?lang=en`, { as: u.user });
        expect(detail.json().task, `${u.user} task ${t.task_id}`).toEqual(t);
      }
    }
    // The filters and paging of the list.
    expect(await ids('am1')).toEqual([2, 1]);
    expect(await ids('am1', '&view=mine')).toEqual([1]);
    expect(await ids('am1', '&view=pool')).toEqual([2]);
    expect(await ids('am1', '&activity=OTHER')).toEqual([]);
    const page = (await server.call('GET', '/api/tasks?limit=1&offset=1', { as: 'am1' })).json();
    expect([page.total, page.tasks.map((t: { task_id: number }) => t.task_id)]).toEqual([2, [1]]);
  });

  it('pages a manager’s list from the database exactly as the one joined query orders it', async () => {
    // Managers (SUBTREE) are answered from the database: the page's tasks first, then their rows
    // (src/server/routes/tasks.ts). Expected here from the plain query, the subtree by EXISTS.
    const u = USERS.find((x) => x.user === 'outlet') as TestUser;
    const rows = await db.query(
      `SELECT ${TASK_VIEW_COLUMNS} FROM ${TASK_VIEW_FROM}
        WHERE EXISTS (SELECT 1 FROM org_closure sc WHERE sc.org_id = t.org_id AND sc.ancestor_id = $1)
        ORDER BY ${TASK_VIEW_ORDER}`,
      [u.org],
    );
    const expected = rows.map((r) => toTaskView(config, r, 'en'));
    expect(expected.length).toBeGreaterThan(1);
    const statuses = 'status=OPEN,IN_PROGRESS,QUEUED,DONE,CLOSED&lang=en';
    const whole = (await server.call('GET', `/api/tasks?${statuses}`, { as: u.user })).json();
    expect([whole.total, whole.tasks]).toEqual([expected.length, expected]);
    for (let offset = 0; offset <= expected.length; offset++) {
      const page = (
        await server.call('GET', `/api/tasks?${statuses}&limit=1&offset=${offset}`, { as: u.user })
      ).json();
      expect([page.total, page.tasks], `offset ${offset}`).toEqual([
        expected.length,
        expected.slice(offset, offset + 1),
      ]);
    }
  });

  it('shows a write through the API at once, to the writer and to those whose list it changed', async () => {
    const outcome = await server.call('POST', '/api/tasks/1/outcome', {
      as: 'am1',
      body: { outcome: 'INTERESTED' },
    });
    expect(outcome.statusCode, outcome.body).toBe(200);
    const detail = (await server.call('GET', '/api/tasks/1', { as: 'am1' })).json();
    expect(detail.task.last_outcome).toBe('INTERESTED');
    expect(detail.contacts.map((c: { outcome: string }) => c.outcome)).toContain('INTERESTED');

    // The outlet manager hands am1's task to O1's pool: am1 sees it in the pool, no longer as its own.
    const moved = await server.call('POST', '/api/tasks/1/reassign', {
      as: 'outlet',
      body: { poolOrgId: 'O1' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await ids('am1', '&view=mine')).toEqual([]);
    expect(await ids('am1', '&view=pool')).toEqual([2, 1]);
    // … and back to am1, who picks it up.
    const taken = await server.call('POST', '/api/tasks/1/pickup', { as: 'am1' });
    expect(taken.statusCode, taken.body).toBe(200);
    expect(await ids('am1', '&view=mine')).toEqual([1]);
  });

  it('writes an outcome into the entries holding its task, in place, as the database then answers them', async () => {
    const c = counting(db);
    const wb = new Workbench(c.db, { ttlMs: 60_000 });
    const am1 = principal(USERS[0] as TestUser);
    await wb.view(am1, true); // am1's own (task 1) and O1's pool (task 2)
    const reads = c.queries();
    // Two at the same instant (the contacts' order then by id), a pool task, a refusal closing task 1.
    for (const [taskId, outcome] of [
      [1, 'NOT_REACHED'],
      [2, 'CONTACTED'],
      [1, 'NOT_REACHED'],
      [1, 'REFUSED'],
    ] as const) {
      const r = await recordOutcome(db, config, { taskId, outcome, staffId: 'AM1', at: NOW });
      const o = {
        taskId,
        status: r.task_status,
        outcome,
        contactId: Number(r.contact_id),
        contactAt: r.contact_at,
        staffId: 'AM1',
      };
      wb.recorded(o);
      wb.recorded(o); // twice: no second contact
    }
    expect(c.queries()).toBe(reads); // nothing read again
    const patched = await wb.view(am1, true);
    expect(patched.own.byId.get(1)).toMatchObject({ status: 'DONE', last_outcome: 'REFUSED' });
    const fresh = await new Workbench(db, { ttlMs: 60_000 }).view(am1, true);
    expect(content(patched)).toEqual(content(fresh));
    // An entry read after the outcome already holds it: left as it is.
    const r = await recordOutcome(db, config, { taskId: 2, outcome: 'INTERESTED', staffId: 'AM1', at: NOW });
    const after = new Workbench(db, { ttlMs: 60_000 });
    await after.view(am1, true);
    after.recorded({
      taskId: 2,
      status: r.task_status,
      outcome: 'INTERESTED',
      contactId: Number(r.contact_id),
      contactAt: r.contact_at,
      staffId: 'AM1',
    });
    expect(content(await after.view(am1, true))).toEqual(
      content(await new Workbench(db, { ttlMs: 60_000 }).view(am1, true)),
    );
  });

  it('keeps a read that was in flight during a change unless the change concerns what it holds', async () => {
    const c = counting(db);
    const wb = new Workbench(c.db, { ttlMs: 60_000 });
    const [am1, am2] = [principal(USERS[0] as TestUser), principal(USERS[1] as TestUser)];
    const caught = async (p: typeof am1, change: () => Promise<void> | void) => {
      wb.dataChanged(); // nothing kept: the view below is read
      const release = c.hold();
      const reading = wb.view(p, false);
      await new Promise((r) => setTimeout(r, 100)); // the read has begun (after its 25 ms gathering)
      await change();
      release();
      await reading;
      const n = c.queries();
      await wb.view(p, false);
      return c.queries() > n; // read again?
    };
    // am2's task and customer, while am1's tasks are read: am1's read is kept.
    expect(await caught(am1, () => wb.changed({ tasks: [3], customers: ['C3'], staff: ['AM2'] }))).toBe(
      false,
    );
    expect(await caught(am1, () => wb.recorded({ ...outcomeOn(3) }))).toBe(false);
    // A change to what the read holds: read again at the next request.
    expect(await caught(am2, () => wb.changed({ tasks: [3] }))).toBe(true);
    // An outcome on what it holds is written into it when it arrives: kept, with the outcome.
    expect(await caught(am2, () => wb.recorded({ ...outcomeOn(3) }))).toBe(false);
    const kept = (await wb.view(am2, false)).own;
    expect(kept.byId.get(3)).toMatchObject({ status: 'IN_PROGRESS', last_outcome: 'NOT_REACHED' });
    expect(kept.contacts.get(3)?.map((k) => k.contact_id)).toContain(1_000_003);
    expect(await caught(am1, () => wb.dataChanged())).toBe(true);
  });

  it('drops everything when a load or a run has finished, and sees another process’s write within the time to live', async () => {
    expect(await ids('am2')).toContain(3);
    // Another process closes task 3 (the CLI, or a second server on PostgreSQL).
    await db.execute("UPDATE tasks SET status = 'CLOSED' WHERE task_id = 3");
    expect(await ids('am2')).toContain(3); // still the kept answer
    dataChanged(server.app); // a load or a run finished in this server
    expect(await ids('am2')).not.toContain(3);

    let clock = 0;
    const wb = new Workbench(db, { ttlMs: 5_000, now: () => clock });
    const am2 = principal(USERS[1] as TestUser);
    expect([...(await wb.view(am2, false)).own.byId.keys()]).toEqual([3]);
    await db.execute("UPDATE tasks SET status = 'OPEN' WHERE task_id = 3");
    clock = 4_999;
    expect((await wb.view(am2, false)).own.byId.get(3)?.status).toBe('CLOSED');
    clock = 5_000;
    expect((await wb.view(am2, false)).own.byId.get(3)?.status).toBe('OPEN');
    // A change to a customer drops the entries holding any of that customer's tasks.
    await db.execute("UPDATE tasks SET status = 'IN_PROGRESS' WHERE task_id = 3");
    await wb.changed({ customers: ['C3'] });
    expect((await wb.view(am2, false)).own.byId.get(3)?.status).toBe('IN_PROGRESS');
  });
});
