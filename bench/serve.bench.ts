// Serving benchmark (ARCHITECTURE.md performance budget, issue #7): the API server over a bank of N
// customers (`wangji serve`, its own process, request logs to a file) at a fixed request rate, beside
// a bare fastify route on the same machine (bench/serve-bare.ts, its own process):
//   bare       GET /bare on the bare fastify app, 1,000 req/s
//   session    GET /api/session (the auth hook and nothing else) as the counter user, 1,000 req/s
//   counter    GET /api/pos/counter?name=…&bic=… as a counter user, the beneficiaries of the bank's
//              remittances in a fixed shuffled order, 1,000 req/s (budget p99 ≤ 10 ms)
//   workbench  200 account managers (the ACCOUNT_MANAGER staff with the most open tasks), each request
//              with its own user's cookie: GET /api/tasks?view=mine and GET /api/tasks/:id of one of
//              that manager's open tasks, alternately, 500 req/s (budget p99 ≤ 50 ms)
// Read-only: nothing is written apart from sign-ins, sessions' last_seen_at and the audit log.
// Each scenario runs with two load generators, one after the other, each after a warm-up at the same
// rate: `paced` (bench/paced.ts — open loop, request i due at i / rate, latency counted from when it
// was due: the budget's reading of "at 1,000 req/s") and autocannon with overallRate (each connection
// sends its share of the second's requests back to back at the start of every second, then waits: a
// burst once a second; latency per request as sent, coordinated-omission correction off).
//   npx tsx bench/serve.bench.ts [--customers 100000] [--seconds 30] [--warmup 10]
//                                [--scenarios bare,session,counter,workbench] [--generators paced,autocannon]
//                                [--counter-rate 1000] [--workbench-rate 500] [--cpu-prof] [--wangji PATH]
//                                [--out DIR]
// --cpu-prof runs the server under `node --cpu-prof` (profiles in bench/out/serve-<customers>-prof);
// --wangji serves from another build's bin/wangji.js (default this tree's, i.e. its dist/), or from a
// source entry point ending in .ts (test/run-cli.ts: this tree's source, no build).
// Setup (not measured, under `nice`; bench/serving.ts, shared with bench/soak.bench.ts): the bank
// (seed 1, as of 2027-01-20) is generated into bench/out/bank-<customers> unless there, loaded into
// bench/out/serve-<customers>.duckdb and run for that date (`wangji run --as-of 2027-01-20`) unless
// already done; the users are added (or given new passwords) each time. Writes
// bench/out/serve-<customers>.json and prints a Markdown table. --out puts all of it in another folder.

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type DbTarget, openDb } from '../src/db/open.js';
import { Rng } from '../src/generator/random.js';
import { ROOT, type Step } from './measure.js';
import { type Distribution, distribution, type PacedRequest, paced } from './paced.js';
import {
  Children,
  cliArgs,
  counterPromptPaths,
  cpuSecondsOf as cpuOf,
  ensureServedDb,
  machine as machineLine,
  rssMiBOf as rssOf,
  signIn,
  staffUser,
  until,
  WANGJI,
} from './serving.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    'as-of': { type: 'string', default: '2027-01-20' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    managers: { type: 'string', default: '200' },
    port: { type: 'string', default: '3917' },
    scenarios: { type: 'string', default: 'bare,session,counter,workbench' },
    generators: { type: 'string', default: 'paced,autocannon' },
    'counter-rate': { type: 'string', default: '1000' },
    'workbench-rate': { type: 'string', default: '500' },
    'cpu-prof': { type: 'boolean', default: false },
    wangji: { type: 'string' },
    out: { type: 'string' },
  },
});
const customers = Number(values.customers);
const D = String(values['as-of']);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const managerCount = Number(values.managers);
const port = Number(values.port);
const barePort = port + 1;
const counterRate = Number(values['counter-rate']);
const workbenchRate = Number(values['workbench-rate']);
const scenarioNames = String(values.scenarios).split(',');
const generators = String(values.generators).split(',') as ('paced' | 'autocannon')[];
const out = values.out ? resolve(values.out) : join(ROOT, 'bench', 'out');
mkdirSync(out, { recursive: true });
const bank = join(out, `bank-${customers}`);
const dbFile = join(out, `serve-${customers}.duckdb`);
const target: DbTarget = { kind: 'duckdb', location: dbFile };
/** The build the server runs from (default this tree's): another checkout's bin/wangji.js. */
const served = values.wangji ? resolve(values.wangji) : WANGJI;
const OPEN = ['OPEN', 'IN_PROGRESS', 'QUEUED'];

// ---- Setup: the bank, loaded and run for D (each step under nice: other work shares the machine).
const setup: Step[] = [];
await ensureServedDb({ customers, asOf: D, bank, target, setup });

// ---- Users, the workload's tasks and the counter mix, read before the server owns the file.
interface Member {
  staffId: string;
  orgId: string;
  role: string;
  username: string;
  password: string;
  openTasks: number;
  taskIds: number[];
}
const db = await openDb(target);
const user = (username: string, role: string, orgId: string, staffId: string) =>
  staffUser(db, { username, role, orgId, staffId }, 'cli:serve-bench');
let t = performance.now();
const [teller] = await db.query<{ staff_id: string; org_id: string; role: string }>(
  `SELECT staff_id, org_id, role FROM staff WHERE role IN ('TELLER', 'LOBBY') ORDER BY role DESC, staff_id LIMIT 1`,
);
if (!teller) throw new Error('no TELLER or LOBBY staff in the bank');
const counterUser: Member = {
  staffId: teller.staff_id,
  orgId: teller.org_id,
  role: teller.role,
  username: 'bench-counter',
  password: await user('bench-counter', teller.role, teller.org_id, teller.staff_id),
  openTasks: 0,
  taskIds: [],
};
const top = await db.query<{ staff_id: string; org_id: string; n: number }>(
  `SELECT s.staff_id, s.org_id, count(*) AS n
     FROM staff s JOIN tasks t ON t.staff_id = s.staff_id
    WHERE s.role = 'ACCOUNT_MANAGER' AND t.status IN ($1, $2, $3)
    GROUP BY s.staff_id, s.org_id ORDER BY n DESC, s.staff_id LIMIT ${managerCount}`,
  OPEN,
);
if (top.length < managerCount)
  console.error(`only ${top.length} account managers with open tasks (asked for ${managerCount})`);
const taskRows = await db.query<{ staff_id: string; task_id: number }>(
  `SELECT staff_id, task_id FROM (
     SELECT staff_id, task_id, row_number() OVER (PARTITION BY staff_id ORDER BY task_id) AS k
       FROM tasks WHERE status IN ($1, $2, $3)
        AND staff_id IN (${top.map((_, i) => `$${i + 4}`).join(', ')})) WHERE k <= 100
    ORDER BY staff_id, task_id`,
  [...OPEN, ...top.map((m) => m.staff_id)],
);
const managers: Member[] = [];
for (const m of top) {
  const username = `bench-am-${m.staff_id.toLowerCase()}`;
  managers.push({
    staffId: m.staff_id,
    orgId: m.org_id,
    role: 'ACCOUNT_MANAGER',
    username,
    password: await user(username, 'ACCOUNT_MANAGER', m.org_id, m.staff_id),
    openTasks: Number(m.n),
    taskIds: taskRows.filter((r) => r.staff_id === m.staff_id).map((r) => Number(r.task_id)),
  });
}
console.error(
  `users: 1 counter, ${managers.length} account managers (${((performance.now() - t) / 1000).toFixed(1)} s)`,
);
const [{ tasks: taskCount } = { tasks: 0 }] = await db.query<{ tasks: number }>(
  'SELECT count(*) AS tasks FROM tasks',
);
const counterPaths = await counterPromptPaths(db, new Rng(1, 'serve-bench'));
await db.close();

// ---- The two servers, each in its own process.
const children = new Children();
const profDir = join(out, `serve-${customers}-prof`);
const startServer = () =>
  children.start(
    'wangji serve',
    [
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
      ...cliArgs(served),
      'serve',
      '--db',
      dbFile,
      '--port',
      String(port),
    ],
    join(out, `serve-${customers}.log`),
  );
let server = startServer();
const bare = children.start(
  'bare fastify',
  ['--import', 'tsx', join(ROOT, 'bench', 'serve-bare.ts'), String(barePort)],
  join(out, 'serve-bare.log'),
);
const stopAll = () => children.stopAll();
process.on('SIGINT', () => {
  stopAll().finally(() => process.exit(130));
});

try {
  t = performance.now();
  await until(`http://127.0.0.1:${port}/api/session`, 'wangji serve');
  await until(`http://127.0.0.1:${barePort}/bare`, 'bare fastify');
  console.error(`servers up (${((performance.now() - t) / 1000).toFixed(1)} s)`);

  // ---- Sign in.
  const cookies = new Map<string, string>();
  for (const m of [counterUser, ...managers])
    cookies.set(m.username, (await signIn(port, m.username, m.password)).cookie);
  const cookieOf = (m: Member) => cookies.get(m.username) as string;

  // ---- Scenarios.
  interface Scenario {
    name: string;
    what: string;
    port: number;
    rate: number;
    connections: number;
    /** The i-th request of the paced generator. */
    next: (i: number) => PacedRequest;
    /** What autocannon connection k sends, in turn. */
    perConnection: (k: number) => PacedRequest[];
    budgetP99Ms?: number;
  }
  const counterCookie = { cookie: cookieOf(counterUser) };
  const workbench = (i: number): PacedRequest => {
    const m = managers[i % managers.length] as Member;
    const k = Math.floor(i / managers.length);
    // List and detail alternate request by request, and each manager's turn flips every round.
    const path =
      (i + k) % 2 === 0 || m.taskIds.length === 0
        ? '/api/tasks?view=mine'
        : `/api/tasks/${m.taskIds[k % m.taskIds.length]}`;
    return { path, headers: { cookie: cookieOf(m) } };
  };
  const all: Scenario[] = [
    {
      name: 'bare',
      what: 'bare fastify: GET /bare (no hooks, no logging)',
      port: barePort,
      rate: counterRate,
      connections: 100,
      next: () => ({ path: '/bare' }),
      perConnection: () => [{ path: '/bare' }],
    },
    {
      name: 'session',
      what: 'GET /api/session (auth hook: session lookup, no route work)',
      port,
      rate: counterRate,
      connections: 100,
      next: () => ({ path: '/api/session', headers: counterCookie }),
      perConnection: () => [{ path: '/api/session', headers: counterCookie }],
    },
    {
      name: 'counter',
      what: `GET /api/pos/counter?name=&bic= (${counterPaths.length.toLocaleString('en-US')} remittances' beneficiaries, shuffled), one ${counterUser.role} user`,
      port,
      rate: counterRate,
      connections: 100,
      next: (i) => ({ path: counterPaths[i % counterPaths.length] as string, headers: counterCookie }),
      perConnection: (k) =>
        Array.from({ length: 50 }, (_, j) => ({
          path: counterPaths[(k * 50 + j) % counterPaths.length] as string,
          headers: counterCookie,
        })),
      budgetP99Ms: 10,
    },
    {
      name: 'workbench',
      what: `${managers.length} account managers: GET /api/tasks?view=mine and GET /api/tasks/:id alternately, each with its own cookie`,
      port,
      rate: workbenchRate,
      connections: managers.length,
      next: workbench,
      perConnection: (k) => Array.from({ length: 20 }, (_, j) => workbench(k + j * managers.length)),
      budgetP99Ms: 50,
    },
  ];
  const scenarios = all.filter((s) => scenarioNames.includes(s.name));

  interface Measured {
    scenario: string;
    generator: 'paced' | 'autocannon';
    rate: number;
    connections: number;
    seconds: number;
    sent: number;
    completed: number;
    achievedRate: number;
    latencyMs: Distribution;
    statuses: Record<string, number>;
    non2xx: number;
    errors: number;
    serverCpuPercent: number;
    serverRssMiB: number;
    loadAverage: { before: number[]; after: number[] };
    budgetP99Ms: number | null;
    /** Paced: requests still unanswered 10 s after the last was due (in errors). */
    unanswered: number;
  }
  const results: Measured[] = [];

  async function drain(p: number): Promise<boolean> {
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      const t0 = performance.now();
      await fetch(`http://127.0.0.1:${p}/api/session`, { signal: AbortSignal.timeout(5000) }).catch(
        () => undefined,
      );
      if (performance.now() - t0 < 20) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  }

  /**
   * After a run: a server that could not keep up is still answering the backlog — start it again
   * (sessions are in the database: the cookies stay good), so the next run starts clean.
   */
  async function settle(s: Scenario, saturated: boolean): Promise<void> {
    await new Promise((r) => setTimeout(r, 1000));
    // (The probe needs no database: a saturated server's backlog is in the database queue.)
    if (s.port !== port || (!saturated && (await drain(s.port)))) return;
    console.error('  the server is still busy with the backlog: starting it again');
    await children.kill(server);
    server = startServer();
    await until(`http://127.0.0.1:${port}/api/session`, 'wangji serve');
    // The first requests after a start build the counter's matcher: not part of the next run.
    await fetch(`http://127.0.0.1:${port}${counterPaths[0]}`, { headers: counterCookie }).catch(
      () => undefined,
    );
  }

  async function withAutocannon(s: Scenario, duration: number) {
    let k = 0;
    return autocannon({
      url: `http://127.0.0.1:${s.port}`,
      connections: s.connections,
      overallRate: s.rate,
      duration,
      ignoreCoordinatedOmission: true,
      timeout: 10,
      setupClient: (client) => {
        client.setRequests(s.perConnection(k++).map((r) => ({ method: 'GET', ...r })));
      },
    });
  }

  for (const s of scenarios) {
    for (const g of generators) {
      console.error(`${s.name} (${g}): warm-up ${warmup} s at ${s.rate} req/s …`);
      let warm: { achieved: number; errors: number };
      if (g === 'paced') {
        const w = await paced({
          port: s.port,
          rate: s.rate,
          seconds: warmup,
          connections: s.connections,
          next: s.next,
        });
        warm = { achieved: w.achievedRate, errors: w.errors };
      } else {
        const w = await withAutocannon(s, warmup);
        warm = { achieved: w.requests.total / w.duration, errors: w.errors + w.timeouts };
      }
      await settle(s, warm.achieved < 0.9 * s.rate || warm.errors > 0);
      const before = loadavg();
      const serverPid = s.port === port ? server.pid : bare.pid;
      const cpu0 = cpuOf(serverPid);
      const w0 = performance.now();
      let unanswered = 0;
      let m: Omit<
        Measured,
        'serverCpuPercent' | 'serverRssMiB' | 'loadAverage' | 'budgetP99Ms' | 'unanswered'
      >;
      if (g === 'paced') {
        const r = await paced({
          port: s.port,
          rate: s.rate,
          seconds,
          connections: s.connections,
          next: (i) => s.next(i + s.rate * warmup),
        });
        unanswered = r.unanswered;
        const non2xx = Object.entries(r.statuses)
          .filter(([code]) => !code.startsWith('2'))
          .reduce((a, [, n]) => a + n, 0);
        m = {
          scenario: s.name,
          generator: g,
          rate: s.rate,
          connections: s.connections,
          seconds: r.seconds,
          sent: r.sent,
          completed: r.completed,
          achievedRate: r.achievedRate,
          latencyMs: distribution(r.latencyMs),
          statuses: r.statuses,
          non2xx,
          errors: r.errors,
        };
      } else {
        const r = await withAutocannon(s, seconds);
        m = {
          scenario: s.name,
          generator: g,
          rate: s.rate,
          connections: s.connections,
          seconds: r.duration,
          sent: r.requests.sent,
          completed: r.requests.total,
          achievedRate: r.requests.total / r.duration,
          latencyMs: {
            n: r.latency.totalCount,
            p50: r.latency.p50,
            p90: r.latency.p90,
            p99: r.latency.p99,
            p999: r.latency.p99_9,
            max: r.latency.max,
            mean: r.latency.mean,
          },
          statuses: Object.fromEntries(Object.entries(r.statusCodeStats).map(([c, v]) => [c, v.count])),
          non2xx: r.non2xx,
          errors: r.errors + r.timeouts,
        };
      }
      const wall = (performance.now() - w0) / 1000;
      const row: Measured = {
        ...m,
        serverCpuPercent: (100 * (cpuOf(serverPid) - cpu0)) / wall,
        serverRssMiB: rssOf(serverPid),
        loadAverage: { before, after: loadavg() },
        budgetP99Ms: s.budgetP99Ms ?? null,
        unanswered,
      };
      results.push(row);
      await settle(s, row.achievedRate < 0.9 * s.rate || row.errors > 0);
      console.error(
        `  ${row.achievedRate.toFixed(0)} req/s, p50 ${row.latencyMs.p50.toFixed(2)} p99 ${row.latencyMs.p99.toFixed(2)} max ${row.latencyMs.max.toFixed(1)} ms, non-2xx ${row.non2xx}, errors ${row.errors}, server CPU ${row.serverCpuPercent.toFixed(0)} %, load ${before[0]?.toFixed(2)} → ${row.loadAverage.after[0]?.toFixed(2)}`,
      );
    }
  }

  const machine = machineLine();
  writeFileSync(
    join(out, `serve-${customers}.json`),
    JSON.stringify(
      {
        customers,
        asOf: D,
        machine,
        server: served,
        seconds,
        warmup,
        tasks: Number(taskCount),
        remittances: counterPaths.length,
        counterUser: { role: counterUser.role, staffId: counterUser.staffId },
        managers: managers.map((m) => ({ staffId: m.staffId, openTasks: m.openTasks })),
        setup: setup.map(({ label, seconds, peakRssMiB }) => ({ label, seconds, peakRssMiB })),
        scenarios: scenarios.map((s) => ({
          name: s.name,
          what: s.what,
          rate: s.rate,
          connections: s.connections,
        })),
        results,
      },
      null,
      2,
    ),
  );
  /** Within the budget: p99 under it, at the rate asked for (≥ 98 %), with no failed request. */
  const met = (r: Measured) =>
    r.budgetP99Ms !== null &&
    r.latencyMs.p99 <= r.budgetP99Ms &&
    r.achievedRate >= 0.98 * r.rate &&
    r.non2xx === 0 &&
    r.errors === 0;
  const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  const opens = managers.map((m) => m.openTasks).sort((a, b) => a - b);
  console.log(
    [
      `Serving at ${customers.toLocaleString('en-US')} customers (${Number(taskCount).toLocaleString('en-US')} tasks), D = ${D}. Machine: ${machine}. ` +
        `${seconds} s per run after a ${warmup} s warm-up. Account managers' open tasks: ${opens[0]}–${opens.at(-1)}.`,
      '',
      ...scenarios.map((s) => `- **${s.name}**: ${s.what}; ${s.rate} req/s, ${s.connections} connections.`),
      '',
      '| scenario | generator | target req/s | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | non-2xx | errors | server CPU % | load avg (1 min) | budget p99 |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
      ...results.map(
        (r) =>
          `| ${r.scenario} | ${r.generator} | ${r.rate} | ${r.achievedRate.toFixed(0)} | ${f(r.latencyMs.p50)} | ${f(r.latencyMs.p90)} | ${f(r.latencyMs.p99)} | ${f(r.latencyMs.p999)} | ${f(r.latencyMs.max)} | ${r.non2xx} | ${r.errors} | ${r.serverCpuPercent.toFixed(0)} | ${r.loadAverage.before[0]?.toFixed(2)} → ${r.loadAverage.after[0]?.toFixed(2)} | ${r.budgetP99Ms === null ? '' : `≤ ${r.budgetP99Ms} ms: ${met(r) ? 'met' : 'missed'}`} |`,
      ),
    ].join('\n'),
  );
} finally {
  await stopAll();
}
