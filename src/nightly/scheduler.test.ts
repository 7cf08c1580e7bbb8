// The nightly drop folder (issue #10), on both engines: three days of increments from the generator
// dropped into the watched folder under names that do not sort by date, one of them broken (a file
// changed after its manifest was written). One tick takes them in as-of order through the server's
// job queue: two published in order (the run ledger, the jobs requested by `nightly`, the after-publish
// hook), the broken one moved aside with its load report and nothing of it applied, the server
// answering throughout. A drop is never taken twice; a late re-delivery of an older date is refused
// without being loaded; past the deadline with no drop of the night, DROP_MISSING is raised once (the
// ops API, /metrics, the log), and resolved when the drop arrives late — with a manual re-run asked
// for meanwhile waiting its turn in the same queue (one job at a time, in the order asked for).

import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { type Session, startTestServer } from '../../test/server.js';
import { generateBank } from '../generator/bank.js';
import { JobQueue } from '../ops/jobs.js';
import { readSeasonFile, type SeasonFile } from '../ops/season.js';
import { buildApp } from '../server/app.js';
import { SESSION_COOKIE } from '../server/auth/index.js';
import { parseOpsConfig } from './config.js';
import type { PublishContext } from './scheduler.js';

const D1 = '2026-12-01';
const D2 = '2026-12-02';
const D3 = '2026-12-03';
const D4 = '2026-12-04';
// Names that sort against the dates: the scheduler must order by the manifests' as-of.
const NAME: Record<string, string> = { [D1]: 'night-c', [D2]: 'night-a', [D3]: 'night-b', [D4]: 'night-0' };

let work: string;
let staging: string;
let season: SeasonFile;

/** Bank time (UTC+8) as an instant. */
const bank = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00+08:00`);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-nightly-'));
  staging = join(work, 'staging');
  for (const d of [D1, D2, D3, D4])
    await generateBank({ customers: 300, seed: 3, asOf: d, out: join(staging, d) });
  // D2 is broken: a row added to a file after its manifest was written (hash and rows no longer match).
  appendFileSync(join(staging, D2, 'transfers.csv'), 'T999999999,broken row\n');
  season = readSeasonFile();
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describeEachEngine('nightly drop folder', (engine) => {
  let db: TestDb;
  let app: FastifyInstance;
  let dir: string;
  let clock = bank(D4, '01:00'); // the night after D3: the deadline of 06:30 expects D2 (lag 1 day, yesterday's)
  let session: Session;
  const jobs = new JobQueue();
  const SIGNED_IN = bank(D4, '01:00');
  const logs: string[] = [];
  const published: PublishContext[] = [];

  const get = (url: string, withSession = true): Promise<LightMyRequestResponse> =>
    app.inject({
      method: 'GET',
      url,
      ...(withSession ? { cookies: { [SESSION_COOKIE]: session.cookie } } : {}),
    });

  /** Deliver a drop as the warehouse does: the whole folder appears at once (renamed in). */
  const deliver = (asOf: string, name = NAME[asOf] as string) => {
    // Copied first (the staging folder serves both engines' runs), then renamed in.
    const from = join(work, `copy-${name}-${asOf}-${Math.random().toString(36).slice(2)}`);
    cpSync(join(staging, asOf), from, { recursive: true });
    renameSync(from, join(dir, name));
  };

  beforeAll(async () => {
    db = await engine.open();
    dir = join(work, `drops-${engine.kind}`);
    mkdirSync(dir);
    await insertBank(db, [
      ['orgs', 'org_id, org_name, level, parent_id, division_code', ["('HQ', '总行', 'HQ', NULL, '210800')"]],
    ]);
    const ts = await startTestServer({
      db,
      config: season.config,
      users: [{ user: 'ops', role: 'HQ_OPS', org: 'HQ', staff: null }],
      now: SIGNED_IN,
      log: false,
    });
    session = ts.sessions.get('ops') as Session;
    await ts.close();
    app = await buildApp({
      db,
      config: season.config,
      // The sessions' clock stays put; the scheduler's moves through the nights.
      now: () => SIGNED_IN,
      log: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
      ops: { season, jobs },
      operations: {
        config: parseOpsConfig('drops:\n  settleSeconds: 0\n  expectedBy: "06:30"\n'),
        dropsDir: dir,
        autoStart: false,
        now: () => clock,
        afterPublish: [
          async (ctx) => {
            published.push(ctx);
          },
        ],
      },
    });
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('publishes two drops in as-of order, moves the broken one aside, and answers while it works', async () => {
    const nightly = app.nightly;
    if (!nightly) throw new Error('no scheduler');
    for (const d of [D3, D1, D2]) deliver(d);
    // A drop still arriving (no manifest yet) is left alone.
    mkdirSync(join(dir, 'night-z'));
    appendFileSync(join(dir, 'night-z', 'customers.csv'), 'customer_id\n');

    const ticking = nightly.tick();
    // The server answers while the drops are worked: liveness at once, the job list from the queue.
    // And what is published meanwhile (readiness names its data date): D1 serves while D2 and D3 are worked.
    const during: number[] = [];
    const servedAsOf: string[] = [];
    while (nightly.busy) {
      const [health, jobs, ready] = await Promise.all([
        get('/healthz', false),
        get('/api/ops/jobs'),
        get('/readyz', false),
      ]);
      if (nightly.busy) {
        during.push(health.statusCode, jobs.statusCode);
        // (503 here: the scheduler's clock is days ahead of the runs' real times; the date is named all the same.)
        const asOf = (ready.json() as { asOf?: string }).asOf;
        if (asOf) servedAsOf.push(asOf);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const outcomes = await ticking;
    expect(during.length).toBeGreaterThan(0);
    expect(new Set(during)).toEqual(new Set([200]));
    expect(servedAsOf).toContain(D1);
    expect(servedAsOf).toEqual([...servedAsOf].sort());

    expect(outcomes.map((o) => [o.asOf, o.name, o.status])).toEqual([
      [D1, NAME[D1], 'PUBLISHED'],
      [D2, NAME[D2], 'FAILED'],
      [D3, NAME[D3], 'PUBLISHED'],
    ]);
    // The run ledger: D1 then D3, published, by the scheduler.
    const runs = await db.query<{ as_of: string; status: string }>(
      'SELECT as_of, status FROM runs ORDER BY run_id',
    );
    expect(runs.map((r) => [r.as_of, r.status])).toEqual([
      [D1, 'PUBLISHED'],
      [D3, 'PUBLISHED'],
    ]);
    expect(published.map((p) => p.asOf)).toEqual([D1, D3]);
    // The jobs of the queue the operations page lists: three loads (one FAILED), two runs.
    const jobs = (await get('/api/ops/jobs')).json().jobs as {
      kind: string;
      status: string;
      requestedBy: string;
      params: Record<string, unknown>;
    }[];
    expect(jobs.reverse().map((j) => [j.kind, j.status, j.requestedBy, j.params.dir])).toEqual([
      ['LOAD', 'DONE', 'nightly', NAME[D1]],
      ['RUN', 'DONE', 'nightly', NAME[D1]],
      ['LOAD', 'FAILED', 'nightly', NAME[D2]],
      ['LOAD', 'DONE', 'nightly', NAME[D3]],
      ['RUN', 'DONE', 'nightly', NAME[D3]],
    ]);

    // The broken drop: moved aside with its load report; nothing of it applied.
    expect(existsSync(join(dir, NAME[D2] as string))).toBe(false);
    const report = JSON.parse(readFileSync(join(dir, 'failed', NAME[D2] as string, 'report.json'), 'utf8'));
    expect(report.status).toBe('FAILED');
    expect(report.load.status).toBe('FAILED');
    expect(report.load.message).toMatch(/transfers\.csv/);
    expect(existsSync(join(dir, 'failed', NAME[D2] as string, 'transfers.csv'))).toBe(true);
    const [failedLoad] = await db.query<{ load_id: number; rows_loaded: number }>(
      `SELECT load_id, rows_loaded FROM loads WHERE status = 'FAILED'`,
    );
    expect(Number(failedLoad?.rows_loaded)).toBe(0);
    expect(Number(failedLoad?.load_id)).toBe(report.load.loadId);
    const [files] = await db.query<{ n: number }>('SELECT count(*) AS n FROM load_files WHERE load_id = $1', [
      failedLoad?.load_id ?? -1,
    ]);
    expect(Number(files?.n)).toBe(0);
    // The published drops stay where they were; the one still arriving was not touched.
    expect(existsSync(join(dir, NAME[D1] as string, 'manifest.json'))).toBe(true);
    expect(existsSync(join(dir, 'night-z', 'customers.csv'))).toBe(true);

    const drops = (await get('/api/ops/drops')).json().drops as {
      name: string;
      status: string;
      movedTo: string | null;
    }[];
    expect(drops.find((d) => d.name === NAME[D2])).toMatchObject({
      status: 'FAILED',
      movedTo: `failed/${NAME[D2]}`,
    });
    const alerts = (await get('/api/ops/alerts?open=true')).json().alerts as { kind: string; asOf: string }[];
    expect(alerts.map((a) => [a.kind, a.asOf])).toEqual([['DROP_FAILED', D2]]);
    expect(logs.some((l) => l.includes('"nightly: drop failed"'))).toBe(true);
  }, 60_000);

  it('never takes a drop twice; refuses a late re-delivery of an older date without loading it', async () => {
    const nightly = app.nightly;
    if (!nightly) throw new Error('no scheduler');
    const loadsBefore = await db.query('SELECT load_id FROM loads');
    expect(await nightly.tick()).toEqual([]);
    deliver(D1, 'night-redelivered');
    const [late] = await nightly.tick();
    expect(late).toMatchObject({
      asOf: D1,
      status: 'FAILED',
      loadId: null,
      movedTo: 'failed/night-redelivered',
    });
    expect(late?.message).toMatch(/before 2026-12-03 already published/);
    expect((await db.query('SELECT load_id FROM loads')).length).toBe(loadsBefore.length);
    // A manifest that is no JSON: the load refuses it (recorded FAILED), the drop goes aside.
    mkdirSync(join(dir, 'night-garbled'));
    appendFileSync(join(dir, 'night-garbled', 'customers.csv'), 'customer_id\n');
    appendFileSync(join(dir, 'night-garbled', 'manifest.json'), '{"as_of": "2026-12-0');
    const [garbled] = await nightly.tick();
    expect(garbled).toMatchObject({
      name: 'night-garbled',
      status: 'FAILED',
      movedTo: 'failed/night-garbled',
    });
    const report = JSON.parse(readFileSync(join(dir, 'failed', 'night-garbled', 'report.json'), 'utf8'));
    expect(report.load.message).toMatch(/manifest\.json: not valid JSON/);
    expect(await nightly.tick()).toEqual([]);
  }, 30_000);

  it('raises DROP_MISSING past the deadline (once), shown by the API, /metrics and the log; a late drop resolves it', async () => {
    const nightly = app.nightly;
    if (!nightly) throw new Error('no scheduler');
    // 06:00 of D4: the deadline has not passed; D2 (expected) is covered by D3's publication.
    clock = bank(D4, '06:00');
    await nightly.tick();
    const open = async () =>
      ((await get('/api/ops/alerts?open=true')).json().alerts as { kind: string; asOf: string }[]).filter(
        (a) => a.kind === 'DROP_MISSING',
      );
    expect(await open()).toEqual([]);
    // 07:00 on the morning after D4: D4's drop was expected by 06:30 and has not come.
    clock = bank('2026-12-05', '07:00');
    await nightly.tick();
    await nightly.tick();
    expect((await open()).map((a) => a.asOf)).toEqual([D4]);
    expect(logs.filter((l) => l.includes('nightly alert: no drop of 2026-12-04')).length).toBe(1);

    const metrics = await get('/metrics', false);
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('wangji_alerts_open{kind="DROP_MISSING"} 1');
    expect(metrics.body).toContain('wangji_drops_total{status="PUBLISHED"} 2');
    expect(metrics.body).toContain('wangji_drops_total{status="FAILED"} 3');

    // The drop comes late: published, the alert resolved with when.
    clock = bank('2026-12-05', '08:10');
    deliver(D4);
    const before = jobs.list().length;
    const ticking = nightly.tick();
    // A manual re-run of D3 asked for while the drop loads waits in the same queue.
    while (!jobs.list().some((j, i) => i < jobs.list().length - before && j.status === 'RUNNING'))
      await new Promise((r) => setTimeout(r, 20));
    const manual = await app.inject({
      method: 'POST',
      url: '/api/ops/runs',
      cookies: { [SESSION_COOKIE]: session.cookie },
      headers: { 'x-csrf-token': session.csrf },
      payload: { asOf: D3 },
    });
    expect(manual.statusCode).toBe(202);
    const [outcome] = await ticking;
    await jobs.idle();
    expect(outcome).toMatchObject({ asOf: D4, status: 'PUBLISHED' });
    // One at a time, in the order asked for: the drop's load, the manual run, the drop's run.
    const latest = jobs
      .list()
      .slice(0, jobs.list().length - before)
      .reverse();
    expect(latest.map((j) => [j.kind, j.requestedBy, j.status, j.params.asOf ?? j.params.dir])).toEqual([
      ['LOAD', 'nightly', 'DONE', NAME[D4]],
      ['RUN', 'ops', 'DONE', D3],
      ['RUN', 'nightly', 'DONE', D4],
    ]);
    for (const [i, j] of latest.entries())
      if (i > 0)
        expect(Date.parse(j.startedAt as string)).toBeGreaterThanOrEqual(
          Date.parse(latest[i - 1]?.finishedAt as string),
        );
    // The last publication is the drop's (D4), not the re-run's.
    const [last] = await db.query<{ as_of: string }>(
      `SELECT as_of FROM runs WHERE status = 'PUBLISHED' ORDER BY run_id DESC LIMIT 1`,
    );
    expect(last?.as_of).toBe(D4);
    expect(await open()).toEqual([]);
    const all = (await get('/api/ops/alerts')).json().alerts as { kind: string; resolution: string | null }[];
    expect(all.find((a) => a.kind === 'DROP_MISSING')?.resolution).toMatch(/published at 08:10 bank time/);
    expect(published.map((p) => p.asOf)).toEqual([D1, D3, D4]);
  }, 60_000);
});
