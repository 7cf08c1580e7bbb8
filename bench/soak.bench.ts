// Soak benchmark (issue #9, point 1: "the server under a 10-minute mixed load of 200 simulated staff …
// with p50/p99 per endpoint and zero errors; memory flat over the soak"). `wangji serve` in its own
// process over a bank of N customers, and one load generator (bench/paced.ts: open loop at a fixed
// total rate, keep-alive connections, latency from when each request was due) playing S staff members
// of the bank, each a user of their own (added for a real staff member) signed in with their own
// session. The staff and what each does in a peak-season hour (requests to the API, MIX below):
//   account managers (60 %)   the workbench — 15 × GET /api/tasks (mine / all), 20 × GET /api/tasks/:id
//                             and 20 × POST /api/tasks/:id/outcome on their own open tasks (the contact
//                             policy answers 409 with a reason: counted apart, as refusals, not errors),
//                             3 × their outlet's dashboard, 1 counter prompt
//   tellers (12.5 %)          8 counter prompts (the bank's remittance beneficiaries), 2 PAD look-ups
//   lobby staff (12.5 %)      20 PAD look-ups of customers of their outlet, 2 counter prompts
//   outlet managers (10 %)    6 × dashboard, 4 × the team's progress, 2 × the weekly briefing (周通报,
//                             one KPI or all), 4 × the subtree's task list
//   sub-branch and branch managers (5 %)  4 × dashboard, 2 × briefing, 2 × team
// 200 such staff make about 2.3 requests a second; the soak plays the mix at --speed (default 4)
// times that pace, or at --rate requests a second in all.
// An error is a 5xx, a timeout (10 s) or a socket error: each is printed. A 409/422 is a business
// answer (the contact policy, a task closed meanwhile); any other 4xx is unexpected and printed.
// Memory: every 10 s the server's RSS (from /proc), V8 heap and DuckDB's buffers (from /metrics, as
// Prometheus would scrape it). DuckDB's buffers grow as queries touch more of the file, up to its
// memory limit (a cache); a leak shows in the heap's floor (its lowest sample in a 2-minute window:
// after collections) or in the native rest (RSS − V8 heap − DuckDB's buffers). Flat: the native
// rest's mean in the last minute within max(32 MiB, 10 %) of the second minute's, its least-squares
// slope after the first minute under 2 MiB/min, and the heap's floor within max(16 MiB, 10 %).
// The generator's own CPU and send lag are measured: it must not be the bottleneck.
// After the soak the contacts table holds exactly one new row per outcome answered 200.
//   npx tsx bench/soak.bench.ts [--customers 1000000] [--minutes 10] [--staff 200] [--speed 4 | --rate R]
//                               [--engine duckdb|postgres] [--warmup 30] [--out DIR] [--wangji PATH]
//                               [--cpu-prof]
// --wangji serves from another build's bin/wangji.js, or from test/run-cli.ts (this tree's source);
// --cpu-prof runs the server under `node --cpu-prof` (profiles in bench/out/soak-<N>-prof).
// Setup (bench/serving.ts, shared with bench/serve.bench.ts, each step under nice): the bank
// bench/out/bank-<N> and the served database — DuckDB bench/out/serve-<N>.duckdb, PostgreSQL the
// database wangji_serve_<N> — loaded and run for 2027-01-20 unless done; the soak works on a copy made
// each time (bench/out/soak-<N>.duckdb, database wangji_soak_<N>: the outcomes change it). Writes
// bench/out/soak-<N>[-postgres].json and .md (the Markdown table for docs/performance.md).

import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type DbTarget, openDb } from '../src/db/open.js';
import { Rng } from '../src/generator/random.js';
import { KPI_IDS } from '../src/kpis/catalogue.js';
import type { OUTCOMES } from '../src/leads/contactPolicy.js';
import { ROOT, type Step } from './measure.js';
import { type Distribution, distribution, type PacedOutcome, type PacedRequest, paced } from './paced.js';
import {
  Children,
  cliArgs,
  counterPromptPaths,
  cpuSecondsOf,
  ensureServedDb,
  machine,
  rssMiBOf,
  signIn,
  staffUser,
  until,
  WANGJI,
} from './serving.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000000' },
    'as-of': { type: 'string', default: '2027-01-20' },
    minutes: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '30' },
    staff: { type: 'string', default: '200' },
    speed: { type: 'string', default: '4' },
    rate: { type: 'string' },
    engine: { type: 'string', default: 'duckdb' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    port: { type: 'string', default: '3927' },
    'sample-seconds': { type: 'string', default: '10' },
    out: { type: 'string' },
    wangji: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const customers = Number(values.customers);
const D = String(values['as-of']);
const minutes = Number(values.minutes);
const seconds = Math.round(minutes * 60);
const warmup = Number(values.warmup);
const staffCount = Number(values.staff);
const engine = String(values.engine);
if (engine !== 'duckdb' && engine !== 'postgres') throw new Error('--engine duckdb|postgres');
const port = Number(values.port);
const sampleMs = Number(values['sample-seconds']) * 1000;
const out = values.out ? resolve(values.out) : join(ROOT, 'bench', 'out');
mkdirSync(out, { recursive: true });
const bank = join(out, `bank-${customers}`);
const served = values.wangji ? resolve(values.wangji) : WANGJI;
const name = `soak-${customers}${engine === 'postgres' ? '-postgres' : ''}`;

// ---- The served database and the soak's copy of it.
const pgUrl = (database: string) => {
  const u = new URL(String(values.pg));
  u.pathname = `/${database}`;
  return u.toString();
};
const base: DbTarget =
  engine === 'duckdb'
    ? { kind: 'duckdb', location: join(out, `serve-${customers}.duckdb`) }
    : { kind: 'postgres', location: pgUrl(`wangji_serve_${customers}`) };
const soak: DbTarget =
  engine === 'duckdb'
    ? { kind: 'duckdb', location: join(out, `soak-${customers}.duckdb`) }
    : { kind: 'postgres', location: pgUrl(`wangji_soak_${customers}`) };

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: String(values.pg) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const setup: Step[] = [];
if (base.kind === 'postgres')
  await admin(async (c) => {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      `wangji_serve_${customers}`,
    ]);
    if (!rowCount) await c.query(`CREATE DATABASE wangji_serve_${customers}`);
  });
await ensureServedDb({ customers, asOf: D, bank, target: base, setup });
{
  const t0 = performance.now();
  if (engine === 'duckdb') {
    // Checkpointed and closed (nobody else may hold it: DuckDB's lock says so), then copied.
    const db = await openDb(base);
    await db.exec('CHECKPOINT');
    await db.close();
    for (const f of [soak.location, `${soak.location}.wal`]) rmSync(f, { force: true });
    copyFileSync(base.location, soak.location);
  } else {
    await admin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS wangji_soak_${customers} WITH (FORCE)`);
      await c.query(`CREATE DATABASE wangji_soak_${customers} TEMPLATE wangji_serve_${customers}`);
    });
  }
  const s = (performance.now() - t0) / 1000;
  setup.push({ label: 'copy of the served database (setup)', seconds: s, peakRssMiB: 0, stdout: '' });
  console.error(`soak database ${soak.location} copied (${s.toFixed(1)} s)`);
}

// ---- The staff: real staff members of the bank, by role, each with a user of their own.
type Kind = 'AM' | 'TELLER' | 'LOBBY' | 'OUTLET' | 'SENIOR';
const KINDS: Kind[] = ['AM', 'TELLER', 'LOBBY', 'OUTLET', 'SENIOR'];
const KIND_NAMES: Record<Kind, string> = {
  AM: 'account managers',
  TELLER: 'tellers',
  LOBBY: 'lobby staff',
  OUTLET: 'outlet managers',
  SENIOR: 'sub-branch and branch managers',
};
interface Member {
  kind: Kind;
  staffId: string;
  orgId: string;
  role: string;
  username: string;
  password: string;
  /** Own open tasks (OPEN, IN_PROGRESS) an outcome may be recorded on; closed ones are dropped. */
  tasks: number[];
  /** Customers of the outlet, for PAD look-ups. */
  walkIns: string[];
  cookie: string;
  csrf: string;
}
const SHARE: Record<Kind, number> = { AM: 0.6, TELLER: 0.125, LOBBY: 0.125, OUTLET: 0.1, SENIOR: 0.05 };
/**
 * What one staff member of each kind does in a peak-season hour (requests to the API): an account
 * manager works the list — a card and an outcome per call, the list between calls, the dashboard now
 * and then —; a teller keys remittances (a counter prompt each) and looks up a walk-in now and then;
 * the lobby greets walk-ins (a PAD look-up each); managers watch the dashboard, the team and the
 * weekly briefing. The soak plays these proportions at --speed times the pace.
 */
const MIX: Record<Kind, [Endpoint, number][]> = {
  AM: [
    ['tasks list', 15],
    ['task card', 20],
    ['outcome', 20],
    ['dashboard', 3],
    ['counter prompt', 1],
  ],
  TELLER: [
    ['counter prompt', 8],
    ['PAD lookup', 2],
  ],
  LOBBY: [
    ['PAD lookup', 20],
    ['counter prompt', 2],
  ],
  OUTLET: [
    ['dashboard', 6],
    ['team', 4],
    ['briefing', 2],
    ['tasks list (subtree)', 4],
  ],
  SENIOR: [
    ['dashboard', 4],
    ['briefing', 2],
    ['team', 2],
  ],
};
/** Requests per hour of one staff member of a kind. */
const perHour = (k: Kind) => MIX[k].reduce((a, [, n]) => a + n, 0);
const wanted = Object.fromEntries(KINDS.map((k) => [k, Math.round(staffCount * SHARE[k])])) as Record<
  Kind,
  number
>;
wanted.SENIOR = Math.max(0, staffCount - wanted.AM - wanted.TELLER - wanted.LOBBY - wanted.OUTLET);

const db = await openDb(soak);
let t = performance.now();
type StaffRow = { staff_id: string; org_id: string; role: string };
const pick = (roles: string[], n: number) =>
  n <= 0
    ? Promise.resolve([] as StaffRow[])
    : db.query<StaffRow>(
        `SELECT staff_id, org_id, role FROM staff WHERE role IN (${roles.map((_, i) => `$${i + 1}`).join(', ')})
          ORDER BY md5(staff_id) LIMIT ${n}`,
        roles,
      );
// Account managers with the most open tasks of their own (the busiest desks of the day).
const ams = await db.query<StaffRow & { n: number }>(
  `SELECT s.staff_id, s.org_id, s.role, count(t.task_id) AS n
     FROM staff s LEFT JOIN tasks t ON t.staff_id = s.staff_id AND t.status IN ('OPEN', 'IN_PROGRESS')
    WHERE s.role IN ('ACCOUNT_MANAGER', 'CORPORATE_RM')
    GROUP BY s.staff_id, s.org_id, s.role ORDER BY n DESC, s.staff_id LIMIT ${wanted.AM}`,
);
const tellers = await pick(['TELLER'], wanted.TELLER);
const lobby = await pick(['LOBBY'], wanted.LOBBY);
const counters = [...tellers, ...lobby];
const outlets = await pick(['OUTLET_MANAGER'], wanted.OUTLET);
const seniors = await pick(['SUBBRANCH_MANAGER', 'BRANCH_MANAGER'], wanted.SENIOR);
const taskRows = ams.length
  ? await db.query<{ staff_id: string; task_id: number }>(
      `SELECT staff_id, task_id FROM (
         SELECT staff_id, task_id, row_number() OVER (PARTITION BY staff_id ORDER BY task_id) AS k
           FROM tasks WHERE status IN ('OPEN', 'IN_PROGRESS')
            AND staff_id IN (${ams.map((_, i) => `$${i + 1}`).join(', ')})) x WHERE k <= 200
        ORDER BY staff_id, task_id`,
      ams.map((m) => m.staff_id),
    )
  : [];
const counterOrgs = [...new Set(counters.map((c) => c.org_id))];
const walkInRows = counterOrgs.length
  ? await db.query<{ customer_id: string; home_org_id: string }>(
      `SELECT customer_id, home_org_id FROM (
         SELECT customer_id, home_org_id,
                row_number() OVER (PARTITION BY home_org_id ORDER BY md5(customer_id)) AS k
           FROM customers WHERE home_org_id IN (${counterOrgs.map((_, i) => `$${i + 1}`).join(', ')})) x
        WHERE k <= 200`,
      counterOrgs,
    )
  : [];
const staff: Member[] = [];
const add = async (kind: Kind, r: StaffRow) => {
  const username = `soak-${r.staff_id.toLowerCase()}`;
  staff.push({
    kind,
    staffId: r.staff_id,
    orgId: r.org_id,
    role: r.role,
    username,
    password: await staffUser(
      db,
      { username, role: r.role, orgId: r.org_id, staffId: r.staff_id },
      'cli:soak-bench',
    ),
    tasks: taskRows.filter((x) => x.staff_id === r.staff_id).map((x) => Number(x.task_id)),
    walkIns: walkInRows.filter((x) => x.home_org_id === r.org_id).map((x) => String(x.customer_id)),
    cookie: '',
    csrf: '',
  });
};
for (const r of ams) await add('AM', r);
for (const r of tellers) await add('TELLER', r);
for (const r of lobby) await add('LOBBY', r);
for (const r of outlets) await add('OUTLET', r);
for (const r of seniors) await add('SENIOR', r);
const counts = (k: Kind) => staff.filter((m) => m.kind === k).length;
for (const k of KINDS)
  if (counts(k) < wanted[k]) console.error(`only ${counts(k)} staff for ${k} (asked for ${wanted[k]})`);
/** What these staff would ask in a peak-season hour, per second; the soak's rate. */
const peakHourRate = staff.reduce((a, m) => a + perHour(m.kind), 0) / 3600;
const rate = values.rate ? Number(values.rate) : Math.round(Number(values.speed) * peakHourRate * 10) / 10;
const counterPaths = await counterPromptPaths(db, new Rng(1, 'soak-bench'));
const [{ tasks: taskCount } = { tasks: 0 }] = await db.query<{ tasks: number }>(
  'SELECT count(*) AS tasks FROM tasks',
);
const contactsBefore = Number(
  (await db.query<{ n: number }>('SELECT count(*) AS n FROM contacts'))[0]?.n ?? 0,
);
await db.close();
console.error(
  `staff: ${KINDS.map((k) => `${counts(k)} ${k}`).join(', ')}; ` +
    `${staff.reduce((a, m) => a + m.tasks.length, 0)} own open tasks; ${counterPaths.length} counter prompts ` +
    `(${((performance.now() - t) / 1000).toFixed(1)} s)`,
);

// ---- The server.
const children = new Children();
const server = children.start(
  'wangji serve',
  [
    ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(out, `${name}-prof`)] : []),
    ...cliArgs(served),
    'serve',
    '--db',
    soak.location,
    '--port',
    String(port),
  ],
  join(out, `${name}.log`),
);
process.on('SIGINT', () => {
  children.stopAll().finally(() => process.exit(130));
});

/** One 10-s sample of memory; t in seconds from the start of the soak (negative: warm-up). */
interface Sample {
  t: number;
  rssMiB: number;
  heapUsedMiB: number | null;
  heapTotalMiB: number | null;
  externalMiB: number | null;
  /** DuckDB's buffer manager (its cache of the file's pages, up to its memory limit). */
  duckdbMiB: number | null;
  /** The RSS outside the V8 heap and DuckDB's buffers: native memory of the process. */
  nativeMiB: number | null;
  generatorRssMiB: number;
}
const samples: Sample[] = [];
const MiB = (b: number | undefined) => (b === undefined ? null : Math.round((b / 2 ** 20) * 10) / 10);
async function sample(at: number): Promise<void> {
  const t = Math.round((performance.now() - at) / 100) / 10;
  const rssMiB = rssMiBOf(server.pid);
  let gauges: Record<string, number> = {};
  try {
    const text = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })
    ).text();
    gauges = Object.fromEntries(
      [
        ...text.matchAll(
          /^(process_resident_memory_bytes|nodejs_\w+_bytes|wangji_duckdb_memory_bytes) (\d+)$/gm,
        ),
      ].map((m) => [m[1] as string, Number(m[2])]),
    );
  } catch {
    // the RSS from /proc stands alone
  }
  // In time order, whenever /metrics answered.
  let k = samples.length;
  while (k > 0 && (samples[k - 1] as Sample).t > t) k--;
  samples.splice(k, 0, {
    t,
    rssMiB,
    heapUsedMiB: MiB(gauges.nodejs_heap_size_used_bytes),
    heapTotalMiB: MiB(gauges.nodejs_heap_size_total_bytes),
    externalMiB: MiB(gauges.nodejs_external_memory_bytes),
    duckdbMiB: MiB(gauges.wangji_duckdb_memory_bytes),
    nativeMiB:
      gauges.nodejs_heap_size_total_bytes === undefined
        ? null
        : MiB(
            rssMiB * 2 ** 20 - gauges.nodejs_heap_size_total_bytes - (gauges.wangji_duckdb_memory_bytes ?? 0),
          ),
    generatorRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  });
}

// ---- The requests.
type Endpoint =
  | 'tasks list'
  | 'task card'
  | 'outcome'
  | 'dashboard'
  | 'counter prompt'
  | 'PAD lookup'
  | 'briefing'
  | 'team'
  | 'tasks list (subtree)';
interface SoakRequest extends PacedRequest {
  endpoint: Endpoint;
  member: Member;
  taskId?: number;
}
const ENDPOINTS: { endpoint: Endpoint; route: string }[] = [
  { endpoint: 'tasks list', route: 'GET /api/tasks (account managers: from memory)' },
  { endpoint: 'task card', route: 'GET /api/tasks/:id' },
  { endpoint: 'outcome', route: 'POST /api/tasks/:id/outcome' },
  { endpoint: 'dashboard', route: 'GET /api/dashboard' },
  { endpoint: 'counter prompt', route: 'GET /api/pos/counter' },
  { endpoint: 'PAD lookup', route: 'POST /api/pos/pad' },
  { endpoint: 'briefing', route: 'GET /api/reports/briefing' },
  { endpoint: 'team', route: 'GET /api/team' },
  { endpoint: 'tasks list (subtree)', route: 'GET /api/tasks?view=all (managers: from the database)' },
];
// Outcomes as they come on a busy day: most calls reach nobody or end in a plain contact.
const OUTCOME_MIX: [(typeof OUTCOMES)[number], number][] = [
  ['NOT_REACHED', 35],
  ['CONTACTED', 25],
  ['INTERESTED', 12],
  ['APPOINTMENT', 8],
  ['CONVERTED_CLAIMED', 5],
  ['REFUSED', 10],
  ['INVALID', 3],
  ['REFUSED_ALL', 2],
];
const weighted = <T>(rng: Rng, items: [T, number][]): T => {
  let x = rng.next() * items.reduce((a, [, w]) => a + w, 0);
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return (items.at(-1) as [T, number])[0];
};
const cumulative: number[] = [];
{
  let sum = 0;
  for (const m of staff) {
    sum += perHour(m.kind);
    cumulative.push(sum);
  }
}
const memberAt = (x: number): Member => {
  const target = x * (cumulative.at(-1) ?? 0);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) > target) hi = mid;
    else lo = mid + 1;
  }
  return staff[lo] as Member;
};
const rng = new Rng(1, 'soak-mix');
let counterNext = 0;
function nextRequest(): SoakRequest {
  const m = memberAt(rng.next());
  let endpoint = weighted(rng, MIX[m.kind]);
  if ((endpoint === 'outcome' || endpoint === 'task card') && m.tasks.length === 0) endpoint = 'tasks list';
  if (endpoint === 'PAD lookup' && m.walkIns.length === 0) endpoint = 'counter prompt';
  const headers = { cookie: m.cookie };
  const r = { endpoint, member: m, headers };
  switch (endpoint) {
    case 'tasks list':
      return { ...r, path: `/api/tasks?view=${rng.chance(0.5) ? 'mine' : 'all'}&limit=50&lang=zh` };
    case 'task card': {
      const taskId = m.tasks[rng.int(0, m.tasks.length - 1)] as number;
      return { ...r, taskId, path: `/api/tasks/${taskId}?lang=zh` };
    }
    case 'outcome': {
      const taskId = m.tasks[rng.int(0, m.tasks.length - 1)] as number;
      const outcome = weighted(rng, OUTCOME_MIX);
      return {
        ...r,
        taskId,
        method: 'POST',
        path: `/api/tasks/${taskId}/outcome`,
        headers: { ...headers, 'x-csrf-token': m.csrf },
        body: JSON.stringify(
          outcome === 'INVALID' ? { outcome, reason: 'soak: wrong product for this customer' } : { outcome },
        ),
        keepBody: true,
      };
    }
    case 'dashboard':
      return { ...r, path: `/api/dashboard?org=${encodeURIComponent(m.orgId)}` };
    case 'counter prompt':
      return { ...r, path: counterPaths[counterNext++ % counterPaths.length] as string };
    case 'PAD lookup':
      return {
        ...r,
        method: 'POST',
        path: '/api/pos/pad?lang=zh',
        headers: { ...headers, 'x-csrf-token': m.csrf },
        body: JSON.stringify({ customerId: m.walkIns[rng.int(0, m.walkIns.length - 1)] }),
      };
    case 'briefing': {
      const kpi = rng.chance(0.5) ? `&kpi=${KPI_IDS[rng.int(0, KPI_IDS.length - 1)]}` : '';
      return { ...r, path: `/api/reports/briefing?lang=zh${kpi}` };
    }
    case 'team':
      return { ...r, path: `/api/team?org=${encodeURIComponent(m.orgId)}` };
    case 'tasks list (subtree)':
      return { ...r, path: '/api/tasks?view=all&limit=50&lang=zh' };
  }
}

// ---- What came back, per endpoint.
interface Tally {
  latencies: number[];
  statuses: Record<string, number>;
  /** 409/422 by code: the contact policy's and the work rules' answers. */
  refusals: Record<string, number>;
  errors: number;
  unexpected: number;
}
const tallies = () =>
  new Map<Endpoint, Tally>(
    ENDPOINTS.map((e) => [
      e.endpoint,
      { latencies: [], statuses: {}, refusals: {}, errors: 0, unexpected: 0 },
    ]),
  );
interface Problem {
  phase: 'warm-up' | 'soak';
  t: number;
  endpoint: Endpoint;
  user: string;
  path: string;
  status?: number;
  error?: string;
  body?: string;
}
const problems: Problem[] = [];
let outcomesRecorded = 0;
function observe(phase: Problem['phase'], tally: Map<Endpoint, Tally>, at: number) {
  return (_i: number, req: PacedRequest, o: PacedOutcome) => {
    const r = req as SoakRequest;
    const x = tally.get(r.endpoint) as Tally;
    const problem = (extra: Partial<Problem>) =>
      problems.push({
        phase,
        t: Math.round(performance.now() - at) / 1000,
        endpoint: r.endpoint,
        user: r.member.username,
        path: r.path,
        ...extra,
      });
    if (o.status === undefined) {
      x.errors++;
      problem({ error: o.error });
      return;
    }
    x.latencies.push(o.latencyMs as number);
    x.statuses[o.status] = (x.statuses[o.status] ?? 0) + 1;
    let code: string | undefined;
    if (o.body && o.status !== 200) {
      try {
        code = (JSON.parse(o.body) as { error?: { code?: string } }).error?.code;
      } catch {
        // not JSON: shown as it is below
      }
    }
    const drop = () => {
      if (r.taskId !== undefined) r.member.tasks = r.member.tasks.filter((id) => id !== r.taskId);
    };
    if (o.status >= 500) {
      x.errors++;
      problem({ status: o.status, body: o.body?.slice(0, 300) });
    } else if (o.status === 409 || o.status === 422) {
      const k = code ?? String(o.status);
      x.refusals[k] = (x.refusals[k] ?? 0) + 1;
      if (k === 'TASK_CLOSED' || k === 'TASK_QUEUED') drop();
    } else if (o.status >= 400) {
      x.unexpected++;
      problem({ status: o.status, body: o.body?.slice(0, 300) });
      if (o.status === 404) drop();
    } else if (r.endpoint === 'outcome') {
      outcomesRecorded++;
      const s = o.body ? (JSON.parse(o.body) as { task_status?: string }).task_status : undefined;
      if (s === 'DONE' || s === 'CLOSED') drop();
    }
  };
}
// Every answer that is not a 2xx carries its body, so that a refusal's code can be told (an outcome's
// 200 too: whether the task is still open).
const withBody = (r: SoakRequest): SoakRequest => ({ ...r, keepBody: r.keepBody ?? 'non2xx' });

interface EndpointRow {
  endpoint: Endpoint;
  route: string;
  requests: number;
  share: number;
  rate: number;
  latencyMs: Distribution;
  ok: number;
  refusals: Record<string, number>;
  unexpected4xx: number;
  errors: number;
  statuses: Record<string, number>;
}

try {
  t = performance.now();
  await until(`http://127.0.0.1:${port}/healthz`, 'wangji serve', 600_000);
  console.error(`server up (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  t = performance.now();
  for (const m of staff) {
    const s = await signIn(port, m.username, m.password);
    m.cookie = s.cookie;
    m.csrf = s.csrfToken;
  }
  console.error(`${staff.length} staff signed in (${((performance.now() - t) / 1000).toFixed(1)} s)`);

  const run = async (phase: Problem['phase'], secs: number, tally: Map<Endpoint, Tally>) => {
    const at = performance.now();
    return paced({
      port,
      rate,
      seconds: secs,
      connections: staff.length,
      next: () => withBody(nextRequest()),
      onSettled: observe(phase, tally, at),
    });
  };
  console.error(`warm-up: ${warmup} s at ${rate} req/s …`);
  let soakStart = performance.now() + warmup * 1000;
  const sampler = setInterval(() => void sample(soakStart), sampleMs);
  await sample(soakStart);
  const warm = tallies();
  if (warmup > 0) await run('warm-up', warmup, warm);
  console.error(`soak: ${minutes} min at ${rate} req/s, ${staff.length} staff …`);
  soakStart = performance.now();
  await sample(soakStart);
  const tally = tallies();
  const serverCpu0 = cpuSecondsOf(server.pid);
  const genCpu0 = process.cpuUsage();
  const load0 = loadavg();
  const progress = setInterval(() => {
    const s = samples.at(-1);
    const done = [...tally.values()].reduce((a, x) => a + x.latencies.length + x.errors, 0);
    console.error(
      `  ${Math.round((performance.now() - soakStart) / 1000)} s: ${done} answered, RSS ${s?.rssMiB} MiB, heap ${s?.heapUsedMiB} MiB, errors ${[...tally.values()].reduce((a, x) => a + x.errors, 0)}`,
    );
  }, 60_000);
  const result = await run('soak', seconds, tally);
  const wall = (performance.now() - soakStart) / 1000;
  const genCpu = process.cpuUsage(genCpu0);
  const serverCpuPercent = (100 * (cpuSecondsOf(server.pid) - serverCpu0)) / wall;
  const generatorCpuPercent = (100 * (genCpu.user + genCpu.system)) / 1e6 / wall;
  const load1 = loadavg();
  clearInterval(progress);
  clearInterval(sampler);
  await sample(soakStart);
  await children.stopAll();

  // Nothing lost: one new contact per outcome answered 200.
  const after = await openDb(soak);
  const contactsAfter = Number(
    (await after.query<{ n: number }>('SELECT count(*) AS n FROM contacts'))[0]?.n ?? 0,
  );
  await after.close();

  // ---- Figures.
  const total = result.sent;
  const rows: EndpointRow[] = ENDPOINTS.map(({ endpoint, route }) => {
    const x = tally.get(endpoint) as Tally;
    const requests = x.latencies.length + x.errors;
    return {
      endpoint,
      route,
      requests,
      share: requests / total,
      rate: requests / wall,
      latencyMs: distribution(x.latencies),
      ok: Object.entries(x.statuses)
        .filter(([s]) => s.startsWith('2'))
        .reduce((a, [, n]) => a + n, 0),
      refusals: x.refusals,
      unexpected4xx: x.unexpected,
      errors: x.errors,
      statuses: x.statuses,
    };
  }).filter((r) => r.requests > 0);
  const all = distribution([...tally.values()].flatMap((x) => x.latencies));
  const errors = rows.reduce((a, r) => a + r.errors, 0);
  const unexpected = rows.reduce((a, r) => a + r.unexpected4xx, 0);
  const warmErrors = [...warm.values()].reduce((a, x) => a + x.errors, 0);

  // Memory: early window (second minute) vs late window (last minute), and the slope after the first.
  const w = Math.min(60, seconds / 5);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : Number.NaN);
  const window = (
    from: number,
    to: number,
    f: (s: Sample) => number | null,
    of: (xs: number[]) => number,
  ) => {
    const xs = samples.filter((s) => s.t >= from && s.t < to && f(s) !== null).map((s) => f(s) as number);
    return xs.length ? of(xs) : Number.NaN;
  };
  const slope = (f: (s: Sample) => number | null) => {
    const pts = samples.filter((s) => s.t >= w && f(s) !== null).map((s) => [s.t / 60, f(s) as number]);
    if (pts.length < 2) return Number.NaN;
    const mx = mean(pts.map((p) => p[0] as number));
    const my = mean(pts.map((p) => p[1] as number));
    const sxx = pts.reduce((a, [x]) => a + ((x as number) - mx) ** 2, 0);
    const sxy = pts.reduce((a, [x, y]) => a + ((x as number) - mx) * ((y as number) - my), 0);
    return sxy / sxx;
  };
  const memoryOf = (f: (s: Sample) => number | null, of: (xs: number[]) => number, width = w) => {
    const early = window(w, w + width, f, of);
    const late = window(seconds - width, seconds + 1, f, of);
    return {
      windows: { early: [w, w + width], late: [seconds - width, seconds] },
      earlyMiB: round1(early),
      lateMiB: round1(late),
      changeMiB: round1(late - early),
      changePercent: round1((100 * (late - early)) / early),
      slopeMiBPerMin: Math.round(slope(f) * 100) / 100,
      maxMiB: Math.max(...samples.map((s) => f(s) ?? 0)),
    };
  };
  // The RSS, DuckDB's buffers and the native rest by their mean over each window; the heap by its
  // floor over windows of 2 minutes (a full collection comes every minute or two under this load; the
  // heap in use between two collections only says how much garbage there is). A leak shows in the
  // heap's floor (JavaScript) or in the native rest; DuckDB's buffers grow as queries touch more of
  // the file, up to its memory limit (a cache).
  const rss = memoryOf((s) => s.rssMiB, mean);
  const duckdb = memoryOf((s) => s.duckdbMiB, mean);
  const native = memoryOf((s) => s.nativeMiB, mean);
  const heap = memoryOf(
    (s) => s.heapUsedMiB,
    (xs) => Math.min(...xs),
    Math.min(120, seconds / 4),
  );
  const outside = Number.isNaN(native.earlyMiB) ? rss : native;
  const flat =
    outside.changeMiB <= Math.max(32, 0.1 * outside.earlyMiB) &&
    outside.slopeMiBPerMin < 2 &&
    (Number.isNaN(heap.changeMiB) || heap.changeMiB <= Math.max(16, 0.1 * heap.earlyMiB));
  // The generator keeps up when it has CPU to spare and sends on time (its p99 lag: a machine shared
  // with other work delays a timer now and then, which its max shows).
  const sendLag = distribution(result.sendLagMs);
  const generatorOk = generatorCpuPercent < 50 && sendLag.p99 < 100;

  const report = {
    customers,
    asOf: D,
    engine,
    machine: machine(),
    server: served,
    minutes,
    warmupSeconds: warmup,
    rate,
    tasks: Number(taskCount),
    peakHourRate,
    speed: rate / peakHourRate,
    staff: KINDS.map((k) => ({
      kind: k,
      members: counts(k),
      roles: [...new Set(staff.filter((m) => m.kind === k).map((m) => m.role))],
      perHour: Object.fromEntries(MIX[k]),
    })),
    outcomeMix: OUTCOME_MIX,
    setup: setup.map(({ label, seconds, peakRssMiB }) => ({ label, seconds, peakRssMiB })),
    sent: total,
    completed: result.completed,
    seconds: wall,
    achievedRate: result.achievedRate,
    latencyMs: all,
    endpoints: rows,
    errors,
    unexpected4xx: unexpected,
    warmupErrors: warmErrors,
    problems: problems.slice(0, 200),
    outcomes: {
      recorded: outcomesRecorded,
      contactsBefore,
      contactsAfter,
      /** Answered 200 but not in the database. */
      lost: Math.max(0, outcomesRecorded - (contactsAfter - contactsBefore)),
      /** In the database though the client never had the answer (it timed out): only with errors. */
      unconfirmed: Math.max(0, contactsAfter - contactsBefore - outcomesRecorded),
    },
    serverCpuPercent,
    generator: {
      cpuPercent: generatorCpuPercent,
      sendLagMs: sendLag,
      notTheBottleneck: generatorOk,
    },
    loadAverage: { before: load0, after: load1 },
    memory: { rss, duckdbBuffers: duckdb, native, heapUsedFloor: heap, flat, samples },
  };
  writeFileSync(join(out, `${name}.json`), JSON.stringify(report, null, 2));

  for (const p of problems.slice(0, 50))
    console.error(
      `  ${p.phase} ${p.t.toFixed(1)} s ${p.endpoint} (${p.user}) ${p.path}: ${p.status ?? p.error}${p.body ? ` ${p.body}` : ''}`,
    );
  if (problems.length > 50) console.error(`  … ${problems.length - 50} more in ${name}.json`);
  const f = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));
  const fl = (d: Distribution, k: 'p50' | 'p90' | 'p99' | 'max') => (d.n === 0 ? '—' : f(d[k]));
  const refusalText = (r: Record<string, number>) =>
    Object.entries(r)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '—';
  const md = [
    `Soak at ${customers.toLocaleString('en-US')} customers (${Number(taskCount).toLocaleString('en-US')} tasks) on ${engine === 'duckdb' ? 'DuckDB' : 'PostgreSQL'}, D = ${D}. ` +
      `Machine: ${report.machine}. ${minutes} min after a ${warmup} s warm-up, ${rate} req/s in all ` +
      `(achieved ${result.achievedRate.toFixed(1)}), ${staff.length} staff each with their own session: ` +
      `${KINDS.map((k) => `${counts(k)} ${KIND_NAMES[k]}`).join(', ')}; ${(rate / peakHourRate).toFixed(1)} × the pace of a peak hour (${peakHourRate.toFixed(2)} req/s for these staff).`,
    '',
    '| endpoint | requests | share | req/s | p50 ms | p90 ms | p99 ms | max ms | 2xx | business refusals (409) | other 4xx | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.route} | ${r.requests} | ${(100 * r.share).toFixed(1)} % | ${r.rate.toFixed(1)} | ${fl(r.latencyMs, 'p50')} | ${fl(r.latencyMs, 'p90')} | ${fl(r.latencyMs, 'p99')} | ${fl(r.latencyMs, 'max')} | ${r.ok} | ${refusalText(r.refusals)} | ${r.unexpected4xx} | ${r.errors} |`,
    ),
    `| **all** | ${total} | 100 % | ${(total / wall).toFixed(1)} | ${fl(all, 'p50')} | ${fl(all, 'p90')} | ${fl(all, 'p99')} | ${fl(all, 'max')} | ${rows.reduce((a, r) => a + r.ok, 0)} | ${rows.reduce((a, r) => a + Object.values(r.refusals).reduce((x, y) => x + y, 0), 0)} | ${unexpected} | ${errors} |`,
    '',
    `Errors (5xx, timeouts, socket errors): **${errors}**${warmErrors ? ` (warm-up: ${warmErrors})` : ''}; other 4xx: ${unexpected}. ` +
      `Outcomes answered 200 (warm-up and soak): ${outcomesRecorded}, new contacts in the database: ${contactsAfter - contactsBefore} (lost: ${report.outcomes.lost}${report.outcomes.unconfirmed ? `; committed after the client gave up: ${report.outcomes.unconfirmed}` : ''}).`,
    `Server CPU ${serverCpuPercent.toFixed(0)} % (of one core); load generator CPU ${generatorCpuPercent.toFixed(0)} %, ` +
      `send lag p99 ${sendLag.p99.toFixed(1)} ms, max ${sendLag.max.toFixed(1)} ms (${generatorOk ? 'not the bottleneck' : 'MAY BE THE BOTTLENECK'}); ` +
      `load average ${load0[0]?.toFixed(2)} → ${load1[0]?.toFixed(2)}.`,
    '',
    `| memory (every ${sampleMs / 1000} s) | early window | late window | change | slope after ${w} s | max |`,
    '|---|---:|---:|---:|---:|---:|',
    ...(
      [
        ['server RSS', rss],
        ["of which DuckDB's buffers", duckdb],
        ['native (RSS − V8 heap − DuckDB)', native],
        ['V8 heap used (floor)', heap],
      ] as const
    )
      .filter(([, m]) => !Number.isNaN(m.earlyMiB))
      .map(
        ([label, m]) =>
          `| ${label} | ${m.earlyMiB} MiB (${m.windows.early.join('–')} s) | ${m.lateMiB} MiB (${m.windows.late.join('–')} s) | ${m.changeMiB >= 0 ? '+' : ''}${m.changeMiB} MiB (${m.changePercent} %) | ${m.slopeMiBPerMin} MiB/min | ${m.maxMiB} MiB |`,
      ),
    '',
    `Memory flat: **${flat ? 'yes' : 'NO'}** (${outside === native ? 'native' : 'RSS'} change ≤ max(32 MiB, 10 %) and slope < 2 MiB/min; heap floor change ≤ max(16 MiB, 10 %)).`,
  ].join('\n');
  writeFileSync(join(out, `${name}.md`), `${md}\n`);
  console.log(md);
  if (errors > 0 || unexpected > 0 || !flat || report.outcomes.lost !== 0) process.exitCode = 1;
} finally {
  await children.stopAll();
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
