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

/**
 * What a route is about: an org, a task, a customer, an employer, a field record (named by the org it
 * belongs to: the matrix makes one per org), a service plan (named by its employer), an assistance
 * action (AA_<org>, owned by that org) or a benefit program (PEN42 covers every org, PEN33 none).
 */
type Kind = 'org' | 'task' | 'customer' | 'employer' | 'record' | 'plan' | 'assistance' | 'benefit';
type Pair = [inside: string, outside: string | null];

interface Sees {
  org?: Pair;
  task?: Pair;
  customer?: Pair;
  employer?: Pair;
  benefit?: Pair;
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
    sees: {
      org: ['O3', null],
      task: ['4', null],
      customer: ['C4', null],
      employer: ['E2', null],
      benefit: ['PEN33', null],
      never: [],
    },
  },
  {
    user: 'hq.ops',
    role: 'HQ_OPS',
    org: 'H',
    staff: null,
    sees: {
      org: ['O3', null],
      task: ['5', null],
      customer: ['C5', null],
      employer: ['E1', null],
      benefit: ['PEN42', null],
      never: [],
    },
  },
  {
    user: 'branch',
    role: 'BRANCH_MANAGER',
    org: 'B1',
    staff: 'BM1',
    sees: {
      org: ['S1', 'O3'],
      task: ['3', '4'],
      customer: ['C3', 'C4'],
      employer: ['E1', 'E2'],
      benefit: ['PEN42', 'PEN33'],
      never: ['B2', 'O3', 'C4', 'E2'],
    },
  },
  {
    user: 'subbranch',
    role: 'SUBBRANCH_MANAGER',
    org: 'S1',
    staff: 'SM1',
    sees: {
      org: ['O2', 'O3'],
      task: ['6', '5'],
      customer: ['C6', 'C4'],
      employer: ['E3', 'E2'],
      benefit: ['PEN42', 'PEN33'],
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
      employer: ['E1', 'E3'],
      benefit: ['PEN42', 'PEN33'],
      never: ['O2', 'O3', 'B2', 'C3', 'C4', 'C5', 'C6', 'E2', 'E3'],
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
      employer: ['E1', 'E3'],
      benefit: ['PEN42', 'PEN33'],
      never: ['O2', 'O3', 'B2', 'C3', 'C4', 'C5', 'C6', 'E2', 'E3'],
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
      employer: ['E3', 'E1'],
      benefit: ['PEN42', 'PEN33'],
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
      employer: ['E1', 'E3'],
      benefit: ['PEN42', 'PEN33'],
      // E1, the RM's own employer, sits at O1: its org is named with it.
      never: ['O2', 'O3', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'E2', 'E3'],
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

interface ProbeContext {
  db: TestDb;
  /** The field records the matrix made: path → the org (or employer, for plans) → record id. */
  records: Map<string, Map<string, number>>;
}

type Request = { url: string } & Pick<CallOptions, 'body' | 'payload' | 'contentType' | 'unscanned'>;

interface Probe {
  /** The object the route is about (null: a list or a lookup, checked for leaks). */
  kind: Kind | null;
  request(id: string | null, user: TestUser, ctx: ProbeContext): Request | Promise<Request>;
  /** The answer to an object outside the scope (default 404). */
  outside?: number;
  /** Statuses that mean "answered in scope" besides 2xx and 409 (e.g. 400 for a deliberately empty body). */
  alsoOk?: number[];
  /** Skip the leak check (an answer that names outside ids by design). */
  noLeakCheck?: boolean;
  /** The audit entry a 2xx answer leaves (exactly one); none for a plain read. */
  audit?: string;
}

const NO_JOB = '00000000-0000-4000-8000-000000000000';

const csv = (org: string) => `kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,${org},,SEASON,4\r\n`;

/** Every API route (method and path as registered) and how to ask it. */
const PROBES: Record<string, Probe> = {
  'POST /api/session': { kind: null, request: () => ({ url: '/api/session', body: {} }), alsoOk: [400] },
  'GET /api/session': { kind: null, request: () => ({ url: '/api/session' }) },
  'DELETE /api/session': { kind: null, request: () => ({ url: '/api/session' }), audit: 'LOGOUT' }, // on a second session
  'GET /api/dashboard': { kind: 'org', request: (id) => ({ url: `/api/dashboard?org=${id}` }) },
  'GET /api/orgs': { kind: null, request: () => ({ url: '/api/orgs' }) },
  'GET /api/team': { kind: 'org', request: (id) => ({ url: `/api/team?org=${id}` }) },
  'GET /api/tasks': {
    kind: null,
    request: () => ({ url: '/api/tasks?status=OPEN,IN_PROGRESS,QUEUED,DONE' }),
  },
  'GET /api/tasks/:id': { kind: 'task', request: (id) => ({ url: `/api/tasks/${id}` }) },
  'POST /api/tasks/:id/outcome': {
    kind: 'task',
    request: (id) => ({ url: `/api/tasks/${id}/outcome`, body: { outcome: 'NOT_REACHED' } }),
    audit: 'OUTCOME',
  },
  'POST /api/tasks/:id/reassign': {
    kind: 'task',
    // To whoever holds it now: the matrix's later probes find every task where the table says.
    request: async (id, _user, { db }) => {
      const [t] = await db.query<{ staff_id: string | null; org_id: string }>(
        'SELECT staff_id, org_id FROM tasks WHERE task_id = $1',
        [Number(id)],
      );
      return {
        url: `/api/tasks/${id}/reassign`,
        body: t?.staff_id ? { staffId: t.staff_id } : { poolOrgId: t?.org_id },
      };
    },
    audit: 'REASSIGN',
  },
  'POST /api/tasks/:id/pickup': {
    kind: 'task',
    request: (id) => ({ url: `/api/tasks/${id}/pickup` }),
    audit: 'PICKUP',
  },
  'GET /api/kpis': { kind: 'org', request: (id) => ({ url: `/api/kpis?org=${id}` }) },
  'GET /api/reports/weekly': {
    kind: null,
    request: () => ({ url: '/api/reports/weekly?level=OUTLET&format=json' }),
    audit: 'EXPORT',
  },
  'GET /api/targets': { kind: null, request: () => ({ url: '/api/targets' }) },
  'POST /api/targets': {
    kind: 'org',
    request: (id) => ({ url: '/api/targets', payload: csv(id as string), contentType: 'text/csv' }),
    outside: 403,
    audit: 'TARGETS_LOAD',
  },
  // The api bank has no target to cascade for most orgs: a refusal in words (400) is an answer in scope.
  'GET /api/targets/split': {
    kind: 'org',
    request: (id) => ({ url: `/api/targets/split?kpi=NEW_CUSTOMERS&period=SEASON&from=${id}&by=EQUAL` }),
    alsoOk: [400],
  },
  'POST /api/targets/split': {
    kind: 'org',
    request: (id) => ({
      url: '/api/targets/split',
      body: { kpi: 'NEW_CUSTOMERS', period: 'SEASON', from: id, by: 'EQUAL' },
    }),
    alsoOk: [400],
    audit: 'TARGETS_SPLIT',
  },
  'GET /api/reports/briefing': { kind: null, request: () => ({ url: '/api/reports/briefing?level=OUTLET' }) },
  'GET /api/funnels/county': { kind: 'org', request: (id) => ({ url: `/api/funnels/county?org=${id}` }) },
  'GET /api/funnels/ssc': { kind: 'org', request: (id) => ({ url: `/api/funnels/ssc?org=${id}` }) },
  'GET /api/funnels/leads': { kind: null, request: () => ({ url: '/api/funnels/leads' }) },
  'GET /api/segments': { kind: 'org', request: (id) => ({ url: `/api/segments?org=${id}` }) },
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
    audit: 'PAD_LOOKUP',
  },
  'POST /api/customers/:id/reveal': {
    kind: 'customer',
    request: (id) => ({
      url: `/api/customers/${id}/reveal`,
      body: { field: 'phone', reason: 'access matrix check' },
      unscanned: true,
    }),
    audit: 'REVEAL',
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
  // An unknown field: refused by validation after the permission check, so no backup is written.
  'POST /api/ops/backup': {
    kind: null,
    request: () => ({ url: '/api/ops/backup', body: { nope: 1 } }),
    alsoOk: [400],
  },
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
  // The nightly drop's alerts and drops (src/nightly/routes.ts); /healthz, /readyz and /metrics are
  // outside /api/ (public, no data): src/server/routes/health.test.ts.
  'GET /api/ops/alerts': { kind: null, request: () => ({ url: '/api/ops/alerts' }) },
  'GET /api/ops/drops': { kind: null, request: () => ({ url: '/api/ops/drops' }) },
  // The audit log (src/server/routes/audit.ts): the auditor's, the whole log.
  'GET /api/audit': { kind: null, request: () => ({ url: '/api/audit' }) },
  'GET /api/audit/verify': { kind: null, request: () => ({ url: '/api/audit/verify' }) },
  // The sending systems' callbacks (src/server/routes/channels.ts): a bearer token, not a session; with
  // no token configured (as here) it answers 503 to everyone and applies nothing.
  'POST /api/channels/callback': {
    kind: null,
    request: () => ({ url: '/api/channels/callback', body: { lines: [] } }),
    alsoOk: [503],
  },
};

/** A staff member of each org (who goes, for a manager's records), and a customer at home there. */
const ORG_STAFF: Record<string, string> = {
  O1: 'AM1',
  O2: 'AM2',
  O3: 'AM3',
  S1: 'RM1',
  B1: 'BM1',
  B2: 'AM3',
};
const ORG_CUSTOMER: Record<string, string> = { O1: 'C1', O2: 'C3', O3: 'C4', S1: 'C6', B1: 'C3', B2: 'C4' };
const isOwn = (u: TestUser) => u.role === 'ACCOUNT_MANAGER' || u.role === 'CORPORATE_RM';
/** Who goes: an account manager or corporate RM records their own work only. */
const goer = (org: string, u: TestUser) => (isOwn(u) && u.staff ? u.staff : (ORG_STAFF[org] ?? 'AM1'));
let slotHour = 0;
/** A fresh one-hour slot each time, so that no two appointments of the matrix overlap. */
const nextSlot = () => {
  const start = new Date(Date.UTC(2027, 1, 1, 1) + slotHour++ * 3_600_000);
  return { slot_start: start.toISOString(), slot_end: new Date(start.getTime() + 3_600_000).toISOString() };
};

/** The field record kinds: how to make one at an org, and how to change it. */
const FIELD_RESOURCES: Record<
  string,
  { make(org: string, u: TestUser): Record<string, unknown>; patch: Record<string, unknown> }
> = {
  '/api/field/visits': {
    make: (org, u) => ({
      kind: 'GOVERNMENT',
      counterpart: '人社局',
      org_id: org,
      staff_id: goer(org, u),
      visited_on: D,
      outcome: 'MET',
    }),
    patch: { outcome: 'AGREED' },
  },
  '/api/field/events': {
    make: (org, u) => ({
      team: 'DOOR',
      place: '某厂',
      community: '某村',
      org_id: org,
      event_date: '2027-01-22',
      staff_ids: [goer(org, u)],
    }),
    patch: { participants: 5 },
  },
  '/api/field/service-points': {
    make: (org, u) => ({
      name: '集市服务点',
      place: '镇集市',
      org_id: org,
      start_date: '2027-01-22',
      end_date: '2027-01-23',
      staff_ids: [goer(org, u)],
    }),
    patch: { end_date: '2027-01-26' },
  },
  '/api/field/stations': {
    make: (org) => ({ name: '幸福驿站', place: '幸福社区', org_id: org }),
    patch: { place: '新址' },
  },
  '/api/field/tuition-partners': {
    make: (org) => ({ name: '外国语学校', kind: 'SCHOOL', org_id: org }),
    patch: { lists_received: 3 },
  },
  '/api/appointments': {
    make: (org, u) => ({
      customer_id: ORG_CUSTOMER[org],
      org_id: org,
      staff_id: goer(org, u),
      reason: 'PENSION',
      ...nextSlot(),
    }),
    patch: { status: 'DONE' },
  },
};

for (const [path, r] of Object.entries(FIELD_RESOURCES)) {
  const action =
    path === '/api/appointments'
      ? 'APPOINTMENT'
      : `FIELD_${path.split('/').pop()?.replace(/-/g, '_').replace(/s$/, '').toUpperCase()}`;
  const record = (ctx: ProbeContext, org: string | null) => ctx.records.get(path)?.get(org ?? '') ?? 0;
  PROBES[`GET ${path}`] = { kind: null, request: () => ({ url: path }) };
  PROBES[`GET ${path}/:id`] = {
    kind: 'record',
    request: (org, _u, ctx) => ({ url: `${path}/${record(ctx, org)}` }),
  };
  PROBES[`POST ${path}`] = {
    kind: 'org',
    request: (org, u) => ({ url: path, body: r.make(org as string, u) }),
    audit: action,
  };
  PROBES[`PATCH ${path}/:id`] = {
    kind: 'record',
    request: (org, _u, ctx) => ({ url: `${path}/${record(ctx, org)}`, body: r.patch }),
    audit: action,
  };
}
// Service plans belong to an employer; a user who is no staff member names the plan's owner.
const EMPLOYER_STAFF: Record<string, string> = { E1: 'AM1', E2: 'AM3', E3: 'AM2' };
const planBody = (e: string, u: TestUser) => ({
  employer_id: e,
  offers: ['GOLD_PLAN'],
  ...(u.staff ? {} : { owner_staff_id: EMPLOYER_STAFF[e] }),
});
{
  const path = '/api/field/service-plans';
  const plan = (ctx: ProbeContext, employer: string | null) =>
    ctx.records.get(path)?.get(employer ?? '') ?? 0;
  PROBES[`GET ${path}`] = { kind: null, request: () => ({ url: path }) };
  PROBES[`GET ${path}/:id`] = { kind: 'plan', request: (e, _u, ctx) => ({ url: `${path}/${plan(ctx, e)}` }) };
  PROBES[`POST ${path}`] = {
    kind: 'employer',
    request: (e, u) => ({ url: path, body: planBody(e as string, u) }),
    audit: 'FIELD_SERVICE_PLAN',
  };
  PROBES[`PATCH ${path}/:id`] = {
    kind: 'plan',
    request: (e, _u, ctx) => ({ url: `${path}/${plan(ctx, e)}`, body: { status: 'PROPOSED' } }),
    audit: 'FIELD_SERVICE_PLAN',
  };
}
Object.assign(PROBES, {
  'POST /api/tasks/:id/appointment': {
    kind: 'task',
    request: (id: string | null) => ({
      url: `/api/tasks/${id}/appointment`,
      body: { reason: 'SSC_CARD', team: 'CARE', ...nextSlot() },
    }),
    audit: 'APPOINTMENT',
  },
  'GET /api/field/assistance-actions': {
    kind: null,
    request: () => ({ url: '/api/field/assistance-actions' }),
  },
  'GET /api/field/assistance-actions/:id': {
    kind: 'assistance',
    request: (org: string | null) => ({ url: `/api/field/assistance-actions/AA_${org}` }),
  },
  'POST /api/field/assistance-actions/:id/progress': {
    kind: 'assistance',
    request: (org: string | null) => ({
      url: `/api/field/assistance-actions/AA_${org}/progress`,
      body: { status: 'IN_PROGRESS' },
    }),
    audit: 'FIELD_PROGRESS',
  },
  'GET /api/field/benefit-programs': { kind: null, request: () => ({ url: '/api/field/benefit-programs' }) },
  'GET /api/field/benefit-programs/:id': {
    kind: 'benefit',
    request: (id: string | null) => ({ url: `/api/field/benefit-programs/${id}` }),
  },
  'POST /api/field/benefit-programs/:id/progress': {
    kind: 'benefit',
    request: (id: string | null) => ({
      url: `/api/field/benefit-programs/${id}/progress`,
      body: { recipients_reached: 1, paid_into_card: 1 },
    }),
    audit: 'FIELD_PROGRESS',
  },
  'GET /api/field/pension-days': {
    kind: 'org',
    request: (org: string | null) => ({ url: `/api/field/pension-days?org=${org}&month=2027-02` }),
  },
} satisfies Record<string, Probe>);

/** The tables people and the pipeline write: an outside write must leave every one as it was. */
const STATE_TABLES = [
  'tasks',
  'contacts',
  'leads',
  'consent_events',
  'targets',
  'users',
  'runs',
  'loads',
  'visits',
  'outreach_events',
  'appointments',
  'service_points',
  'stations',
  'service_plans',
  'tuition_partners',
  'assistance_progress',
  'benefit_progress',
];

/** The inside and outside object of a user for a kind of route. */
function pairOf(u: (typeof USERS)[number], kind: Kind): Pair | undefined {
  switch (kind) {
    case 'record':
    case 'assistance':
      return u.sees.org;
    case 'plan':
      return u.sees.employer;
    default:
      return u.sees[kind];
  }
}

/** The state tables the routes under a path may write. */
const AREA_TABLES: Record<string, string[]> = {
  '/api/tasks/:id/appointment': ['tasks', 'appointments'],
  '/api/tasks': ['tasks', 'contacts', 'leads', 'consent_events'],
  '/api/targets': ['targets'],
  '/api/session': ['users'],
  '/api/ops': ['runs', 'loads'],
  '/api/appointments': ['appointments'],
  '/api/field/visits': ['visits'],
  '/api/field/events': ['outreach_events'],
  '/api/field/service-points': ['service_points'],
  '/api/field/stations': ['stations'],
  '/api/field/service-plans': ['service_plans'],
  '/api/field/tuition-partners': ['tuition_partners'],
  '/api/field/assistance-actions': ['assistance_progress'],
  '/api/field/benefit-programs': ['benefit_progress'],
};

const allowed = (rule: AccessRule, u: TestUser) =>
  rule.access === 'PUBLIC' || rule.access === 'SIGNED_IN' || permissionsOf(u.role).has(rule.access);

describe('the access matrix covers every route', () => {
  it('has a probe for every route the app serves, and none for a route it does not', async () => {
    // Checked against the app in the suite below; here only that the table is well-formed.
    for (const [key, probe] of Object.entries(PROBES)) {
      expect(key).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/api\//);
      expect([
        'org',
        'task',
        'customer',
        'employer',
        'record',
        'plan',
        'assistance',
        'benefit',
        null,
      ]).toContain(probe.kind);
    }
  });
});

describeEachEngine('the access matrix: every role × every route × inside and outside its scope', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const revealed: string[] = [];
  const records = new Map<string, Map<string, number>>();

  /**
   * The rows of the state tables a route could write (a read never writes: GET routes are not
   * snapshotted; a route of an area snapshots that area's tables, and any other route every table).
   */
  const state = async (method: string, url: string) => {
    const out: Record<string, string[]> = {};
    if (method === 'GET') return out;
    const area = Object.entries(AREA_TABLES).find(([prefix]) => url.startsWith(prefix))?.[1] ?? STATE_TABLES;
    for (const t of area) {
      const rows = await db.query(`SELECT * FROM ${t}`);
      out[t] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  };

  /** Audit entries by action: what a probe added is the difference. */
  const auditCounts = async () => {
    const rows = await db.query<{ action: string; n: number }>(
      'SELECT action, count(*) AS n FROM audit_log GROUP BY action',
    );
    return new Map(rows.map((r) => [r.action, Number(r.n)]));
  };
  const added = (before: Map<string, number>, after: Map<string, number>) =>
    [...after]
      .filter(([action, n]) => n !== (before.get(action) ?? 0))
      .map(([action, n]) => `${action}+${n - (before.get(action) ?? 0)}`)
      .sort()
      .join(' ');

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
    // One field record of each kind at each org the pairs name, made by someone who may (HQ).
    for (const [path, r] of Object.entries(FIELD_RESOURCES)) {
      const byOrg = new Map<string, number>();
      for (const org of ['O1', 'O2', 'S1', 'O3']) {
        const res = await server.call('POST', path, {
          as: 'hq.admin',
          body: r.make(org, USERS[0] as TestUser),
        });
        expect(res.statusCode, `${path} at ${org}: ${res.body}`).toBe(200);
        const body = res.json() as Record<string, unknown>;
        byOrg.set(
          org,
          Number(Object.entries(body).find(([k]) => k.endsWith('_id') && typeof body[k] === 'number')?.[1]),
        );
      }
      records.set(path, byOrg);
    }
    const plans = new Map<string, number>();
    for (const e of ['E1', 'E2', 'E3']) {
      const res = await server.call('POST', '/api/field/service-plans', {
        as: 'hq.admin',
        body: planBody(e, USERS[0] as TestUser),
      });
      expect(res.statusCode, res.body).toBe(200);
      plans.set(e, Number(res.json().plan_id));
    }
    records.set('/api/field/service-plans', plans);
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
    /** What the last probe added to the audit log, e.g. "DENIED+1". */
    let lastAudit = '';
    for (const rule of server.app.accessRules) {
      const key = `${rule.method} ${rule.url}`;
      const probe = PROBES[key];
      if (!probe) throw new Error(`no probe for ${key}`);
      for (const u of USERS) {
        const send = async (
          id: string | null,
          o: Partial<CallOptions> = {},
        ): Promise<LightMyRequestResponse> => {
          const req = await probe.request(id, u, { db, records });
          const audited = await auditCounts();
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
          lastAudit = added(audited, await auditCounts());
          return res;
        };
        // Signing out: on a second session of the user's, so the matrix keeps its own.
        const extra =
          key === 'DELETE /api/session'
            ? ((await server.signIn(u.user, server.passwords.get(u.user) as string)).session ?? undefined)
            : undefined;
        const sessionOpt = extra ? { session: extra, as: undefined } : {};
        const pair = probe.kind ? pairOf(u, probe.kind) : undefined;

        if (!allowed(rule, u)) {
          const before = await state(rule.method, rule.url);
          const res = await send(pair?.[0] ?? '1', sessionOpt);
          check(res.statusCode === 403, `${u.user} ${key}: ${res.statusCode} without the permission`);
          check(lastAudit === 'DENIED+1', `${u.user} ${key}: the 403 audited as "${lastAudit}"`);
          check(
            JSON.stringify(await state(rule.method, rule.url)) === JSON.stringify(before),
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
          const before = await state(rule.method, rule.url);
          const res = await send(outside);
          check(
            res.statusCode === (probe.outside ?? 404),
            `${u.user} ${key} outside (${outside}): ${res.statusCode} ${res.body.slice(0, 200)}`,
          );
          check(lastAudit === 'DENIED+1', `${u.user} ${key} outside: audited "${lastAudit}"`);
          check(
            JSON.stringify(await state(rule.method, rule.url)) === JSON.stringify(before),
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
