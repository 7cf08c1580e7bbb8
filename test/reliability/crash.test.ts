// Crash safety (issue #9, point 2). On both engines, `wangji load`, `wangji run` (the real CLI, from
// source) and a person recording outcomes (test/reliability/crash-children.ts) are killed with SIGKILL
// at named progress lines and after seeded random delays. After every kill:
//   - the database opens (DuckDB replays its WAL; PostgreSQL rolled the dead session back);
//   - the published tables are, all of them, the ones published before the killed process started —
//     or, for a kill that landed after the commit, all of them the new run's: never some of each;
//   - a killed load left the data tables as before (or wholly loaded), a killed run left them alone;
//   - every outcome whose call returned is there exactly once, with its audit entry; the one in flight
//     is wholly there (contact, task, audit entry) or wholly absent; nothing else was written.
// Afterwards the load, the run and the rest of the outcomes are done again, and every table (clock
// columns left out, the ledgers of what was attempted aside: LEDGERS) is identical by checksum to
// those of a twin database that did the same uninterrupted (same drops, as-of dates, season file).
// Last, readers query while runs for two as-of dates publish in turn and never see a mix of two runs.
//
// Kill points are reproducible from the seed printed at the start (WANGJI_CRASH_SEED=… to repeat one;
// the timing of a random delay still depends on the machine). Bounded in `npm test`, many kills per
// engine and operation under `npm run test:reliability`; the figures go to
// bench/out/reliability/crash.json.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitDailyDrops } from '../../bench/daily-drops.js';
import { verifyAudit } from '../../src/audit/log.js';
import { loadSeasonConfig } from '../../src/config/season.js';
import { allTables, CLOCK_COLUMNS, checksumTables, tableColumns } from '../../src/db/checksum.js';
import { type DbTarget, openDb } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { EXTRACTS } from '../../src/extracts/contract.js';
import { loadDrop } from '../../src/extracts/loader.js';
import { generateBank } from '../../src/generator/bank.js';
import { Rng } from '../../src/generator/random.js';
import { JobQueue } from '../../src/ops/jobs.js';
import { readSeasonFile } from '../../src/ops/season.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { publishedTables } from '../../src/pipeline/publishedTables.js';
import { runPipeline } from '../../src/pipeline/runner.js';
import { buildApp } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/auth/index.js';
import { describeEachEngine, type Engine, PG_ADMIN_URL, type TestDb } from '../engines.js';
import { startTestServer } from '../server.js';
import { type PlannedOutcome, RECORDER, recordPlan } from './crash-children.js';
import { FULL, recordFigures, sized } from './mode.js';

const SEED = Number(process.env.WANGJI_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CUSTOMERS = sized(1500, 3000);
/** Kills per engine: at a named progress line, and after a random delay. */
const KILLS = {
  load: sized({ named: 1, random: 1 }, { named: 30, random: 25 }),
  run: sized({ named: 1, random: 1 }, { named: 35, random: 25 }),
  outcomes: sized(2, 60),
};
/**
 * A recorder is killed after 1 … OUTCOME_SPAN acknowledged outcomes (plus up to 30 ms; a busy test
 * process reads the acknowledgements late, so the recorder gets further): the plan has room for twice.
 */
const OUTCOME_SPAN = sized(6, 10);
/** Publications readers watch: runs for the other date, then alternating (D is published before). */
const PUBLISHES = sized(1, 10);
/** The previous day's drop (published before anything is killed) and the day's. */
const D0 = '2026-12-14';
const D = '2026-12-15';
const config = loadSeasonConfig();
const season = readSeasonFile();
const PUBLISHED = publishedTables().map((t) => t.name);
const DATA = [...EXTRACTS.map((e) => e.name), 'quarantine'];
/**
 * What is aside from the whole-database comparison with the twin: the ledgers of what was attempted.
 * A killed run keeps its row in runs (FAILED, "interrupted") and its number; the CLI audits its loads
 * and runs (audit_log, whose hash chain covers the clock); a PostgreSQL sequence is not rolled back, so
 * a killed load burns a load id that the next one's loads / load_files / lead_runs rows differ by.
 */
const LEDGERS = ['runs', 'lead_runs', 'loads', 'load_files', 'audit_log'];
const TSX = createRequire(import.meta.url).resolve('tsx');
/** Readers pause between reads, so that on DuckDB's one connection they leave room for the run. */
const READ_PAUSE_MS = 25;

let work: string;
let day0: string;
let day1: string;
const figures: Record<string, Record<string, unknown>> = {};

beforeAll(async () => {
  console.log(`crash test seed ${SEED} (repeat with WANGJI_CRASH_SEED=${SEED})${FULL ? ', full' : ''}`);
  work = mkdtempSync(join(tmpdir(), 'wangji-crash-'));
  await generateBank({ customers: CUSTOMERS, seed: 7, asOf: D, out: join(work, 'bank') });
  ({ day0, day1 } = await splitDailyDrops(join(work, 'bank'), join(work, 'drops')));
}, 120_000);

afterAll(() => {
  if (Object.keys(figures).length)
    recordFigures('crash', { seed: SEED, customers: CUSTOMERS, engines: figures });
  rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Checksums

type Sums = Record<string, string>;

async function sums(db: Db, tables: readonly string[]): Promise<Sums> {
  const out: Sums = {};
  for (const c of await checksumTables(db, tables))
    out[c.table] = 'absent' in c ? 'absent' : `${c.rows}:${c.digest}`;
  return out;
}

/** Every table but the ledgers (and staging tables of runs, which a kill may leave for the next run). */
async function wholeDatabase(db: Db): Promise<Sums> {
  const tables = (await allTables(db)).filter((t) => !LEDGERS.includes(t) && !t.startsWith('stg_'));
  return sums(db, tables);
}

/** The tables whose checksums differ (or that only one side has). */
function differing(a: Sums, b: Sums): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => a[t] !== b[t]).sort();
}

// ---------------------------------------------------------------------------------------------------
// Children and kills

interface Trigger {
  /** The stream whose lines are watched. */
  stream: 'stderr' | 'stdout';
  /** The line that arms the kill… */
  match: (line: string) => boolean;
  /** …on its n-th occurrence (default 1)… */
  count?: number;
  /** …after this many milliseconds (default 0). */
  delayMs?: number;
}

interface ChildEnd {
  killed: boolean;
  code: number | null;
  stdout: string[];
  stderr: string[];
}

/** What a child is told to do: the command line, or a person recording a plan of outcomes. */
type Job = { cli: string[] } | { outcomes: [string, string] };

interface Child {
  /** Do the job; SIGKILL when the trigger fires. Resolves once the child has exited, killed or not. */
  go(job: Job, trigger: Trigger): Promise<ChildEnd>;
  cancel(): void;
}

const CHILD = join(PACKAGE_ROOT, 'test', 'reliability', 'crash-children.ts');

/**
 * A child process (crash-children.ts) that loads its code and waits for its job: started ahead, so that
 * its start overlaps the checks of the kill before.
 */
function startChild(): Child {
  const child = spawn(process.execPath, ['--import', TSX, CHILD], {
    cwd: work, // the PostgreSQL load reports go under ./data: the test's folder, not the checkout
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, WANGJI_DUCKDB_MEMORY: '1GB' },
  });
  child.stdin?.on('error', () => undefined); // a child that died early: its end says why
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const partial = { stdout: '', stderr: '' };
  let trigger: Trigger | null = null;
  let seen = 0;
  let armed = false;
  const kill = () => child.kill('SIGKILL');
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (d: Buffer) => {
      const parts = (partial[stream] + d.toString()).split('\n');
      partial[stream] = parts.pop() ?? '';
      for (const line of parts) {
        lines[stream].push(line);
        if (armed || !trigger || stream !== trigger.stream || !trigger.match(line)) continue;
        if (++seen < (trigger.count ?? 1)) continue;
        armed = true;
        if (trigger.delayMs) setTimeout(kill, trigger.delayMs);
        else kill();
      }
    });
  }
  const guard = setTimeout(kill, 600_000);
  const ended = new Promise<ChildEnd>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ killed: signal === 'SIGKILL', code, ...lines });
    });
  });
  return {
    go(job, t) {
      trigger = t;
      child.stdin?.end(`${JSON.stringify(job)}\n`);
      return ended;
    },
    cancel: kill,
  };
}

/** The `total` children of one engine, each started while the one before works. */
function children(total: number): { warm(): void; next(): Child; close(): void } {
  let spare: Child | null = null;
  let started = 0;
  const start = () => {
    started++;
    return startChild();
  };
  return {
    warm() {
      spare ??= start();
    },
    next() {
      const c = spare ?? start();
      spare = started < total ? start() : null;
      return c;
    },
    close() {
      spare?.cancel();
      spare = null;
    },
  };
}

/** A progress line as a kill point: its counts and timings left out (they are matched as a prefix). */
function killPoint(line: string): string {
  const l = line.replace(/\s*\([^()]*\)$/, '');
  const m = /^(\[\d+\/\d+\] \S+|\s+[A-Za-z0-9_ ]+): .*\d/.exec(l);
  return m ? `${m[1]}:` : l;
}

function killPoints(lines: readonly string[]): string[] {
  return [...new Set(lines.map(killPoint))];
}

/** n named kill points from the list, every point once before any repeats, in a seeded order. */
function pickPoints(rng: Rng, points: readonly string[], n: number): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const round = [...points];
    for (let i = round.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [round[i], round[j]] = [round[j] as string, round[i] as string];
    }
    out.push(...round);
  }
  return out.slice(0, n);
}

/** Named kills first, then random delays (ms after the first progress line, up to 1.2 × the twin's time). */
type Kill = { point: string } | { delayMs: number };

function killPlan(
  rng: Rng,
  points: readonly string[],
  n: { named: number; random: number },
  ms: number,
): Kill[] {
  return [
    ...pickPoints(rng, points, n.named).map((point) => ({ point })),
    ...Array.from({ length: n.random }, () => ({ delayMs: rng.int(0, Math.ceil(ms * 1.2)) })),
  ];
}

/**
 * Run a CLI command in the next child and kill it as the plan says: at its named progress line, or
 * after a delay from its first file. A named point must have been printed; a command that ended
 * before its kill landed must have succeeded. Returns how it ended and the kill's label.
 */
async function killCli(child: Child, cli: string[], k: Kill): Promise<{ end: ChildEnd; at: string }> {
  const end = await child.go(
    { cli },
    {
      stream: 'stderr',
      ...('point' in k
        ? { match: (l: string) => l.startsWith(k.point) }
        : { match: (l: string) => /^\[1\//.test(l), delayMs: k.delayMs }),
    },
  );
  const at = 'point' in k ? `at "${k.point}"` : `${k.delayMs} ms in`;
  if ('point' in k)
    expect(
      end.stderr.some((l) => l.startsWith(k.point)),
      `${at}: never printed`,
    ).toBe(true);
  if (!end.killed) expect(end.code, `${at}: ${end.stderr.join('\n')}`).toBe(0);
  return { end, at };
}

// ---------------------------------------------------------------------------------------------------
// Twin databases

/** A copy of the database as it is now (the test's connection released first). */
async function cloneDatabase(db: TestDb, name: string): Promise<{ target: DbTarget; drop(): Promise<void> }> {
  await db.release();
  if (db.target.kind === 'duckdb') {
    const file = join(work, `${name}-${db.target.kind}.duckdb`);
    copyFileSync(db.target.location, file);
    if (existsSync(`${db.target.location}.wal`)) copyFileSync(`${db.target.location}.wal`, `${file}.wal`);
    return { target: { kind: 'duckdb', location: file }, drop: async () => rmSync(file, { force: true }) };
  }
  const source = new URL(db.target.location).pathname.slice(1);
  const clone = `${source}_${name}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${clone} TEMPLATE ${source}`);
  const url = new URL(db.target.location);
  url.pathname = `/${clone}`;
  return {
    target: { kind: 'postgres', location: url.toString() },
    drop: () => admin(`DROP DATABASE IF EXISTS ${clone} WITH (FORCE)`),
  };
}

const open = (target: DbTarget) => openDb(target, { duckdb: { memoryLimit: '1GB' } });

async function withDb<T>(target: DbTarget, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await open(target);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// Readers during publish

/**
 * Small tables whose rows differ between the two as-of dates (so that a read costs little), in the
 * reverse of the order a publish replaces them: a reader's statement locks them in its order, and
 * this order met a publish that replaced its tables one by one head-on (PostgreSQL: a deadlock).
 */
const READ_TABLES = [
  'kpi_credits',
  'merchant_pricing',
  'ssc_funnel',
  'segment_members',
  'org_measures',
  'balance_live',
];
const MARKS = [...READ_TABLES, 'run'];

/** Per table a select item (rows:hash, as tableChecksum computes them); `run`: the latest published run. */
async function fingerprintItems(db: Db): Promise<Record<string, string>> {
  const items: Record<string, string> = {};
  for (const t of READ_TABLES) {
    const columns = await tableColumns(db, t, CLOCK_COLUMNS);
    const hash = db.dialect.rowHash(columns.map((c) => `coalesce(CAST("${c}" AS VARCHAR), '\\N')`));
    items[t] =
      `(SELECT CAST(count(*) AS VARCHAR) || ':' || CAST(coalesce(sum(CAST(${hash} AS DECIMAL(38,0))), 0) AS VARCHAR) FROM "${t}") AS "${t}"`;
  }
  items.run = `(SELECT CAST(run_id AS VARCHAR) || ' ' || CAST(as_of AS VARCHAR) FROM runs
       WHERE run_id = (SELECT max(run_id) FROM runs WHERE status = 'PUBLISHED')) AS run`;
  return items;
}

const fingerprint = (row: Record<string, unknown>) => MARKS.map((k) => `${k}=${String(row[k])}`).join(' ');

interface ReaderTally {
  reads: number;
  mixed: string[];
  errors: string[];
}

/** Read fingerprints with `read` until `until` settles (a pause between reads). */
async function readerLoop(
  read: () => Promise<string>,
  until: Promise<unknown>,
): Promise<{ reads: number; seen: string[]; errors: string[] }> {
  let done = false;
  const stop = () => {
    done = true;
  };
  until.then(stop, stop);
  const tally = { reads: 0, seen: [] as string[], errors: [] as string[] };
  while (!done) {
    try {
      tally.seen.push(await read());
      tally.reads++;
    } catch (e) {
      tally.errors.push((e as Error).message.split('\n')[0] as string);
    }
    await new Promise((r) => setTimeout(r, READ_PAUSE_MS));
  }
  return tally;
}

// ---------------------------------------------------------------------------------------------------

// The two engines at once (a PostgreSQL run works in the server's process, a DuckDB one in this one);
// each engine's steps in order.
describe.concurrent('crash safety', () =>
  describeEachEngine('SIGKILL during load, run and outcomes', (engine: Engine) => {
    const rng = new Rng(SEED, engine.kind);
    const kids = children(
      KILLS.load.named + KILLS.load.random + KILLS.run.named + KILLS.run.random + KILLS.outcomes,
    );
    const fig: Record<string, unknown> = {};
    let db: TestDb;
    let target: DbTarget;
    let twin: { target: DbTarget; drop(): Promise<void> };
    /** Before anything is killed: day0 loaded and D0 published. */
    let before: { published: Sums; data: Sums; tables: string[] };
    /** The twin after day1 (data) and after the run of D (published, whole database). */
    let twinLoaded: Promise<Sums>;
    let twinRun: Promise<{ published: Sums; whole: Sums }>;
    /** The progress lines of the twin's load and run (the named kill points) and their durations. */
    const loadLines: string[] = [];
    const runLines: string[] = [];
    let loadMs = 0;
    let runMs = 0;
    /** Progress lines into `lines`; the time from the first line to the end into `ms`. */
    const timed = async <T>(lines: string[], work: (progress: (m: string) => void) => Promise<T>) => {
      let first = 0;
      const t0 = Date.now();
      const out = await work((m) => {
        first ||= Date.now();
        lines.push(m);
      });
      return { out, ms: Date.now() - (first || t0) };
    };

    beforeAll(async () => {
      figures[engine.kind] = fig;
      kids.warm();
      db = await engine.open();
      target = db.target;
      // The previous state: day0 loaded, D0 published.
      expect((await loadDrop(db, day0)).status).toBe('APPLIED');
      const r = await runPipeline(db, { asOf: D0, config });
      expect(r.status, r.message ?? '').toBe('PUBLISHED');
      before = {
        published: await sums(db, PUBLISHED),
        data: await sums(db, DATA),
        tables: await allTables(db),
      };
      twin = await cloneDatabase(db, 'twin');
      // The twin does uninterrupted what the killed processes are asked to do, while the first kills
      // are made; its progress lines are the named kill points, its times the range of the delays.
      const twinDb = open(twin.target);
      twinLoaded = twinDb.then(async (t) => {
        const load = await timed(loadLines, (onProgress) => loadDrop(t, day1, { onProgress }));
        expect(load.out.status).toBe('APPLIED');
        loadMs = load.ms;
        return sums(t, DATA);
      });
      twinRun = twinLoaded.then(async () => {
        const t = await twinDb;
        try {
          const run = await timed(runLines, (onProgress) => runPipeline(t, { asOf: D, config, onProgress }));
          expect(run.out.status, run.out.message ?? '').toBe('PUBLISHED');
          runMs = run.ms;
          return { published: await sums(t, PUBLISHED), whole: await wholeDatabase(t) };
        } finally {
          await t.close();
        }
      });
      twinRun.catch(() => undefined); // awaited by the tests, which report its failure
    }, 180_000);

    afterAll(async () => {
      kids.close();
      await twin?.drop();
      await db?.close();
    });

    describe.sequential('in order', () => {
      it(
        'a killed `wangji load` leaves the previous state; loaded again, the data equal the twin’s',
        async () => {
          // Detectable: the drop changes data tables.
          expect(differing(before.data, await twinLoaded).length).toBeGreaterThan(5);
          const points = killPoints(loadLines);
          const plan = killPlan(rng, points, KILLS.load, loadMs);
          let survived = 0;
          let completed = 0;
          let committedBeforeKill = 0;
          let wal = 0;
          let loaded = false;
          let applied = 1; // day0's load
          for (const k of plan) {
            const { end, at } = await killCli(kids.next(), ['load', day1, '--db', target.location], k);
            // The load ended before the kill landed: then it applied the drop (killCli checked it succeeded).
            if (!end.killed) completed++;
            if (target.kind === 'duckdb' && existsSync(`${target.location}.wal`)) wal++;
            await withDb(target, async (after) => {
              expect(differing(await sums(after, PUBLISHED), before.published), at).toEqual([]);
              const data = await sums(after, DATA);
              const whole = differing(data, before.data).length === 0;
              const all = differing(data, await twinLoaded).length === 0;
              expect(whole || all, `${at}: the data are neither the previous nor the loaded drop`).toBe(true);
              if (all && !loaded && end.killed) committedBeforeKill++;
              if (all) loaded = true;
              else expect(loaded, `${at}: a loaded drop was undone`).toBe(false);
              const ledger = await after.query<{ status: string; n: number }>(
                'SELECT status, count(*) AS n FROM loads GROUP BY status',
              );
              expect(
                ledger.filter((r) => r.status !== 'APPLIED'),
                at,
              ).toEqual([]);
              // A killed load left no row; one that committed before the kill left its APPLIED row.
              const n = Number(ledger[0]?.n);
              expect([applied, applied + 1], at).toContain(n);
              expect(n > 1, at).toBe(all);
              applied = n;
              expect(await allTables(after), at).toEqual(before.tables);
            });
            survived++;
          }
          // Loaded again (unless a load already finished): the data equal the twin's.
          if (!loaded)
            await withDb(target, async (again) =>
              expect((await loadDrop(again, day1)).status).toBe('APPLIED'),
            );
          await withDb(target, async (again) => {
            expect(differing(await sums(again, DATA), await twinLoaded)).toEqual([]);
          });
          fig.load = {
            kills: plan.length,
            named: KILLS.load.named,
            random: KILLS.load.random,
            killPoints: points.length,
            finishedBeforeKill: completed,
            committedBeforeKill,
            survived,
            ...(target.kind === 'duckdb' ? { walLeftByKill: wal } : {}),
            reloadIdentical: true,
          };
        },
        sized(120_000, 3_600_000),
      );

      it(
        'a killed `wangji run` publishes nothing or everything; run again, every table equals the twin’s',
        async () => {
          const reference = await twinRun;
          // Detectable: the run changes published tables.
          expect(differing(before.published, reference.published).length).toBeGreaterThan(5);
          const points = killPoints(runLines);
          // The publish transaction's own lines (the lead lifecycle, the KPIs): bounded runs kill there.
          const modelDone = runLines.map((l, i) => (/^\[(\d+)\/\1\] .*: \d+ rows/.test(l) ? i : -1));
          const lastModel = Math.max(...modelDone);
          const inPublish = killPoints(runLines.slice(lastModel + 1));
          expect(inPublish.length).toBeGreaterThan(3);
          const plan = killPlan(rng, FULL ? points : inPublish, KILLS.run, runMs);
          let survived = 0;
          let completed = 0;
          let committedBeforeKill = 0;
          let published = false;
          let leftStaging = 0;
          let wal = 0;
          for (const k of plan) {
            const { end, at } = await killCli(kids.next(), ['run', '--as-of', D, '--db', target.location], k);
            if (!end.killed) completed++;
            if (target.kind === 'duckdb' && existsSync(`${target.location}.wal`)) wal++;
            await withDb(target, async (after) => {
              const [last] = await after.query<{ status: string }>(
                'SELECT status FROM runs ORDER BY run_id DESC LIMIT 1',
              );
              if (end.killed && last?.status === 'PUBLISHED') committedBeforeKill++;
              const now = await sums(after, PUBLISHED);
              const old = differing(now, before.published);
              const next = differing(now, reference.published);
              expect(
                old.length === 0 || next.length === 0,
                `${at}: a mix of two publications (differs from the previous in ${old.join(', ')}; from the new in ${next.join(', ')})`,
              ).toBe(true);
              if (next.length === 0) published = true;
              else expect(published, `${at}: a publication was undone`).toBe(false);
              expect(differing(await sums(after, DATA), await twinLoaded), at).toEqual([]);
              const staging = (await allTables(after)).filter((t) => t.startsWith('stg_'));
              if (staging.length) leftStaging++;
            });
            survived++;
          }
          // Run again (also after a kill that landed after the commit: a rerun of the date changes
          // nothing): whatever the kills left is settled, and every table equals the twin's.
          await withDb(target, async (again) => {
            const r = await runPipeline(again, { asOf: D, config });
            expect(r.status, r.message ?? '').toBe('PUBLISHED');
            expect(differing(await sums(again, PUBLISHED), reference.published)).toEqual([]);
            expect(differing(await wholeDatabase(again), reference.whole)).toEqual([]);
            expect((await allTables(again)).filter((t) => t.startsWith('stg_'))).toEqual([]);
            const runs = await again.query<{ status: string; message: string | null }>(
              'SELECT status, message FROM runs ORDER BY run_id',
            );
            expect(runs.filter((r) => r.status === 'RUNNING')).toEqual([]);
            // Every killed run is in the ledger as interrupted (but those that committed before the kill).
            const interrupted = runs.filter((r) => r.message?.startsWith('interrupted')).length;
            expect(interrupted).toBe(plan.length - completed - committedBeforeKill);
          });
          fig.run = {
            kills: plan.length,
            named: KILLS.run.named,
            random: KILLS.run.random,
            killPoints: FULL ? points.length : inPublish.length,
            killPointsInPublish: inPublish.length,
            finishedBeforeKill: completed,
            committedBeforeKill,
            survived,
            killsLeavingStagingTables: leftStaging,
            ...(target.kind === 'duckdb' ? { walLeftByKill: wal } : {}),
            rerunIdentical: true,
          };
        },
        sized(120_000, 3_600_000),
      );

      it(
        'a killed recorder loses no acknowledged outcome and duplicates none; finished, they equal the twin’s',
        async () => {
          const tasks = await withDb(target, (d) =>
            d.query<{ task_id: number }>(
              `SELECT task_id FROM tasks WHERE status IN ('OPEN', 'IN_PROGRESS') AND channel <> 'SMS'
            ORDER BY task_id LIMIT ${KILLS.outcomes * OUTCOME_SPAN * 2 + 10}`,
            ),
          );
          const outcomes = [
            'CONTACTED',
            'NOT_REACHED',
            'INTERESTED',
            'APPOINTMENT',
            'REFUSED',
            'REFUSED_ALL',
            'INVALID',
          ];
          const plan: PlannedOutcome[] = tasks.map((t, i) => ({
            taskId: Number(t.task_id),
            outcome: outcomes[i % outcomes.length] as string,
            at: new Date(Date.parse('2026-12-16T02:00:00Z') + i * 60_000).toISOString(),
            ...(outcomes[i % outcomes.length] === 'INVALID' ? { reason: 'not this customer’s product' } : {}),
          }));
          const planFile = join(work, `plan-${engine.kind}.json`);
          writeFileSync(planFile, JSON.stringify(plan));
          const acked = new Map<number, number | null>(); // task → contact id (null: refused)
          const inFlight = new Set<number>(); // written by a killed call that never returned
          let survived = 0;
          let finished = 0;
          let lost = 0;
          let duplicated = 0;
          for (let k = 0; k < KILLS.outcomes; k++) {
            const end = await kids.next().go(
              { outcomes: [target.location, planFile] },
              {
                stream: 'stdout',
                match: (l) => /^(ok|refused) /.test(l),
                count: rng.int(1, OUTCOME_SPAN),
                delayMs: rng.int(0, 30),
              },
            );
            if (!end.killed) {
              expect(end.code, end.stderr.join('\n')).toBe(0);
              finished++;
            }
            for (const line of end.stdout) {
              const [kind, task, contact] = line.split(' ');
              if (kind === 'ok') acked.set(Number(task), Number(contact));
              if (kind === 'refused') acked.set(Number(task), null);
            }
            await withDb(target, async (after) => {
              const contacts = await after.query<{ task_id: number; contact_id: number; n: number }>(
                'SELECT task_id, min(contact_id) AS contact_id, count(*) AS n FROM contacts GROUP BY task_id',
              );
              const audits = new Map(
                (
                  await after.query<{ subject: string; n: number }>(
                    'SELECT subject, count(*) AS n FROM audit_log WHERE actor = $1 GROUP BY subject',
                    [RECORDER],
                  )
                ).map((r) => [r.subject, Number(r.n)]),
              );
              const lastOutcome = new Map(
                (
                  await after.query<{ task_id: number; last_outcome: string | null }>(
                    'SELECT task_id, last_outcome FROM tasks WHERE last_outcome IS NOT NULL',
                  )
                ).map((r) => [Number(r.task_id), r.last_outcome]),
              );
              const written = new Map(contacts.map((c) => [Number(c.task_id), c]));
              const planned = new Map(plan.map((p) => [p.taskId, p]));
              let newInFlight = 0;
              for (const [task, c] of written) {
                expect(planned.has(task), `contact on task ${task}, which is not in the plan`).toBe(true);
                if (Number(c.n) > 1) duplicated++;
                // Wholly there: the contact, its audit entry, the task's last outcome.
                expect(audits.get(`task:${task}`), `task ${task}: audit entries`).toBe(1);
                expect(lastOutcome.get(task), `task ${task}: last outcome`).toBe(planned.get(task)?.outcome);
                const a = acked.get(task);
                if (a === undefined) {
                  if (!inFlight.has(task)) newInFlight++;
                  inFlight.add(task);
                } else
                  expect(a, `task ${task}: acknowledged as refused, yet written`).toBe(Number(c.contact_id));
              }
              for (const [task, contact] of acked) {
                if (contact !== null && !written.has(task)) lost++;
              }
              // Wholly absent otherwise: no audit entry, no task's outcome without its contact.
              for (const subject of audits.keys())
                expect(
                  written.has(Number(subject.slice('task:'.length))),
                  `${subject}: audit without contact`,
                ).toBe(true);
              for (const task of lastOutcome.keys())
                expect(written.has(task), `task ${task}: an outcome without its contact`).toBe(true);
              expect(
                newInFlight,
                'at most the one call in flight was written unacknowledged',
              ).toBeLessThanOrEqual(1);
              expect((await verifyAudit(after)).ok).toBe(true);
            });
            survived++;
          }
          expect(lost).toBe(0);
          expect(duplicated).toBe(0);
          // The person records the rest; the twin records the whole plan without a kill: identical.
          await withDb(target, (d) => recordPlan(d, config, plan, () => undefined));
          await withDb(twin.target, (t) => recordPlan(t, config, plan, () => undefined));
          const [mine, theirs] = [
            await withDb(target, wholeDatabase),
            await withDb(twin.target, wholeDatabase),
          ];
          expect(differing(mine, theirs)).toEqual([]);
          const ok = [...acked.values()].filter((c) => c !== null).length;
          fig.outcomes = {
            kills: KILLS.outcomes,
            finishedBeforeKill: finished,
            survived,
            planned: plan.length,
            acknowledged: ok,
            acknowledgedRefused: acked.size - ok,
            inFlightWritten: inFlight.size,
            lost,
            duplicated,
            finishedIdentical: true,
          };
        },
        sized(120_000, 3_600_000),
      );

      it(
        'readers never see a mix of two runs while runs for two as-of dates publish in turn',
        async () => {
          const main = await open(target);
          const items = await fingerprintItems(main);
          const oneStatement = `SELECT ${MARKS.map((k) => items[k]).join(', ')}`;
          const read = async (d: Db) => fingerprint((await d.query(oneStatement))[0] ?? {});
          const publications = [await read(main)];
          const dates = Array.from({ length: PUBLISHES }, (_, i) => (i % 2 === 0 ? D0 : D));
          const tallies: Record<string, { reads: number; seen: string[]; errors: string[] }> = {};
          let heldReader: string | null = null;
          try {
            if (target.kind === 'duckdb') {
              // The readers of a DuckDB file live in the server's process, on its one Db, and the server
              // publishes there too (its job queue): the runs are the server's jobs, the readers read
              // through the Db it was given — in one statement on the read connections its handlers use
              // (Db.reads: not waiting for the publish), and in a transaction of one per table.
              const users = [{ user: 'ops', role: 'HQ_OPS' as const, org: 'HQ', staff: null }];
              const ts = await startTestServer({ db: main, config, users, now: new Date(), log: false });
              const session = ts.sessions.get('ops');
              await ts.close();
              const app: FastifyInstance = await buildApp({
                db: main,
                config,
                now: () => new Date(),
                log: false,
                ops: { dropsRoot: work, season, jobs: new JobQueue() },
              });
              await app.ready();
              const call = (method: 'GET' | 'POST', url: string, body?: Record<string, unknown>) =>
                app.inject({
                  method,
                  url,
                  cookies: { [SESSION_COOKIE]: session?.cookie ?? '' },
                  headers: method === 'POST' ? { 'x-csrf-token': session?.csrf ?? '' } : {},
                  ...(body ? { payload: body } : {}),
                });
              try {
                const publishing = (async () => {
                  for (const asOf of dates) {
                    const job = (await call('POST', '/api/ops/runs', { asOf })).json() as { id: string };
                    await call('GET', `/api/ops/jobs/${job.id}/events`); // answered once the job has ended
                    const end = (await call('GET', `/api/ops/jobs/${job.id}`)).json() as {
                      status: string;
                      message: string;
                    };
                    expect(end.status, end.message).toBe('DONE');
                    publications.push(await read(main));
                  }
                })();
                [tallies.oneStatement, tallies.readTransaction] = await Promise.all([
                  readerLoop(() => read(main.reads?.() ?? main), publishing),
                  readerLoop(
                    () =>
                      main.transaction(async (tx) => {
                        const row: Record<string, unknown> = {};
                        for (const k of MARKS) Object.assign(row, (await tx.query(`SELECT ${items[k]}`))[0]);
                        return fingerprint(row);
                      }),
                    publishing,
                  ),
                  publishing,
                ]);
              } finally {
                await app.close();
              }
            } else {
              // PostgreSQL: the readers on connections of their own; the runs on the test's.
              const reader = await open(target);
              const client = new pg.Client({ connectionString: target.location });
              const holder = new pg.Client({ connectionString: target.location });
              await Promise.all([client.connect(), holder.connect()]);
              try {
                // A reader in a transaction has read the last table the publish replaces when the first
                // run's publish begins, and then reads the first: it is answered (the previous rows), and
                // the run publishes after it (a publish replacing tables one by one deadlocked with it).
                await holder.query('BEGIN');
                await holder.query(`SELECT ${items.kpi_credits}`);
                let publishBegins: () => void = () => undefined;
                const begun = new Promise<void>((r) => {
                  publishBegins = r;
                });
                const holding = (async () => {
                  await begun;
                  await new Promise((r) => setTimeout(r, 300));
                  const row = (await holder.query(`SELECT ${items.balance_live}`)).rows[0] as Record<
                    string,
                    string
                  >;
                  await holder.query('COMMIT');
                  heldReader = `balance_live=${row.balance_live}`;
                })();
                const publishing = (async () => {
                  for (const [i, asOf] of dates.entries()) {
                    const r = await runPipeline(main, {
                      asOf,
                      config,
                      onProgress: (m) => {
                        if (i === 0 && /^\[(\d+)\/\1\] .*: \d+ rows/.test(m)) publishBegins();
                      },
                    });
                    expect(r.status, r.message ?? '').toBe('PUBLISHED');
                    publications.push(await read(main));
                  }
                })();
                // A read-only transaction of several statements locks the tables it reads first: its
                // snapshot is then taken after any publish in progress has committed. (Without the locks a
                // repeatable-read snapshot taken before a publish commits sees the tables it renamed into
                // place with their new rows — DDL is not MVCC-safe in PostgreSQL.)
                const locked = [...READ_TABLES, 'runs'].sort().join(', ');
                [tallies.oneStatement, tallies.readTransaction] = await Promise.all([
                  readerLoop(() => read(reader), publishing),
                  readerLoop(async () => {
                    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
                    try {
                      await client.query(`LOCK TABLE ${locked} IN ACCESS SHARE MODE`);
                      const row: Record<string, unknown> = {};
                      for (const k of MARKS)
                        Object.assign(row, (await client.query(`SELECT ${items[k]}`)).rows[0]);
                      return fingerprint(row);
                    } finally {
                      await client.query('COMMIT');
                    }
                  }, publishing),
                  publishing,
                  holding,
                ]);
                expect(heldReader, 'the reader holding a table read the previous rows of the other').toBe(
                  (publications[0] ?? '').split(' ').find((x) => x.startsWith('balance_live=')),
                );
              } finally {
                await Promise.all([client.end(), holder.end()]);
                await reader.close();
              }
            }
          } finally {
            await main.close();
          }
          // Each publication differs from the one before in every table read: a mix would show.
          for (let i = 1; i < publications.length; i++) {
            const [a, b] = [publications[i - 1]?.split(' ') ?? [], publications[i]?.split(' ') ?? []];
            expect(a.filter((x, j) => x === b[j])).toEqual([]);
          }
          const results: Record<string, ReaderTally> = {};
          for (const [name, t] of Object.entries(tallies)) {
            results[name] = {
              reads: t.reads,
              errors: t.errors,
              mixed: t.seen.filter((x) => !publications.includes(x)),
            };
            expect(results[name]?.mixed, `${name}: mixed reads`).toEqual([]);
            expect(t.errors, `${name}: errors`).toEqual([]);
            expect(t.reads, name).toBeGreaterThan(PUBLISHES);
          }
          fig.readers = {
            publishes: PUBLISHES,
            ...Object.fromEntries(
              Object.entries(results).map(([k, t]) => [
                k,
                { reads: t.reads, mixed: t.mixed.length, errors: t.errors.length },
              ]),
            ),
            ...(heldReader ? { readerHoldingATableAnswered: true } : {}),
          };
        },
        sized(120_000, 1_800_000),
      );
    });
  }));
