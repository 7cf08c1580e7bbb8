// Fuzzed API requests (issue #9 point 4, the API half), on both engines. The routes come from the
// server itself — every route of app.accessRules, with its schemas from the OpenAPI document the app
// builds (a route added later is fuzzed without a line here) — plus the routes outside /api/ (health,
// metrics, docs, the web app). Each request is generated from the route's schema with a seeded PRNG
// (the seed is printed; WANGJI_FUZZ_SEED repeats a run) and then broken: mutated bodies (wrong types,
// boundaries, unknown and dangerous fields, deep nesting), malformed JSON texts, wrong content types,
// bodies over the limit, path parameters that are no ids / are enormous / are SQL or traversals,
// query strings with repeated, array, unicode, NUL and badly encoded parameters, forged, truncated,
// oversized and duplicate session cookies, missing and wrong CSRF tokens, and random methods.
//
// For every answer:
//   - no 5xx, except a 503 where it is the documented answer (/readyz, the PAD or counter without
//     their set-up, ops without a drops root, callbacks off);
//   - an error has the API's shape {error: {code, message, fields?}} (src/server/errors.ts) as JSON;
//   - no internals: stack frames, file paths, SQL, error class names, PostgreSQL or DuckDB messages;
//   - no personal data: none of the bank's raw values anywhere (but a permitted reveal), no ID number
//     or mobile in an error;
//   - sessions: a forged or ended session cookie never passes (401); a write without the session's
//     CSRF token is 403 CSRF; a signed-in user's answer never names an org, customer or employer
//     outside their scope;
//   - state: after every write the tables people write through the API are fingerprinted in SQL (row
//     count and row-hash sum, one statement) — a refused write (and the reads since the last look)
//     changed none of them and added only audit entries of refusals (DENIED, LOGIN_FAILED, the PAD's
//     own); every 100 requests every table is compared (but sessions, the login throttle and the audit
//     log): a change outside the watched ones needs an accepted load or run, or an accepted write, whose
//     tables are then watched too;
// and afterwards the server still answers /healthz, the audit chain verifies (the API and
// src/audit), and the log carries no session token, CSRF token or password.
// WANGJI_FUZZ_SEED repeats a run, WANGJI_FUZZ_REQUESTS sets the requests per engine,
// WANGJI_FUZZ_TRACE prints progress.
// A second test starts `wangji serve` as a process and sends it raw requests over a real socket
// (malformed request lines and headers, smuggling attempts, truncated bodies, header floods, TLS and
// HTTP/2 prefaces, random bytes): every answer in the API's shape, still serving afterwards, a clean
// stop, no error or token in its log, and the audit chain whole.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyAudit, withAudit } from '../../src/audit/log.js';
import { callbackLineSchema } from '../../src/channels/callbacks.js';
import { loadSeasonConfig } from '../../src/config/season.js';
import { allTables, checksumColumns, tableColumns } from '../../src/db/checksum.js';
import { openDb } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { tuitionActivity } from '../../src/leads/counterPrompt.js';
import { JobQueue } from '../../src/ops/jobs.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { runPipeline } from '../../src/pipeline/runner.js';
import { buildApp } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/auth/index.js';
import { generatePassword, hashPassword } from '../../src/server/auth/passwords.js';
import { createSession } from '../../src/server/auth/sessions.js';
import { addUserIn } from '../../src/server/auth/users.js';
import type { AccessRule } from '../../src/server/plugins/auth.js';
import { permissionsOf, type Role } from '../../src/server/roles.js';
import { bank, config, D, insertWork, NOW, RAW, WEEK_BEFORE } from '../api-bank.js';
import { describeEachEngine, type Engine, type TestDb } from '../engines.js';
import { insertBank, markLoaded } from '../hand-made.js';
import { ID_NO, MOBILE } from '../server.js';
import {
  CONTENT_TYPES,
  deepJson,
  generate,
  type JsonSchema,
  METHODS,
  malformedJson,
  mutate,
  NASTY_SEGMENTS,
  NASTY_STRINGS,
  type Pools,
  percent,
  queryString,
  Rng,
} from './fuzz-api-gen.js';
import { FULL, recordFigures, sized } from './mode.js';

const SEED = process.env.WANGJI_FUZZ_SEED
  ? Number(process.env.WANGJI_FUZZ_SEED)
  : Math.floor(Math.random() * 2 ** 31);
/** Requests per engine through app.inject, and over a real socket to `wangji serve`. */
const REQUESTS = Number(process.env.WANGJI_FUZZ_REQUESTS ?? sized(350, 6_000));
const SOCKET_REQUESTS = sized(100, 300);
console.log(
  `fuzz-api: seed ${SEED} (WANGJI_FUZZ_SEED=${SEED} repeats this run), ${REQUESTS} requests per engine`,
);

// ─── who asks ──────────────────────────────────────────────────────────────────────────────────────

interface FuzzUser {
  user: string;
  role: Role;
  org: string;
  staff: string | null;
  /** Orgs, customers and employers no answer to this user may name (as in src/server/access.test.ts). */
  never: string[];
}

const USERS: FuzzUser[] = [
  { user: 'hq.admin', role: 'HQ_ADMIN', org: 'H', staff: null, never: [] },
  { user: 'hq.ops', role: 'HQ_OPS', org: 'H', staff: null, never: [] },
  { user: 'branch', role: 'BRANCH_MANAGER', org: 'B1', staff: 'BM1', never: ['B2', 'O3', 'C4', 'E2'] },
  {
    user: 'outlet',
    role: 'OUTLET_MANAGER',
    org: 'O1',
    staff: 'OM1',
    never: ['O2', 'O3', 'B2', 'C3', 'C4', 'C5', 'C6', 'E2', 'E3'],
  },
  {
    user: 'am1',
    role: 'ACCOUNT_MANAGER',
    org: 'O1',
    staff: 'AM1',
    never: ['O2', 'O3', 'B2', 'C3', 'C4', 'C5', 'C6', 'E2', 'E3'],
  },
  {
    user: 'am2',
    role: 'ACCOUNT_MANAGER',
    org: 'O2',
    staff: 'AM2',
    never: ['O1', 'O3', 'B2', 'C1', 'C2', 'C4', 'C6', 'E1', 'E2'],
  },
  {
    user: 'rm1',
    role: 'CORPORATE_RM',
    org: 'S1',
    staff: 'RM1',
    never: ['O2', 'O3', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'E2', 'E3'],
  },
  {
    user: 'agent',
    role: 'REMOTE_AGENT',
    org: 'RC',
    staff: 'RA1',
    never: ['C1', 'C2', 'C3', 'C4', 'C6', 'E1', 'E2'],
  },
  { user: 'lobby', role: 'LOBBY', org: 'O1', staff: 'L1', never: [] },
  { user: 'teller', role: 'TELLER', org: 'O1', staff: 'T1', never: [] },
  { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null, never: [] },
];

const ORGS = ['O1', 'O2', 'O3', 'S1', 'B1', 'B2', 'H', 'RC'];
const CUSTOMERS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];
const EMPLOYERS = ['E1', 'E2', 'E3'];
const STAFF = ['AM1', 'AM2', 'AM3', 'RM1', 'OM1', 'SM1', 'BM1', 'RA1', 'L1', 'T1'];
const DATES = [D, WEEK_BEFORE, '2027-01-21', '2027-01-22', '2027-02-01', '2026-11-15', '2027-02-20'];

/** Values the bank's fields take (so that a good share of requests get past validation into the handlers). */
function pools(passwords: Map<string, string>): Pools {
  return {
    '*org': ORGS,
    from: ORGS,
    scope_id: [...ORGS, ...STAFF],
    '*customer': CUSTOMERS,
    '*employer': EMPLOYERS,
    '*staff': STAFF,
    owner: STAFF,
    actor: ['hq.admin', 'am1', 'ip:127.0.0.1', 'test'],
    kpi: ['NEW_CUSTOMERS', 'AUM_GROWTH', 'NOPE'],
    period: ['SEASON', 'WEEK', 'MONTH', 'NOPE'],
    asOf: DATES,
    '*date': DATES,
    '*_on': DATES,
    date: DATES,
    from_: DATES,
    on: DATES,
    month: ['2027-01', '2027-02'],
    dir: ['empty', 'bad-drop', 'nope', '../outside', '/etc', '.'],
    id: [1, 2, 3, 4, 5, 6, 7, 'C1', 'C3', 'E1', 'E2', 'O1', 'O3', 'S1', 'AA_O1', 'AA_O3', 'PEN42', 'PEN33'],
    field: ['phone', 'id_no', 'name', 'account', 'nope'],
    username: [...passwords.keys(), 'nobody', 'HQ.ADMIN', ' am1 '],
    password: [...passwords.values(), 'wrong password', ''],
    name: ['University of Melbourne', '幸福驿站', '某厂'],
    country: ['AU', 'GB', 'CN'],
    lang: ['zh', 'en'],
    idNo: [RAW.C1.id, '420102199001011235', '123'],
    lines: [],
  };
}

// ─── the routes, from the server ───────────────────────────────────────────────────────────────────

interface Param {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

interface Route {
  method: string;
  /** As registered: /api/tasks/:id */
  url: string;
  access: AccessRule['access'] | 'PUBLIC';
  csrfExempt: boolean;
  path: Param[];
  query: Param[];
  /** The JSON body's schema, or null when the route takes none. */
  body: JsonSchema | null;
  /** Body content types the route accepts. */
  types: string[];
}

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; schema: JsonSchema; required?: boolean }[];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
};

/** The server's routes with their schemas; a route of accessRules missing from the OpenAPI document fails. */
function routesOf(app: FastifyInstance): Route[] {
  const doc = app.swagger() as unknown as Doc;
  const routes: Route[] = [];
  for (const rule of app.accessRules) {
    const op = doc.paths[rule.url.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[rule.method.toLowerCase()];
    if (!op) throw new Error(`${rule.method} ${rule.url} is not in the OpenAPI document`);
    const params = (where: string) =>
      (op.parameters ?? [])
        .filter((p) => p.in === where)
        .map((p) => ({ name: p.name, schema: p.schema, required: p.required ?? where === 'path' }));
    const content = op.requestBody?.content ?? {};
    routes.push({
      method: rule.method,
      url: rule.url,
      access: rule.access,
      csrfExempt: rule.url === '/api/session' || rule.url === '/api/channels/callback',
      path: params('path'),
      query: params('query'),
      body: content['application/json']?.schema ?? (Object.keys(content).length ? {} : null),
      types: Object.keys(content),
    });
  }
  // Outside /api/ (no data, PUBLIC): health, metrics, the docs and the web app.
  for (const url of ['/healthz', '/readyz', '/metrics', '/api/docs', '/api/docs/json', '/', '/*'])
    routes.push({
      method: 'GET',
      url,
      access: 'PUBLIC',
      csrfExempt: true,
      path: url === '/*' ? [{ name: '*', schema: { type: 'string' }, required: true }] : [],
      query: [],
      body: null,
      types: [],
    });
  return routes;
}

// ─── what no answer may carry ──────────────────────────────────────────────────────────────────────

/** Internals: stack frames, paths, error classes, SQL, driver and engine messages. */
const INTERNALS: [string, RegExp][] = [
  ['stack frame', /\bat [\w$.<>]+ \(|\bat (?:async )?[\w$.]+ \(?\/|node:internal/],
  ['file path', /\/(?:work|home|tmp|usr|etc|root|var)\/|node_modules|[\w-]+\.(?:ts|js|mjs|cjs):\d+|[A-Z]:\\/],
  ['error class', /\b(?:Type|Range|Syntax|Reference|Eval|URI|Aggregate|Database|Query|Duckdb|Pg)?Error:/],
  ['error name', /\b(?:TypeError|RangeError|SyntaxError|ReferenceError|DatabaseError|DuckDBError)\b/],
  [
    'SQL',
    /\b(?:SELECT\s+[\w*"(]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|ALTER\s+TABLE|DROP\s+TABLE)\b/i,
  ],
  [
    'engine message',
    /syntax error at or near|violates (?:unique|foreign key|check|not-null) constraint|duplicate key value|invalid input syntax|relation "[^"]+" does not exist|column "[^"]+" does not exist|current transaction is aborted|Binder Error|Catalog Error|Conversion Error|Parser Error|Constraint Error|Invalid Input Error|Out of Range Error|TransactionContext Error|Serialization Error|Could not convert/i,
  ],
  ['stack property', /"stack"\s*:/],
  ['DuckDB internal error', /INTERNAL Error|FATAL Error/],
];

const errorShape = z
  .object({
    error: z
      .object({
        code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
        message: z.string().min(1),
        fields: z.array(z.object({ field: z.string(), message: z.string() }).strict()).optional(),
      })
      .strict(),
    // The target file's report (POST /api/targets).
    problems: z.array(z.string()).optional(),
    total: z.number().optional(),
  })
  .strict();

/** The documented 503s: route → the error codes it may answer 503 with (null: its own body). */
const DOCUMENTED_503: Record<string, string[] | null> = {
  'GET /readyz': null,
  'POST /api/pos/pad': ['UNAVAILABLE'],
  'GET /api/pos/counter': ['UNAVAILABLE'],
  'POST /api/ops/loads': ['UNAVAILABLE'],
  'POST /api/ops/runs': ['UNAVAILABLE'],
  'POST /api/channels/callback': ['CALLBACKS_OFF'],
};

/** Audit entries a refused request may leave: the refusal itself (src/server/plugins/auth.ts, auth/index.ts, pos). */
const REFUSAL_AUDITS = new Set(['DENIED', 'LOGIN_FAILED', 'PAD_LOOKUP_REFUSED', 'PAD_LOOKUP']);
/** Audit entries a read may leave (a download of the weekly briefing is an export). */
const READ_AUDITS = new Set([...REFUSAL_AUDITS, 'EXPORT']);
/** Tables written by the machinery of every request, not by what it asks: checked apart or not at all. */
const VOLATILE = new Set(['sessions', 'login_failures', 'login_throttle', 'audit_log', 'schema_migrations']);

/** The tables the API's writes change (as in src/server/access.test.ts, and the callbacks' and loads'). */
const WRITTEN = [
  'tasks',
  'contacts',
  'leads',
  'consent_events',
  'targets',
  'users',
  'runs',
  'loads',
  'load_files',
  'quarantine',
  'visits',
  'outreach_events',
  'appointments',
  'service_points',
  'stations',
  'service_plans',
  'tuition_partners',
  'assistance_progress',
  'benefit_progress',
  'channel_callbacks',
  'channel_batch_lines',
];

/** The id-like keys whose value names an org, customer or employer. */
const SCOPE_KEY = /"([A-Za-z_]*(?:org|customer|employer|scope|parent)[A-Za-z_]*)"\s*:\s*"([^"]+)"/gi;

// ─── the test ──────────────────────────────────────────────────────────────────────────────────────

interface Figures {
  requests: number;
  byClass: Record<string, number>;
  byRoute: Record<string, number>;
  byKind: Record<string, number>;
  fiveHundreds: number;
  documented503: number;
  leaks: number;
  shapeErrors: number;
  personalData: number;
  crossUser: number;
  forgedPassed: number;
  csrfPassed: number;
  refusedWrites: number;
  acceptedWrites: number;
  stateChecks: number;
  ms: number;
  injectMs: number;
  fingerprintMs: number;
  kindMs: Record<string, number>;
  /** Outside ids still checked at the end (accepted writes widen scopes). */
  outsideLeft: number;
  watched: string[];
}

interface Harness {
  db: TestDb;
  app: FastifyInstance;
  jobs: JobQueue;
  passwords: Map<string, string>;
  sessions: Map<string, { token: string; csrf: string }>;
  logs: string[];
  dirs: string[];
  /** Per user, the orgs, customers and employers no answer may name (narrowed by accepted writes). */
  never: Map<string, Set<string>>;
  signIn(user: string): Promise<void>;
}

const CALLBACK_TOKEN = 'fuzz-callback-token-0123456789';

async function startHarness(engine: Engine): Promise<Harness> {
  const db = await engine.open();
  await insertBank(db, bank);
  await markLoaded(db, D);
  // markLoaded wrote load 1 by hand: the loader's sequence goes past it.
  await db.query(`SELECT nextval('load_id_seq') AS id`);
  const run = await runPipeline(db, { asOf: D, config });
  if (run.status !== 'PUBLISHED') throw new Error(`the run: ${run.message}`);
  await insertWork(db);

  // A drops root with an empty folder and a drop of junk (a load of either fails fast), and a web root.
  const root = mkdtempSync(join(tmpdir(), 'wangji-fuzz-api-'));
  const dropsRoot = join(root, 'drops');
  mkdirSync(join(dropsRoot, 'empty'), { recursive: true });
  mkdirSync(join(dropsRoot, 'bad-drop'));
  writeFileSync(
    join(dropsRoot, 'bad-drop', 'customers.csv'),
    'customer_id,name\n"unterminated\n\u0000\u0001',
  );
  const webRoot = join(root, 'web');
  mkdirSync(join(webRoot, 'assets'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>旺季</title>');
  writeFileSync(join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET-OUTSIDE-THE-WEB-ROOT');

  // One password for everyone, hashed once (argon2id costs; the fuzz signs in with it now and then).
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const passwords = new Map<string, string>();
  const userIds = new Map<string, number>();
  for (const u of USERS) {
    const info = await withAudit(db, (tx, audit) =>
      addUserIn(
        tx,
        audit,
        { username: u.user, role: u.role, orgId: u.org, staffId: u.staff },
        { actor: 'test', now: NOW, passwordHash },
      ),
    );
    passwords.set(u.user, password);
    userIds.set(u.user, info.userId);
  }
  const logs: string[] = [];
  const jobs = new JobQueue({ now: () => NOW });
  const served = { ...config, activities: [...config.activities, tuitionActivity(loadSeasonConfig())] };
  const app = await buildApp({
    db,
    config: served,
    now: () => NOW,
    log: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
    // Backups (POST /api/ops/backup) into the harness's folder, never the checkout's data/.
    ops: { dropsRoot, jobs, backups: { root: join(root, 'backups') } },
    webRoot,
  });
  await app.ready();
  const sessions = new Map<string, { token: string; csrf: string }>();
  // Sessions made as sign-in makes them (without its argon2 check: POST /api/session is fuzzed apart).
  const signIn = async (user: string) => {
    const s = await createSession(db, { userId: userIds.get(user) as number, ipKey: 'test', now: NOW });
    sessions.set(user, { token: s.token, csrf: s.csrfToken });
  };
  for (const u of USERS) await signIn(u.user);
  const never = new Map(USERS.map((u) => [u.user, new Set(u.never)]));
  return { db, app, jobs, passwords, sessions, logs, dirs: [root], never, signIn };
}

/** The row count and row-hash sum of each table given, and the audit entries by action, in one statement. */
async function fingerprintQuery(db: Db, tables: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const t of tables)
    parts.push(`SELECT '${t}' AS t, ${checksumColumns(db, await tableColumns(db, t))} FROM "${t}"`);
  parts.push(`SELECT 'audit:' || action AS t, count(*) AS n, '' AS digest FROM audit_log GROUP BY action`);
  return parts.join(' UNION ALL ');
}

interface Fingerprint {
  tables: Map<string, string>;
  audits: Map<string, number>;
}

async function fingerprintOf(db: Db, sql: string): Promise<Fingerprint> {
  const rows = await db.query<{ t: string; n: number | string; digest: string }>(sql);
  const tables = new Map<string, string>();
  const audits = new Map<string, number>();
  for (const r of rows) {
    if (r.t.startsWith('audit:')) audits.set(r.t.slice(6), Number(r.n));
    else tables.set(r.t, `${r.n}/${r.digest}`);
  }
  return { tables, audits };
}

const tablesChanged = (a: Fingerprint, b: Fingerprint) =>
  [...a.tables].filter(([t, v]) => b.tables.get(t) !== v).map(([t]) => t);
const auditsAdded = (a: Fingerprint, b: Fingerprint) =>
  [...b.audits].filter(([k, n]) => n !== (a.audits.get(k) ?? 0)).map(([k]) => k);

interface FuzzRequest {
  kind: string;
  route: Route;
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  payload?: string | Buffer;
  remoteAddress?: string;
  /** The user whose valid session the request carries (null: none, or a forged one). */
  as: FuzzUser | null;
  /** The request carries a cookie that is not a live session. */
  forged: boolean;
  /** The request carries the session's CSRF token. */
  csrfOk: boolean;
  /** The path was respelled (case, slashes, dots, suffixes): the route it reaches is not known here. */
  rerouted: boolean;
}

const enc = percent;

function forgedCookie(rng: Rng, live: { token: string }[]): string {
  const t = rng.pick(live).token;
  switch (rng.int(12)) {
    case 0:
      return `${SESSION_COOKIE}=${t.slice(0, rng.int(t.length))}`;
    case 1:
      return `${SESSION_COOKIE}=${t}x`;
    case 2:
      return `${SESSION_COOKIE}=${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
    case 3:
      return `${SESSION_COOKIE}=${'A'.repeat(43)}`;
    case 4:
      return `${SESSION_COOKIE}=${'x'.repeat(rng.pick([100, 4096, 16_000]))}`;
    case 5:
      return `${SESSION_COOKIE}=${enc("' OR '1'='1")}`;
    case 6:
      return `${SESSION_COOKIE}=%ZZ%00`;
    case 7:
      return `${SESSION_COOKIE}="${t}`;
    case 8:
      return `${SESSION_COOKIE}=${t.toUpperCase()}`;
    case 9:
      return `${SESSION_COOKIE}=`;
    case 10:
      return `${SESSION_COOKIE}=${Buffer.from(t).toString('hex').slice(0, 43)}`;
    default:
      return `${SESSION_COOKIE}=${enc(rng.pick(NASTY_STRINGS))}`;
  }
}

/** The orgs of each user's scope (the hand-made bank's tree: test/api-bank.ts). */
const SCOPE_ORGS: Record<string, string[]> = {
  branch: ['B1', 'S1', 'O1', 'O2'],
  outlet: ['O1'],
  am1: ['O1'],
  am2: ['O2'],
  rm1: ['S1'],
};

/**
 * Whether a customer is in the user's reach now by a task or appointment that accepted writes put
 * there: a task held by them or in a pool of their scope (a manager: any task of their subtree), an
 * outbound call for a remote agent, an appointment they go to or at an org of their scope.
 */
async function reachable(db: Db, u: FuzzUser, customer: string): Promise<boolean> {
  const orgs = SCOPE_ORGS[u.user] ?? [];
  const own = u.role === 'ACCOUNT_MANAGER' || u.role === 'CORPORATE_RM';
  const inOrgs = orgs.length ? `org_id IN (${orgs.map((o) => `'${o}'`).join(', ')})` : 'FALSE';
  const [t] = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM tasks WHERE customer_id = $1 AND (staff_id = $2 OR (${own ? 'staff_id IS NULL AND ' : ''}${inOrgs}) OR ($3 AND channel IN ('SMS', 'OUTBOUND_CALL')))`,
    [customer, u.staff ?? '', u.role === 'REMOTE_AGENT'],
  );
  const [a] = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM appointments WHERE customer_id = $1 AND (staff_id = $2 OR ${inOrgs})`,
    [customer, u.staff ?? ''],
  );
  return Number(t?.n) + Number(a?.n) > 0;
}

/** Build one fuzzed request. */
function makeRequest(rng: Rng, routes: Route[], h: Harness, p: Pools, lines: JsonSchema): FuzzRequest {
  const route = rng.pick(routes);
  const kind = rng.weighted({
    schema: 34,
    body: 10,
    contentType: 6,
    huge: 1,
    deep: 2,
    path: 10,
    query: 12,
    cookie: 10,
    csrf: 6,
    method: 9,
  });
  // Mostly a user who may call the route (so that requests get past the permission), sometimes anyone.
  const allowed = USERS.filter(
    (u) =>
      route.access === 'PUBLIC' || route.access === 'SIGNED_IN' || permissionsOf(u.role).has(route.access),
  );
  const anonymous = route.access === 'PUBLIC' ? rng.chance(0.5) : rng.chance(0.04);
  const user = anonymous ? null : rng.pick(allowed.length && rng.chance(0.85) ? allowed : USERS);
  const session = user ? h.sessions.get(user.user) : undefined;
  const headers: Record<string, string | string[]> = {};
  let forged = false;
  let csrfOk = false;
  let method = route.method;

  // Cookies: the user's; forged or odd ones for the cookie kind.
  if (kind === 'cookie') {
    const live = [...h.sessions.values()];
    const forgedOne = forgedCookie(rng, live);
    switch (rng.int(6)) {
      case 0: // duplicate: a forged one first, then a live one — the first counts
        headers.cookie = session ? `${forgedOne}; ${SESSION_COOKIE}=${session.token}` : forgedOne;
        forged = true;
        break;
      case 1: // oversized header of other cookies around a forged one
        headers.cookie = `a=${'b'.repeat(rng.pick([1000, 8000]))}; ${forgedOne}; c=d`;
        forged = true;
        break;
      case 2: // malformed cookie headers without a session at all
        headers.cookie = rng.pick([
          ';;;',
          '=',
          `${SESSION_COOKIE}`,
          '\u0000',
          `${SESSION_COOKIE};=;`,
          'a=b=c',
        ]);
        forged = true;
        break;
      default:
        headers.cookie = forgedOne;
        forged = true;
    }
  } else if (session) {
    headers.cookie = `${SESSION_COOKIE}=${session.token}`;
  }
  const validSession = Boolean(session) && !forged;

  // CSRF: the session's token on writes, unless the kind breaks it.
  if (validSession && session) {
    if (kind === 'csrf') {
      const other = h.sessions.get(rng.pick(USERS.filter((u) => u.user !== user?.user)).user);
      const bad = rng.pick([
        null,
        '',
        'x',
        other?.csrf ?? 'y',
        session.csrf.slice(0, -1),
        `${session.csrf} `,
        session.csrf.toLowerCase() === session.csrf ? `${session.csrf}A` : session.csrf.toLowerCase(),
        [session.csrf, session.csrf],
        session.token,
      ]);
      if (bad !== null) headers['x-csrf-token'] = bad;
    } else {
      headers['x-csrf-token'] = session.csrf;
      csrfOk = true;
    }
  }

  // Path: the route's parameters from the pools, or nasty segments.
  let url = route.url;
  for (const param of route.path) {
    const value =
      param.name === '*'
        ? rng.pick([
            'index.html',
            'assets/app-1234.js',
            'dashboard',
            '../secret.txt',
            '..%2Fsecret.txt',
            '%2e%2e/%2e%2e/secret.txt',
            'assets/../../secret.txt',
            'assets/%2e%2e%2f%2e%2e%2fsecret.txt',
            '....//secret.txt',
            'assets/nope.js',
            'x'.repeat(5000),
            '%00',
            'api',
          ])
        : kind === 'path' && rng.chance(0.8)
          ? rng.chance(0.15)
            ? rng.pick(['9', 'a', '%2F']).repeat(rng.pick([200, 2000, 50_000]))
            : rng.pick(NASTY_SEGMENTS)
          : enc(String(generate(param.schema, rng, p, param.name)));
    url = url.replace(param.name === '*' ? '*' : `:${param.name}`, value);
  }
  url += queryString(route.query, rng, p, kind === 'query');
  // The route's path spelled otherwise: it may reach another route (the web app's) or none.
  const rerouted = kind === 'path' && rng.chance(0.2);
  if (rerouted)
    url = rng.pick([
      `${url}/`,
      `${url}//`,
      url.replace('/api/', '/api//'),
      url.replace('/api/', '/API/'),
      url.replace('/api/', '/api/./'),
      url.replace('/api/', '/api/../api/'),
      `${url}%00`,
      `${url}#frag`,
      `${url};jsessionid=1`,
    ]);

  // Method: any, on this route's path.
  if (kind === 'method') method = rng.pick(METHODS);

  // Body.
  let payload: string | Buffer | undefined;
  const bodySchema = route.body;
  const jsonBody = () => {
    if (!bodySchema) return undefined;
    if (route.url === '/api/channels/callback')
      return { lines: Array.from({ length: rng.int(4) }, () => generate(lines, rng, p)) };
    return generate(bodySchema, rng, p);
  };
  if (route.types.includes('text/csv') && kind !== 'contentType' && rng.chance(0.7)) {
    headers['content-type'] = rng.pick(['text/csv', 'text/csv; charset=gbk']);
    const org = rng.pick(ORGS);
    payload = rng.pick([
      `kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,${org},,SEASON,${rng.pick(['4', '-1', 'x', '1e9', '0.5', ''])}\r\n`,
      'kpi,org_id\r\n',
      '',
      '\u0000\u0001\u0002',
      `kpi,org_id,staff_id,period,target\r\n${'NEW_CUSTOMERS,O1,,SEASON,1\r\n'.repeat(rng.int(50))}`,
      'kpi,kpi,kpi\r\na,b,c\r\n',
      `"unterminated,${org}\r\n`,
      Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('latin1'),
    ]);
  } else if (
    kind === 'schema' ||
    kind === 'path' ||
    kind === 'query' ||
    kind === 'cookie' ||
    kind === 'csrf'
  ) {
    const body = jsonBody();
    if (body !== undefined) {
      const mutated = kind === 'schema' && rng.chance(0.75) ? mutate(body, bodySchema ?? {}, rng) : body;
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(mutated) ?? 'null';
    } else if (rng.chance(0.1)) {
      // A body on a route that takes none.
      headers['content-type'] = 'application/json';
      payload = '{"unexpected":true}';
    }
  } else if (kind === 'body') {
    headers['content-type'] = 'application/json';
    payload = malformedJson(rng, JSON.stringify(jsonBody() ?? {}));
  } else if (kind === 'contentType') {
    const type = rng.pick(CONTENT_TYPES);
    if (type !== null) headers['content-type'] = type;
    payload = rng.pick([
      JSON.stringify(jsonBody() ?? {}),
      'a=1&b=2',
      '------x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n------x--',
      '<a>1</a>',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff]).toString('latin1'),
    ]);
  } else if (kind === 'huge') {
    headers['content-type'] = rng.pick(['application/json', 'text/csv', 'text/plain']);
    const size = rng.pick([1_100_000, 6_000_000]);
    payload = rng.chance(0.5) ? `{"a":"${'x'.repeat(size)}"}` : `[${'1,'.repeat(size / 2)}1]`;
  } else if (kind === 'deep') {
    headers['content-type'] = 'application/json';
    const depth = rng.pick([1_000, 10_000, 100_000]);
    payload = rng.chance(0.5)
      ? deepJson(depth, rng.chance(0.5) ? 'array' : 'object')
      : // Deep inside a body that is valid otherwise.
        JSON.stringify(jsonBody() ?? {}).replace(/^\{/, `{"deep":${deepJson(depth, 'array')},`);
  }
  if (payload !== undefined && method === 'GET' && rng.chance(0.5)) payload = undefined;

  // The callbacks' bearer token: right, wrong or none.
  if (route.url === '/api/channels/callback')
    headers.authorization = rng.pick([
      `Bearer ${CALLBACK_TOKEN}`,
      `Bearer ${CALLBACK_TOKEN}`,
      'Bearer wrong',
      `bearer ${CALLBACK_TOKEN}`,
      `Bearer ${CALLBACK_TOKEN}x`,
      '',
      'Basic YTpi',
    ]);
  // The sign-in: from addresses of its own, so that the throttle spreads.
  const remoteAddress =
    route.url === '/api/session' ? `10.${rng.int(4)}.${rng.int(256)}.${1 + rng.int(254)}` : undefined;
  return {
    kind,
    route,
    method,
    url,
    headers,
    payload,
    remoteAddress,
    as: validSession ? user : null,
    forged,
    csrfOk,
    rerouted,
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

async function fuzz(h: Harness, rng: Rng, n: number, f: Figures, failures: string[]): Promise<void> {
  const routes = routesOf(h.app);
  const p = pools(h.passwords);
  const lines = z.toJSONSchema(callbackLineSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fingerprint = async (q: string) => {
    const t = performance.now();
    const out = await fingerprintOf(h.db, q);
    f.fingerprintMs += performance.now() - t;
    return out;
  };
  // Watched around every write: the tables people write through the API (WRITTEN). Every table is
  // compared every BATCH requests: a change outside the watched ones needs an accepted job (a load or
  // run) in the batch, or an accepted write — and the tables it wrote are watched from then on.
  const all = (await allTables(h.db)).filter((t) => !VOLATILE.has(t));
  const watched = new Set(WRITTEN.filter((t) => all.includes(t)));
  let sql = await fingerprintQuery(h.db, [...watched]);
  const fullSql = await fingerprintQuery(h.db, all);
  let before = await fingerprint(sql);
  let full = await fingerprint(fullSql);
  let acceptedWrite = false;
  let acceptedJob = false;
  let batchStart = 0;
  /** Reads since the last fingerprint: none may change a table. */
  let readsSince: string[] = [];
  const fail = (i: number, r: FuzzRequest | null, what: string, res?: LightMyRequestResponse) => {
    if (failures.length < 60)
      failures.push(
        `#${i}${r ? ` ${r.kind} ${r.method} ${r.url.slice(0, 160)}${r.as ? ` as ${r.as.user}` : ''}` : ''}: ${what}${res ? ` → ${res.statusCode} ${res.body.slice(0, 300)}` : ''}`,
      );
  };
  /** The reads since the last look changed nothing watched (and audited only what reads may). */
  const checkReads = async (i: number) => {
    if (!readsSince.length) return;
    const now = await fingerprint(sql);
    f.stateChecks++;
    const changed = tablesChanged(before, now);
    if (changed.length) fail(i, null, `reads changed ${changed.join(', ')}: ${readsSince.join(' | ')}`);
    const audits = auditsAdded(before, now).filter((a) => !READ_AUDITS.has(a));
    if (audits.length) fail(i, null, `reads audited ${audits.join(', ')}: ${readsSince.join(' | ')}`);
    before = now;
    readsSince = [];
  };
  /** Every table, every BATCH requests and at the end. */
  const checkAll = async (i: number) => {
    await checkReads(i);
    const now = await fingerprint(fullSql);
    f.stateChecks++;
    const changed = tablesChanged(full, now).filter((t) => !watched.has(t));
    if (changed.length && !acceptedJob) {
      if (!acceptedWrite)
        fail(i, null, `requests #${batchStart}–#${i} changed ${changed.join(', ')} and none was accepted`);
      for (const t of changed) watched.add(t);
      sql = await fingerprintQuery(h.db, [...watched]);
      before = await fingerprint(sql);
    }
    full = now;
    acceptedWrite = false;
    acceptedJob = false;
    batchStart = i + 1;
  };
  const BATCH = 100;
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const r = makeRequest(rng, routes, h, p, lines);
    const write = !SAFE.has(r.method);
    // A task written by its own holder's kind of user: whose it was before, to judge an accepted write.
    const taskId = /^\/api\/tasks\/(\d{1,6})\//.exec(r.url)?.[1];
    const ownUser = r.as && ['ACCOUNT_MANAGER', 'CORPORATE_RM', 'REMOTE_AGENT'].includes(r.as.role);
    const taskBefore =
      write && taskId && ownUser
        ? (
            await h.db.query<{ staff_id: string | null; org_id: string; channel: string }>(
              'SELECT staff_id, org_id, channel FROM tasks WHERE task_id = $1',
              [Number(taskId)],
            )
          )[0]
        : undefined;
    let res: LightMyRequestResponse;
    const logMark = h.logs.length;
    const t0 = performance.now();
    try {
      res = await h.app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: r.headers,
        ...(r.payload !== undefined ? { payload: r.payload } : {}),
        ...(r.remoteAddress ? { remoteAddress: r.remoteAddress } : {}),
      });
    } catch (e) {
      fail(i, r, `inject threw ${(e as Error).message}`);
      continue;
    }
    const took = performance.now() - t0;
    f.injectMs += took;
    f.kindMs[r.kind] = (f.kindMs[r.kind] ?? 0) + took;
    f.requests++;
    const key = `${r.route.method} ${r.route.url}`;
    f.byRoute[key] = (f.byRoute[key] ?? 0) + 1;
    f.byKind[r.kind] = (f.byKind[r.kind] ?? 0) + 1;
    const cls = `${Math.floor(res.statusCode / 100)}xx`;
    f.byClass[cls] = (f.byClass[cls] ?? 0) + 1;
    const body = res.body;
    const isJson = String(res.headers['content-type'] ?? '').startsWith('application/json');
    const matched =
      !r.rerouted && (r.method === r.route.method || (r.method === 'HEAD' && r.route.method === 'GET'));

    // 5xx: only the documented 503s.
    if (res.statusCode >= 500) {
      const sameMethod = r.method === r.route.method || (r.method === 'HEAD' && r.route.method === 'GET');
      const allowed = sameMethod ? DOCUMENTED_503[key] : undefined;
      let code: string | undefined;
      try {
        code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
      } catch {}
      if (
        res.statusCode === 503 &&
        allowed !== undefined &&
        (allowed === null || allowed.includes(code ?? ''))
      )
        f.documented503++;
      else {
        f.fiveHundreds++;
        // What the server logged (the client got none of it).
        const logged = h.logs
          .slice(logMark)
          .map(
            (l) =>
              JSON.parse(l) as { level: number; err?: { type?: string; message?: string; stack?: string } },
          )
          .filter((l) => l.level >= 50 && l.err)
          .map((l) => `${l.err?.type}: ${l.err?.message} ${l.err?.stack?.split('\n')[1]?.trim() ?? ''}`);
        fail(i, r, `5xx (logged: ${logged.join(' / ').slice(0, 400)})`, res);
      }
    }
    // Errors: the API's shape, as JSON (a HEAD has no body; /readyz's 503 is its own).
    if (res.statusCode >= 400 && r.method !== 'HEAD' && !(key === 'GET /readyz' && res.statusCode === 503)) {
      let ok = isJson;
      try {
        ok = ok && errorShape.safeParse(JSON.parse(body)).success;
      } catch {
        ok = false;
      }
      if (!ok) {
        f.shapeErrors++;
        fail(i, r, `error not in the API's shape (${res.headers['content-type']})`, res);
      }
      if (ID_NO.test(body) || MOBILE.test(body)) {
        f.personalData++;
        fail(i, r, 'an ID number or mobile in an error', res);
      }
    }
    // Internals: in no text answer but the API docs (which describe the API, SQL words included); the
    // operations records name the drop folders they read by design.
    const text = /^(?:application\/json|text\/)/.test(String(res.headers['content-type'] ?? 'text/'));
    if (text && !r.url.startsWith('/api/docs')) {
      // The operations records and the audit log name the drop folders they read, by design.
      const records =
        res.statusCode < 300 && (r.route.url.startsWith('/api/ops/') || r.route.url.startsWith('/api/audit'));
      // What the request itself carried and the answer repeats (an id echoed in a 404) is not internals.
      // Nor is a nasty value an earlier request stored (a note reading C:\boot.ini) and this one reads.
      const sent = `${safeDecode(r.url)} ${r.payload ?? ''}`.toLowerCase();
      const lower = body.toLowerCase();
      const stored = (found: string) =>
        [...NASTY_STRINGS, ...NASTY_SEGMENTS].some(
          (v) =>
            v.toLowerCase().includes(found) && lower.includes(JSON.stringify(v).slice(1, -1).toLowerCase()),
        );
      const hit = INTERNALS.find(([what, re]) => {
        if (records && what === 'file path') return false;
        const m = body.match(re);
        const found = m?.[0].toLowerCase();
        return found !== undefined && !sent.includes(found) && !stored(found);
      });
      if (hit) {
        f.leaks++;
        fail(i, r, `internals (${hit[0]}: ${body.match(hit[1])?.[0]})`, res);
      }
      if (body.includes('TOP-SECRET-OUTSIDE')) {
        f.leaks++;
        fail(i, r, 'a file outside the web root', res);
      }
    }
    // The bank's personal data as delivered: never, but in a reveal the user may make.
    const revealOk = r.route.url === '/api/customers/:id/reveal' && res.statusCode === 200;
    if (!revealOk)
      for (const raw of Object.values(RAW))
        for (const v of [raw.id, raw.phone, raw.name])
          if (body.includes(v)) {
            f.personalData++;
            fail(i, r, `raw personal data ${v.slice(0, 3)}…`, res);
          }
    // Sessions: a forged cookie never passes; a write without its CSRF token is refused.
    const guarded = matched && r.route.access !== 'PUBLIC' && r.route.url.startsWith('/api/');
    if (
      guarded &&
      r.forged &&
      res.statusCode !== 401 &&
      !(res.statusCode === 400 || res.statusCode === 404)
    ) {
      f.forgedPassed++;
      fail(i, r, 'a forged session was not refused 401', res);
    }
    if (guarded && r.as && write && !r.csrfOk && !r.route.csrfExempt && !/"code":"CSRF"/.test(body)) {
      f.csrfPassed++;
      fail(i, r, 'a write without its CSRF token was not refused 403 CSRF', res);
    }
    // A session answers as its own user, never as another.
    if (matched && isJson && r.route.url === '/api/session' && r.method === 'GET' && res.statusCode === 200) {
      const who = (JSON.parse(body) as { user?: { username?: string } }).user?.username;
      if (who !== r.as?.user) {
        f.crossUser++;
        fail(i, r, `GET /api/session answered ${who}`, res);
      }
    }
    // Scope: the answers to a signed-in user name nothing outside their scope.
    const never = r.as ? h.never.get(r.as.user) : undefined;
    // (A sign-in answers about the user it signed in, whoever's cookie came with it.)
    if (r.as && never?.size && res.statusCode < 300 && r.route.url !== '/api/session')
      for (const m of body.matchAll(SCOPE_KEY)) {
        const id = m[2] as string;
        if (!never.has(id)) continue;
        // A customer whose task or appointment an accepted write moved into the user's reach is theirs now.
        if (CUSTOMERS.includes(id) && (await reachable(h.db, r.as, id))) {
          never.delete(id);
          continue;
        }
        f.crossUser++;
        fail(i, r, `names ${m[1]}=${id}, outside ${r.as.user}'s scope`, res);
        break;
      }
    // A task an account manager, corporate RM or remote agent wrote to was theirs, or in their pool.
    if (taskBefore && r.as && res.statusCode < 300) {
      const t = taskBefore;
      const theirs =
        t.staff_id === r.as.staff ||
        (t.staff_id === null && t.org_id === r.as.org) ||
        (r.as.role === 'REMOTE_AGENT' && (t.channel === 'SMS' || t.channel === 'OUTBOUND_CALL'));
      if (!theirs) {
        f.crossUser++;
        fail(i, r, `wrote to task ${taskId} of ${t.staff_id ?? `the pool of ${t.org_id}`}`, res);
      }
    }
    // An accepted write may widen what others see (a task reassigned to an outlet's pool, an
    // appointment booked for another's customer): the ids its answer names are no longer counted
    // outside anyone's scope.
    if (write && r.as && res.statusCode < 300)
      for (const m of body.matchAll(SCOPE_KEY))
        for (const set of h.never.values()) set.delete(m[2] as string);

    // State: a refused write changed nothing watched, nor did the reads before it.
    if (write) {
      // An accepted job (a load or run) runs after its answer: wait for it before looking.
      const job = res.statusCode < 300 && r.route.url.startsWith('/api/ops/');
      if (job) await h.jobs.idle();
      const after = await fingerprint(sql);
      f.stateChecks++;
      const window = readsSince.length ? ` (or the reads before it: ${readsSince.join(' | ')})` : '';
      if (res.statusCode >= 300) {
        f.refusedWrites++;
        const changed = tablesChanged(before, after);
        if (changed.length) fail(i, r, `refused, yet changed ${changed.join(', ')}${window}`, res);
        const allowed = readsSince.length ? READ_AUDITS : REFUSAL_AUDITS;
        const audits = auditsAdded(before, after).filter((a) => !allowed.has(a));
        if (audits.length) fail(i, r, `refused, yet audited ${audits.join(', ')}${window}`, res);
      } else {
        f.acceptedWrites++;
        acceptedWrite = true;
        acceptedJob ||= job;
      }
      before = after;
      readsSince = [];
    } else readsSince.push(`#${i} ${r.method} ${r.url.slice(0, 80)} → ${res.statusCode}`);

    // A fuzzed sign-out that was accepted ended the user's session: sign in again (not a fuzzed write).
    if (r.as && r.route.url === '/api/session' && r.method === 'DELETE' && res.statusCode < 300) {
      await h.signIn(r.as.user);
      before = await fingerprint(sql);
    }
    if (i % BATCH === BATCH - 1) await checkAll(i);
    if (process.env.WANGJI_FUZZ_TRACE && i % 100 === 99)
      console.log(
        `#${i + 1}: ${((Date.now() - started) / 1000).toFixed(1)} s, inject ${(f.injectMs / 1000).toFixed(1)} s, state ${(f.fingerprintMs / 1000).toFixed(1)} s`,
      );
    // Alive?
    if (i % 250 === 249) {
      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      if (health.statusCode !== 200) fail(i, r, `/healthz answered ${health.statusCode} afterwards`);
    }
  }
  await checkAll(n);
  f.ms += Date.now() - started;
  f.outsideLeft = [...h.never.values()].reduce((s, set) => s + set.size, 0);
  f.watched = [...watched];
}

const emptyFigures = (): Figures => ({
  requests: 0,
  byClass: {},
  byRoute: {},
  byKind: {},
  fiveHundreds: 0,
  documented503: 0,
  leaks: 0,
  shapeErrors: 0,
  personalData: 0,
  crossUser: 0,
  forgedPassed: 0,
  csrfPassed: 0,
  refusedWrites: 0,
  acceptedWrites: 0,
  stateChecks: 0,
  ms: 0,
  injectMs: 0,
  fingerprintMs: 0,
  kindMs: {},
  outsideLeft: 0,
  watched: [],
});

const figures: Record<string, Figures> = {};
const env = { callback: process.env.WANGJI_CHANNELS_CALLBACK_TOKEN, id: process.env.WANGJI_ID_SECRET };

beforeAll(() => {
  // Callbacks and PAD lookups by ID number switched on, so that their handlers are fuzzed too.
  process.env.WANGJI_CHANNELS_CALLBACK_TOKEN = CALLBACK_TOKEN;
  process.env.WANGJI_ID_SECRET = 'fuzz-id-secret';
});

afterAll(() => {
  for (const [k, v] of [
    ['WANGJI_CHANNELS_CALLBACK_TOKEN', env.callback],
    ['WANGJI_ID_SECRET', env.id],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  const all = Object.values(figures);
  if (!all.length) return;
  const sum = (k: keyof Figures) => all.reduce((s, x) => s + (x[k] as number), 0);
  const merge = (k: 'byClass' | 'byRoute' | 'byKind') => {
    const out: Record<string, number> = {};
    for (const x of all) for (const [key, n] of Object.entries(x[k])) out[key] = (out[key] ?? 0) + n;
    return Object.fromEntries(Object.entries(out).sort());
  };
  recordFigures('fuzz-api', {
    seed: SEED,
    engines: Object.keys(figures),
    requests: sum('requests'),
    perEngine: Object.fromEntries(Object.entries(figures).map(([k, x]) => [k, x.requests])),
    byStatusClass: merge('byClass'),
    byKind: merge('byKind'),
    routes: Object.keys(merge('byRoute')).length,
    byRoute: merge('byRoute'),
    fiveHundreds: sum('fiveHundreds'),
    documented503: sum('documented503'),
    leaks: sum('leaks'),
    shapeErrors: sum('shapeErrors'),
    personalData: sum('personalData'),
    crossUser: sum('crossUser'),
    forgedSessionsPassed: sum('forgedPassed'),
    csrfPassed: sum('csrfPassed'),
    refusedWrites: sum('refusedWrites'),
    acceptedWrites: sum('acceptedWrites'),
    stateChecks: sum('stateChecks'),
    outsideIdsLeft: sum('outsideLeft'),
    socketRequests: socketFigures.requests,
    socket: socketFigures,
    seconds: Math.round(sum('ms') / 100) / 10,
    injectSeconds: Math.round(sum('injectMs') / 100) / 10,
    fingerprintSeconds: Math.round(sum('fingerprintMs') / 100) / 10,
    full: FULL,
  });
});

const socketFigures = { requests: 0, byStatus: {} as Record<string, number>, closedWithoutAnswer: 0 };

describeEachEngine(
  'fuzzed API requests: no crash, no 5xx, no internals, no writes when refused',
  (engine) => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness(engine);
    }, 120_000);

    afterAll(async () => {
      await h?.app.close().catch(() => undefined);
      await h?.db.close();
      for (const d of h?.dirs ?? []) rmSync(d, { recursive: true, force: true });
    });

    it(`answers ${REQUESTS} fuzzed requests in words and shape, and changes nothing it refuses`, async () => {
      const f = emptyFigures();
      figures[engine.kind] = f;
      const failures: string[] = [];
      await fuzz(h, new Rng(SEED), REQUESTS, f, failures);
      console.log(
        `fuzz-api [${engine.kind}]: ${f.requests} requests in ${(f.ms / 1000).toFixed(1)} s (inject ${(f.injectMs / 1000).toFixed(1)} s, state ${(f.fingerprintMs / 1000).toFixed(1)} s, ${f.stateChecks} checks of ${f.watched.length} tables): ${JSON.stringify(f.byClass)} ms by kind ${JSON.stringify(Object.fromEntries(Object.entries(f.kindMs).map(([k, v]) => [k, Math.round(v)])))}`,
      );
      expect(failures, `seed ${SEED}`).toEqual([]);
      // Every route was asked, and the fuzz reached the handlers (answers of every class).
      const served = new Set(h.app.accessRules.map((r) => `${r.method} ${r.url}`));
      const asked = Object.keys(f.byRoute).filter((k) => served.has(k));
      if (REQUESTS >= served.size * 12) expect(asked.length).toBe(served.size);
      expect(f.byClass['2xx'] ?? 0).toBeGreaterThan(REQUESTS / 20);
      expect(f.byClass['4xx'] ?? 0).toBeGreaterThan(REQUESTS / 3);
      expect(f.fiveHundreds).toBe(0);
      // Still alive, and the audit chain whole.
      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      const auditor = h.sessions.get('auditor');
      const verify = await h.app.inject({
        method: 'GET',
        url: '/api/audit/verify',
        headers: { cookie: `${SESSION_COOKIE}=${auditor?.token}` },
      });
      expect(verify.statusCode, verify.body).toBe(200);
      expect(verify.json().ok).toBe(true);
      expect((await verifyAudit(h.db)).ok).toBe(true);
      // The log lines carry no session token, CSRF token or password.
      const secrets = [...h.sessions.values()]
        .flatMap((s) => [s.token, s.csrf])
        .concat([...h.passwords.values()]);
      const logText = h.logs.join('');
      for (const s of secrets) expect(logText.includes(s)).toBe(false);
    }, 600_000);

    // Over a socket the HTTP layer is fuzzed, the same on both engines: in the bounded form once (on
    // DuckDB, where the server owns the file), in full on both — starting `wangji serve` costs seconds.
    if (FULL || engine.kind === 'duckdb')
      it(`answers ${SOCKET_REQUESTS} raw malformed requests to \`wangji serve\` in the API's shape, and stops cleanly`, async () => {
        // The app lets go of the database; `wangji serve` opens it as an operator would.
        await h.app.close();
        await h.db.release();
        await socketFuzz(h, SOCKET_REQUESTS);
      }, 300_000);
  },
);

// ─── over a real socket ─────────────────────────────────────────────────────────────────────────────

/**
 * Send raw bytes; collect what comes back until the server closes the connection, or it has been quiet
 * for a while after answering (a kept-alive connection), or has not answered at all (a request it is
 * still waiting the rest of).
 */
function raw(port: number, bytes: string | Buffer, quietMs = 100, silentMs = 700): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let timer: NodeJS.Timeout = setTimeout(() => done(), silentMs);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    socket.on('data', (c) => {
      chunks.push(c);
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.write(bytes));
  });
}

/** `wangji serve` over the harness's database (released by the app first), until stopped. */
async function startServe(h: Harness): Promise<{
  child: ChildProcess;
  exited: Promise<number | null>;
  port: number;
  stderr: () => string;
  session: { token: string; csrf: string };
}> {
  const root = h.dirs[0] as string;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(PACKAGE_ROOT, 'test', 'run-cli.ts'),
      'serve',
      '--port',
      '0',
      '--db',
      h.db.target.location,
      '--drops-root',
      join(root, 'drops'),
      '--web-root',
      join(root, 'web'),
    ],
    { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(m[0]);
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  // A sign-in over the socket, as a browser makes it.
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'am1', password: h.passwords.get('am1') }),
  });
  const token = /wangji_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (res.status !== 200 || !token)
    throw new Error(`am1 could not sign in: ${res.status} ${await res.text()}`);
  const session = { token, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  return { child, exited, port: Number(new URL(url).port), stderr: () => stderr, session };
}

/** Raw malformed requests to `wangji serve` over a socket; then it still serves, and stops cleanly. */
async function socketFuzz(h: Harness, n: number): Promise<void> {
  const serve = await startServe(h);
  const { child, exited, port } = serve;
  try {
    const rng = new Rng(SEED ^ 0x5a5a5a5a);
    const s = serve.session;
    const cookie = `${SESSION_COOKIE}=${s.token}`;
    const json = JSON.stringify({ outcome: 'NOT_REACHED' });
    const makers: (() => string | Buffer)[] = [
      () => 'GARBAGE\r\n\r\n',
      () => 'GET\r\n\r\n',
      () => 'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
      () => 'GET /healthz\r\n\r\n',
      () => `GET /${'a'.repeat(rng.pick([9000, 70_000]))} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      () =>
        `GET /api/tasks HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: 1`).join('\r\n')}\r\n\r\n`,
      () => 'GET /api/tasks HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      () => 'GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\n\r\n',
      () =>
        `GET /api/tasks HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nCookie: ${SESSION_COOKIE}=forged\r\n\r\n`,
      () =>
        `POST /api/tasks/1/outcome HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 50\r\nCookie: ${cookie}\r\nx-csrf-token: ${s?.csrf}\r\n\r\n${json}`,
      () =>
        `POST /api/tasks/1/outcome HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\nCookie: ${cookie}\r\nx-csrf-token: ${s?.csrf}\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
      () =>
        `POST /api/tasks/1/outcome HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nCookie: ${cookie}\r\nx-csrf-token: ${s?.csrf}\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
      () =>
        `POST /api/tasks/1/outcome HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nCookie: ${cookie}\r\nx-csrf-token: ${s?.csrf}\r\n\r\n{"outcome":`,
      () =>
        `POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n{}`,
      () =>
        `POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
      () =>
        `POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n${malformedJson(rng, '{"username":"am1","password":"x"}').slice(0, 12).padEnd(12)}`,
      () =>
        `PATCH /api/field/visits/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCookie: ${cookie}\r\nx-csrf-token: ${s?.csrf}\r\nContent-Length: 2000\r\n\r\n${deepJson(1000, 'array')}`,
      () => `GET /api/tasks/${rng.pick(NASTY_SEGMENTS)} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`,
      () =>
        `GET /api/tasks?status=${rng.pick(['%', '%zz', '%00', 'OPEN&status=DONE'])} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`,
      () => `GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /assets/..%2f..%2fsecret.txt HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET http://evil.example/api/session HTTP/1.1\r\nHost: evil.example\r\nCookie: ${cookie}\r\n\r\n`,
      () => `GET /api/session HTTP/1.1\r\nHost: ${'h'.repeat(300)}\r\nCookie: ${cookie}\r\n\r\n`,
      () => `GET /api/session HTTP/1.1\r\n\r\n`,
      () => Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]),
      () => `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`,
      () => `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(20),
      () => `\r\n\r\n\r\n`,
      () => Buffer.from(Array.from({ length: 200 }, () => rng.int(256))),
    ];
    const statusLine = /^HTTP\/1\.[01] (\d{3}) /;
    const failures: string[] = [];
    for (let i = 0; i < n; i++) {
      const which = rng.int(makers.length);
      const bytes = (makers[which] as () => string | Buffer)();
      const answer = await raw(port, bytes);
      socketFigures.requests++;
      const m = answer.match(statusLine);
      const status = m ? (m[1] as string) : 'closed';
      socketFigures.byStatus[status] = (socketFigures.byStatus[status] ?? 0) + 1;
      if (!m) {
        socketFigures.closedWithoutAnswer++;
        continue;
      }
      // Every answer in the stream (a pipelined one has several).
      for (const part of answer.split(/(?=HTTP\/1\.[01] \d{3} )/)) {
        const pm = part.match(statusLine);
        if (!pm) continue;
        const code = Number(pm[1]);
        const bodyAt = part.indexOf('\r\n\r\n');
        const head = part.slice(0, bodyAt);
        let body = part.slice(bodyAt + 4);
        if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '');
        if (code >= 500 && !(code === 503 && /GET \/readyz/.test(String(bytes))))
          failures.push(`maker ${which}: ${code} ${body.slice(0, 200)}`);
        // Node's HTTP layer answers a request without Host (HTTP/1.1) with an empty 400 of its own.
        if (code >= 400 && body.trim() === '') continue;
        if (code >= 400 && !/^content-type: application\/json/im.test(head))
          failures.push(`maker ${which}: ${code} not JSON: ${head.slice(0, 200)}`);
        else if (code >= 400) {
          const parsed = (() => {
            try {
              return JSON.parse(body.slice(0, body.lastIndexOf('}') + 1));
            } catch {
              return undefined;
            }
          })();
          if (!errorShape.safeParse(parsed).success)
            failures.push(`maker ${which}: ${code} not the API's error shape: ${body.slice(0, 200)}`);
        }
        const hit = INTERNALS.find(([, re]) => re.test(body));
        if (hit) failures.push(`maker ${which}: internals (${hit[0]}) ${body.slice(0, 200)}`);
        if (body.includes('TOP-SECRET-OUTSIDE')) failures.push(`maker ${which}: a file outside the web root`);
      }
    }
    expect(failures.slice(0, 30), `seed ${SEED}`).toEqual([]);
    // Still serving over the socket, sessions included.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const me = await fetch(`http://127.0.0.1:${port}/api/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).user.username).toBe('am1');
    // It stops cleanly; its log carries no error of ours, no session or CSRF token; the chain is whole.
    child.kill('SIGTERM');
    expect(await exited, serve.stderr().slice(-3000)).toBe(0);
    expect(serve.stderr()).not.toMatch(/"msg":"(?:unhandled error|server error|router error)"/);
    expect(serve.stderr().includes(s.token)).toBe(false);
    expect(serve.stderr().includes(s.csrf)).toBe(false);
    const again = await openDb(h.db.target);
    try {
      expect((await verifyAudit(again)).ok).toBe(true);
    } finally {
      await again.close();
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
