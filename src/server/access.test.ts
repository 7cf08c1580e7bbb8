// The access matrix (issue #7, MISSION X5): every role × every API route × an object inside the role's
// scope and one outside it, on both engines. The routes come from the app itself (app.accessRules), so
// a route added without a row here fails the test. For each route and user:
//   - without the route's permission: 403, and nothing changes;
//   - with it, the object inside the scope: answered (2xx, or a business refusal such as 409 NOT_STAFF
//     — never 401/403/404/500);
//   - the object outside the scope: 404 (403 OUT_OF_SCOPE for a target file), and no state table
//     changes; lists never name an org, customer or employer outside the scope;
// and no response (but a permitted reveal) carries an unmasked ID number, phone or name.

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bank, config, D, insertWork, NOW, RAW } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import {
  type CallOptions,
  expectNoPersonalData,
  type Method,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../../test/server.js';
import { loadSeasonConfig } from '../config/season.js';
import { tuitionActivity } from '../leads/counterPrompt.js';
import { runPipeline } from '../pipeline/runner.js';
import type { AccessRule } from './plugins/auth.js';
import { permissionsOf } from './roles.js';

type Kind = 'org' | 'task' | 'customer' | 'employer';
type Pair = [inside: string, outside: string | null];

interface Sees {
  org?: Pair;
  task?: Pair;
  customer?: Pair;
  employer?: Pair;
  /** Ids that no answer to this user may name (orgs, customers, employers outside the scope). */
  never: string[];
}

/** One user per role (two account managers) and what each sees of the bank in test/api-bank.ts. */
const USERS: (TestUser & { sees: Sees })[] = [
  {
    user: 'hq.admin',
    role: 'HQ_ADMIN',
    org: 'H',
    staff: null,
    sees: { org: ['B2', null], task: ['4', null], customer: ['C4', null], employer: ['E2', null], never: [] },
  },
  {
    user: 'hq.ops',
    role: 'HQ_OPS',
    org: 'H',
    staff: null,
    sees: { org: ['O3', null], task: ['5', null], customer: ['C5', null], employer: ['E1', null], never: [] },
  },
  {
    user: 'branch',
    role: 'BRANCH_MANAGER',
    org: 'B1',
    staff: 'BM1',
    sees: {
      org: ['S1', 'B2'],
      task: ['3', '4'],
      customer: ['C3', 'C4'],
      employer: ['E1', 'E2'],
      never: ['B2', 'O3', 'C4', 'E2'],
    },
  },
  {
    user: 'subbranch',
    role: 'SUBBRANCH_MANAGER',
    org: 'S1',
    staff: 'SM1',
    sees: {
      org: ['O2', 'B2'],
      task: ['6', '5'],
      customer: ['C6', 'C4'],
      employer: ['E1', 'E2'],
      never: ['B2', 'O3', 'C4', 'E2'],
    },
  },
  {
    user: 'outlet',
    role: 'OUTLET_MANAGER',
    org: 'O1',
    staff: 'OM1',
    sees: {
      org: ['O1', 'O2'],
      task: ['2', '3'],
      customer: ['C1', 'C3'],
      employer: ['E1', 'E2'],
      never: ['O2', 'O3', 'B2', 'C3', 'C4', 'C5', 'C6', 'E2'],
    },
  },
  {
    user: 'am1',
    role: 'ACCOUNT_MANAGER',
    org: 'O1',
    staff: 'AM1',
    sees: {
      org: ['O1', 'S1'],
      task: ['1', '3'],
      customer: ['C1', 'C3'],
      never: ['O2', 'O3', 'B2', 'C3', 'C4', 'C5', 'C6', 'E1', 'E2'],
    },
  },
  {
    user: 'am2',
    role: 'ACCOUNT_MANAGER',
    org: 'O2',
    staff: 'AM2',
    sees: {
      org: ['O2', 'O1'],
      task: ['3', '1'],
      customer: ['C3', 'C1'],
      never: ['O1', 'O3', 'B2', 'C1', 'C2', 'C4', 'C6', 'E1', 'E2'],
    },
  },
  {
    user: 'rm1',
    role: 'CORPORATE_RM',
    org: 'S1',
    staff: 'RM1',
    sees: {
      org: ['S1', 'O1'],
      task: ['6', '2'],
      customer: ['C6', 'C1'],
      employer: ['E1', 'E2'],
      // E1, the RM's own employer, sits at O1: its org is named with it.
      never: ['O2', 'O3', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'E2'],
    },
  },
  {
    user: 'agent',
    role: 'REMOTE_AGENT',
    org: 'RC',
    staff: 'RA1',
    sees: { task: ['5', '1'], never: ['C1', 'C2', 'C3', 'C4', 'C6', 'E1', 'E2'] },
  },
  // The point of service answers any walk-in customer (by design, masked and audited).
  { user: 'lobby', role: 'LOBBY', org: 'O1', staff: 'L1', sees: { customer: ['C4', null], never: [] } },
  { user: 'teller', role: 'TELLER', org: 'O1', staff: 'T1', sees: { customer: ['C5', null], never: [] } },
  { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null, sees: { never: [] } },
];

type Request = { url: string } & Pick<CallOptions, 'body' | 'payload' | 'contentType' | 'unscanned'>;

interface Probe {
  /** The object the route is about (null: a list or a lookup, checked for leaks). */
  kind: Kind | null;
  request(id: string | null, user: string, db: TestDb): Request | Promise<Request>;
  /** The answer to an object outside the scope (default 404). */
  outside?: number;
  /** Statuses that mean "answered in scope" besides 2xx and 409 (e.g. 400 for a deliberately empty body). */
  alsoOk?: number[];
  /** Skip the leak check (an answer that names outside ids by design). */
  noLeakCheck?: boolean;
}

const NO_JOB = '00000000-0000-4000-8000-000000000000';

const csv = (org: string) => `kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,${org},,SEASON,4\r\n`;

/** Every API route (method and path as registered) and how to ask it. */
const PROBES: Record<string, Probe> = {
  'POST /api/session': { kind: null, request: () => ({ url: '/api/session', body: {} }), alsoOk: [400] },
  'GET /api/session': { kind: null, request: () => ({ url: '/api/session' }) },
  'DELETE /api/session': { kind: null, request: () => ({ url: '/api/session' }) }, // on a second session
  'GET /api/dashboard': { kind: 'org', request: (id) => ({ url: `/api/dashboard?org=${id}` }) },
  'GET /api/tasks': {
    kind: null,
    request: () => ({ url: '/api/tasks?status=OPEN,IN_PROGRESS,QUEUED,DONE' }),
  },
  'GET /api/tasks/:id': { kind: 'task', request: (id) => ({ url: `/api/tasks/${id}` }) },
  'POST /api/tasks/:id/outcome': {
    kind: 'task',
    request: (id) => ({ url: `/api/tasks/${id}/outcome`, body: { outcome: 'NOT_REACHED' } }),
  },
  'POST /api/tasks/:id/reassign': {
    kind: 'task',
    // To whoever holds it now: the matrix's later probes find every task where the table says.
    request: async (id, _user, db) => {
      const [t] = await db.query<{ staff_id: string | null; org_id: string }>(
        'SELECT staff_id, org_id FROM tasks WHERE task_id = $1',
        [Number(id)],
      );
      return {
        url: `/api/tasks/${id}/reassign`,
        body: t?.staff_id ? { staffId: t.staff_id } : { poolOrgId: t?.org_id },
      };
    },
  },
  'POST /api/tasks/:id/pickup': { kind: 'task', request: (id) => ({ url: `/api/tasks/${id}/pickup` }) },
  'GET /api/kpis': { kind: 'org', request: (id) => ({ url: `/api/kpis?org=${id}` }) },
  'GET /api/reports/weekly': {
    kind: null,
    request: () => ({ url: '/api/reports/weekly?level=OUTLET&format=json' }),
  },
  'GET /api/targets': { kind: null, request: () => ({ url: '/api/targets' }) },
  'POST /api/targets': {
    kind: 'org',
    request: (id) => ({ url: '/api/targets', payload: csv(id as string), contentType: 'text/csv' }),
    outside: 403,
  },
  'GET /api/funnels/county': { kind: 'org', request: (id) => ({ url: `/api/funnels/county?org=${id}` }) },
  'GET /api/funnels/ssc': { kind: 'org', request: (id) => ({ url: `/api/funnels/ssc?org=${id}` }) },
  'GET /api/funnels/leads': { kind: null, request: () => ({ url: '/api/funnels/leads' }) },
  'GET /api/merchants/pricing': {
    kind: 'org',
    request: (id) => ({ url: `/api/merchants/pricing?org=${id}` }),
  },
  'GET /api/pos/counter': {
    kind: null,
    request: () => ({ url: '/api/pos/counter?name=University%20of%20Melbourne&country=AU' }),
  },
  'POST /api/pos/pad': {
    kind: 'customer',
    request: (id) => ({ url: '/api/pos/pad', body: { customerId: id } }),
  },
  'POST /api/customers/:id/reveal': {
    kind: 'customer',
    request: (id) => ({
      url: `/api/customers/${id}/reveal`,
      body: { field: 'phone', reason: 'access matrix check' },
      unscanned: true,
    }),
  },
  'GET /api/payroll/employers': { kind: null, request: () => ({ url: '/api/payroll/employers' }) },
  'GET /api/payroll/employers/:id': {
    kind: 'employer',
    request: (id) => ({ url: `/api/payroll/employers/${id}` }),
  },
  'GET /api/payroll/orgs/:id': { kind: 'org', request: (id) => ({ url: `/api/payroll/orgs/${id}` }) },
  // Operations: HQ-wide; a malformed body shows the permission passed without starting a job.
  'POST /api/ops/loads': { kind: null, request: () => ({ url: '/api/ops/loads', body: {} }), alsoOk: [400] },
  'POST /api/ops/runs': { kind: null, request: () => ({ url: '/api/ops/runs', body: {} }), alsoOk: [400] },
  'GET /api/ops/jobs': { kind: null, request: () => ({ url: '/api/ops/jobs' }) },
  'GET /api/ops/jobs/:id': { kind: null, request: () => ({ url: `/api/ops/jobs/${NO_JOB}` }), alsoOk: [404] },
  'GET /api/ops/jobs/:id/events': {
    kind: null,
    request: () => ({ url: `/api/ops/jobs/${NO_JOB}/events` }),
    alsoOk: [404],
  },
  'GET /api/ops/runs': { kind: null, request: () => ({ url: '/api/ops/runs' }), noLeakCheck: true },
  'GET /api/ops/loads': { kind: null, request: () => ({ url: '/api/ops/loads' }), noLeakCheck: true },
  'GET /api/ops/quarantine': {
    kind: null,
    request: () => ({ url: '/api/ops/quarantine' }),
    noLeakCheck: true,
  },
};

/** The tables people and the pipeline write: an outside write must leave every one as it was. */
const STATE_TABLES = ['tasks', 'contacts', 'leads', 'consent_events', 'targets', 'users', 'runs', 'loads'];

const allowed = (rule: AccessRule, u: TestUser) =>
  rule.access === 'PUBLIC' || rule.access === 'SIGNED_IN' || permissionsOf(u.role).has(rule.access);

describe('the access matrix covers every route', () => {
  it('has a probe for every route the app serves, and none for a route it does not', async () => {
    // Checked against the app in the suite below; here only that the table is well-formed.
    for (const [key, probe] of Object.entries(PROBES)) {
      expect(key).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/api\//);
      expect(['org', 'task', 'customer', 'employer', null]).toContain(probe.kind);
    }
  });
});

describeEachEngine('the access matrix: every role × every route × inside and outside its scope', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const revealed: string[] = [];

  const state = async () => {
    const out: Record<string, string[]> = {};
    for (const t of STATE_TABLES) {
      const rows = await db.query(`SELECT * FROM ${t}`);
      out[t] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  };

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const run = await runPipeline(db, { asOf: D, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    await insertWork(db);
    // The server's season also knows the counter's activity (the run mines nothing with it).
    const served = { ...config, activities: [...config.activities, tuitionActivity(loadSeasonConfig())] };
    server = await startTestServer({ db, config: served, users: USERS, now: NOW, log: false });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('lists exactly the routes the app serves', () => {
    const served = server.app.accessRules.map((r) => `${r.method} ${r.url}`).sort();
    expect(Object.keys(PROBES).sort()).toEqual(served);
  });

  it('answers every role inside its scope, and nothing outside it', async () => {
    const failures: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) failures.push(what);
    };
    let probes = 0;
    for (const rule of server.app.accessRules) {
      const key = `${rule.method} ${rule.url}`;
      const probe = PROBES[key];
      if (!probe) throw new Error(`no probe for ${key}`);
      for (const u of USERS) {
        const send = async (
          id: string | null,
          o: Partial<CallOptions> = {},
        ): Promise<LightMyRequestResponse> => {
          const req = await probe.request(id, u.user, db);
          const res = await server.call(rule.method as Method, req.url, {
            as: u.user,
            body: req.body,
            payload: req.payload,
            contentType: req.contentType,
            unscanned: req.unscanned,
            ...o,
          });
          if (req.unscanned && res.statusCode !== 200) server.bodies.push(res.body);
          else if (req.unscanned) revealed.push(res.body);
          probes++;
          return res;
        };
        // Signing out: on a second session of the user's, so the matrix keeps its own.
        const extra =
          key === 'DELETE /api/session'
            ? ((await server.signIn(u.user, server.passwords.get(u.user) as string)).session ?? undefined)
            : undefined;
        const sessionOpt = extra ? { session: extra, as: undefined } : {};
        const pair = probe.kind ? u.sees[probe.kind] : undefined;

        if (!allowed(rule, u)) {
          const before = await state();
          const res = await send(pair?.[0] ?? '1', sessionOpt);
          check(res.statusCode === 403, `${u.user} ${key}: ${res.statusCode} without the permission`);
          check(
            JSON.stringify(await state()) === JSON.stringify(before),
            `${u.user} ${key}: changed state, 403`,
          );
          continue;
        }
        if (probe.kind && !pair)
          throw new Error(`${u.user} may call ${key} but has no ${probe.kind} to try it on`);
        const inside = await send(pair?.[0] ?? null, sessionOpt);
        const ok =
          (inside.statusCode >= 200 && inside.statusCode < 300) ||
          inside.statusCode === 409 ||
          (probe.alsoOk ?? []).includes(inside.statusCode);
        check(
          ok,
          `${u.user} ${key} inside (${pair?.[0] ?? '-'}): ${inside.statusCode} ${inside.body.slice(0, 200)}`,
        );
        if (!probe.noLeakCheck && !probe.kind)
          for (const id of u.sees.never)
            check(!inside.body.includes(`"${id}"`), `${u.user} ${key}: names ${id}, outside the scope`);
        const outside = pair?.[1];
        if (outside) {
          const before = await state();
          const res = await send(outside);
          check(
            res.statusCode === (probe.outside ?? 404),
            `${u.user} ${key} outside (${outside}): ${res.statusCode} ${res.body.slice(0, 200)}`,
          );
          check(
            JSON.stringify(await state()) === JSON.stringify(before),
            `${u.user} ${key} outside (${outside}): changed state`,
          );
          for (const id of u.sees.never)
            if (id !== outside)
              check(!res.body.includes(`"${id}"`), `${u.user} ${key}: the refusal names ${id}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(probes).toBeGreaterThan(USERS.length * Object.keys(PROBES).length);
  }, 300_000);

  it('answers no unmasked ID number, phone or name but in a permitted reveal', () => {
    expect(server.bodies.length).toBeGreaterThan(300);
    expectNoPersonalData(
      server.bodies,
      Object.values(RAW).flatMap((r) => [r.id, r.phone, r.name]),
    );
    // The reveals themselves answered the value asked for, to the roles allowed.
    expect(revealed.length).toBeGreaterThan(0);
    for (const body of revealed) expect(JSON.parse(body).value).toMatch(/^1[3-9][0-9]{9}$/);
  });
});
