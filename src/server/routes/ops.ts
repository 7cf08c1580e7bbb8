// Operations (issue #7; HQ_OPS and HQ_ADMIN start work, ops:read follows it): loads and pipeline runs
// as jobs of one queue in this process (src/ops/jobs.ts: one at a time, first come first served).
//   POST /api/ops/loads            {dir, delimiter?}: a drop folder inside the drops root → 202 the job
//   POST /api/ops/runs             {asOf, stage?, full?} → 202 the job
//   POST /api/ops/backup           {name?}: back up the whole database into the backups folder → 202 the
//                                  job (src/backup: one snapshot, never half of a load or a run)
//   GET  /api/ops/jobs             the jobs this server knows, newest first
//   GET  /api/ops/jobs/:id         one job: status, times, message, result
//   GET  /api/ops/jobs/:id/events  server-sent events: `progress` per line (the lines so far, then live
//                                  ones; `id:` the line number, Last-Event-ID resumes), then `done` with
//                                  the job as JSON; the stream then ends
//   GET  /api/ops/runs             the run ledger (runs), newest first, paged
//   GET  /api/ops/loads            the loads, newest first, with each load's files (the load report)
//   GET  /api/ops/quarantine       quarantined rows, filtered by load, extract, column, reason; masked
// Loads and runs are audited (LOAD, RUN, CONFIG_CHANGED) by src/ops/audited.ts with the username as
// actor, backups (BACKUP) by src/backup/backup.ts. The ledger, loads and quarantine are the bank's technical data and are shown bank-wide to every
// holder of ops:read (a branch manager included): they name files, lines, models and counts, and the
// quarantined values are masked (src/ops/quarantine.ts).

import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditedBackup, BackupRefused, type BackupResult, backupFolder } from '../../backup/backup.js';
import type { DbTarget } from '../../db/open.js';
import type { Db, SqlValue } from '../../db/types.js';
import { bankDate } from '../../domain/bankTime.js';
import { isRealDate } from '../../domain/dates.js';
import type { LoadReport } from '../../extracts/report.js';
import { auditedLoad, auditedRun } from '../../ops/audited.js';
import { DEFAULT_DROPS_ROOT, DropPathError, DropsRootMissing, resolveDropDir } from '../../ops/drops.js';
import { type JobEvent, JobQueue, JobQueueClosed, type JobView } from '../../ops/jobs.js';
import { maskDigitRuns, maskQuarantined } from '../../ops/quarantine.js';
import { inMemorySeason, type SeasonFile } from '../../ops/season.js';
import { STAGES } from '../../pipeline/models.js';
import type { RunReport } from '../../pipeline/runner.js';
import type { RouteDeps } from '../app.js';
import { dataChanged } from '../changes.js';
import { BadRequest, errorResponses, HttpError, NotFound, Refused } from '../errors.js';
import { principalOf } from '../plugins/auth.js';

export interface OpsOptions {
  /** The folder drops are loaded from (default ./data/drops): POST /api/ops/loads names a folder inside it. */
  dropsRoot?: string;
  /** The season file runs use, with its hash (default: the app's configuration, hashed in memory). */
  season?: SeasonFile;
  /** The job queue (default a new one; tests pass theirs to watch it). */
  jobs?: JobQueue;
  /** Backups (POST /api/ops/backup): where they are written, and the database with its credentials. */
  backups?: BackupOptions;
}

export interface BackupOptions {
  /** The folder backups are written into (default ./data/backups, made when first needed). */
  root?: string;
  /**
   * The database served, as opened (a PostgreSQL backup takes a connection of its own, so it needs the
   * URL with its password; default: the database's location, which has none).
   */
  target?: DbTarget;
}

export const DEFAULT_BACKUPS_ROOT = './data/backups';

class Unavailable extends HttpError {
  constructor(message: string) {
    super(503, 'UNAVAILABLE', message);
  }
}

const jobStatus = z.enum(['QUEUED', 'RUNNING', 'DONE', 'FAILED']);

const loadResult = z.object({
  loadId: z.number(),
  status: z.enum(['APPLIED', 'FAILED']),
  asOf: z.string(),
  message: z.string().nullable(),
  files: z.number(),
  totals: z.object({ read: z.number(), loaded: z.number(), quarantined: z.number(), collapsed: z.number() }),
});

const runResult = z.object({
  runId: z.number(),
  status: z.enum(['PUBLISHED', 'FAILED']),
  asOf: z.string(),
  stage: z.string().nullable(),
  full: z.boolean(),
  message: z.string().nullable(),
  seconds: z.number(),
  models: z.array(z.object({ model: z.string(), stage: z.string(), rows: z.number(), seconds: z.number() })),
});

const backupResult = z.object({
  name: z.string().describe('the backup folder’s name inside the backups folder'),
  dir: z.string().describe('the backup folder on the server'),
  engine: z.enum(['duckdb', 'postgres']),
  createdAt: z.string().describe('when the snapshot was taken: the backup is the database as it was then'),
  schemaVersion: z.number(),
  tables: z.number(),
  rows: z.number(),
  bytes: z.number(),
  seconds: z.number(),
});

export const jobView = z.object({
  id: z.string(),
  kind: z.enum(['LOAD', 'RUN', 'BACKUP']),
  params: z.record(z.string(), z.union([z.string(), z.boolean(), z.null()])),
  requestedBy: z.string(),
  status: jobStatus,
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  message: z.string().nullable().describe('why it failed, or the load’s / run’s own message, in words'),
  result: z
    .union([loadResult, runResult, backupResult])
    .nullable()
    .describe('LOAD: the load report’s summary; RUN: the run’s; BACKUP: the backup’s'),
  lines: z.number().describe('progress lines so far'),
});

const runRow = z.object({
  run_id: z.number(),
  as_of: z.string(),
  stage: z.string().nullable(),
  status: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  message: z.string().nullable(),
  host: z.string().nullable(),
  pid: z.number().nullable(),
  config_file: z.string().nullable(),
  config_sha256: z.string().nullable(),
  models: z.array(
    z.object({
      model: z.string(),
      stage: z.string(),
      rows: z.number(),
      seconds: z.number(),
      warnings: z.array(z.string()).optional(),
    }),
  ),
});

const loadFileRow = z.object({
  extract: z.string(),
  file: z.string(),
  format: z.string(),
  encoding: z.string(),
  sha256: z.string(),
  rows_read: z.number(),
  rows_loaded: z.number(),
  rows_quarantined: z.number(),
  rows_collapsed: z.number(),
  rows_inserted: z.number(),
  rows_updated: z.number(),
  rows_removed: z.number(),
  rows_unchanged: z.number(),
  extra_columns: z.array(z.string()),
  warnings: z.record(z.string(), z.number()),
});

const loadRow = z.object({
  load_id: z.number(),
  source_dir: z.string(),
  as_of: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string(),
  status: z.string(),
  message: z.string().nullable(),
  files: z.number(),
  rows_read: z.number(),
  rows_loaded: z.number(),
  rows_quarantined: z.number(),
  rows_collapsed: z.number(),
  load_files: z.array(loadFileRow).describe('the load report: what happened to each file'),
});

const quarantineRow = z.object({
  load_id: z.number(),
  extract: z.string(),
  file: z.string(),
  line: z.number().nullable(),
  column_name: z.string().nullable(),
  value: z
    .string()
    .nullable()
    .describe('masked: personal columns by kind, long digit runs, raw records withheld'),
  reason: z.string(),
});

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

const delimiter = z
  .string()
  .transform((v) => (v === '\\t' ? '\t' : v))
  .refine((d) => d.length === 1 && d !== '"' && d !== '\n' && d !== '\r', {
    message: 'one character, not a quote or newline ("\\t" for tab)',
  });

const jobParams = z.object({ id: z.string().uuid() });

const backupName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'letters, digits, . _ - (at most 100), not starting with . _ -',
  );

/** The default name of a backup: the engine and the moment, e.g. wangji-duckdb-20261202T015148Z. */
const defaultBackupName = (engine: string, at: Date) =>
  `wangji-${engine}-${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;

const backupSummary = (name: string, r: BackupResult): z.infer<typeof backupResult> => ({
  name,
  dir: r.dir,
  engine: r.manifest.engine,
  createdAt: r.manifest.createdAt,
  schemaVersion: r.manifest.schema.version,
  tables: r.manifest.totals.tables,
  rows: r.manifest.totals.rows,
  bytes: r.manifest.totals.bytes,
  seconds: r.seconds,
});

const loadSummary = (r: LoadReport): z.infer<typeof loadResult> => ({
  loadId: r.loadId,
  status: r.status,
  asOf: r.asOf,
  message: r.message,
  files: r.files.length,
  totals: r.totals,
});

const runSummary = (r: RunReport): z.infer<typeof runResult> => ({
  runId: r.runId,
  status: r.status,
  asOf: r.asOf,
  stage: r.stage,
  full: r.full,
  message: r.message,
  seconds: r.seconds,
  models: r.models.map((m) => ({ model: m.model, stage: m.stage, rows: m.rows, seconds: m.seconds })),
});

/** One server-sent event: `data:` once per line of the text (the client joins them with newlines). */
function sseEvent(event: string, data: string, id?: number): string {
  const lines = data.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`);
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines.join('')}\n`;
}

/** A job as answered: its result is what this module's work functions resolve with (loadSummary, runSummary). */
const shown = (j: JobView) => j as z.infer<typeof jobView>;

const num = (v: SqlValue | undefined) => (v === null || v === undefined ? null : Number(v));
const json = <T>(text: SqlValue | undefined, fallback: T): T => {
  try {
    return typeof text === 'string' ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
};

export function opsRoutes(app: FastifyInstance, deps: RouteDeps, o: OpsOptions = {}): void {
  const { db, now } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const dropsRoot = o.dropsRoot ?? DEFAULT_DROPS_ROOT;
  const season: SeasonFile = o.season ?? { config: deps.config, source: inMemorySeason(deps.config) };
  const jobs =
    o.jobs ??
    new JobQueue({
      now,
      onError: (job, err) => app.log.error({ err, job: job.id, kind: job.kind }, 'job failed'),
    });
  // Before the server stops listening: queued jobs fail, the running one is waited for (a load or a
  // run cannot stop half-way), and every event stream ends with its job.
  app.addHook('preClose', async () => {
    await jobs.close();
  });

  const resolveDrop = (dir: string) => {
    try {
      return resolveDropDir(dropsRoot, dir);
    } catch (e) {
      if (e instanceof DropPathError)
        throw new BadRequest(e.message, [{ field: 'body.dir', message: e.message }]);
      if (e instanceof DropsRootMissing) throw new Unavailable(e.message);
      throw e;
    }
  };

  const submit = (...[kind, params, by, work]: Parameters<JobQueue['submit']>): JobView => {
    try {
      // Whatever the job did, what routes keep in memory is read again (src/server/changes.ts).
      return jobs.submit(kind, params, by, (progress) => work(progress).finally(() => dataChanged(app)));
    } catch (e) {
      if (e instanceof JobQueueClosed) throw new Unavailable(e.message);
      throw e;
    }
  };

  r.post(
    '/api/ops/loads',
    {
      config: { permission: 'ops:run' },
      schema: {
        summary: 'Load a drop folder inside the drops root (queued; follow the job’s events)',
        tags: ['operations'],
        body: z
          .object({
            dir: z.string().min(1).max(1000).describe('a folder inside the server’s drops root'),
            delimiter: delimiter.optional().describe('CSV field delimiter (default ",")'),
          })
          .strict(),
        response: { 202: jobView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { dir, delimiter: delim } = request.body;
      const drop = resolveDrop(dir);
      const job = submit(
        'LOAD',
        { dir: drop.relative, ...(delim === undefined ? {} : { delimiter: delim }) },
        p.username,
        async (progress) => {
          // Checked again now: the folder may have changed while the job was queued.
          const at = resolveDropDir(dropsRoot, drop.relative);
          const report = await auditedLoad(db, at.path, {
            actor: p.username,
            delimiter: delim,
            today: bankDate(now()),
            onProgress: progress,
          });
          return {
            ok: report.status === 'APPLIED',
            message: report.message === null ? null : maskDigitRuns(report.message),
            result: loadSummary(report),
          };
        },
      );
      return reply.code(202).send(shown(job));
    },
  );

  r.post(
    '/api/ops/runs',
    {
      config: { permission: 'ops:run' },
      schema: {
        summary: 'Run the season pipeline for a data date (queued; follow the job’s events)',
        tags: ['operations'],
        body: z
          .object({
            asOf: z.string().refine(isRealDate, 'a date YYYY-MM-DD').describe('the data date'),
            stage: z.enum(STAGES).optional().describe('one stage only (and the models it reads)'),
            full: z.boolean().optional().describe('recompute completed months too'),
          })
          .strict(),
        response: { 202: jobView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { asOf, stage, full } = request.body;
      // Not checked against the loads here: a load queued before this run may bring the data.
      const job = submit(
        'RUN',
        { asOf, stage: stage ?? null, full: full ?? false },
        p.username,
        async (progress) => {
          const report = await auditedRun(db, {
            actor: p.username,
            asOf,
            stage,
            full,
            season,
            onProgress: progress,
          });
          return { ok: report.status === 'PUBLISHED', message: report.message, result: runSummary(report) };
        },
      );
      return reply.code(202).send(shown(job));
    },
  );

  const backupsRoot = resolve(o.backups?.root ?? DEFAULT_BACKUPS_ROOT);
  const backupTarget: DbTarget = o.backups?.target ?? { kind: db.kind, location: db.location };
  const backupDir = (name: string) => {
    const dir = join(backupsRoot, name);
    try {
      return backupFolder(dir);
    } catch (e) {
      if (e instanceof BackupRefused)
        throw new Refused('BACKUP_EXISTS', `a backup named ${name} exists already`);
      throw e;
    }
  };

  r.post(
    '/api/ops/backup',
    {
      config: { permission: 'ops:run' },
      schema: {
        summary:
          'Back up the whole database into the server’s backups folder (queued; follow the job’s events)',
        description:
          'One snapshot of every table (never half of a load or a run: the job waits its turn in the queue), ' +
          'written to a new folder inside the backups folder (`wangji serve --backups-root`) with a manifest ' +
          'of rows and checksums. It holds personal data and password hashes: the folder is readable by the ' +
          'server’s user only. Restore it with `wangji restore` while no server runs (docs/backup.md).',
        tags: ['operations'],
        body: z
          .object({
            name: backupName.optional().describe('the new folder’s name (default wangji-<engine>-<time>)'),
          })
          .strict(),
        response: { 202: jobView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const name = request.body.name ?? defaultBackupName(db.kind, now());
      backupDir(name); // refused at once when it exists; checked again when the job starts
      const job = submit('BACKUP', { name }, p.username, async (progress) => {
        const dir = backupDir(name);
        const result = await auditedBackup(db, backupTarget, {
          out: dir,
          actor: p.username,
          onProgress: progress,
          now,
        });
        return { ok: true, message: null, result: backupSummary(name, result) };
      });
      return reply.code(202).send(shown(job));
    },
  );

  r.get(
    '/api/ops/jobs',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'The loads and runs this server has queued, run or finished, newest first',
        tags: ['operations'],
        querystring: z.object({ status: jobStatus.optional(), limit: page.limit }),
        response: { 200: z.object({ jobs: z.array(jobView) }), ...errorResponses },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      return {
        jobs: jobs
          .list()
          .filter((j) => !status || j.status === status)
          .slice(0, limit)
          .map(shown),
      };
    },
  );

  r.get(
    '/api/ops/jobs/:id',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'One job',
        tags: ['operations'],
        params: jobParams,
        response: { 200: jobView, ...errorResponses },
      },
    },
    async (request) => {
      const job = jobs.get(request.params.id);
      if (!job) throw new NotFound('no such job on this server');
      return shown(job);
    },
  );

  r.get(
    '/api/ops/jobs/:id/events',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'A job’s progress as server-sent events (text/event-stream)',
        description:
          'Event `progress` (id: the line number, data: the line) for every line so far, then live ones; ' +
          'then event `done` (data: the job as JSON, its final status) and the stream ends. A client ' +
          'connecting with Last-Event-ID gets the lines after that one. Close the EventSource on `done` ' +
          '(a browser otherwise reconnects and is sent the end again).',
        tags: ['operations'],
        params: jobParams,
        headers: z.looseObject({ 'last-event-id': z.coerce.number().int().min(0).optional() }),
        response: { 200: z.string().describe('text/event-stream'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!jobs.get(id)) throw new NotFound('no such job on this server');
      const stream = new PassThrough();
      let unfollow: (() => void) | null = null;
      let ended = false;
      const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      const stop = () => {
        clearInterval(heartbeat);
        unfollow?.();
        unfollow = null;
      };
      const onEvent = (e: JobEvent) => {
        if (ended) return;
        if (e.type === 'progress') stream.write(sseEvent('progress', e.line, e.seq));
        else {
          ended = true;
          stream.end(sseEvent('done', JSON.stringify(jobView.parse(e.job))));
          stop();
        }
      };
      // The client went away before the job ended: stop following it.
      reply.raw.on('close', () => {
        ended = true;
        stop();
        stream.destroy();
      });
      unfollow = jobs.follow(id, onEvent, request.headers['last-event-id'] ?? 0);
      if (ended) stop();
      reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no');
      // A stream is sent as it is written (the response schema above documents it; no serializer runs).
      return (reply as FastifyReply).send(stream);
    },
  );

  r.get(
    '/api/ops/runs',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'The run ledger: every pipeline run (API or CLI), newest first',
        tags: ['operations'],
        querystring: z.object({ status: z.enum(['RUNNING', 'PUBLISHED', 'FAILED']).optional(), ...page }),
        response: { 200: z.object({ total: z.number(), runs: z.array(runRow) }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const where = q.status ? 'WHERE status = $1' : '';
      const params: SqlValue[] = q.status ? [q.status] : [];
      const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM runs ${where}`, params);
      const rows = await db.query(
        `SELECT run_id, as_of, stage, status, started_at, finished_at, message, host, pid, config_file,
                config_sha256, models
           FROM runs ${where} ORDER BY run_id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.limit, q.offset],
      );
      return {
        total: Number(count?.n ?? 0),
        runs: rows.map((x) => ({
          run_id: Number(x.run_id),
          as_of: String(x.as_of),
          stage: x.stage === null ? null : String(x.stage),
          status: String(x.status),
          started_at: String(x.started_at),
          finished_at: String(x.finished_at),
          message: x.message === null ? null : String(x.message),
          host: x.host === null ? null : String(x.host),
          pid: num(x.pid),
          config_file: x.config_file === null ? null : String(x.config_file),
          config_sha256: x.config_sha256 === null ? null : String(x.config_sha256),
          models: json<z.infer<typeof runRow>['models']>(x.models, []),
        })),
      };
    },
  );

  r.get(
    '/api/ops/loads',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'The loads (applied and failed), newest first, each with its files',
        tags: ['operations'],
        querystring: z.object({ status: z.enum(['APPLIED', 'FAILED']).optional(), ...page }),
        response: { 200: z.object({ total: z.number(), loads: z.array(loadRow) }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const where = q.status ? 'WHERE status = $1' : '';
      const params: SqlValue[] = q.status ? [q.status] : [];
      const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM loads ${where}`, params);
      const loads = await db.query(
        `SELECT load_id, source_dir, as_of, started_at, finished_at, status, message, files, rows_read,
                rows_loaded, rows_quarantined, rows_collapsed
           FROM loads ${where} ORDER BY load_id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, q.limit, q.offset],
      );
      const files = await loadFilesOf(
        db,
        loads.map((l) => Number(l.load_id)),
      );
      return {
        total: Number(count?.n ?? 0),
        loads: loads.map((l) => ({
          load_id: Number(l.load_id),
          source_dir: String(l.source_dir),
          as_of: l.as_of === null ? null : String(l.as_of),
          started_at: String(l.started_at),
          finished_at: String(l.finished_at),
          status: String(l.status),
          message: l.message === null ? null : maskDigitRuns(String(l.message)),
          files: Number(l.files),
          rows_read: Number(l.rows_read),
          rows_loaded: Number(l.rows_loaded),
          rows_quarantined: Number(l.rows_quarantined),
          rows_collapsed: Number(l.rows_collapsed),
          load_files: files.get(Number(l.load_id)) ?? [],
        })),
      };
    },
  );

  r.get(
    '/api/ops/quarantine',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'Quarantined rows (masked), newest load first',
        tags: ['operations'],
        querystring: z.object({
          load: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
          extract: z.string().min(1).max(64).optional(),
          column: z.string().min(1).max(64).optional(),
          reason: z.string().min(1).max(200).optional().describe('rows whose reason contains this text'),
          ...page,
        }),
        response: { 200: z.object({ total: z.number(), rows: z.array(quarantineRow) }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const conditions: string[] = [];
      const params: SqlValue[] = [];
      const bind = (v: SqlValue) => {
        params.push(v);
        return `$${params.length}`;
      };
      if (q.load !== undefined) conditions.push(`load_id = ${bind(q.load)}`);
      if (q.extract !== undefined) conditions.push(`extract = ${bind(q.extract)}`);
      if (q.column !== undefined) conditions.push(`column_name = ${bind(q.column)}`);
      if (q.reason !== undefined) conditions.push(`strpos(lower(reason), lower(${bind(q.reason)})) > 0`);
      const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
      const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM quarantine ${where}`, params);
      const rows = await db.query(
        `SELECT load_id, extract, file, line, column_name, value, reason FROM quarantine ${where}
          ORDER BY load_id DESC, extract, file, line, column_name
          LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`,
        params,
      );
      return {
        total: Number(count?.n ?? 0),
        rows: rows.map((x) => {
          const column = x.column_name === null ? null : String(x.column_name);
          return {
            load_id: Number(x.load_id),
            extract: String(x.extract),
            file: String(x.file),
            line: num(x.line),
            column_name: column,
            value: maskQuarantined(String(x.extract), column, x.value === null ? null : String(x.value)),
            reason: maskDigitRuns(String(x.reason)),
          };
        }),
      };
    },
  );
}

/** The load_files rows of some loads, by load. */
async function loadFilesOf(db: Db, ids: number[]): Promise<Map<number, z.infer<typeof loadFileRow>[]>> {
  const out = new Map<number, z.infer<typeof loadFileRow>[]>();
  if (ids.length === 0) return out;
  const rows = await db.query(
    `SELECT load_id, extract, file, format, encoding, sha256, rows_read, rows_loaded, rows_quarantined,
            rows_collapsed, rows_inserted, rows_updated, rows_removed, rows_unchanged, extra_columns, warnings
       FROM load_files WHERE load_id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})
      ORDER BY load_id, extract`,
    ids,
  );
  for (const f of rows) {
    const id = Number(f.load_id);
    const list = out.get(id) ?? [];
    list.push({
      extract: String(f.extract),
      file: String(f.file),
      format: String(f.format),
      encoding: String(f.encoding),
      sha256: String(f.sha256),
      rows_read: Number(f.rows_read),
      rows_loaded: Number(f.rows_loaded),
      rows_quarantined: Number(f.rows_quarantined),
      rows_collapsed: Number(f.rows_collapsed),
      rows_inserted: Number(f.rows_inserted),
      rows_updated: Number(f.rows_updated),
      rows_removed: Number(f.rows_removed),
      rows_unchanged: Number(f.rows_unchanged),
      extra_columns: json<string[]>(f.extra_columns, []),
      warnings: json<Record<string, number>>(f.warnings, {}),
    });
    out.set(id, list);
  }
  return out;
}
