// Counter prompt benchmark (PLAYBOOK.md "Prompts at the point of service"; ARCHITECTURE.md serving
// budget): the latency of one answer from memory, on the institution list of the synthetic bank, with
// the beneficiaries of the bank's remittances extract as the mix of what tellers key.
//   npx tsx bench/counter.bench.ts [--customers 120000] [--prompts 100000] [--db bench/out/x.duckdb]
// The generator lists min(600, customers / 200) institutions, so 120,000 customers is the smallest bank
// with the 1 M bank's list (600). The bank (seed 1, as of 2027-01-20: the daily-run benchmark's) is
// generated into bench/out/bank-<customers> unless it is there, and loaded into
// bench/out/counter-<customers>.duckdb unless that already holds it; --db takes any loaded database.
// Measured, in this process: open (read overseas_institutions + build the matcher); then, after a
// warm-up, each prompt timed alone (process.hrtime.bigint) — the mix as keyed (the same beneficiaries
// come back, so the matcher's close-name memory answers repeats), and every distinct beneficiary once
// per freshly built prompt (no memory: a name never seen before); throughput without per-call timers.
// Writes bench/out/counter-<customers>.json and prints a Markdown table for docs/performance.md.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadSeasonConfig } from '../src/config/season.js';
import { openDb } from '../src/db/open.js';
import { loadDrop } from '../src/extracts/loader.js';
import { generateBank } from '../src/generator/bank.js';
import { Rng } from '../src/generator/random.js';
import {
  type CounterAnswer,
  type CounterInput,
  CounterPrompt,
  tuitionActivity,
} from '../src/leads/counterPrompt.js';
import type { Institution } from '../src/matching/institutions.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '120000' },
    prompts: { type: 'string', default: '100000' },
    'as-of': { type: 'string', default: '2027-01-20' },
    db: { type: 'string' },
  },
});
const customers = Number(values.customers);
const prompts = Number(values.prompts);
const D = String(values['as-of']);
const root = resolve(import.meta.dirname, '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const bank = join(out, `bank-${customers}`);
const dbFile = values.db ?? join(out, `counter-${customers}.duckdb`);

const db = await openDb({ kind: 'duckdb', location: dbFile });
const [{ n: listed } = { n: 0 }] = await db.query<{ n: number }>(
  'SELECT count(*) AS n FROM overseas_institutions',
);
if (listed === 0) {
  // In this process rather than through ensureBank's CLI: the same bank (seed 1), without needing a
  // build of dist/; setup, not measured.
  if (!existsSync(join(bank, 'manifest.json'))) {
    console.error(`generating ${customers} customers into ${bank} …`);
    await generateBank({ customers, seed: 1, asOf: D, out: bank });
  }
  console.error(`loading ${bank} into ${dbFile} …`);
  const report = await loadDrop(db, bank);
  if (report.status !== 'APPLIED') throw new Error(`the load of ${bank} failed: ${report.message}`);
}

// The mix: every remittance's beneficiary as keyed, in a fixed shuffled order, repeated to `prompts`.
const keyed = (
  await db.query<{ n: string | null; b: string | null; a: string | null; c: string | null }>(
    `SELECT beneficiary_name AS n, beneficiary_bic AS b, beneficiary_account AS a, beneficiary_country AS c
       FROM remittances ORDER BY remittance_id`,
  )
)
  .map((r): CounterInput => ({ beneficiaryName: r.n, bic: r.b, account: r.a, country: r.c }))
  .filter((i) => [i.beneficiaryName, i.bic, i.account, i.country].some((v) => v?.trim()));
if (keyed.length === 0) throw new Error(`no remittances in ${dbFile}`);
const rng = new Rng(1, 'counter-bench');
/** A copy in a fixed random order (Fisher–Yates on the seeded generator). */
function shuffled<T>(list: readonly T[]): T[] {
  const s = [...list];
  for (let i = s.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [s[i], s[j]] = [s[j] as T, s[i] as T];
  }
  return s;
}
const order = shuffled(keyed);
const mix = Array.from({ length: prompts }, (_, i) => order[i % order.length] as CounterInput);
const distinct = [...new Map(keyed.map((i) => [JSON.stringify(i), i])).values()];

const activity = tuitionActivity(loadSeasonConfig());
let t = process.hrtime.bigint();
const counter = await CounterPrompt.open(db, activity);
const openMs = Number(process.hrtime.bigint() - t) / 1e6;
const rows = await db.query<Institution & Record<string, string | null>>(
  `SELECT institution_id, institution_name, country, swift_bic, account_no, aliases, supports_tuition
     FROM overseas_institutions ORDER BY institution_id`,
);
await db.close();
t = process.hrtime.bigint();
const fresh = () => new CounterPrompt(rows, activity);
fresh();
const buildMs = Number(process.hrtime.bigint() - t) / 1e6;

/** Each prompt timed alone, in microseconds, with the kind of answer. */
interface Timings {
  us: Float64Array;
  kinds: string[];
}
const timings = (n: number): Timings => ({ us: new Float64Array(n), kinds: new Array<string>(n) });

/** Time each of `inputs` alone into `into` from position `at` (preallocated: no garbage of its own). */
function timeEach(c: CounterPrompt, inputs: readonly CounterInput[], into: Timings, at = 0): void {
  for (let i = 0; i < inputs.length; i++) {
    const t0 = process.hrtime.bigint();
    const a: CounterAnswer = c.prompt(inputs[i] as CounterInput);
    into.us[at + i] = Number(process.hrtime.bigint() - t0) / 1e3;
    into.kinds[at + i] = a.match?.kind ?? 'none';
  }
}

// Garbage-collection pauses during a phase, to tell what the worst latencies are made of; the
// collections the benchmark forces itself (a clean heap before each phase, the previous prompt
// collected between passes — garbage a counter that stays open never makes) are not counted.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const gcPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const flags = (e as { detail?: { flags?: number } }).detail?.flags ?? 0;
    if (!(flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)) gcPauses.push(e.duration);
  }
}).observe({ entryTypes: ['gc'] });
const settle = () => new Promise((r) => setTimeout(r, 20)); // observer entries arrive on a later tick
async function withGc(phase: () => void): Promise<{ count: number; maxMs: number; totalMs: number }> {
  collect();
  await settle();
  gcPauses.length = 0;
  phase();
  await settle();
  return {
    count: gcPauses.length,
    maxMs: Math.max(0, ...gcPauses),
    totalMs: gcPauses.reduce((a, x) => a + x, 0),
  };
}

interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}
function distribution(us: ArrayLike<number>): Distribution {
  const s = Float64Array.from(us).sort();
  const at = (p: number) => s[Math.max(0, Math.ceil(p * s.length) - 1)] as number;
  const mean = s.reduce((a, x) => a + x, 0) / s.length;
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1), mean };
}
const byKind = (r: Timings) =>
  Object.fromEntries(
    ['EXACT_BIC', 'EXACT_NAME', 'PROBABLE', 'none'].map((k) => [
      k,
      distribution(r.us.filter((_, i) => r.kinds[i] === k)),
    ]),
  );

// What a pair of hrtime.bigint() calls costs on its own: included in every figure below.
const overhead = new Float64Array(100_000);
for (let i = 0; i < overhead.length; i++) {
  const t0 = process.hrtime.bigint();
  overhead[i] = Number(process.hrtime.bigint() - t0) / 1e3;
}

// Warm-up: the JIT compiles the matcher's paths and the close-name memory fills, as at a counter
// that has been open for a while.
for (let i = 0; i < Math.min(20_000, prompts); i++) counter.prompt(mix[i] as CounterInput);
const asKeyed = timings(prompts);
const asKeyedGc = await withGc(() => timeEach(counter, mix, asKeyed));
collect();
t = process.hrtime.bigint();
for (const input of mix) counter.prompt(input);
const throughput = prompts / (Number(process.hrtime.bigint() - t) / 1e9);
// A name never seen before: each distinct beneficiary once on a new prompt (no close-name memory), in
// passes with a new prompt each, built between the timed prompts, until as many prompts as the mix.
const unseen = timings(prompts);
const unseenGc = await withGc(() => {
  for (let at = 0; at < prompts; at += distinct.length) {
    const inputs = shuffled(distinct).slice(0, prompts - at);
    const c = fresh();
    collect();
    timeEach(c, inputs, unseen, at);
  }
});

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const result = {
  customers,
  asOf: D,
  machine,
  institutions: counter.institutions,
  remittances: keyed.length,
  distinctBeneficiaries: distinct.length,
  openMs,
  buildMs,
  timerOverheadUs: distribution(overhead),
  asKeyed: { all: distribution(asKeyed.us), byKind: byKind(asKeyed), gc: asKeyedGc },
  unseen: { all: distribution(unseen.us), byKind: byKind(unseen), gc: unseenGc },
  throughputPerSecond: throughput,
};
writeFileSync(join(out, `counter-${customers}.json`), JSON.stringify(result, null, 2));

const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const row = (label: string, d: Distribution) =>
  `| ${label} | ${d.n.toLocaleString('en-US')} | ${f(d.p50)} | ${f(d.p90)} | ${f(d.p99)} | ${f(d.p999)} | ${f(d.max)} | ${f(d.mean)} |`;
const gcLine = (g: { count: number; maxMs: number; totalMs: number }) =>
  `${g.count} pauses, ${g.totalMs.toFixed(1)} ms in all, the longest ${g.maxMs.toFixed(2)} ms`;
const kinds = (label: string, r: { byKind: Record<string, Distribution> }) =>
  Object.entries(r.byKind)
    .filter(([, d]) => d.n > 0)
    .map(([k, d]) => row(`${label}: ${k}`, d));
console.log(
  [
    `Counter prompt on the institution list of the ${customers.toLocaleString('en-US')}-customer bank ` +
      `(${counter.institutions} institutions; the mix: ${keyed.length.toLocaleString('en-US')} remittances, ` +
      `${distinct.length.toLocaleString('en-US')} distinct beneficiaries). Machine: ${machine}.`,
    '',
    `Open (read overseas_institutions from DuckDB + build): ${openMs.toFixed(1)} ms; build from rows in memory: ${buildMs.toFixed(1)} ms. ` +
      `Throughput (one thread, no per-call timer): ${Math.round(throughput).toLocaleString('en-US')} prompts/s. ` +
      `Timer pair overhead p50 ${f(result.timerOverheadUs.p50)} µs (included below).`,
    '',
    '| prompts | n | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | mean µs |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    row('as keyed (after warm-up)', result.asKeyed.all),
    ...kinds('as keyed', result.asKeyed),
    row('never seen (each distinct once per fresh prompt)', result.unseen.all),
    ...kinds('never seen', result.unseen),
    '',
    `Garbage collection during the timed prompts: as keyed ${gcLine(asKeyedGc)}; never seen ${gcLine(unseenGc)}.`,
  ].join('\n'),
);
