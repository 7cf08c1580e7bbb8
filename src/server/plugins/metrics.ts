// GET /metrics: Prometheus text format (exposition format 0.0.4), written here (a histogram and some
// gauges; no client library needed). What is counted in this process:
//   wangji_http_request_duration_seconds   histogram by method, route (as declared, never the URL) and status
// and what is read from the database at each scrape:
//   wangji_pipeline_stage_duration_seconds  the last published full run's seconds per stage
//   wangji_pipeline_last_run_seconds        its total; wangji_last_publication_age_seconds
//   wangji_load_rows                        the last applied load's rows (read, loaded, quarantined, collapsed)
//   wangji_loads_total, wangji_runs          loads, runs in the ledger by status
//   wangji_leads                            leads by status
//   wangji_outbox_backlog                   notices waiting to be sent (once the outbox table exists)
//   wangji_drops_total                      nightly drops taken, by status (PUBLISHED, FAILED)
//   wangji_alerts_open                      open alerts by kind
//   wangji_jobs                             this server's job queue by status
// and of the process: uptime, resident memory, the V8 heap (used, total) and external memory, and on
// DuckDB the memory its buffer manager holds (wangji_duckdb_memory_bytes).
// Access: when the environment variable named by metrics.tokenEnv (default WANGJI_METRICS_TOKEN) holds a
// token, /metrics requires `Authorization: Bearer <token>` (401 otherwise); when it is unset, /metrics
// is open like /healthz — then bind the server to an internal address (docs/decisions.md).

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../db/types.js';
import type { JobQueue } from '../../ops/jobs.js';
import { STAGES } from '../../pipeline/models.js';
import { isPublished } from '../published.js';

export interface MetricsOptions {
  /** The token /metrics requires (Bearer), or null: open. */
  token: string | null;
  /** The job queue whose jobs are counted (the server's one queue). */
  jobs?: JobQueue;
  /** The clock the publication's age is judged by (the app's). */
  now?: () => Date;
}

export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Histogram {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

/** Escape a label value (backslash, double quote, newline). */
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

/** Lines of the text format, one family at a time. */
export class MetricsText {
  private readonly lines: string[] = [];
  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  sample(name: string, labels: Record<string, string>, value: number): this {
    this.lines.push(`${name}${labelText(labels)} ${num(value)}`);
    return this;
  }
  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function installMetrics(app: FastifyInstance, db: Db, o: MetricsOptions): void {
  const requests = new Map<string, Histogram>();

  app.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const route = request.routeOptions.url ?? '(no route)';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    const key = `${labels.method} ${route} ${labels.status}`;
    let h = requests.get(key);
    if (!h) {
      h = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      requests.set(key, h);
    }
    const seconds = reply.elapsedTime / 1000;
    for (const [i, le] of BUCKETS.entries()) if (seconds <= le) (h.counts[i] as number)++;
    h.sum += seconds;
    h.count++;
  });

  app.get(
    '/metrics',
    { config: { permission: 'PUBLIC' }, schema: { hide: true } },
    async (request, reply) => {
      if (o.token !== null) {
        const auth = request.headers.authorization ?? '';
        const given = auth.startsWith('Bearer ') ? auth.slice(7) : '';
        if (!sameSecret(given, o.token))
          return reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: { code: 'UNAUTHORIZED', message: '/metrics needs its bearer token' } });
      }
      const m = new MetricsText();
      m.family(
        'wangji_http_request_duration_seconds',
        'histogram',
        'HTTP request latency by method, route (as declared) and status.',
      );
      for (const h of [...requests.values()].sort((a, b) =>
        (a.labels.route ?? '').localeCompare(b.labels.route ?? ''),
      )) {
        for (const [i, le] of BUCKETS.entries())
          m.sample(
            'wangji_http_request_duration_seconds_bucket',
            { ...h.labels, le: String(le) },
            h.counts[i] as number,
          );
        m.sample('wangji_http_request_duration_seconds_bucket', { ...h.labels, le: '+Inf' }, h.count);
        m.sample('wangji_http_request_duration_seconds_sum', h.labels, h.sum);
        m.sample('wangji_http_request_duration_seconds_count', h.labels, h.count);
      }
      await databaseMetrics(db, m, o.now ?? (() => new Date()));
      if (o.jobs) {
        const byStatus = new Map<string, number>(['QUEUED', 'RUNNING', 'DONE', 'FAILED'].map((s) => [s, 0]));
        for (const j of o.jobs.list()) byStatus.set(j.status, (byStatus.get(j.status) ?? 0) + 1);
        m.family(
          'wangji_jobs',
          'gauge',
          "This server's loads and runs by status (finished ones as kept in memory).",
        );
        for (const [status, n] of byStatus) m.sample('wangji_jobs', { status }, n);
      }
      m.family('process_uptime_seconds', 'gauge', 'Seconds since the server process started.');
      m.sample('process_uptime_seconds', {}, Math.round(process.uptime()));
      m.family('process_resident_memory_bytes', 'gauge', 'Resident memory of the server process.');
      const mem = process.memoryUsage();
      m.sample('process_resident_memory_bytes', {}, mem.rss);
      m.family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use (a leak shows here first).');
      m.sample('nodejs_heap_size_used_bytes', {}, mem.heapUsed);
      m.family('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap allocated.');
      m.sample('nodejs_heap_size_total_bytes', {}, mem.heapTotal);
      m.family(
        'nodejs_external_memory_bytes',
        'gauge',
        'Memory of C++ objects bound to JavaScript (buffers; not DuckDB, which is counted in the RSS only).',
      );
      m.sample('nodejs_external_memory_bytes', {}, mem.external);
      if (db.kind === 'duckdb') {
        // DuckDB's buffer manager (table pages it keeps, up to its memory limit): most of the RSS that
        // is not the heap, and it grows as queries touch more of the file — a cache, not a leak.
        const [duck] = await db.query<{ b: number | null }>(
          'SELECT sum(memory_usage_bytes) AS b FROM duckdb_memory()',
        );
        m.family('wangji_duckdb_memory_bytes', 'gauge', "Memory held by DuckDB's buffer manager.");
        m.sample('wangji_duckdb_memory_bytes', {}, Number(duck?.b ?? 0));
      }
      return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(m.toString());
    },
  );
}

async function databaseMetrics(db: Db, m: MetricsText, now: () => Date): Promise<void> {
  const [run] = await db.query<{ models: string; finished_at: string; started_at: string }>(
    `SELECT models, started_at, finished_at FROM runs WHERE status = 'PUBLISHED' AND stage IS NULL
      ORDER BY run_id DESC LIMIT 1`,
  );
  const stageSeconds = new Map<string, number>(STAGES.map((s) => [s, 0]));
  let total = 0;
  if (run) {
    try {
      for (const x of JSON.parse(String(run.models)) as { stage: string; seconds: number }[]) {
        stageSeconds.set(x.stage, (stageSeconds.get(x.stage) ?? 0) + Number(x.seconds));
        total += Number(x.seconds);
      }
    } catch {
      // a ledger row without readable models: nothing per stage
    }
  }
  m.family(
    'wangji_pipeline_stage_duration_seconds',
    'gauge',
    'Seconds per stage of the last published full run.',
  );
  for (const [stage, s] of stageSeconds)
    m.sample('wangji_pipeline_stage_duration_seconds', { stage }, round(s));
  m.family(
    'wangji_pipeline_last_run_seconds',
    'gauge',
    'Seconds of the models of the last published full run.',
  );
  m.sample('wangji_pipeline_last_run_seconds', {}, round(total));
  m.family(
    'wangji_last_publication_age_seconds',
    'gauge',
    'Seconds since the last publication (a published run of any stage); absent when none.',
  );
  const [pub] = await db.query<{ at: string | null }>(
    `SELECT max(finished_at) AS at FROM runs WHERE status = 'PUBLISHED'`,
  );
  if (pub?.at)
    m.sample(
      'wangji_last_publication_age_seconds',
      {},
      Math.round((now().getTime() - Date.parse(pub.at)) / 1000),
    );

  const [load] = await db.query<Record<string, number>>(
    `SELECT rows_read, rows_loaded, rows_quarantined, rows_collapsed FROM loads WHERE status = 'APPLIED'
      ORDER BY load_id DESC LIMIT 1`,
  );
  m.family('wangji_load_rows', 'gauge', 'Rows of the last applied load by state.');
  for (const state of ['read', 'loaded', 'quarantined', 'collapsed'])
    m.sample('wangji_load_rows', { state }, Number(load?.[`rows_${state}`] ?? 0));

  await counts(db, m, 'wangji_loads_total', 'counter', 'Loads by status.', 'loads', 'status', [
    'APPLIED',
    'FAILED',
  ]);
  await counts(db, m, 'wangji_runs', 'gauge', 'Pipeline runs in the ledger by status.', 'runs', 'status', [
    'PUBLISHED',
    'FAILED',
    'RUNNING',
  ]);
  await counts(db, m, 'wangji_leads', 'gauge', 'Leads by status.', 'leads', 'status', [
    'OPEN',
    'CONVERTED',
    'REFUSED',
    'INVALID',
    'EXPIRED',
    'DROPPED',
  ]);
  await counts(
    db,
    m,
    'wangji_drops_total',
    'counter',
    'Nightly drops taken, by status.',
    'nightly_drops',
    'status',
    ['PUBLISHED', 'FAILED'],
  );
  await counts(
    db,
    m,
    'wangji_alerts_open',
    'gauge',
    'Open alerts by kind.',
    'nightly_alerts',
    'kind',
    ['DROP_MISSING', 'DROP_FAILED', 'AFTER_PUBLISH_FAILED'],
    'resolved_at IS NULL',
  );
  if (await isPublished(db, 'outbox')) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM outbox WHERE status = 'PENDING'`);
    m.family('wangji_outbox_backlog', 'gauge', 'Notices in the outbox waiting to be sent.');
    m.sample('wangji_outbox_backlog', {}, Number(row?.n ?? 0));
  }
}

const round = (s: number) => Math.round(s * 1000) / 1000;

async function counts(
  db: Db,
  m: MetricsText,
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  table: string,
  column: string,
  known: string[],
  where?: string,
): Promise<void> {
  if (!(await isPublished(db, table))) return;
  const rows = await db.query<{ k: string; n: number }>(
    `SELECT ${column} AS k, count(*) AS n FROM ${table} ${where ? `WHERE ${where}` : ''} GROUP BY ${column}`,
  );
  const values = new Map<string, number>(known.map((k) => [k, 0]));
  for (const r of rows) values.set(String(r.k), Number(r.n));
  m.family(name, type, help);
  for (const [k, n] of values) m.sample(name, { [column]: k }, n);
}
