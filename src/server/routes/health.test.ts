// What operators watch (issue #10), on both engines: /healthz without a session; /readyz 503 before
// the first publication, 200 with a fresh one, 503 once it is older than the configured maximum;
// /metrics in Prometheus text (the request histogram by declared route, the ledger, leads, outbox
// backlog, drops and alerts), behind its bearer token when the env var names one; JSON log lines
// with a request id that never carry an ID number or a phone sent in a URL or a body; and a server
// watching a drop folder stops cleanly on close (no handle left: vitest exits).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../../test/engines.js';
import { expectNoPersonalData, noopSeasonConfig } from '../../../test/server.js';
import { utcTimestamp } from '../../domain/bankTime.js';
import { parseOpsConfig } from '../../nightly/config.js';
import { buildApp } from '../app.js';

const NOW = new Date('2026-12-05T00:30:00Z'); // 08:30 at the bank
const ID_NO = '110101199003077777';
const PHONE = '13912345678';
const TOKEN = 'metrics-secret-for-the-test';

describeEachEngine('health, readiness, metrics and logs', (engine) => {
  let db: TestDb;
  let app: FastifyInstance;
  const logs: string[] = [];
  const config = noopSeasonConfig();

  beforeAll(async () => {
    db = await engine.open();
    app = await buildApp({
      db,
      config,
      now: () => NOW,
      log: { level: 'info', stream: { write: (line: string) => void logs.push(line) } },
      operations: {
        config: parseOpsConfig(
          'health:\n  maxPublicationAgeHours: 30\nmetrics:\n  tokenEnv: TEST_METRICS_TOKEN\n',
        ),
        env: { TEST_METRICS_TOKEN: TOKEN },
      },
    });
    await app.ready();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const publishedRun = async (id: number, finishedAt: Date) =>
    db.execute(
      `INSERT INTO runs (run_id, as_of, stage, started_at, finished_at, status, message, models)
       VALUES ($1, '2026-12-04', NULL, $2, $2, 'PUBLISHED', NULL, $3)`,
      [
        id,
        utcTimestamp(finishedAt),
        JSON.stringify([
          { model: 'customer_features', stage: 'features', rows: 10, seconds: 1.5 },
          { model: 'leads', stage: 'leads', rows: 3, seconds: 0.25 },
        ]),
      ],
    );

  it('answers /healthz without a session', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/readyz: 503 before any publication, 200 when fresh, 503 when older than the maximum', async () => {
    const none = await app.inject({ method: 'GET', url: '/readyz' });
    expect(none.statusCode).toBe(503);
    expect(none.json()).toMatchObject({ database: 'ok', reason: 'nothing published yet' });
    await publishedRun(1, new Date(NOW.getTime() - 31 * 3_600_000));
    const stale = await app.inject({ method: 'GET', url: '/readyz' });
    expect(stale.statusCode).toBe(503);
    expect(stale.json().reason).toMatch(/31 hours old \(more than 30\)/);
    await publishedRun(2, new Date(NOW.getTime() - 2 * 3_600_000));
    const fresh = await app.inject({ method: 'GET', url: '/readyz' });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ status: 'ready', asOf: '2026-12-04', ageHours: 2, maxAgeHours: 30 });
  });

  it('/metrics needs its bearer token, and gives the text format with requests by declared route', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
    // Two requests to one declared route with different ids: one series, never the URL as sent.
    await app.inject({ method: 'GET', url: `/api/tasks/${ID_NO}` });
    await app.inject({ method: 'GET', url: '/api/tasks/42' });
    const res = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('# TYPE wangji_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /wangji_http_request_duration_seconds_count\{method="GET",route="\/api\/tasks\/:id",status="401"\} 2/,
    );
    expect(text).toMatch(
      /wangji_http_request_duration_seconds_bucket\{method="GET",route="\/healthz",status="200",le="\+Inf"\} 1/,
    );
    expect(text).not.toContain(ID_NO);
    expect(text).toContain('wangji_pipeline_stage_duration_seconds{stage="features"} 1.5');
    expect(text).toContain('wangji_pipeline_stage_duration_seconds{stage="leads"} 0.25');
    expect(text).toContain('wangji_runs{status="PUBLISHED"} 2');
    expect(text).toContain('wangji_leads{status="OPEN"} 0');
    expect(text).toContain('wangji_outbox_backlog 0');
    expect(text).toContain('wangji_drops_total{status="FAILED"} 0');
    expect(text).toContain('wangji_alerts_open{kind="DROP_MISSING"} 0');
    expect(text).toContain('wangji_load_rows{state="quarantined"} 0');
    expect(text).toMatch(/wangji_last_publication_age_seconds \d+/);
    // The process's memory, as a soak reads it every 10 s (bench/soak.bench.ts).
    for (const gauge of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_external_memory_bytes',
    ])
      expect(text).toMatch(new RegExp(`^${gauge} [1-9]\\d*$`, 'm'));
    if (engine.kind === 'duckdb') expect(text).toMatch(/^wangji_duckdb_memory_bytes \d+$/m);
    else expect(text).not.toContain('wangji_duckdb_memory_bytes');
    // Every sample line is `name{labels} value` (or a comment): what Prometheus parses.
    for (const line of text.trimEnd().split('\n'))
      expect(line).toMatch(
        /^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+Inf]+)$/,
      );
  });

  it('logs JSON lines with a request id, never an ID number or a phone from the URL or the body', async () => {
    logs.length = 0;
    await app.inject({ method: 'GET', url: `/api/customers/${ID_NO}?phone=${PHONE}` });
    await app.inject({ method: 'GET', url: `/api/tasks/${ID_NO}` });
    await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: PHONE, password: ID_NO },
    });
    await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: `{"username": "${PHONE}", broken`,
      headers: { 'content-type': 'application/json' },
    });
    expect(logs.length).toBeGreaterThanOrEqual(4);
    const lines = logs.map((l) => JSON.parse(l) as { reqId?: string; msg: string });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBe(4);
    for (const l of requests) expect(l.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expectNoPersonalData(logs, [ID_NO, PHONE]);
  });
});

describeEachEngine('a server watching a drop folder', (engine) => {
  it('starts watching when ready and stops on close', async () => {
    const db = await engine.open();
    const dir = mkdtempSync(join(tmpdir(), 'wangji-watch-'));
    try {
      const app = await buildApp({
        db,
        config: noopSeasonConfig(),
        log: false,
        operations: { config: parseOpsConfig('drops:\n  pollSeconds: 1\n'), dropsDir: dir },
      });
      await app.ready();
      expect(app.nightly).not.toBeNull();
      await new Promise((r) => setTimeout(r, 1200));
      await app.close();
      // Stopped: a tick after close does nothing and the failed folder was made when it started.
      expect(await app.nightly?.tick()).toEqual([]);
      expect(existsSync(join(dir, 'failed'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.close();
    }
  }, 30_000);
});
