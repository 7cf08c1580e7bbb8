// The restore drill (issue #9, point 5), on both engines: a generated bank loaded and run, leads
// worked through the API; then a backup of the running server — `wangji backup --server` asking the
// server's BACKUP job — while account managers keep recording outcomes and reading the dashboard. The
// backup is restored into a fresh database, and:
//   - every table's checksum equals the backup's manifest (the audit log: plus the RESTORE entry, its
//     chain intact), and every outcome answered before the backup was asked for is in it;
//   - the outcomes recorded after the snapshot, replayed on the restored database, make it equal to
//     the original (every table but the audit log and the sessions, whose rows record the servers'
//     own sign-ins), and the next daily run then publishes identical tables on both;
//   - a server on the restored database signs people in with their old passwords and old sessions and
//     answers the workbench and the dashboard as the original does.
// Refusals: a target holding data, a backup of the other engine, of a newer schema, with a corrupt
// file or manifest — each before anything is touched; a manifest whose checksum does not match
// (restored with --force over the restored database) fails naming the table and leaves the target as
// it was. On DuckDB, `wangji backup --db FILE` beside the server that holds the file says to use
// --server.

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { verifyAudit } from '../../src/audit/log.js';
import { RestoreRefused } from '../../src/backup/common.js';
import { BackupUnusable, MANIFEST_FILE, readManifest } from '../../src/backup/manifest.js';
import { RestoreVerifyFailed, restoreDatabase } from '../../src/backup/restore.js';
import { backupServerCommand } from '../../src/cli/commands/backup.js';
import { run } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import { loadSeasonConfig } from '../../src/config/season.js';
import { allTables, checksumTables, tableChecksum } from '../../src/db/checksum.js';
import { type DbTarget, openDb } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { loadDrop } from '../../src/extracts/loader.js';
import { generateBank } from '../../src/generator/bank.js';
import { recordOutcome } from '../../src/leads/work.js';
import { JobQueue } from '../../src/ops/jobs.js';
import { PACKAGE_ROOT } from '../../src/paths.js';
import { publishedTables } from '../../src/pipeline/publishedTables.js';
import { runPipeline } from '../../src/pipeline/runner.js';
import { buildApp } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/auth/index.js';
import { addUser } from '../../src/server/auth/users.js';
import { dataChanged } from '../../src/server/changes.js';
import { describeEachEngine, type Engine, PG_ADMIN_URL, type TestDb } from '../engines.js';
import { recordFigures, sized } from './mode.js';

const CUSTOMERS = sized(400, 5000);
const FIRST = '2027-01-19';
const NEXT = '2027-01-20'; // the bank's data date: the next daily run
/** The servers' clock: 10:00 bank time the day after the first run (outside the quiet hours). */
const NOW = new Date('2027-01-20T02:00:00Z');
const config = loadSeasonConfig();
const figures: Record<string, unknown> = { customers: CUSTOMERS };

let work: string;
let bank: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-restore-'));
  bank = join(work, 'bank');
  await generateBank({ customers: CUSTOMERS, seed: 9, asOf: NEXT, out: bank });
}, 120_000);
afterAll(() => {
  recordFigures('restore', figures);
  rmSync(work, { recursive: true, force: true });
});

/** Run the CLI from source; resolves with its exit code and output. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PACKAGE_ROOT, 'test', 'run-cli.ts'), ...args],
    {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err }))) };
}

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(app: FastifyInstance, username: string, password: string): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)?.value as string;
  return { cookie, csrf: res.json().csrfToken as string };
}

function call(app: FastifyInstance, s: Session, method: 'GET' | 'POST', url: string, payload?: object) {
  return app.inject({
    method,
    url,
    cookies: { [SESSION_COOKIE]: s.cookie },
    headers: method === 'GET' ? {} : { 'x-csrf-token': s.csrf },
    ...(payload ? { payload } : {}),
  });
}

/** A target for the restored database: a new file, or a database that does not exist yet. */
function freshTarget(engine: Engine, name: string): { target: DbTarget; drop: () => Promise<void> } {
  if (engine.kind === 'duckdb')
    return {
      target: { kind: 'duckdb', location: join(work, `${name}.duckdb`) },
      drop: async () => undefined,
    };
  const db = `wangji_t_${name}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${db}`;
  return {
    target: { kind: 'postgres', location: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).finally(() => c.end());
    },
  };
}

async function exists(target: DbTarget): Promise<boolean> {
  if (target.kind === 'duckdb') return existsSync(target.location);
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    const name = new URL(target.location).pathname.slice(1);
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rows.length > 0;
  } finally {
    await c.end();
  }
}

/** Checksums by table (clock columns left out unless `all`). */
async function sums(db: Db, tables: readonly string[], all = false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of await checksumTables(db, tables, all ? { ignore: [] } : {}))
    out[s.table] = 'absent' in s ? 'absent' : `${s.rows}:${s.digest}`;
  return out;
}

describeEachEngine('the restore drill', (engine) => {
  let original: TestDb;
  let app: FastifyInstance;
  let restored: Db | null = null;
  let restoredTarget: DbTarget;
  let dropRestored: () => Promise<void> = async () => undefined;
  const backupsRoot = () => join(work, `backups-${engine.kind}`);
  const backupDir = () => join(backupsRoot(), 'drill');
  const passwords = new Map<string, string>();
  const sessions = new Map<string, Session>();
  /** The signed-in account manager of each staff member. */
  const managerOf = new Map<string, string>();
  /** Outcomes answered 200, with when the answer came. */
  const recorded: { contactId: number; taskId: number; answeredAt: number }[] = [];
  const jobs = new JobQueue({ now: () => NOW });
  const fig: Record<string, unknown> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    original = await engine.open();
    expect((await loadDrop(original, bank)).status).toBe('APPLIED');
    const run = await runPipeline(original, { asOf: FIRST, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    // An ops user, and the account managers with the most open tasks of their own.
    const managers = await original.query<{ staff_id: string; org_id: string }>(
      `SELECT t.staff_id, s.org_id FROM tasks t JOIN staff s ON s.staff_id = t.staff_id
        WHERE t.status = 'OPEN' AND t.channel = 'MANAGER' AND s.role = 'ACCOUNT_MANAGER'
        GROUP BY t.staff_id, s.org_id ORDER BY count(*) DESC, t.staff_id LIMIT 4`,
    );
    expect(managers.length).toBeGreaterThan(0);
    const [hq] = await original.query<{ org_id: string }>("SELECT org_id FROM orgs WHERE level = 'HQ'");
    const users = [
      { username: 'ops1', role: 'HQ_OPS', orgId: String(hq?.org_id), staffId: null },
      ...managers.map((m, i) => ({
        username: `am${i + 1}`,
        role: 'ACCOUNT_MANAGER',
        orgId: m.org_id,
        staffId: m.staff_id,
      })),
    ];
    for (const u of users) {
      passwords.set(u.username, (await addUser(original, u, { actor: 'test', now: NOW })).password);
      if (u.staffId) managerOf.set(u.staffId, u.username);
    }
    app = await buildApp({
      db: original,
      config,
      now: () => NOW,
      log: false,
      ops: { jobs, backups: { root: backupsRoot(), target: original.target } },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    for (const u of users)
      sessions.set(u.username, await signIn(app, u.username, passwords.get(u.username) ?? ''));
    fig.setupSeconds = (Date.now() - t0) / 1000;
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await restored?.close();
    await original?.close();
    await dropRestored();
    figures[engine.kind] = fig;
  });

  it('backs up the running server while outcomes are recorded, and restores every table as it was', async () => {
    const tasks = await original.query<{ task_id: number; staff_id: string }>(
      `SELECT task_id, staff_id FROM tasks WHERE status = 'OPEN' AND channel = 'MANAGER' ORDER BY task_id`,
    );
    const queue = tasks.filter((t) => managerOf.has(t.staff_id));
    const record = async () => {
      const t = queue.shift();
      if (!t) return false;
      const s = sessions.get(managerOf.get(t.staff_id) as string) as Session;
      const res = await call(app, s, 'POST', `/api/tasks/${t.task_id}/outcome`, { outcome: 'CONTACTED' });
      expect([200, 409], res.body).toContain(res.statusCode);
      if (res.statusCode === 200)
        recorded.push({ contactId: res.json().contact_id, taskId: t.task_id, answeredAt: Date.now() });
      const dash = await call(app, s, 'GET', '/api/dashboard');
      expect(dash.statusCode, dash.body).toBe(200);
      return true;
    };
    const managers = [...sessions.keys()].filter((u) => u !== 'ops1');
    const round = () => Promise.all(managers.map(() => record()));
    // Leads worked before the backup: one by one, then every manager at once (timed, to compare).
    for (let i = 0; i < 2; i++) await record();
    const r0 = Date.now();
    await round();
    fig.roundBeforeBackupMs = Date.now() - r0; // every manager's outcome and dashboard at once
    const before = recorded.length;
    expect(before).toBeGreaterThan(0);

    // The backup, asked of the running server by `wangji backup --server` (its client, in this
    // process), while the managers go on working.
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const asked = Date.now();
    const said = { out: [] as string[], err: [] as string[] };
    const output: Output = {
      json: true,
      result: (value) => said.out.push(JSON.stringify(value)),
      progress: (line) => said.err.push(line),
      error: (line) => said.err.push(line),
    };
    const backup = backupServerCommand(
      { server: `http://127.0.0.1:${port}`, user: 'ops1', password: passwords.get('ops1'), name: 'drill' },
      output,
    );
    // DuckDB: the file is the server's; `wangji backup` opening it says to go through the server.
    const beside =
      engine.kind === 'duckdb'
        ? cli(['backup', join(work, 'beside'), '--db', original.target.location])
        : null;
    let exited = false;
    const ended = backup.finally(() => {
      exited = true;
    });
    const during: number[] = [];
    let latest = 0;
    while (!exited) {
      const job = jobs.list().find((j) => j.kind === 'BACKUP');
      if (job?.status === 'RUNNING' || job?.status === 'QUEUED') {
        // Every manager at once.
        const t = Date.now();
        const done = await round();
        if (!done.some(Boolean)) break;
        during.push(done.filter(Boolean).length);
        latest = Math.max(latest, Date.now() - t);
      } else await new Promise((r) => setTimeout(r, job ? 5 : 20));
    }
    expect(await ended, said.err.join('\n')).toBe(0);
    expect(JSON.parse(said.out[0] ?? '{}').dir).toBe(backupDir());
    expect(said.err).toContainEqual(expect.stringMatching(/^\[\d+\/\d+\] contacts: /)); // progress, live
    // Outcomes were recorded while the backup job ran.
    expect(during.length).toBeGreaterThan(0);
    if (beside) {
      const refused = await beside.done;
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/in use by another process.*wangji backup --server/);
    }
    // A few more after it.
    for (let i = 0; i < 3; i++) await record();
    fig.outcomesBefore = before;
    fig.outcomesDuringBackup = during.reduce((n, x) => n + x, 0);
    fig.outcomesTotal = recorded.length;
    fig.slowestRoundDuringBackupMs = latest;
    fig.backupWallSeconds = (Date.now() - asked) / 1000;

    const manifest = readManifest(backupDir());
    expect(manifest.engine).toBe(engine.kind);
    expect(manifest.source).not.toMatch(/:[^@/]*\*\*\*@|password/);
    expect(manifest.tables.map((t) => t.name)).toEqual(await allTables(original));
    fig.backupTables = manifest.totals.tables;
    fig.backupRows = manifest.totals.rows;
    fig.backupBytes = manifest.totals.bytes;

    // Restored into a database that does not exist yet.
    const fresh = freshTarget(engine, 'restored');
    restoredTarget = fresh.target;
    dropRestored = fresh.drop;
    const lines: string[] = [];
    const t1 = Date.now();
    const report = await restoreDatabase(restoredTarget, backupDir(), {
      actor: 'cli:test',
      onProgress: (l) => lines.push(l),
    });
    fig.restoreSeconds = (Date.now() - t1) / 1000;
    expect(report.verified).toBe(manifest.tables.length);
    expect(lines).toContain(
      `verified: every table equals the backup (${manifest.totals.rows.toLocaleString('en-US')} rows)`,
    );
    expect(lines.filter((l) => /^\[\d+\/\d+\] /.test(l))).toHaveLength(manifest.tables.length);
    restored = await openDb(restoredTarget);

    // Every table equals the manifest, over every column; the audit log has the RESTORE entry more.
    for (const t of manifest.tables) {
      const c = await tableChecksum(restored, t.name, { ignore: [] });
      if (t.name === 'audit_log') expect(c.rows).toBe(t.rows + 1);
      else expect([t.name, c.rows, c.digest]).toEqual([t.name, t.rows, t.digest]);
    }
    const chain = await verifyAudit(restored);
    expect(chain.ok, JSON.stringify(chain.firstBroken)).toBe(true);
    const [last] = await restored.query<{ action: string }>(
      'SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    expect(last?.action).toBe('RESTORE');

    // Every outcome answered before the backup was asked for is in it; none is there twice.
    const inBackup = new Set(
      (await restored.query<{ contact_id: number }>('SELECT contact_id FROM contacts')).map((r) =>
        Number(r.contact_id),
      ),
    );
    for (const r of recorded.filter((x) => x.answeredAt < asked))
      expect(inBackup.has(r.contactId)).toBe(true);
    const [dups] = await restored.query<{ n: number }>(
      'SELECT count(*) - count(DISTINCT contact_id) AS n FROM contacts',
    );
    expect(Number(dups?.n)).toBe(0);
    fig.outcomesInBackup = recorded.filter((x) => inBackup.has(x.contactId)).length;
  }, 180_000);

  it('with the later outcomes replayed, equals the original, and the next daily run publishes identical tables', async () => {
    if (!restored) throw new Error('the drill did not restore');
    const later = await original.query<{
      contact_id: number;
      task_id: number;
      staff_id: string;
      outcome: string;
    }>('SELECT contact_id, task_id, staff_id, outcome FROM contacts ORDER BY contact_id');
    const inBackup = new Set(
      (await restored.query<{ contact_id: number }>('SELECT contact_id FROM contacts')).map((r) =>
        Number(r.contact_id),
      ),
    );
    let replayed = 0;
    for (const c of later.filter((x) => !inBackup.has(Number(x.contact_id)))) {
      const r = await recordOutcome(restored, config, {
        taskId: Number(c.task_id),
        outcome: c.outcome,
        staffId: c.staff_id,
        at: NOW,
      });
      expect(r.contact_id).toBe(Number(c.contact_id));
      replayed++;
    }
    fig.outcomesReplayed = replayed;
    // The servers' own sign-ins (sessions) and audit entries are not the data's.
    const compared = (await allTables(original)).filter((t) => t !== 'audit_log' && t !== 'sessions');
    expect(await sums(restored, compared)).toEqual(await sums(original, compared));

    const [a, b] = await Promise.all([
      runPipeline(original, { asOf: NEXT, config }),
      runPipeline(restored, { asOf: NEXT, config }),
    ]);
    expect([a.status, b.status], `${a.message} / ${b.message}`).toEqual(['PUBLISHED', 'PUBLISHED']);
    expect(b.runId).toBe(a.runId); // the sequences were restored at their next values
    dataChanged(app); // the original server's read model is read again (a run of the API would do it)
    const published = publishedTables().map((t) => t.name);
    const sa = await sums(original, published);
    expect(Object.values(sa).filter((s) => s !== 'absent' && !s.startsWith('0:')).length).toBeGreaterThan(10);
    expect(await sums(restored, published)).toEqual(sa);
    fig.publishedTablesCompared = published.length;
  }, 180_000);

  it('serves: old passwords and sessions sign in, the workbench and dashboard answer as on the original', async () => {
    if (!restored) throw new Error('the drill did not restore');
    const other = await buildApp({ db: restored, config, now: () => NOW, log: false });
    try {
      // The session the original server gave am1 still signs in: sessions are in the backup.
      const am1 = sessions.get('am1') as Session;
      const me = await call(other, am1, 'GET', '/api/session');
      expect(me.statusCode, me.body).toBe(200);
      // And the password (its hash is in the backup).
      const fresh = await signIn(other, 'am1', passwords.get('am1') ?? '');
      for (const url of ['/api/tasks?view=mine', '/api/dashboard']) {
        const [x, y] = [await call(app, am1, 'GET', url), await call(other, fresh, 'GET', url)];
        expect([url, y.statusCode]).toEqual([url, 200]);
        expect(y.json()).toEqual(x.json());
      }
    } finally {
      await other.close();
    }
  }, 60_000);

  it('refuses a target holding data, another engine, a newer schema, a corrupt file or manifest', async () => {
    if (!restored) throw new Error('the drill did not restore');
    const dir = backupDir();
    const attempt = (target: DbTarget, from = dir) => restoreDatabase(target, from, { actor: 'cli:test' });
    await expect(attempt(restoredTarget)).rejects.toThrow(RestoreRefused);
    await expect(attempt(restoredTarget)).rejects.toThrow(/is not empty \(.*hold rows\).*--force/);

    const other: DbTarget =
      engine.kind === 'duckdb'
        ? { kind: 'postgres', location: 'postgres://nobody@127.0.0.1:1/none' }
        : { kind: 'duckdb', location: join(work, 'other-engine.duckdb') };
    await expect(attempt(other)).rejects.toThrow(/is a (duckdb|postgres) backup: it restores into/);

    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
    const variant = (name: string, change: (m: typeof manifest) => void) => {
      const copy = join(work, `${engine.kind}-${name}`);
      cpSync(dir, copy, { recursive: true });
      const m = JSON.parse(JSON.stringify(manifest));
      change(m);
      writeFileSync(join(copy, MANIFEST_FILE), JSON.stringify(m));
      return copy;
    };
    const newer = variant('newer', (m) => {
      m.schema.migrations.push({ version: 999, name: 'from_the_future', checksum: 'x' });
      m.schema.version = 999;
    });
    const nowhere = freshTarget(engine, 'never');
    await expect(attempt(nowhere.target, newer)).rejects.toThrow(
      /schema is newer than this Wangji knows: it has migration 999 \(from_the_future\)/,
    );

    // A flipped byte in the middle of the largest table's file.
    const corrupt = variant('corrupt', () => undefined);
    const largest = [...manifest.tables].sort((x, y) => y.bytes - x.bytes)[0];
    const file = join(corrupt, largest.file);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] as number) ^ 0xff;
    writeFileSync(file, bytes);
    expect(statSync(file).size).toBe(largest.bytes);
    await expect(attempt(nowhere.target, corrupt)).rejects.toThrow(BackupUnusable);
    await expect(attempt(nowhere.target, corrupt)).rejects.toThrow(
      new RegExp(`is corrupt: ${largest.file.replace('.', '\\.')} has another SHA-256`),
    );
    const torn = variant('torn', () => undefined);
    writeFileSync(join(torn, MANIFEST_FILE), JSON.stringify(manifest).slice(0, 500));
    await expect(attempt(nowhere.target, torn)).rejects.toThrow(/manifest\.json is corrupt: not JSON/);
    expect(await exists(nowhere.target)).toBe(false); // nothing was created for any of them
    // And as `wangji restore` says it (the CLI in this process, its stderr caught).
    const said: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      said.push(String(chunk));
      return true;
    });
    try {
      expect(await run(['node', 'wangji', 'restore', dir, '--db', restoredTarget.location])).toBe(1);
    } finally {
      stderr.mockRestore();
    }
    expect(said.join('')).toMatch(
      /wangji: the database .* is not empty \(.*\): restoring would replace it — give --force/,
    );
  }, 60_000);

  it('a table that does not match its checksum fails the restore by name (--force or not), and keeps the target', async () => {
    if (!restored) throw new Error('the drill did not restore');
    const dir = backupDir();
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
    const copy = join(work, `${engine.kind}-tampered`);
    cpSync(dir, copy, { recursive: true });
    const leads = manifest.tables.find((t: { name: string }) => t.name === 'leads');
    leads.digest = String(BigInt(leads.digest) + 1n);
    writeFileSync(join(copy, MANIFEST_FILE), JSON.stringify(manifest));
    const before = await sums(restored, ['leads', 'contacts', 'runs'], true);
    await restored.close();
    restored = null;
    const lines: string[] = [];
    const t0 = Date.now();
    const failed = await restoreDatabase(restoredTarget, copy, {
      actor: 'cli:test',
      force: true,
      onProgress: (l) => lines.push(l),
    }).catch((e: unknown) => e);
    fig.failedRestoreSeconds = (Date.now() - t0) / 1000;
    expect(failed).toBeInstanceOf(RestoreVerifyFailed);
    expect((failed as RestoreVerifyFailed).differences.map((d) => d.table)).toEqual(['leads']);
    expect((failed as Error).message).toMatch(
      /the restored tables differ from the backup, so nothing was restored: leads \(backup \d+ rows, restored \d+; checksums differ\)/,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d+\/\d+\] leads: /)); // progress on the way
    restored = await openDb(restoredTarget);
    expect(await sums(restored, ['leads', 'contacts', 'runs'], true)).toEqual(before);
  }, 120_000);
});
