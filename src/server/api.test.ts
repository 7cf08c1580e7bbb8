// The API on a small hand-made bank, on both engines, through app.inject (no port): sign-in and its
// cookie, 401 / 403 / CSRF, the access matrix — every role × {dashboard, task list, task detail,
// outcome, reassign} × {an object in scope, one outside it} — with no cross-scope read or write, the
// contact policy's refusal as a 409 with its reason, errors without SQL or stacks, the OpenAPI
// document, and a scan of every response body (and log line) for unmasked ID numbers and phones.
//
// The bank: test/api-bank.ts.

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bank, config, D, insertWork, NOW, RAW, WEEK_BEFORE } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import {
  expectNoPersonalData,
  ID_NO,
  MOBILE,
  type Session,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../../test/server.js';
import type { Db, SqlValue } from '../db/types.js';
import { configureMasking } from '../domain/masking.js';
import { runPipeline } from '../pipeline/runner.js';
import { buildApp } from './app.js';
import { SESSION_COOKIE } from './auth/index.js';
import { type Principal, permissionsOf, ROLE_DEFS, type Role } from './roles.js';
import { customerVisible, SqlParams } from './scope.js';

/** One user per role (two account managers), with what each should and should not reach. */
interface Case extends TestUser {
  /** Every task id the list shows (null: 403). */
  tasks: number[] | null;
  /** Dashboard: an org in scope and one outside (null: none outside; the whole case null: 403). */
  dashboard: { inside: string; outside: string | null } | null;
  /** Task detail and outcome: a task in scope and one outside. */
  task: { inside: number; outside: number | null } | null;
  /** Reassign (null: 403): a task in scope to a staff member in scope, and a task / a staff member outside. */
  reassign: { task: number; to: string; outsideTask: number | null; outsideStaff: string | null } | null;
}

const CASES: Case[] = [
  {
    user: 'hq.admin',
    role: 'HQ_ADMIN',
    org: 'H',
    staff: null,
    tasks: [1, 2, 3, 4, 5, 6],
    dashboard: { inside: 'B2', outside: null },
    task: { inside: 4, outside: null },
    reassign: { task: 4, to: 'AM3', outsideTask: null, outsideStaff: null },
  },
  {
    user: 'hq.ops',
    role: 'HQ_OPS',
    org: 'H',
    staff: null,
    tasks: [1, 2, 3, 4, 5, 6],
    dashboard: { inside: 'O3', outside: null },
    task: { inside: 5, outside: null },
    reassign: { task: 3, to: 'AM2', outsideTask: null, outsideStaff: null },
  },
  {
    user: 'branch',
    role: 'BRANCH_MANAGER',
    org: 'B1',
    staff: 'BM1',
    tasks: [1, 2, 3, 6],
    dashboard: { inside: 'S1', outside: 'B2' },
    task: { inside: 3, outside: 4 },
    reassign: { task: 1, to: 'AM1', outsideTask: 4, outsideStaff: 'AM3' },
  },
  {
    user: 'subbranch',
    role: 'SUBBRANCH_MANAGER',
    org: 'S1',
    staff: 'SM1',
    tasks: [1, 2, 3, 6],
    dashboard: { inside: 'O2', outside: 'B1' },
    task: { inside: 6, outside: 5 },
    reassign: { task: 3, to: 'AM2', outsideTask: 5, outsideStaff: 'RA1' },
  },
  {
    user: 'outlet',
    role: 'OUTLET_MANAGER',
    org: 'O1',
    staff: 'OM1',
    tasks: [1, 2],
    dashboard: { inside: 'O1', outside: 'O2' },
    task: { inside: 2, outside: 3 },
    reassign: { task: 1, to: 'AM1', outsideTask: 3, outsideStaff: 'AM2' },
  },
  {
    user: 'am1',
    role: 'ACCOUNT_MANAGER',
    org: 'O1',
    staff: 'AM1',
    tasks: [1, 2],
    dashboard: { inside: 'O1', outside: 'S1' },
    task: { inside: 1, outside: 3 },
    reassign: null,
  },
  {
    user: 'am2',
    role: 'ACCOUNT_MANAGER',
    org: 'O2',
    staff: 'AM2',
    tasks: [3],
    dashboard: { inside: 'O2', outside: 'O1' },
    task: { inside: 3, outside: 1 },
    reassign: null,
  },
  {
    user: 'rm1',
    role: 'CORPORATE_RM',
    org: 'S1',
    staff: 'RM1',
    tasks: [6],
    dashboard: { inside: 'S1', outside: 'O1' },
    task: { inside: 6, outside: 2 },
    reassign: null,
  },
  {
    user: 'agent',
    role: 'REMOTE_AGENT',
    org: 'RC',
    staff: 'RA1',
    tasks: [5],
    dashboard: null,
    task: { inside: 5, outside: 1 },
    reassign: null,
  },
  {
    user: 'lobby',
    role: 'LOBBY',
    org: 'O1',
    staff: 'L1',
    tasks: null,
    dashboard: null,
    task: null,
    reassign: null,
  },
  {
    user: 'teller',
    role: 'TELLER',
    org: 'O1',
    staff: 'T1',
    tasks: null,
    dashboard: null,
    task: null,
    reassign: null,
  },
  {
    user: 'auditor',
    role: 'AUDITOR',
    org: 'H',
    staff: null,
    tasks: null,
    dashboard: null,
    task: null,
    reassign: null,
  },
];

describeEachEngine('the API on a hand-made bank', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const call: TestServer['call'] = (method, url, o) => server.call(method, url, o);
  const signIn: TestServer['signIn'] = (username, password, host) => server.signIn(username, password, host);
  const audits = (action: string) => server.audits(action);
  const pw = (user: string) => server.passwords.get(user) as string;
  const session = (user: string) => server.sessions.get(user) as Session;

  const taskRow = async (id: number) =>
    (
      await db.query(
        `SELECT t.org_id, t.staff_id, t.status, t.assigned_on, t.due_date, t.last_outcome,
                (SELECT count(*) FROM contacts c WHERE c.task_id = t.task_id) AS contacts
           FROM tasks t WHERE t.task_id = $1`,
        [id],
      )
    )[0];

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    // A week before D first: the dashboard's trend and its change since last week read both dates.
    const weekBefore = await runPipeline(db, { asOf: WEEK_BEFORE, config });
    expect(weekBefore.status, weekBefore.message ?? '').toBe('PUBLISHED');
    const run = await runPipeline(db, { asOf: D, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    await insertWork(db);
    server = await startTestServer({ db, config, users: CASES, now: NOW });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('signs in with an HttpOnly, SameSite=Strict cookie (Secure off localhost) and returns the CSRF token', async () => {
    const { res, cookie } = await signIn('am1', pw('am1'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { username: 'am1', role: 'ACCOUNT_MANAGER', orgId: 'O1', staffId: 'AM1' },
      csrfToken: expect.any(String),
    });
    expect(res.json().user.permissions).toContain('leads:work');
    expect(res.json().user.permissions).not.toContain('leads:reassign');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    const remote = await signIn('am1', pw('am1'), 'wangji.bank.example');
    expect(remote.cookie?.secure).toBe(true);
    const me = await call('GET', '/api/session', { as: 'am1' });
    expect(me.json().user.username).toBe('am1');
    expect(me.json().csrfToken).toBe(session('am1').csrf);
  });

  it('answers a wrong password 401 and a throttled one 429 with Retry-After, neither saying whether the user exists', async () => {
    const bad = await call('POST', '/api/session', { body: { username: 'am1', password: 'wrong' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'wrong username or password' } });
    const unknown = await call('POST', '/api/session', { body: { username: 'nobody', password: 'wrong' } });
    expect(unknown.json()).toEqual(bad.json());
    let throttled: LightMyRequestResponse | undefined;
    for (let i = 0; i < 10 && !throttled; i++) {
      const res = await call('POST', '/api/session', {
        remoteAddress: '10.9.9.9',
        body: { username: 'teller', password: 'guess' },
      });
      if (res.statusCode === 429) throttled = res;
      else expect(res.statusCode).toBe(401);
    }
    expect(throttled?.json().error.code).toBe('THROTTLED');
    expect(Number(throttled?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 401 without a session, and after sign-out', async () => {
    for (const [m, url] of [
      ['GET', '/api/dashboard'],
      ['GET', '/api/tasks'],
      ['GET', '/api/tasks/1'],
      ['POST', '/api/tasks/1/outcome'],
      ['GET', '/api/session'],
    ] as const) {
      const res = await call(m, url, { body: m === 'POST' ? { outcome: 'CONTACTED' } : undefined });
      expect(res.statusCode, `${m} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
    const garbage = await call('GET', '/api/tasks', { session: { cookie: 'not-a-token', csrf: 'x' } });
    expect(garbage.statusCode).toBe(401);
    const { session } = await signIn('am2', pw('am2'));
    const s = session as Session;
    expect((await call('GET', '/api/tasks', { session: s })).statusCode).toBe(200);
    expect((await call('DELETE', '/api/session', { session: s })).statusCode).toBe(200);
    expect((await call('GET', '/api/tasks', { session: s })).statusCode).toBe(401);
  });

  it('lists the orgs in scope for the org picker: the whole bank, a subtree rooted at the user, an outlet alone', async () => {
    const orgs = async (as: string) => {
      const res = await call('GET', '/api/orgs', { as });
      expect(res.statusCode).toBe(200);
      return res.json() as {
        root: string;
        orgs: { org_id: string; parent_id: string | null; level: string }[];
      };
    };
    const hq = await orgs('hq.ops');
    expect(hq.root).toBe('H');
    expect(hq.orgs.map((o) => o.org_id)).toEqual(['H', 'B1', 'B2', 'S1', 'O1', 'O2', 'O3', 'RC']);
    expect(hq.orgs.find((o) => o.org_id === 'O3')?.parent_id).toBe('B2');
    const branch = await orgs('branch');
    expect(branch.root).toBe('B1');
    // B1's parent (H) is outside the scope: B1 is the root of what the branch manager sees.
    expect(branch.orgs.map((o) => [o.org_id, o.parent_id])).toEqual([
      ['B1', null],
      ['S1', 'B1'],
      ['O1', 'S1'],
      ['O2', 'S1'],
    ]);
    const am = await orgs('am1');
    expect(am).toEqual({
      root: 'O1',
      orgs: [{ org_id: 'O1', org_name: '网点一', level: 'OUTLET', parent_id: null }],
    });
    expect((await call('GET', '/api/orgs', { as: 'teller' })).statusCode).toBe(403);
  });

  it('answers 403 without the permission, and audits it', async () => {
    const before = await audits('DENIED');
    const res = await call('GET', '/api/tasks', { as: 'lobby' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect(await audits('DENIED')).toBe(before + 1);
    const [row] = await db.query(
      `SELECT actor, subject, detail FROM audit_log WHERE action = 'DENIED' ORDER BY seq DESC LIMIT 1`,
    );
    expect(row).toMatchObject({ actor: 'lobby', subject: 'GET /api/tasks' });
  });

  it('refuses a write without the CSRF token or with a wrong one (403, audited), and writes nothing', async () => {
    const before = await taskRow(1);
    const denied = await audits('DENIED');
    for (const csrf of [null, 'wrong', `${session('am1').csrf}x`]) {
      const res = await call('POST', '/api/tasks/1/outcome', {
        as: 'am1',
        csrf,
        body: { outcome: 'NOT_REACHED' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF');
    }
    // Another user's token is wrong too.
    const other = await call('POST', '/api/tasks/1/outcome', {
      as: 'am1',
      csrf: session('outlet').csrf,
      body: { outcome: 'NOT_REACHED' },
    });
    expect(other.statusCode).toBe(403);
    expect(await audits('DENIED')).toBe(denied + 4);
    expect(await taskRow(1)).toEqual(before);
  });

  it('applies the access matrix: every role reads and writes inside its scope and nothing outside it', async () => {
    for (const c of CASES) {
      const as = c.user;
      // Task list: exactly the tasks in scope.
      const list = await call('GET', '/api/tasks?status=OPEN,IN_PROGRESS,QUEUED,DONE', { as });
      if (c.tasks === null) expect(list.statusCode, as).toBe(403);
      else {
        expect(list.statusCode, as).toBe(200);
        const ids = (list.json().tasks as { task_id: number }[]).map((t) => t.task_id).sort((a, b) => a - b);
        expect(ids, as).toEqual(c.tasks);
        expect(list.json().total, as).toBe(c.tasks.length);
      }

      // Dashboard.
      if (c.dashboard === null) {
        expect((await call('GET', '/api/dashboard', { as })).statusCode, as).toBe(403);
      } else {
        const inside = await call('GET', `/api/dashboard?org=${c.dashboard.inside}`, { as });
        expect(inside.statusCode, as).toBe(200);
        expect(inside.json().org.org_id).toBe(c.dashboard.inside);
        if (c.dashboard.outside) {
          const denied = await audits('DENIED');
          const outside = await call('GET', `/api/dashboard?org=${c.dashboard.outside}`, { as });
          expect(outside.statusCode, `${as} dashboard ${c.dashboard.outside}`).toBe(404);
          expect(Object.keys(outside.json())).toEqual(['error']);
          expect(await audits('DENIED')).toBe(denied + 1);
        }
      }

      // Task detail and outcome.
      if (c.task === null) {
        expect((await call('GET', '/api/tasks/1', { as })).statusCode, as).toBe(403);
        expect(
          (await call('POST', '/api/tasks/1/outcome', { as, body: { outcome: 'NOT_REACHED' } })).statusCode,
          as,
        ).toBe(403);
      } else {
        const detail = await call('GET', `/api/tasks/${c.task.inside}`, { as });
        expect(detail.statusCode, as).toBe(200);
        expect(detail.json().task.task_id).toBe(c.task.inside);
        const contacts = Number((await taskRow(c.task.inside))?.contacts);
        const outcome = await call('POST', `/api/tasks/${c.task.inside}/outcome`, {
          as,
          body: { outcome: 'NOT_REACHED' },
        });
        if (c.staff === null) {
          // Not a staff member: nobody's contact to record.
          expect(outcome.statusCode, as).toBe(409);
          expect(outcome.json().error.code).toBe('NOT_STAFF');
          expect(Number((await taskRow(c.task.inside))?.contacts)).toBe(contacts);
        } else {
          expect(outcome.statusCode, `${as} outcome: ${outcome.body}`).toBe(200);
          expect(outcome.json()).toMatchObject({ task_id: c.task.inside, outcome: 'NOT_REACHED' });
          expect(Number((await taskRow(c.task.inside))?.contacts)).toBe(contacts + 1);
          const [last] = await db.query(
            'SELECT staff_id FROM contacts WHERE task_id = $1 ORDER BY contact_id DESC LIMIT 1',
            [c.task.inside],
          );
          expect(last?.staff_id).toBe(c.staff);
        }
        if (c.task.outside !== null) {
          const before = await taskRow(c.task.outside);
          const denied = await audits('DENIED');
          const read = await call('GET', `/api/tasks/${c.task.outside}`, { as });
          expect(read.statusCode, `${as} reads task ${c.task.outside}`).toBe(404);
          expect(Object.keys(read.json())).toEqual(['error']);
          const write = await call('POST', `/api/tasks/${c.task.outside}/outcome`, {
            as,
            body: { outcome: 'NOT_REACHED' },
          });
          expect(write.statusCode, `${as} writes task ${c.task.outside}`).toBe(404);
          // A missing task answers exactly as an out-of-scope one.
          const missing = await call('GET', '/api/tasks/999', { as });
          expect(missing.json().error.code).toBe(read.json().error.code);
          expect(await audits('DENIED')).toBe(denied + 2);
          expect(await taskRow(c.task.outside)).toEqual(before);
        }
      }

      // Reassign.
      if (c.reassign === null) {
        const before = await taskRow(1);
        const res = await call('POST', '/api/tasks/1/reassign', { as, body: { staffId: 'AM1' } });
        expect(res.statusCode, as).toBe(403);
        expect(await taskRow(1)).toEqual(before);
      } else {
        const { task, to, outsideTask, outsideStaff } = c.reassign;
        const audited = await audits('REASSIGN');
        const ok = await call('POST', `/api/tasks/${task}/reassign`, { as, body: { staffId: to } });
        expect(ok.statusCode, `${as} reassign: ${ok.body}`).toBe(200);
        expect(ok.json()).toMatchObject({ task_id: task, staff_id: to });
        expect(await audits('REASSIGN')).toBe(audited + 1);
        if (outsideTask !== null) {
          const before = await taskRow(outsideTask);
          const res = await call('POST', `/api/tasks/${outsideTask}/reassign`, { as, body: { staffId: to } });
          expect(res.statusCode, `${as} reassigns task ${outsideTask}`).toBe(404);
          expect(await taskRow(outsideTask)).toEqual(before);
        }
        if (outsideStaff !== null) {
          const before = await taskRow(task);
          const res = await call('POST', `/api/tasks/${task}/reassign`, {
            as,
            body: { staffId: outsideStaff },
          });
          expect(res.statusCode, `${as} hands task ${task} to ${outsideStaff}`).toBe(404);
          expect(await taskRow(task)).toEqual(before);
        }
      }
    }
  });

  it('filters the task list by view, status and activity, best first', async () => {
    const all = (await call('GET', '/api/tasks?status=OPEN,IN_PROGRESS', { as: 'outlet' })).json();
    expect(all.tasks.map((t: { task_id: number }) => t.task_id)).toEqual([2, 1]); // priority 0.9 first
    const pool = (await call('GET', '/api/tasks?view=pool&status=OPEN,IN_PROGRESS', { as: 'am1' })).json();
    expect(pool.tasks.map((t: { task_id: number }) => t.task_id)).toEqual([2]);
    const mine = (await call('GET', '/api/tasks?view=mine&status=OPEN,IN_PROGRESS', { as: 'am1' })).json();
    expect(mine.tasks.map((t: { task_id: number }) => t.task_id)).toEqual([1]);
    const none = (
      await call('GET', '/api/tasks?activity=OTHER&status=OPEN,IN_PROGRESS', { as: 'am1' })
    ).json();
    expect(none).toEqual({ total: 0, tasks: [] });
    const bad = await call('GET', '/api/tasks?status=OPEN,NOPE', { as: 'am1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toEqual([{ field: 'querystring.status', message: expect.any(String) }]);
  });

  it('shows a task with its reason, talking points and a masked customer card', async () => {
    const res = await call('GET', '/api/tasks/1?lang=en', { as: 'am1' });
    const body = res.json();
    expect(body.task).toMatchObject({
      task_id: 1,
      reason: 'aged 46',
      customer_name: '张*丰',
      customer_phone: '138****0001',
      activity_name: 'Wealth',
    });
    expect(body.task.talking_points).toContain('aged 46');
    expect(body.customer).toMatchObject({
      customer_id: 'C1',
      name: '张*丰',
      phone: '138****0001',
      id_no: '420102********1234',
      home_org_id: 'O1',
      marketing_refused: false,
    });
  });

  it('refuses an outcome the contact policy forbids with 409 and the reason, recording nothing', async () => {
    const before = await taskRow(3);
    const audited = await audits('OUTCOME');
    const res = await call('POST', '/api/tasks/3/outcome', { as: 'am2', body: { outcome: 'CONTACTED' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONTACT_CAP');
    expect(res.json().error.message).toContain('at most 2');
    expect(await taskRow(3)).toEqual(before);
    expect(await audits('OUTCOME')).toBe(audited);
    // A refusal is always heard, and audited once.
    const refused = await call('POST', '/api/tasks/3/outcome', { as: 'am2', body: { outcome: 'REFUSED' } });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ task_status: 'DONE', lead_status: 'REFUSED' });
    expect(await audits('OUTCOME')).toBe(audited + 1);
    const invalid = await call('POST', '/api/tasks/1/outcome', { as: 'am1', body: { outcome: 'INVALID' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.fields[0].field).toBe('body.reason');
  });

  it('validates bodies and parameters with field messages', async () => {
    const res = await call('POST', '/api/tasks/1/outcome', { as: 'am1', body: { outcome: 'MAYBE' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION');
    expect(res.json().error.fields[0].field).toBe('body.outcome');
    const both = await call('POST', '/api/tasks/1/reassign', {
      as: 'outlet',
      body: { staffId: 'AM1', poolOrgId: 'O1' },
    });
    expect(both.statusCode).toBe(400);
    const id = await call('GET', '/api/tasks/abc', { as: 'am1' });
    expect(id.statusCode).toBe(400);
    expect(id.json().error.fields[0].field).toBe('params.id');
    const none = await call('GET', '/api/nothing/here', { as: 'am1' });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('NOT_FOUND');
  });

  it('shows the dashboard of the user’s org: phase, measures of it and its children, segments, KPIs, laggards', async () => {
    const res = await call('GET', '/api/dashboard', { as: 'branch' });
    const body = res.json();
    expect(body.asOf).toBe(D);
    expect(body.phase).toMatchObject({ phase: 'NEW_YEAR', end: '2027-02-20', daysLeft: 31 });
    expect(body.org.org_id).toBe('B1');
    expect(body.measures.map((m: { org_id: string }) => m.org_id)).toEqual(['B1', 'S1']);
    expect(body.measures[0]).toMatchObject({ customers: 5, new_customers: 2 });
    expect(body.segments).toHaveLength(7);
    const s1 = (await call('GET', '/api/dashboard?org=S1', { as: 'branch' })).json();
    expect(s1.measures.map((m: { org_id: string }) => m.org_id)).toEqual(['S1', 'O1', 'O2']);
    const o1 = (await call('GET', '/api/dashboard', { as: 'am1' })).json();
    expect(o1.measures.map((m: { org_id: string }) => m.org_id)).toEqual(['O1']);
    expect(o1.kpis).toContainEqual(
      expect.objectContaining({ kpi: 'NEW_CUSTOMERS', period: 'SEASON', actual: '2.00', target: '4.00' }),
    );
    for (const l of s1.laggards) expect(['O1', 'O2']).toContain(l.org_id);
    const hq = (await call('GET', '/api/dashboard', { as: 'hq.admin' })).json();
    expect(hq.measures.map((m: { org_id: string }) => m.org_id)).toEqual(['H', 'B1', 'B2', 'RC']);
  });

  it('shows trends over the season, the change since a week before, and the children’s rankings with the change of rank', async () => {
    const body = (await call('GET', '/api/dashboard?org=S1', { as: 'branch' })).json();
    expect(body.trend.map((t: { as_of: string }) => t.as_of)).toEqual([WEEK_BEFORE, D]);
    expect(body.weekBefore).toMatchObject({ as_of: WEEK_BEFORE, customers: 4, new_customers: 1 });
    expect(body.trend[1]).toMatchObject({ as_of: D, customers: 5, new_customers: 2 });
    expect(body.segmentTrend.filter((t: { as_of: string }) => t.as_of === D)).toHaveLength(7);
    expect(body.segmentTrend).toHaveLength(14);
    // NEW_CUSTOMERS over the season, target 4 per outlet: O1 has C1 and C2 (new), O2 none.
    const season = body.rankings.filter(
      (r: { kpi: string; period: string }) => r.kpi === 'NEW_CUSTOMERS' && r.period === 'SEASON',
    );
    expect(season).toEqual([
      expect.objectContaining({
        org_id: 'O1',
        actual: '2.00',
        rank: 1,
        ranked: 2,
        rank_before: 1,
        rank_change: 0,
      }),
      expect.objectContaining({
        org_id: 'O2',
        actual: '0.00',
        rank: 2,
        ranked: 2,
        rank_before: 2,
        rank_change: 0,
      }),
    ]);
    // An account manager sees its own outlet, which has no children to rank.
    expect((await call('GET', '/api/dashboard', { as: 'am1' })).json().rankings).toEqual([]);
  });

  it('raises the alerts of the org’s subtree, each limited to the user’s scope', async () => {
    await db.exec(`INSERT INTO payroll_alerts (employer_id, kind, headcount_l, avg3, amount_l, yoy_ratio)
      VALUES ('E1', 'STOPPED', 0, 10, 0, NULL), ('E2', 'DROP', 3, 10, 900.00, NULL)`);
    await db.exec(`INSERT INTO budgets VALUES
      (DATE '${D}', DATE '2026-11-15', 'B1', 'POINTS', 1000.00, 950.00, 50.00, 19, 2),
      (DATE '${D}', DATE '2026-11-15', 'B2', 'POINTS', 1000.00, 100.00, 900.00, 2, 0)`);
    await db.execute("UPDATE tasks SET due_date = DATE '2027-01-15' WHERE task_id = 4");
    try {
      const kinds = async (as: string, org?: string) => {
        const res = await call('GET', `/api/dashboard${org ? `?org=${org}` : ''}`, { as });
        expect(res.statusCode, res.body).toBe(200);
        return (res.json().alerts as { kind: string; count: number; subject: string | null }[]).map(
          (a) => `${a.kind}${a.subject ? `:${a.subject}` : ''}=${a.count}`,
        );
      };
      const hq = await kinds('hq.admin');
      expect(hq).toEqual(
        expect.arrayContaining([
          'PAYROLL_STOPPED=1',
          'PAYROLL_DROP=1',
          'TASKS_OVERDUE=1',
          'BUDGET_REFUSED:B1:POINTS=2',
          'BUDGET_LOW:B1:POINTS=1',
        ]),
      );
      expect(hq.some((k) => k.includes('B2:POINTS'))).toBe(false);
      const branch = await kinds('branch');
      expect(branch).toEqual(expect.arrayContaining(['PAYROLL_STOPPED=1', 'BUDGET_REFUSED:B1:POINTS=2']));
      expect(branch.some((k) => k.startsWith('PAYROLL_DROP') || k.startsWith('TASKS_OVERDUE'))).toBe(false);
      // The outlet sees its branch's budget; an account manager does not see a corporate RM's employer.
      expect(await kinds('outlet')).toEqual(
        expect.arrayContaining(['PAYROLL_STOPPED=1', 'BUDGET_LOW:B1:POINTS=1']),
      );
      expect((await kinds('am1')).some((k) => k.startsWith('PAYROLL_'))).toBe(false);
      expect(await kinds('rm1')).toContain('PAYROLL_STOPPED=1');
      // Alerts come by severity: every HIGH before every MEDIUM.
      const res = (await call('GET', '/api/dashboard', { as: 'hq.admin' })).json();
      const order = res.alerts.map((a: { severity: string }) => a.severity);
      expect(order).toEqual(
        [...order].sort(
          (a: string, b: string) =>
            ['HIGH', 'MEDIUM', 'INFO'].indexOf(a) - ['HIGH', 'MEDIUM', 'INFO'].indexOf(b),
        ),
      );
      expect(res.alerts.find((a: { kind: string }) => a.kind === 'PAYROLL_STOPPED')).toMatchObject({
        severity: 'HIGH',
        zh: expect.stringContaining('停发'),
        en: expect.stringContaining('stopped'),
      });
      // The English sentence agrees with its count (1 employer, 2 employers).
      for (const a of res.alerts as { kind: string; count: number; en: string }[])
        if (a.kind === 'PAYROLL_STOPPED')
          expect(a.en).toBe(
            `${a.count} payroll employer${a.count === 1 ? '' : 's'} stopped paying salaries here`,
          );
    } finally {
      await db.execute("UPDATE tasks SET due_date = DATE '2027-01-27' WHERE task_id = 4");
      await db.exec('DELETE FROM payroll_alerts; DELETE FROM budgets');
    }
  });

  it('serves the OpenAPI 3 document listing every route, and the docs page', async () => {
    const res = await call('GET', '/api/docs/json');
    expect(res.statusCode).toBe(200);
    const spec = res.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.info.title).toContain('Wangji');
    // Every route the app serves is documented (routes are added issue by issue: at least these).
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/customers/{id}/reveal',
        '/api/dashboard',
        '/api/funnels/county',
        '/api/funnels/leads',
        '/api/funnels/ssc',
        '/api/kpis',
        '/api/merchants/pricing',
        '/api/payroll/employers',
        '/api/payroll/employers/{id}',
        '/api/payroll/orgs/{id}',
        '/api/pos/counter',
        '/api/pos/pad',
        '/api/reports/weekly',
        '/api/session',
        '/api/targets',
        '/api/tasks',
        '/api/tasks/{id}',
        '/api/tasks/{id}/outcome',
        '/api/tasks/{id}/reassign',
      ]),
    );
    // Every API route the app registered (app.accessRules), in OpenAPI's path syntax.
    const served = server.app.accessRules.map((r) => r.url.replace(/:([a-zA-Z]+)/g, '{$1}'));
    expect(served).toContain('/api/tasks/{id}/outcome');
    for (const path of served.filter((x) => x.startsWith('/api/') && !x.startsWith('/api/docs')))
      expect(Object.keys(spec.paths), path).toContain(path);
    expect(Object.keys(spec.paths['/api/session']).sort()).toEqual(['delete', 'get', 'post']);
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, unknown>>))
      for (const [method, op] of Object.entries(
        ops as Record<string, { responses: Record<string, unknown> }>,
      )) {
        // The success answer is documented with its schema (200, or 202 for work accepted to run).
        const ok = op.responses['200'] ?? op.responses['202'];
        expect(ok, `${method} ${path}`).toMatchObject({ content: expect.any(Object) });
        const content = (ok as { content: Record<string, { schema?: unknown }> }).content;
        expect(Object.values(content)[0]?.schema, `${method} ${path}`).toEqual(expect.any(Object));
        expect(op.responses['403'], `${method} ${path}`).toBeDefined();
      }
    expect(
      spec.paths['/api/tasks/{id}/outcome'].post.requestBody.content['application/json'].schema,
    ).toMatchObject({
      type: 'object',
      required: ['outcome'],
    });
    const page = await call('GET', '/api/docs');
    expect([200, 302]).toContain(page.statusCode);
  });

  it('masks by the season file’s rules: a bank that hides whole names and all but two digits of phones', async () => {
    const strict = {
      ...config,
      masking: {
        ...config.masking,
        name: { keep_head: 0, keep_tail: 0, min_length: 1, short: 'STARS' as const },
        phone: { keep_head: 0, keep_tail: 2, min_length: 6, short: 'STARS' as const },
      },
    };
    const other = await buildApp({ db, config: strict, now: () => NOW, log: false });
    try {
      const res = await other.inject({
        method: 'GET',
        url: '/api/tasks/1',
        cookies: { [SESSION_COOKIE]: session('am1').cookie },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().task).toMatchObject({ customer_name: '***', customer_phone: '*********01' });
      expect(res.json().customer).toMatchObject({ name: '***', id_no: '420102********1234' });
    } finally {
      await other.close();
      configureMasking(config.masking); // the rules are the process's: back to this suite's
    }
    const back = (await call('GET', '/api/tasks/1', { as: 'am1' })).json();
    expect(back.task.customer_name).toBe('张*丰');
  });

  it('answers an unexpected failure 500 without SQL, values or a stack; the detail goes to the log only', async () => {
    const failLogs: string[] = [];
    const broken: Db = new Proxy(db as Db, {
      get(target, prop) {
        if (prop === 'reads') return () => broken; // the handlers' reads fail the same way
        if (prop === 'query')
          return async (sql: string, params?: SqlValue[]) => {
            if (sql.includes('org_measures_history h'))
              throw new Error(`Binder Error: SELECT id_no FROM customers WHERE phone = '${RAW.C1.phone}'`);
            return target.query(sql, params);
          };
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const failing = await buildApp({
      db: broken,
      config,
      now: () => NOW,
      log: { stream: { write: (line: string) => void failLogs.push(line) } },
    });
    try {
      const res = await failing.inject({
        method: 'GET',
        url: '/api/dashboard',
        cookies: { [SESSION_COOKIE]: session('branch').cookie },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      expect(failLogs.join('\n')).toContain('Binder Error');
    } finally {
      await failing.close();
    }
  });

  it('serves concurrent reads and writes (each write with its audit entry) without failing any', async () => {
    const contacts = Number((await taskRow(1))?.contacts);
    const audited = await audits('OUTCOME');
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () =>
        call('POST', '/api/tasks/1/outcome', { as: 'am1', body: { outcome: 'NOT_REACHED' } }),
      ),
      ...Array.from({ length: 6 }, () => call('GET', '/api/tasks', { as: 'branch' })),
      ...Array.from({ length: 4 }, () => call('GET', '/api/dashboard', { as: 'subbranch' })),
      ...Array.from({ length: 4 }, () => call('GET', '/api/tasks/4', { as: 'am1' })), // out of scope: audited
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([...Array(16).fill(200), 404, 404, 404, 404]);
    expect(Number((await taskRow(1))?.contacts)).toBe(contacts + 6);
    expect(await audits('OUTCOME')).toBe(audited + 6);
  });

  it('picks up a pool task: mine afterwards, audited once; outside the scope 404; the rules refused in words', async () => {
    const picked = await audits('PICKUP');
    const denied = await audits('DENIED');
    // am2 (outlet O2) does not see O1's pool.
    expect((await call('POST', '/api/tasks/2/pickup', { as: 'am2' })).statusCode).toBe(404);
    expect(await audits('DENIED')).toBe(denied + 1);
    expect((await call('POST', '/api/tasks/2/pickup', { as: 'lobby' })).statusCode).toBe(403);
    const hq = await call('POST', '/api/tasks/2/pickup', { as: 'hq.admin' });
    expect(hq.json().error.code).toBe('NOT_STAFF');

    const ok = await call('POST', '/api/tasks/2/pickup', { as: 'am1' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ task_id: 2, org_id: 'O1', staff_id: 'AM1', channel: 'MANAGER' });
    expect(await taskRow(2)).toMatchObject({ staff_id: 'AM1', assigned_on: expect.anything() });
    expect(await audits('PICKUP')).toBe(picked + 1);
    const again = await call('POST', '/api/tasks/2/pickup', { as: 'am1' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('NOT_IN_POOL');

    // Back to the pool as a door-team task: only a member of the door team takes it.
    const back = await call('POST', '/api/tasks/2/reassign', { as: 'outlet', body: { poolOrgId: 'O1' } });
    expect(back.json()).toMatchObject({ staff_id: null, channel: 'POOL' });
    await db.execute("UPDATE tasks SET channel = 'DOOR' WHERE task_id = 2");
    const team = await call('POST', '/api/tasks/2/pickup', { as: 'am1' });
    expect(team.statusCode).toBe(409);
    expect(team.json().error).toMatchObject({ code: 'WRONG_TEAM', message: expect.stringContaining('DOOR') });
    await db.execute("UPDATE staff SET team = 'DOOR' WHERE staff_id = 'AM1'");
    try {
      const member = await call('POST', '/api/tasks/2/pickup', { as: 'am1' });
      expect(member.json()).toMatchObject({ staff_id: 'AM1', channel: 'DOOR' });
    } finally {
      await db.execute("UPDATE staff SET team = NULL WHERE staff_id = 'AM1'");
    }

    // The remote centre's outbound call, by a remote agent.
    const call5 = await call('POST', '/api/tasks/5/pickup', { as: 'agent' });
    expect(call5.statusCode, call5.body).toBe(200);
    expect(call5.json()).toMatchObject({ org_id: 'RC', staff_id: 'RA1', channel: 'OUTBOUND_CALL' });
    expect(await audits('PICKUP')).toBe(picked + 3);

    // A task is handed only to staff who work tasks: not to the lobby.
    const lobby = await call('POST', '/api/tasks/1/reassign', { as: 'outlet', body: { staffId: 'L1' } });
    expect(lobby.statusCode).toBe(409);
    expect(lobby.json().error.code).toBe('STAFF_ROLE');
  });

  it('limits customers by scope: managed or with a visible task (OWN), with a visible task (REMOTE), home org (SUBTREE)', async () => {
    const visible = async (role: Role, orgId: string, staffId: string | null) => {
      const p: Principal = {
        userId: 0,
        username: 'x',
        role,
        orgId,
        staffId,
        scope: ROLE_DEFS[role].scope,
        permissions: permissionsOf(role),
        sessionId: 'x',
        csrfToken: 'x',
      };
      const params = new SqlParams();
      const rows = await db.query<{ customer_id: string }>(
        `SELECT c.customer_id FROM customers c WHERE ${customerVisible(p, params)} ORDER BY c.customer_id`,
        params.values,
      );
      return rows.map((r) => r.customer_id);
    };
    expect(await visible('ACCOUNT_MANAGER', 'O1', 'AM1')).toEqual(['C1', 'C2']);
    expect(await visible('CORPORATE_RM', 'S1', 'RM1')).toEqual(['C6']);
    expect(await visible('REMOTE_AGENT', 'RC', 'RA1')).toEqual(['C5']);
    expect(await visible('OUTLET_MANAGER', 'O1', 'OM1')).toEqual(['C1', 'C2']);
    expect(await visible('SUBBRANCH_MANAGER', 'S1', 'SM1')).toEqual(['C1', 'C2', 'C3', 'C5', 'C6']);
    expect(await visible('BRANCH_MANAGER', 'B2', null)).toEqual(['C4']);
    expect(await visible('HQ_ADMIN', 'H', null)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
    expect(await visible('LOBBY', 'O1', 'L1')).toEqual([]);
    expect(await visible('AUDITOR', 'H', null)).toEqual([]);
  });

  it('never answers an unmasked ID number or phone, SQL or a stack; logs carry no personal data or secrets', () => {
    const { bodies, logs, passwords, sessions } = server;
    expect(bodies.length).toBeGreaterThan(100);
    expectNoPersonalData(
      bodies,
      Object.values(RAW).flatMap((r) => [r.id, r.phone, r.name]),
    );
    for (const body of bodies) {
      expect(body).not.toMatch(/\bSELECT\b|\bFROM\b.*\bWHERE\b/);
      expect(body).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    // Request ids are random hex: a run of their digits could pass for a phone number.
    const log = logs.join('\n').replace(/"reqId":"[^"]*"/g, '"reqId":"…"');
    expect(logs.length).toBeGreaterThan(100);
    expect(log).not.toMatch(MOBILE);
    expect(log).not.toMatch(ID_NO);
    for (const [user, password] of passwords) {
      expect(log, user).not.toContain(password);
      const s = sessions.get(user) as Session;
      expect(log).not.toContain(s.cookie);
      expect(log).not.toContain(s.csrf);
    }
    const line = JSON.parse(logs.find((l) => l.includes('/api/tasks/:id')) as string);
    expect(line).toMatchObject({
      reqId: expect.any(String),
      route: expect.stringContaining('/api/tasks/:id'),
    });
    expect(line).toHaveProperty('status');
    expect(line).toHaveProperty('ms');
  });
});
