// Operations over the API (issue #7), on both engines: a drop loaded from inside the drops root (paths
// that escape it refused), a pipeline run followed to its end over server-sent events, loads and runs
// serialised by the job queue, a failed load reported in words while the server keeps serving, the run
// ledger, the loads, the quarantine masked, 403 for roles without ops:*, live events over a real port
// (and a client that disconnects leaves no follower behind), and LOAD / RUN / CONFIG_CHANGED audited
// exactly once per action — then the same entries from the CLI (`wangji load`, `wangji run`) and
// TARGETS_LOAD / TARGETS_SPLIT from `wangji targets load|split`.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { type ClientRequest, get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { expectNoPersonalData, type Session, startTestServer } from '../../test/server.js';
import { cliActor } from '../cli/commands/users.js';
import { run as cli } from '../cli/main.js';
import { DEFAULT_SEASON_FILE } from '../config/season.js';
import { openDb } from '../db/open.js';
import type { Db } from '../db/types.js';
import { idCardCheckChar } from '../domain/checkDigits.js';
import { generateBank } from '../generator/bank.js';
import { JobQueue } from '../ops/jobs.js';
import { readSeasonFile, type SeasonFile } from '../ops/season.js';
import { buildApp } from './app.js';
import { SESSION_COOKIE } from './auth/index.js';

const D = '2026-12-01';
const NOW = new Date('2026-12-01T10:00:00Z'); // 18:00 at the bank: today is D

let work: string;
let root: string;
let outside: string;
let seasonA: SeasonFile;
let seasonB: SeasonFile;
let seasonBFile: string;

// Personal values of the quarantined rows: none may appear in any response.
const BAD_ID = (() => {
  const first17 = '62012119880315123';
  const good = idCardCheckChar(first17);
  return first17 + (good === '0' ? '1' : '0');
})();
const PHONE_AS_DATE = '13912345678';
const TRUNCATED_ID = '620121199001011234';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-ops-'));
  root = join(work, 'drops');
  outside = join(work, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  const good = join(root, D);
  await generateBank({ customers: 300, seed: 3, asOf: D, out: good });
  // A re-delivery of the customers alone, no manifest (as-of: today at the bank), with three bad rows:
  // an ID number whose check digit is wrong, a phone where the birth date goes, a cut-off record.
  const fix = join(root, 'fixes', 'customers');
  mkdirSync(fix, { recursive: true });
  const customers = readFileSync(join(good, 'customers.csv'), 'utf8').trimEnd();
  writeFileSync(
    join(fix, 'customers.csv'),
    [
      customers,
      `C900000001,王小明,ID_CARD,${BAD_ID},M,1988-03-15,13800000009,BR01S01O01,,620121,FARMER,2024-02-29,C4,Y,N`,
      `C900000002,李四,ID_CARD,${'62012119880315123'}${idCardCheckChar('62012119880315123')},M,${PHONE_AS_DATE},,BR01S01O01,,620121,FARMER,2024-02-29,C4,Y,N`,
      `C900000003,赵六,ID_CARD,${TRUNCATED_ID},F`,
    ].join('\n'),
  );
  // A drop that fails: an empty file has no header.
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty', 'payroll.csv'), '');
  // Escapes: a link to a folder outside, a drop whose file links outside.
  writeFileSync(join(outside, 'customers.csv'), 'customer_id\n');
  symlinkSync(outside, join(root, 'link-out'));
  mkdirSync(join(root, 'file-link'));
  symlinkSync(join(outside, 'customers.csv'), join(root, 'file-link', 'customers.csv'));
  // Two season files: the shipped one, and the same with one more comment (another hash).
  seasonA = readSeasonFile(DEFAULT_SEASON_FILE);
  seasonBFile = join(work, 'season-b.yaml');
  writeFileSync(seasonBFile, `# edited for the test\n${readFileSync(DEFAULT_SEASON_FILE, 'utf8')}`);
  seasonB = readSeasonFile(seasonBFile);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface SseEvent {
  id: number | null;
  event: string;
  data: string;
}

/** The events of a text/event-stream body. */
function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim() || block.startsWith(':')) continue;
    const e: SseEvent = { id: null, event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) e.id = Number(line.slice(4));
      else if (line.startsWith('event: ')) e.event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    e.data = data.join('\n');
    out.push(e);
  }
  return out;
}

async function auditRows(db: Db, action: string) {
  return db.query<{ actor: string; subject: string | null; detail: string }>(
    'SELECT actor, subject, detail FROM audit_log WHERE action = $1 ORDER BY seq',
    [action],
  );
}

const USERS = [
  { user: 'ops', role: 'HQ_OPS', org: 'HQ', staff: null },
  { user: 'admin', role: 'HQ_ADMIN', org: 'HQ', staff: null },
  { user: 'branch', role: 'BRANCH_MANAGER', org: 'BR01', staff: null },
  { user: 'outlet', role: 'OUTLET_MANAGER', org: 'BR01S01O01', staff: null },
  { user: 'auditor', role: 'AUDITOR', org: 'HQ', staff: null },
] as const;

describeEachEngine('operations API', (engine) => {
  let db: TestDb;
  let app: FastifyInstance;
  let jobs: JobQueue;
  let sessions: Map<string, Session>;
  const bodies: string[] = [];

  const call = async (
    method: 'GET' | 'POST',
    url: string,
    as: string,
    body?: unknown,
    on: FastifyInstance = app,
  ): Promise<LightMyRequestResponse> => {
    const s = sessions.get(as) as Session;
    const res = await on.inject({
      method,
      url,
      cookies: { [SESSION_COOKIE]: s.cookie },
      headers: method === 'POST' ? { 'x-csrf-token': s.csrf } : {},
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    bodies.push(res.body);
    return res;
  };

  /** Follow a job's events to the end (inject answers once the stream has ended). */
  const events = async (id: string, as = 'ops', on = app) => {
    const res = await call('GET', `/api/ops/jobs/${id}/events`, as, undefined, on);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    return parseSse(res.body);
  };

  beforeAll(async () => {
    db = await engine.open();
    // The users' orgs, before the first load brings the whole tree (with the same ids).
    await insertBank(db, [
      [
        'orgs',
        'org_id, org_name, level, parent_id, division_code',
        [
          "('HQ', '总行', 'HQ', NULL, '210800')",
          "('BR01', '分行', 'BRANCH', 'HQ', '210800')",
          "('BR01S01', '支行', 'SUBBRANCH', 'BR01', '210802')",
          "('BR01S01O01', '网点', 'OUTLET', 'BR01S01', '210804')",
        ],
      ],
    ]);
    const ts = await startTestServer({ db, config: seasonA.config, users: USERS, now: NOW, log: false });
    sessions = ts.sessions;
    await ts.close();
    jobs = new JobQueue({ now: () => new Date() });
    app = await buildApp({
      db,
      config: seasonA.config,
      now: () => NOW,
      log: false,
      ops: { dropsRoot: root, season: seasonA, jobs },
    });
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('refuses roles without ops:read or ops:run (403, audited DENIED); a branch manager reads', async () => {
    const denied = (await auditRows(db, 'DENIED')).length;
    expect((await call('GET', '/api/ops/runs', 'outlet')).statusCode).toBe(403);
    expect((await call('GET', '/api/ops/quarantine', 'auditor')).statusCode).toBe(403);
    expect((await call('POST', '/api/ops/runs', 'branch', { asOf: D })).statusCode).toBe(403);
    expect((await call('POST', '/api/ops/loads', 'outlet', { dir: D })).statusCode).toBe(403);
    expect((await auditRows(db, 'DENIED')).length).toBe(denied + 4);
    for (const url of ['/api/ops/runs', '/api/ops/loads', '/api/ops/quarantine', '/api/ops/jobs'])
      expect((await call('GET', url, 'branch')).statusCode, url).toBe(200);
    expect(jobs.list()).toHaveLength(0);
  });

  it('refuses a folder outside the drops root: "..", absolute paths, links out, missing (400, no job)', async () => {
    for (const dir of [
      '../outside',
      `${D}/../../outside`,
      outside,
      '/etc',
      'link-out',
      'file-link',
      'missing',
    ]) {
      const res = await call('POST', '/api/ops/loads', 'ops', { dir });
      expect(res.statusCode, dir).toBe(400);
      expect(res.json().error.fields?.[0]?.field, dir).toBe('body.dir');
    }
    expect((await call('POST', '/api/ops/loads', 'ops', { dir: D, extra: 1 })).statusCode).toBe(400);
    expect((await call('POST', '/api/ops/runs', 'ops', { asOf: '2026-02-30' })).statusCode).toBe(400);
    expect((await call('POST', '/api/ops/runs', 'ops', { asOf: D, stage: 'nope' })).statusCode).toBe(400);
    expect(jobs.list()).toHaveLength(0);
    expect(await auditRows(db, 'LOAD')).toHaveLength(0);
  });

  it('loads a drop and runs the pipeline as two jobs, one after the other; the run followed to its end', async () => {
    const load = await call('POST', '/api/ops/loads', 'ops', { dir: D });
    expect(load.statusCode).toBe(202);
    const loadJob = load.json();
    expect(loadJob).toMatchObject({ kind: 'LOAD', params: { dir: D }, requestedBy: 'ops' });
    // Asked for while the load is still going: it waits its turn.
    const runRes = await call('POST', '/api/ops/runs', 'admin', { asOf: D });
    expect(runRes.statusCode).toBe(202);
    const runJob = runRes.json();
    expect(runJob).toMatchObject({
      kind: 'RUN',
      status: 'QUEUED',
      params: { asOf: D, stage: null, full: false },
    });

    const evs = await events(runJob.id);
    const progress = evs.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.map((e) => e.id)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.some((e) => /\[1\/\d+\] /.test(e.data))).toBe(true);
    const done = evs.at(-1) as SseEvent;
    expect(done.event).toBe('done');
    const final = JSON.parse(done.data);
    expect(final).toMatchObject({ id: runJob.id, status: 'DONE', result: { status: 'PUBLISHED', asOf: D } });
    expect(evs.filter((e) => e.event === 'done')).toHaveLength(1);

    const l = (await call('GET', `/api/ops/jobs/${loadJob.id}`, 'branch')).json();
    expect(l).toMatchObject({
      status: 'DONE',
      result: { status: 'APPLIED', asOf: D, totals: { quarantined: 0 } },
    });
    expect(Date.parse(final.startedAt)).toBeGreaterThanOrEqual(Date.parse(l.finishedAt));
    // A late follower of the finished load gets every line, then the end.
    const late = await events(loadJob.id, 'branch');
    expect(late.filter((e) => e.event === 'progress')).toHaveLength(l.lines);
    expect(late.at(-1)?.event).toBe('done');
    // Resuming after line 3 gives the lines after it.
    const resumed = await app.inject({
      method: 'GET',
      url: `/api/ops/jobs/${loadJob.id}/events`,
      cookies: { [SESSION_COOKIE]: (sessions.get('ops') as Session).cookie },
      headers: { 'last-event-id': '3' },
    });
    expect(parseSse(resumed.body)[0]?.id).toBe(4);

    const list = (await call('GET', '/api/ops/jobs', 'ops')).json().jobs;
    expect(list.map((j: { id: string }) => j.id)).toEqual([runJob.id, loadJob.id]);
    expect((await call('GET', '/api/ops/jobs/00000000-0000-4000-8000-000000000000', 'ops')).statusCode).toBe(
      404,
    );

    // Audited once each, by the user who asked; the first run with a recorded hash changes nothing.
    const loads = await auditRows(db, 'LOAD');
    expect(loads).toHaveLength(1);
    expect(loads[0]).toMatchObject({ actor: 'ops', subject: `load:${l.result.loadId}` });
    expect(JSON.parse(loads[0]?.detail ?? '{}')).toMatchObject({ status: 'APPLIED', rows_quarantined: 0 });
    const runs = await auditRows(db, 'RUN');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ actor: 'admin', subject: `run:${final.result.runId}` });
    expect(JSON.parse(runs[0]?.detail ?? '{}')).toMatchObject({
      as_of: D,
      stage: null,
      status: 'PUBLISHED',
      run_id: final.result.runId,
      config_sha256: seasonA.source.sha256,
      config_file: seasonA.source.file,
    });
    expect(await auditRows(db, 'CONFIG_CHANGED')).toHaveLength(0);
  }, 180_000);

  it('the run ledger and the loads, newest first, paged', async () => {
    const ledger = (await call('GET', '/api/ops/runs', 'branch')).json();
    expect(ledger.total).toBe(1);
    expect(ledger.runs[0]).toMatchObject({
      as_of: D,
      status: 'PUBLISHED',
      stage: null,
      config_sha256: seasonA.source.sha256,
    });
    expect(ledger.runs[0].models.length).toBeGreaterThan(10);
    const loads = (await call('GET', '/api/ops/loads?limit=1', 'branch')).json();
    expect(loads.total).toBe(1);
    expect(loads.loads[0]).toMatchObject({ status: 'APPLIED', as_of: D, rows_quarantined: 0 });
    expect(loads.loads[0].load_files.map((f: { extract: string }) => f.extract)).toContain('customers');
    expect((await call('GET', '/api/ops/runs?offset=1', 'ops')).json().runs).toEqual([]);
  });

  it('quarantine: rows at fault, filtered, with ID numbers, phones and raw records masked', async () => {
    const job = (await call('POST', '/api/ops/loads', 'ops', { dir: 'fixes/customers' })).json();
    const done = JSON.parse((await events(job.id)).at(-1)?.data ?? '{}');
    expect(done).toMatchObject({ status: 'DONE', result: { status: 'APPLIED', totals: { quarantined: 3 } } });
    const loadId = done.result.loadId;
    const q = (await call('GET', `/api/ops/quarantine?load=${loadId}`, 'branch')).json();
    expect(q.total).toBe(3);
    const by = (column: string | null) =>
      q.rows.find((r: { column_name: string | null }) => r.column_name === column);
    expect(by('id_no')).toMatchObject({
      extract: 'customers',
      value: `${BAD_ID.slice(0, 6)}********${BAD_ID.slice(-4)}`,
    });
    expect(by('birth_date')).toMatchObject({ value: '139****5678' });
    expect(by(null).value).toMatch(/^\(\d+ characters withheld\)$/);
    const filtered = (await call('GET', `/api/ops/quarantine?extract=customers&column=id_no`, 'ops')).json();
    expect(filtered.total).toBe(1);
    const reason = String(by('id_no').reason).slice(0, 6).toUpperCase();
    expect(
      (await call('GET', `/api/ops/quarantine?reason=${encodeURIComponent(reason)}`, 'ops')).json().total,
    ).toBeGreaterThanOrEqual(1);
    expect((await call('GET', '/api/ops/quarantine?extract=payroll', 'ops')).json().total).toBe(0);
    expectNoPersonalData(bodies, [BAD_ID, PHONE_AS_DATE, TRUNCATED_ID]);
  }, 60_000);

  it('a failed load is reported in words, audited, and the server keeps serving', async () => {
    const job = (await call('POST', '/api/ops/loads', 'ops', { dir: 'empty' })).json();
    const done = JSON.parse((await events(job.id)).at(-1)?.data ?? '{}');
    expect(done.status).toBe('FAILED');
    expect(done.message).toMatch(/payroll\.csv: empty file/);
    expect(done.result).toMatchObject({ status: 'FAILED' });
    const failed = (await auditRows(db, 'LOAD')).at(-1);
    expect(JSON.parse(failed?.detail ?? '{}')).toMatchObject({ status: 'FAILED', rows_read: 0 });
    expect((await call('GET', '/api/ops/loads?status=FAILED', 'ops')).json().loads[0].message).toMatch(
      /empty file/,
    );
    // A run the runner refuses (a date after the data) fails the same way, with the run's reason.
    const late = (await call('POST', '/api/ops/runs', 'ops', { asOf: '2026-12-05' })).json();
    const end = JSON.parse((await events(late.id)).at(-1)?.data ?? '{}');
    expect(end).toMatchObject({ status: 'FAILED', result: { status: 'FAILED' } });
    expect(end.message).toMatch(/after the latest loaded data/);
    expect((await call('GET', '/api/ops/runs?status=FAILED', 'ops')).json().total).toBe(1);
    expect((await call('GET', '/api/ops/jobs?status=FAILED', 'ops')).json().jobs).toHaveLength(2);
  }, 60_000);

  it('a run with another season file is audited CONFIG_CHANGED once, with both hashes', async () => {
    const other = await buildApp({
      db,
      config: seasonB.config,
      now: () => NOW,
      log: false,
      ops: { dropsRoot: root, season: seasonB },
    });
    try {
      for (let i = 0; i < 2; i++) {
        const job = (await call('POST', '/api/ops/runs', 'ops', { asOf: D, stage: 'kpis' }, other)).json();
        const end = JSON.parse((await events(job.id, 'ops', other)).at(-1)?.data ?? '{}');
        expect(end).toMatchObject({ status: 'DONE', result: { stage: 'kpis' } });
      }
    } finally {
      await other.close();
    }
    const changed = await auditRows(db, 'CONFIG_CHANGED');
    expect(changed).toHaveLength(1);
    expect(JSON.parse(changed[0]?.detail ?? '{}')).toMatchObject({
      file: seasonB.source.file,
      old_sha256: seasonA.source.sha256,
      new_sha256: seasonB.source.sha256,
    });
    // Runs: the full run, the refused one, two kpis runs.
    expect(await auditRows(db, 'RUN')).toHaveLength(4);
    expect(await auditRows(db, 'LOAD')).toHaveLength(3);
  }, 120_000);

  it('live events over a real port; a client that disconnects leaves no follower', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const cookie = `${SESSION_COOKIE}=${(sessions.get('branch') as Session).cookie}`;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const job = jobs.submit('RUN', { asOf: D }, 'test', async (progress) => {
      progress('before');
      await gate;
      progress('after');
      return { ok: true, message: null, result: null };
    });
    // One client leaves early (node:http, one socket of its own, destroyed after the first event).
    const leaving = await new Promise<ClientRequest>((resolve, reject) => {
      const req = httpGet(
        `${base}/api/ops/jobs/${job.id}/events`,
        { headers: { cookie }, agent: false },
        (r) => r.once('data', () => resolve(req)),
      );
      req.on('error', reject);
    });
    // Another stays to the end.
    const res = await fetch(`${base}/api/ops/jobs/${job.id}/events`, { headers: { cookie } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('data: before')) text += decoder.decode((await reader.read()).value);
    expect(text).not.toContain('event: done');
    expect(jobs.followers(job.id)).toBe(2);
    leaving.on('error', () => undefined);
    leaving.destroy();
    await vi.waitFor(() => expect(jobs.followers(job.id)).toBe(1), { timeout: 2000 });
    release();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    const evs = parseSse(text);
    expect(evs.map((e) => e.event)).toEqual(['progress', 'progress', 'done']);
    expect(evs[1]).toMatchObject({ id: 2, data: 'after' });
    expect(JSON.parse(evs[2]?.data ?? '{}').status).toBe('DONE');
    expect(jobs.followers(job.id)).toBe(0);
  }, 30_000);

  it('the CLI audits its loads, runs, season changes and target changes as cli:<os user>, once each', async () => {
    await app.close();
    await db.release();
    const quiet = () => {
      const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      return () => {
        out.mockRestore();
        err.mockRestore();
      };
    };
    const targets = join(work, `targets-${engine.kind}.csv`);
    writeFileSync(targets, 'kpi,org_id,staff_id,period,target\nNEW_CUSTOMERS,HQ,,SEASON,120\n');
    const location = db.target.location;
    const commands: [string[], number][] = [
      [['load', join(root, D)], 0],
      [['run', '--as-of', D, '--stage', 'kpis', '--config', seasonBFile], 0],
      [['run', '--as-of', D, '--stage', 'kpis'], 0],
      [['targets', 'load', targets, '--as-of', D], 0],
      [
        [
          'targets',
          'split',
          '--kpi',
          'NEW_CUSTOMERS',
          '--period',
          'SEASON',
          '--from',
          'HQ',
          '--by',
          'EQUAL',
          '--as-of',
          D,
        ],
        0,
      ],
      // Refused by the runner (no data for that date): audited as well.
      [['run', '--as-of', '2026-12-09'], 1],
    ];
    for (const [args, code] of commands) {
      const restore = quiet();
      try {
        expect(await cli(['node', 'wangji', ...args, '--db', location]), args.join(' ')).toBe(code);
      } finally {
        restore();
      }
    }
    const again = await openDb(db.target);
    try {
      const actor = cliActor();
      const by = async (action: string) => (await auditRows(again, action)).filter((r) => r.actor === actor);
      expect(await by('LOAD')).toHaveLength(1);
      const runs = (await by('RUN')).map((r) => JSON.parse(r.detail));
      expect(runs.map((r) => [r.config_sha256, r.status])).toEqual([
        [seasonB.source.sha256, 'PUBLISHED'],
        [seasonA.source.sha256, 'PUBLISHED'],
        [seasonA.source.sha256, 'FAILED'],
      ]);
      // The API's last runs used season B: the first CLI run changes nothing, the second goes back to A.
      const changed = await by('CONFIG_CHANGED');
      expect(changed).toHaveLength(1);
      expect(JSON.parse(changed[0]?.detail ?? '{}')).toMatchObject({
        old_sha256: seasonB.source.sha256,
        new_sha256: seasonA.source.sha256,
      });
      expect(await auditRows(again, 'CONFIG_CHANGED')).toHaveLength(2);
      const loaded = await by('TARGETS_LOAD');
      expect(loaded).toHaveLength(1);
      expect(JSON.parse(loaded[0]?.detail ?? '{}')).toMatchObject({ rows: 1, inserted: 1 });
      const split = await by('TARGETS_SPLIT');
      expect(split).toHaveLength(1);
      expect(JSON.parse(split[0]?.detail ?? '{}')).toMatchObject({
        kpi: 'NEW_CUSTOMERS',
        from: 'HQ',
        by: 'EQUAL',
        to: 'ORG',
      });
      const [ledger] = await again.query<{ config_sha256: string | null }>(
        'SELECT config_sha256 FROM runs ORDER BY run_id DESC LIMIT 1',
      );
      expect(ledger?.config_sha256).toBe(seasonA.source.sha256);
    } finally {
      await again.close();
    }
  }, 180_000);
});
