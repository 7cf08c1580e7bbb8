// Resource faults (issue #9, point 3), on both engines.
//
// A full disk. The database lives on a real small filesystem — a tmpfs mounted for the test: DuckDB's
// file, its WAL and its temp directory; for PostgreSQL a tablespace holding the whole test database,
// temporary tables included — filled by a filler file until only a little space is left:
//   - mid-load: `wangji load` (the real CLI) exits 1 with the reason in words ("no space left on
//     device while loading customers.csv …"), no stack trace; the load ledger has the FAILED load;
//     every data and published table is unchanged (checksums), read in this process, by `wangji
//     checksum` in another one (DuckDB; PostgreSQL in full) and through the server (dashboard, ops
//     pages) — the disk still full; in full at more fill levels, until the drop fits;
//   - mid-publish: the disk is filled when the last model is computed, so the publish transaction
//     meets it: the run fails in words, nothing is published, the ledger has it FAILED (or, when even
//     that cannot be written, the next run settles it with the reason); a sign-in, which must write,
//     is a 503 in words, never a 500.
// Where the machine does not allow mounting, writes fail by injection instead, and the title says so
// (WANGJI_FAULTS_INJECT=1 forces that fallback, to try it).
// A dropped PostgreSQL connection. An admin connection holds a lock the operation is about to need,
// waits until one of its statements waits for it, then pg_terminate_backend()s every backend of the
// database — mid-load (in the middle of the drop's files), mid-run (a model being computed) and
// mid-publish (inside the publish transaction, after tables were renamed): each fails cleanly (the
// process lives, nothing half-applied, the ledger says the connection was lost), and a server whose
// pool connections are all terminated keeps answering.
// Afterwards the space is freed and the same loads and runs succeed: every data and published table is
// identical (checksums) to those of a twin database that never saw a fault. Figures go to
// bench/out/reliability/faults.json.

import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { splitDailyDrops } from '../../bench/daily-drops.js';
import { loadSeasonConfig } from '../../src/config/season.js';
import { CLOCK_COLUMNS, checksumTables } from '../../src/db/checksum.js';
import { type DbTarget, openDb } from '../../src/db/open.js';
import type { Db, EngineKind } from '../../src/db/types.js';
import { EXTRACTS } from '../../src/extracts/contract.js';
import { loadDrop } from '../../src/extracts/loader.js';
import { generateBank } from '../../src/generator/bank.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { publishedTables } from '../../src/pipeline/publishedTables.js';
import { type RunReport, runPipeline } from '../../src/pipeline/runner.js';
import { buildApp } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/auth/index.js';
import { describeEachEngine, type TestDb } from '../engines.js';
import { startTestServer } from '../server.js';
import {
  InjectedDisk,
  postgresOn,
  SmallDisk,
  smallDiskUnavailable,
  terminateAll,
  terminateWhenBlocked,
} from './faults-env.js';
import { FULL, recordFigures, sized } from './mode.js';

const CUSTOMERS = sized(300, 3000);
const D0 = '2026-11-27';
const D = '2026-11-28';
const NOW = new Date('2026-11-29T02:00:00Z'); // 10:00 at the bank the day after
const DISK_SIZE = sized('64m', '256m');
/**
 * Bytes left free for a load: below what the drop needs, so that it fails partway (PostgreSQL writes
 * as it goes: the larger, the later the file it stops at; DuckDB writes at the commit). Ascending; in
 * full, the last may fit — the load then applies, as it does after the space is freed.
 */
const LOAD_HEADROOM: Record<EngineKind, number[]> = {
  duckdb: sized([8 << 10], [4 << 10, 8 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20]),
  postgres: sized([512 << 10], [128 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20]),
};
/** Where a PostgreSQL connection is dropped: the lock held, and what must be waiting for it. */
const LOAD_DROPS = sized(['balances'], ['customers', 'balances', 'transfers']);
const RUN_DROPS = sized(['transfers'], ['customers', 'balances', 'transfers', 'payroll']);

/** Per test: the full form repeats its faults at many points, a CLI process each. */
const TIMEOUT = sized(120_000, 1_800_000);

const config = loadSeasonConfig();
/** Every table a drop or a run writes (the quarantine without its load ids: a failed load takes one). */
const TABLES = [...EXTRACTS.map((e) => e.name), 'quarantine', ...publishedTables().map((t) => t.name)];
const IGNORE = [...CLOCK_COLUMNS, 'load_id'];
const state = (db: Db) => checksumTables(db, TABLES, { ignore: IGNORE });
type Sums = Awaited<ReturnType<typeof state>>;
const published = new Set(publishedTables().map((t) => t.name));

const work = mkdtempSync(join(tmpdir(), 'wangji-faults-'));
chmodSync(work, 0o755); // the PostgreSQL server's user reaches its tablespace below it
const unavailable: Record<EngineKind, string | null> = {
  duckdb: await smallDiskUnavailable('duckdb', work),
  postgres: await smallDiskUnavailable('postgres', work),
};
const how = (k: EngineKind) =>
  unavailable[k] === null
    ? `${k}: a real ${DISK_SIZE} tmpfs`
    : `${k}: INJECTED write failures, no CLI steps (${unavailable[k]})`;

let drops: { day0: string; day1: string };
beforeAll(async () => {
  const bank = join(work, 'bank');
  await generateBank({ customers: CUSTOMERS, seed: 9, asOf: D, out: bank });
  drops = await splitDailyDrops(bank, join(work, 'drops'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const figures: Record<string, Record<string, number | string | string[]>> = {};
afterAll(() => recordFigures('faults', { customers: CUSTOMERS, engines: figures }));

const TSX = createRequire(import.meta.url).resolve('tsx');

/** The CLI from source, as an operator runs it (in the test's folder: PostgreSQL's load reports go to ./data). */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', TSX, join(PACKAGE_ROOT, 'test', 'run-cli.ts'), ...args],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const add = (d: Buffer) => {
      out += d.toString();
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const NO_STACK = /\n\s+at .+:\d+:\d+\)?\n/;
/** "while loading balances.csv" of a fault's message. */
const lostWhile = (message: string | null) => /while ([^(]+) \(/.exec(message ?? '')?.[1] ?? String(message);

describeEachEngine(`resource faults (${how('duckdb')}; ${how('postgres')})`, (engine) => {
  const kind = engine.kind;
  const f = {
    disk:
      unavailable[kind] === null
        ? `a real ${DISK_SIZE} tmpfs`
        : `injected write failures (${unavailable[kind]})`,
    diskFull: 0,
    connectionsDropped: 0,
    previousStateIntact: 0,
    cleanErrors: 0,
    lost: 0,
    points: [] as string[],
  };
  figures[kind] = f;
  let disk: SmallDisk | null = null;
  let injected: InjectedDisk | null = null;
  let target: DbTarget;
  let dropA: () => Promise<void> = async () => undefined;
  /** The database the faults hit (on the small disk), and its twin that never sees one. */
  let a: Db;
  let twin: TestDb;
  let cookie: string;
  let password: string;
  /** A's tables before the drop of D, and after it was loaded. */
  let s0: Sums;
  let s1: Sums;
  let dashboard: unknown;
  let day1Loaded = false;
  const pgName = () => new URL(target.location).pathname.slice(1);
  const freeSpace = () => {
    disk?.free();
    injected?.disarm();
  };

  let app: { db: Db; app: FastifyInstance } | null = null;
  async function closeApp() {
    await app?.app.close();
    app = null;
  }
  async function open() {
    await closeApp();
    const db = await openDb(target);
    a = injected ? injected.wrap(db) : db;
  }
  async function close() {
    await closeApp();
    await a.close();
  }
  /** What the server answers from A (the signed-in operator): the dashboard and the ops pages' ledgers. */
  async function server(): Promise<FastifyInstance> {
    if (app?.db !== a) {
      await closeApp();
      app = { db: a, app: await buildApp({ db: a, config, now: () => NOW, log: false }) };
    }
    return app.app;
  }
  async function answers() {
    const s = await server();
    const get = async (url: string) => {
      const res = await s.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: cookie } });
      expect([url, res.statusCode]).toEqual([url, 200]);
      return res.json();
    };
    return {
      dashboard: await get('/api/dashboard'),
      loads: (await get('/api/ops/loads')).loads as { status: string; message: string | null }[],
    };
  }

  /** The previous state is served: the same tables, the same dashboard. */
  async function expectIntact(sums: Sums) {
    expect(await state(a)).toEqual(sums);
    const served = await answers();
    expect(served.dashboard).toEqual(dashboard);
    f.previousStateIntact++;
    return served;
  }

  beforeAll(
    async () => {
      if (unavailable[kind] === null) {
        disk = SmallDisk.mount(join(work, `${kind}-disk`), DISK_SIZE);
        if (kind === 'duckdb') target = { kind, location: join(disk.dir, 'wangji.duckdb') };
        else ({ target, drop: dropA } = await postgresOn(disk, `wangji_faults_${process.pid}`));
      } else {
        injected = new InjectedDisk();
        const t = await engine.open();
        target = t.target;
        await t.release();
        dropA = () => t.close();
      }
      await open();
      twin = await engine.open();
      await Promise.all(
        [a, twin].map(async (db) => {
          expect((await loadDrop(db, drops.day0)).status).toBe('APPLIED');
          expect((await runPipeline(db, { asOf: D0, config })).status).toBe('PUBLISHED');
        }),
      );
      const signedIn = await startTestServer({
        db: a,
        config,
        users: [{ user: 'ops', role: 'HQ_ADMIN', org: 'HQ', staff: null }],
        now: NOW,
        log: false,
      });
      cookie = (signedIn.sessions.get('ops') as { cookie: string }).cookie;
      password = signedIn.passwords.get('ops') as string;
      await signedIn.close();
      dashboard = (await answers()).dashboard;
      s0 = await state(a);
    },
    sized(180_000, 1_200_000),
  );

  afterAll(async () => {
    await close().catch(() => undefined);
    await twin?.close();
    await dropA();
    disk?.unmount();
  });

  if (kind === 'postgres')
    it(
      'a connection dropped mid-load: the load fails cleanly, the process lives',
      async () => {
        for (const table of LOAD_DROPS) {
          const { terminated, result: report } = await terminateWhenBlocked(
            pgName(),
            `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`,
            () => loadDrop(a, drops.day1),
          );
          expect(terminated).toBeGreaterThan(0);
          f.connectionsDropped++;
          expect(report.status).toBe('FAILED');
          expect(report.message).toMatch(
            new RegExp(
              `^load failed: the connection to the database server was lost while loading ${table}\\.csv`,
            ),
          );
          f.points.push(`connection dropped: ${lostWhile(report.message)}`);
          f.cleanErrors++;
          await expectIntact(s0);
        }
      },
      TIMEOUT,
    );

  it(
    'a full disk mid-load: the load fails in words and is in the ledger; the previous tables stay served',
    async () => {
      try {
        for (const headroom of injected ? [5] : LOAD_HEADROOM[kind]) {
          let message: string;
          if (disk) {
            const owns = kind === 'duckdb'; // DuckDB: one process owns the file — the CLI, while it runs
            if (owns) await close();
            disk.fill(headroom);
            const r = await cli(['load', drops.day1, '--db', target.location]);
            if (r.code === 0 && headroom !== LOAD_HEADROOM[kind][0]) {
              if (owns) await open();
              day1Loaded = true; // it fit: the drop applied, as it does below once the space is freed
              f.points.push(`load, ${headroom} bytes free: fit`);
              break;
            }
            expect(r.code, r.out).toBe(1);
            expect(r.out).not.toMatch(NO_STACK);
            message = r.out;
            // Another process opens the database and reads the previous tables off the still full disk
            // (DuckDB replays its WAL there; a PostgreSQL client is another process anyway: in full only).
            if (owns || FULL) {
              const sums = await cli(['checksum', '--db', target.location, '--json']);
              expect(sums.code, sums.out).toBe(0);
              expect(JSON.parse(sums.out)).toEqual(s0.filter((x) => published.has(x.table)));
            }
            if (owns) await open();
          } else {
            (injected as InjectedDisk).arm(headroom);
            const r = await loadDrop(a, drops.day1);
            expect(r.status).toBe('FAILED');
            message = r.message ?? '';
          }
          const where = /no space left on device while (loading \S+\.csv|applying the drop)/.exec(message);
          expect(where, message).not.toBeNull();
          f.points.push(
            `load, ${injected ? `failing after ${headroom} writes` : `${headroom} bytes free`}: ${where?.[1]}`,
          );
          f.diskFull++;
          const [last] = await a.query<{ status: string; message: string }>(
            'SELECT status, message FROM loads ORDER BY load_id DESC LIMIT 1',
          );
          expect(last?.status).toBe('FAILED');
          expect(last?.message).toMatch(/^load failed: no space left on device while .* free space/);
          f.cleanErrors++;
          const served = await expectIntact(s0);
          // The ops page tells the operator why (digit runs masked there, as in the audit log).
          expect(served.loads[0]?.message).toMatch(/^load failed: no space left on device while /);
          freeSpace();
        }
      } finally {
        freeSpace();
      }
    },
    TIMEOUT,
  );

  it(
    'with the space freed the drop loads',
    async () => {
      await Promise.all([
        day1Loaded ? null : loadDrop(a, drops.day1).then((r) => expect(r.status).toBe('APPLIED')),
        loadDrop(twin, drops.day1).then((r) => expect(r.status).toBe('APPLIED')),
      ]);
      s1 = await state(a);
    },
    TIMEOUT,
  );

  it(
    'a full disk mid-publish: the run fails in words, nothing is published, the ledger says so',
    async () => {
      let last = '';
      let report: RunReport | undefined;
      let thrown: Error | undefined;
      const fillAtPublish = (m: string) => {
        // "[26/26] kpis/kpi_credits: 220 rows (0.1s)": every model computed — the publish is next.
        const done = /^\[(\d+)\/(\d+)\] \S+: \d+ rows/.exec(m);
        if (done && done[1] === done[2]) {
          last = m;
          if (disk) disk.fill(0);
          else (injected as InjectedDisk).arm(0);
        }
      };
      try {
        report = await runPipeline(a, { asOf: D, config, onProgress: fillAtPublish });
      } catch (e) {
        thrown = e as Error; // the failure itself could not be written either
      }
      try {
        expect(last).not.toBe('');
        f.diskFull++;
        const message = thrown?.message ?? report?.message ?? '';
        expect(report?.status ?? 'FAILED').toBe('FAILED');
        expect(message).toMatch(/^run failed: no space left on device while publishing \(.*\) — free space/);
        if (thrown)
          expect(message).toMatch(/not recorded in the run ledger: the next run marks run \d+ FAILED/);
        f.points.push(`publish: ${thrown ? 'the failure recorded by the next run' : 'the failure recorded'}`);
        f.cleanErrors++;
        await expectIntact(s1); // the disk still full
        // A write the server cannot make is a 503 in words, never a 500 nor the engine's own words
        // (on DuckDB every write needs the WAL; on PostgreSQL the failed run's drops freed pages).
        const signIn = await (await server()).inject({
          method: 'POST',
          url: '/api/session',
          payload: { username: 'ops', password },
        });
        if (kind === 'duckdb' && disk) expect(signIn.statusCode).toBe(503);
        expect([200, 503]).toContain(signIn.statusCode);
        if (signIn.statusCode === 503) {
          expect(signIn.json().error.code).toBe('DB_UNAVAILABLE');
          expect(signIn.body).not.toMatch(/DuckDB|PostgreSQL|wal|pg_tblspc|No space/);
          f.cleanErrors++;
        }
      } finally {
        freeSpace();
      }
    },
    TIMEOUT,
  );

  if (kind === 'postgres')
    it(
      'a connection dropped mid-run and mid-publish: the run fails cleanly and is FAILED in the ledger',
      async () => {
        const points = [
          ...RUN_DROPS.map((t) => ({
            lock: `LOCK TABLE ${t} IN ACCESS EXCLUSIVE MODE`,
            during: /computing \w+/,
          })),
          // Inside the publish transaction: the models' tables renamed, the lead lifecycle next.
          { lock: 'LOCK TABLE leads IN EXCLUSIVE MODE', during: /publishing/ },
        ];
        for (const p of points) {
          const { terminated, result: report } = await terminateWhenBlocked(pgName(), p.lock, () =>
            runPipeline(a, { asOf: D, config }),
          );
          expect(terminated).toBeGreaterThan(0);
          f.connectionsDropped++;
          expect(report.status).toBe('FAILED');
          expect(report.message).toMatch(
            /^run failed: the connection to the database server was lost while /,
          );
          expect(report.message).toMatch(p.during);
          const [row] = await a.query<{ status: string; message: string }>(
            'SELECT status, message FROM runs WHERE run_id = $1',
            [report.runId],
          );
          expect(row).toEqual({ status: 'FAILED', message: report.message });
          f.points.push(`connection dropped: ${lostWhile(report.message)}`);
          f.cleanErrors++;
          await expectIntact(s1);
        }
      },
      TIMEOUT,
    );

  if (kind === 'postgres')
    it(
      "a server whose pool connections are all terminated keeps answering (the pool's 'error' is handled)",
      async () => {
        const s = await server();
        const get = () =>
          s.inject({ method: 'GET', url: '/api/dashboard', cookies: { [SESSION_COOKIE]: cookie } });
        for (let round = 0; round < sized(2, 20); round++) {
          // Every connection of the pool opened and idle, then terminated under it.
          await Promise.all([get(), get(), get(), get()]);
          expect(await terminateAll(pgName())).toBeGreaterThan(0);
          f.connectionsDropped++;
          const after = await Promise.all([get(), get(), get(), get()]);
          expect(after.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
          for (const r of after) expect(r.json()).toEqual(dashboard);
        }
      },
      TIMEOUT,
    );

  it(
    'afterwards the run publishes tables identical to those of a twin that never saw a fault',
    async () => {
      const [mine, theirs] = await Promise.all([
        runPipeline(a, { asOf: D, config }),
        runPipeline(twin, { asOf: D, config }),
      ]);
      expect([mine.status, mine.message]).toEqual(['PUBLISHED', null]);
      expect(theirs.status).toBe('PUBLISHED');
      // No run left RUNNING: the faulted ones are FAILED, each with its reason.
      const runs = await a.query<{ status: string; message: string | null }>(
        'SELECT status, message FROM runs',
      );
      expect(runs.filter((x) => x.status === 'RUNNING')).toEqual([]);
      for (const x of runs.filter((r) => r.status === 'FAILED'))
        expect(x.message).toMatch(/no space left on device|connection to the database server was lost/);
      const [sa, sb] = await Promise.all([state(a), state(twin)]);
      f.lost = sa.filter((x, i) => JSON.stringify(x) !== JSON.stringify(sb[i])).length;
      expect(sa).toEqual(sb);
    },
    TIMEOUT,
  );
});
