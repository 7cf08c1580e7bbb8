// What the serving benchmarks share (bench/serve.bench.ts at a fixed rate, bench/soak.bench.ts under a
// long mixed load): the served database — a bank (seed 1) loaded and run for D, each setup step under
// `nice` in its own process —, users for real staff of the bank, the server in its own process with
// its log in a file, sign-in, and the process figures read from /proc.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type DbTarget, openDb } from '../src/db/open.js';
import type { Db } from '../src/db/types.js';
import type { Rng } from '../src/generator/random.js';
import { MAX_FIELD_LENGTH } from '../src/leads/counterPrompt.js';
import { addUser, resetPassword, UserError } from '../src/server/auth/users.js';
import { measure, ROOT, type Step } from './measure.js';

export const node = process.execPath;
export const WANGJI = join(ROOT, 'bin', 'wangji.js');

/** A setup command under `nice`: other work shares the machine. */
export const niced = (cmd: string[]) => ['nice', '-n', '10', ...cmd];

/**
 * The arguments that run the CLI of a build: its bin/wangji.js (dist/), or a source entry point ending
 * in .ts (e.g. test/run-cli.ts: the working tree's source, no build needed).
 */
export const cliArgs = (wangji: string): string[] =>
  wangji.endsWith('.ts') ? ['--import', 'tsx', wangji] : [wangji];

/** How far the database is: applied loads, and published full runs as of D. */
export async function servedState(
  target: DbTarget,
  asOf: string,
): Promise<{ loaded: number; published: number }> {
  const db = await openDb(target);
  try {
    const [l] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM loads WHERE status = 'APPLIED'`);
    const [r] = await db.query<{ n: number }>(
      `SELECT count(*) AS n FROM runs WHERE as_of = CAST($1 AS DATE) AND status = 'PUBLISHED'
          AND coalesce(stage, '') = ''`,
      [asOf],
    );
    return { loaded: Number(l?.n ?? 0), published: Number(r?.n ?? 0) };
  } finally {
    await db.close();
  }
}

/**
 * The bank of `customers` (seed 1, as of D) generated into `bank` unless there, loaded into `target`
 * unless a load was applied, and run for D unless a full run as of D is published. The steps done are
 * pushed onto `setup` (wall seconds, peak RSS).
 */
export async function ensureServedDb(o: {
  customers: number;
  asOf: string;
  bank: string;
  target: DbTarget;
  setup: Step[];
}): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  const db = ['--db', o.target.location];
  if (!existsSync(join(o.bank, 'manifest.json'))) {
    console.error(`generating ${o.customers} customers into ${o.bank} …`);
    const args = ['generate', '--customers', String(o.customers), '--seed', '1', '--as-of', o.asOf];
    o.setup.push(measure('generate', niced([node, WANGJI, ...args, '--out', o.bank])));
  }
  let st = await servedState(o.target, o.asOf);
  if (st.loaded === 0)
    o.setup.push(measure('load (setup)', niced([node, WANGJI, 'load', o.bank, ...db, '--json'])));
  if (st.published === 0)
    o.setup.push(
      measure('run --as-of D (setup)', niced([node, WANGJI, 'run', '--as-of', o.asOf, ...db, '--json'])),
    );
  st = await servedState(o.target, o.asOf);
  if (st.published === 0) throw new Error(`no published run as of ${o.asOf} in ${o.target.location}`);
}

/** A user for a staff member (added, or given a new password when there already): the password. */
export async function staffUser(
  db: Db,
  u: { username: string; role: string; orgId: string; staffId: string },
  actor: string,
): Promise<string> {
  try {
    return (await addUser(db, u, { actor })).password;
  } catch (e) {
    if (!(e instanceof UserError && e.code === 'EXISTS')) throw e;
    return (await resetPassword(db, u.username, { actor })).password;
  }
}

/**
 * Counter prompts as keyed at the counter: GET /api/pos/counter?name=&bic= for the beneficiary of every
 * remittance of the bank (those within the field limit), in an order shuffled by `rng`.
 */
export async function counterPromptPaths(db: Db, rng: Rng): Promise<string[]> {
  const remittances = await db.query<{ n: string | null; b: string | null }>(
    `SELECT beneficiary_name AS n, beneficiary_bic AS b FROM remittances
      WHERE coalesce(beneficiary_name, beneficiary_bic) IS NOT NULL ORDER BY remittance_id`,
  );
  const paths = remittances
    .filter((r) => (r.n ?? '').length <= MAX_FIELD_LENGTH && (r.b ?? '').length <= MAX_FIELD_LENGTH)
    .map((r) => {
      const q = new URLSearchParams();
      if (r.n) q.set('name', r.n);
      if (r.b) q.set('bic', r.b);
      return `/api/pos/counter?${q}`;
    });
  for (let i = paths.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [paths[i], paths[j]] = [paths[j] as string, paths[i] as string];
  }
  return paths;
}

/** Child processes (the servers), each with its output in a log file, stopped together. */
export class Children {
  private readonly all: ChildProcess[] = [];
  private stopping = false;

  start(label: string, args: string[], log: string): ChildProcess {
    const fd = openSync(log, 'a');
    const child = spawn(node, args, { cwd: ROOT, stdio: ['ignore', fd, fd] });
    child.on('exit', (code, signal) => {
      if (!this.stopping) console.error(`${label} exited (${code ?? signal}): see ${log}`);
    });
    this.all.push(child);
    return child;
  }

  /** Kill one (SIGKILL) and forget it. */
  async kill(child: ChildProcess): Promise<void> {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    this.all.splice(this.all.indexOf(child), 1);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
  }
}

/** Wait until a URL answers (any status). */
export async function until(url: string, label: string, timeoutMs = 180_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > end) throw new Error(`${label} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Sign in: the session cookie (`name=value`) and the CSRF token every write must echo. */
export async function signIn(
  port: number,
  username: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrfToken: body.csrfToken };
}

/** CPU seconds (user + system) of a process so far, from /proc. */
export function cpuSecondsOf(pid: number | undefined): number {
  if (!pid) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Resident memory of a process now (MiB), from /proc. */
export function rssMiBOf(pid: number | undefined): number {
  if (!pid) return 0;
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

/** The machine, as the figures state it. */
export const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
