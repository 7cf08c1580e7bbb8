// wangji backup OUT: the whole database at one point in time, into a new folder (src/backup). DuckDB
// allows one process per file: when a running server owns it, this command cannot open it and says to
// back it up through that server — `wangji backup --server URL --user NAME [NAME]` signs in as an ops
// user (password from $WANGJI_PASSWORD, never an argument: arguments show in `ps`), asks for a BACKUP
// job (POST /api/ops/backup; it is written into the server's backups folder) and follows its progress
// until it ends. On PostgreSQL both ways work beside a running server.
// wangji restore IN --db TARGET: a backup made into the target database again, verified table by table.

import { existsSync } from 'node:fs';
import type { BackupResult } from '../../backup/backup.js';
import { auditedBackup, mib } from '../../backup/backup.js';
import { type RestoreReport, RestoreVerifyFailed, restoreDatabase } from '../../backup/restore.js';
import { type DbTarget, openDb } from '../../db/open.js';
import type { Db } from '../../db/types.js';
import { type Output, renderTable } from '../output.js';
import { cliActor } from './users.js';

/** The server's session cookie (src/server/auth/index.ts; not imported: it would load the HTTP stack). */
const SESSION_COOKIE = 'wangji_session';

function backupLines(r: {
  dir: string;
  createdAt: string;
  tables: number;
  rows: number;
  bytes: number;
  seconds: number;
}): string[] {
  return [
    `备份 Backup: ${r.dir}`,
    `时点 Taken at: ${r.createdAt}`,
    `表 Tables: ${r.tables}  行 Rows: ${r.rows.toLocaleString('en-US')}  大小 Size: ${mib(r.bytes)}  (${r.seconds.toFixed(1)}s)`,
    '含个人数据与密码哈希，请妥善保管 It holds personal data and password hashes: keep it as safe as the database.',
  ];
}

const summaryOf = (r: BackupResult) => ({
  dir: r.dir,
  engine: r.manifest.engine,
  createdAt: r.manifest.createdAt,
  schemaVersion: r.manifest.schema.version,
  tables: r.manifest.totals.tables,
  rows: r.manifest.totals.rows,
  bytes: r.manifest.totals.bytes,
  seconds: r.seconds,
});

export async function backupCommand(target: DbTarget, dir: string, out: Output): Promise<number> {
  if (target.kind === 'duckdb' && !existsSync(target.location))
    throw new Error(`there is no database at ${target.location} (give --db)`);
  let db: Db;
  try {
    // Never migrated here: a backup taken before an upgrade is of the schema as it was.
    db = await openDb(target, { migrate: false });
  } catch (e) {
    if (target.kind === 'duckdb' && /in use by another process/.test((e as Error).message))
      throw new Error(
        `the database ${target.location} is in use by another process, a running wangji serve: back it up through that server — wangji backup --server http://HOST:PORT --user NAME (password in $WANGJI_PASSWORD), or POST /api/ops/backup`,
      );
    throw e;
  }
  try {
    const r = await auditedBackup(db, target, {
      out: dir,
      actor: cliActor(),
      onProgress: (l) => out.progress(l),
    });
    const s = summaryOf(r);
    out.result(s, () => backupLines(s));
    return 0;
  } finally {
    await db.close();
  }
}

export interface ServerBackupOptions {
  server: string;
  user: string;
  password: string | undefined;
  /** The backup's name inside the server's backups folder (default: the server's). */
  name?: string;
}

interface JobView {
  id: string;
  status: string;
  message: string | null;
  result: {
    dir: string;
    createdAt: string;
    tables: number;
    rows: number;
    bytes: number;
    seconds: number;
  } | null;
}

async function errorOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    return `${res.status} ${body.error?.message ?? text}`;
  } catch {
    return `${res.status} ${text.slice(0, 200)}`;
  }
}

/** Follow a job's server-sent events: progress lines as they come, then the job as it ended. */
async function followJob(
  base: URL,
  id: string,
  headers: Record<string, string>,
  progress: (line: string) => void,
): Promise<JobView> {
  const res = await fetch(new URL(`/api/ops/jobs/${id}/events`, base), { headers });
  if (!res.ok || !res.body) throw new Error(`following the backup job: ${await errorOf(res)}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (event === 'progress') progress(data.join('\n'));
      if (event === 'done') return JSON.parse(data.join('\n')) as JobView;
    }
  }
  throw new Error(`the server ended the job's events before the job ended: see GET /api/ops/jobs/${id}`);
}

export async function backupServerCommand(o: ServerBackupOptions, out: Output): Promise<number> {
  if (!o.password)
    throw new Error('--server signs in as --user with the password in $WANGJI_PASSWORD, which is not set');
  const base = new URL(o.server);
  const signIn = await fetch(new URL('/api/session', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: o.user, password: o.password }),
  });
  if (!signIn.ok) throw new Error(`signing in to ${base.origin} as ${o.user}: ${await errorOf(signIn)}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] as string)
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  if (!cookie) throw new Error(`${base.origin} answered the sign-in without a session cookie`);
  const headers = { cookie, 'x-csrf-token': csrfToken };
  try {
    const res = await fetch(new URL('/api/ops/backup', base), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(o.name ? { name: o.name } : {}),
    });
    if (res.status !== 202) throw new Error(`the server refused the backup: ${await errorOf(res)}`);
    const job = (await res.json()) as JobView;
    out.progress(`backup job ${job.id} on ${base.origin}: ${job.status}`);
    const done = await followJob(base, job.id, headers, (l) => out.progress(l));
    if (done.status !== 'DONE' || !done.result) {
      out.error(done.message ?? `the backup job ended ${done.status}`);
      return 1;
    }
    const r = done.result;
    out.result({ server: base.origin, ...r }, () => [`服务器 Server: ${base.origin}`, ...backupLines(r)]);
    return 0;
  } finally {
    await fetch(new URL('/api/session', base), { method: 'DELETE', headers }).catch(() => undefined);
  }
}

export async function restoreCommand(
  target: DbTarget,
  dir: string,
  o: { force: boolean },
  out: Output,
): Promise<number> {
  let r: RestoreReport;
  try {
    r = await restoreDatabase(target, dir, {
      force: o.force,
      actor: cliActor(),
      onProgress: (l) => out.progress(l),
    });
  } catch (e) {
    if (!(e instanceof RestoreVerifyFailed)) throw e;
    out.error(e.message);
    out.result({ restored: false, differences: e.differences }, () =>
      renderTable(
        ['table', 'backup rows', 'restored rows', 'backup checksum', 'restored checksum'],
        e.differences.map((d) => [
          d.table,
          d.backup.rows,
          d.restored.rows,
          d.backup.digest,
          d.restored.digest,
        ]),
      ),
    );
    return 1;
  }
  out.result(r, () => [
    `已恢复 Restored: ${r.target}`,
    `来自 From: ${r.from} (taken at ${r.createdAt}, schema ${r.schemaVersion})`,
    `表 Tables: ${r.tables}, each verified against the backup's checksum  行 Rows: ${r.rows.toLocaleString('en-US')}  (${r.seconds.toFixed(1)}s)`,
    ...(r.upgraded.length ? [`升级 Schema upgraded: migrations ${r.upgraded.join(', ')}`] : []),
  ]);
  return 0;
}
