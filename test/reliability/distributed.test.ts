// Past one machine (issue #9): the same SQL runs distributed. Two extra PostgreSQL servers on loopback
// are shards; a database of the ordinary server is the coordinator, whose big per-customer tables are
// HASH-partitioned across the shards with postgres_fdw (test/shards.ts says which and how). A generated
// bank's two nightly drops (D − 1's history, then D's) are loaded and the whole pipeline run THROUGH
// THE COORDINATOR with the product code unchanged, and every published table must be identical, by
// checksum, to the single-node run of the same drops — while the rows really live on the shards
// (counted on each shard directly). docs/scaling.md says what this proves and what it does not.

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { splitDailyDrops } from '../../bench/daily-drops.js';
import { loadSeasonConfig, parseSeasonConfig, type SeasonConfig } from '../../src/config/season.js';
import { checksumTables } from '../../src/db/checksum.js';
import { openDb } from '../../src/db/open.js';
import type { Db } from '../../src/db/types.js';
import { EXTRACTS } from '../../src/extracts/contract.js';
import { loadDrop } from '../../src/extracts/loader.js';
import { generateBank } from '../../src/generator/bank.js';
import { recordOutcome } from '../../src/leads/work.js';
import { publishedTables } from '../../src/pipeline/publishedTables.js';
import { runPipeline } from '../../src/pipeline/runner.js';
import { PG_ADMIN_URL, pgSkipReason, postgresEngine, type TestDb } from '../engines.js';
import {
  collectGarbage,
  placement,
  SHARDED_INPUTS,
  SHARDED_MODELS,
  type ShardCluster,
  shardCoordinator,
  shardRows,
  startShards,
} from '../shards.js';
import { FULL, recordFigures, sized } from './mode.js';

const CUSTOMERS = sized(2000, 20_000);
const AS_OF = sized('2027-01-10', '2027-02-10');
/**
 * Runs on the data of D − 1's drop before D's drop is loaded, in order; after the first, people record
 * outcomes (the full form only: the bounded one loads both drops, then runs D).
 */
const EARLIER = sized<string[]>([], ['2026-12-15', '2027-01-31', '2027-02-09']);
const SHARDS = 2;

const figures: Record<string, unknown> = { customers: CUSTOMERS, shards: SHARDS, runs: [...EARLIER, AS_OF] };
const lap = (t0: number) => Math.round((Date.now() - t0) / 100) / 10;

/**
 * The nightly flow of a bank: D − 1's drop (the history), the runs of earlier dates, D's drop (the
 * reference snapshots of D and the day's new and changed facts: upserts, snapshot replacement), the
 * run of D. The same outcomes are recorded on both databases after the first run.
 */
async function loadAndRun(
  db: Db,
  drops: { day0: string; day1: string },
  config: SeasonConfig,
): Promise<{ loads: number[]; runs: number; slowest: Record<string, number> }> {
  const loads: number[] = [];
  const load = async (dir: string) => {
    const t = Date.now();
    const report = await loadDrop(db, dir);
    expect(report.status, report.message ?? '').toBe('APPLIED');
    loads.push(lap(t));
  };
  const seconds: Record<string, number> = {};
  let runSeconds = 0;
  const run = async (asOf: string) => {
    const report = await runPipeline(db, { asOf, config });
    expect(report.status, report.message ?? '').toBe('PUBLISHED');
    runSeconds += report.seconds;
    for (const m of report.models)
      seconds[m.model] = Math.round(((seconds[m.model] ?? 0) + m.seconds) * 10) / 10;
  };
  await load(drops.day0);
  for (const [i, asOf] of EARLIER.entries()) {
    await run(asOf);
    if (i > 0) continue;
    const open = await db.query<{ task_id: number }>(
      "SELECT task_id FROM tasks WHERE status = 'OPEN' AND channel IN ('MANAGER', 'POOL') ORDER BY task_id LIMIT 4",
    );
    for (const [j, task] of open.entries())
      await recordOutcome(db, config, {
        taskId: Number(task.task_id),
        outcome: ['CONTACTED', 'REFUSED', 'REFUSED_ALL', 'INVALID'][j] as string,
        at: new Date(`${asOf}T02:00:00Z`),
        reason: 'wrong phone number',
      });
  }
  await load(drops.day1);
  await run(AS_OF);
  const slowest = Object.entries(seconds)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6);
  return { loads, runs: Math.round(runSeconds * 10) / 10, slowest: Object.fromEntries(slowest) };
}

describe.skipIf(pgSkipReason !== null)(
  `the pipeline through a coordinator over ${SHARDS} postgres_fdw shards publishes the single-node tables${pgSkipReason ? ` — skipped: ${pgSkipReason}` : ''}`,
  () => {
    let work: string;
    let cluster: ShardCluster | undefined;
    let single: TestDb | undefined;
    let coordinatorDb: TestDb | undefined; // made and dropped by test/engines.ts
    let coordinator: Db | undefined; // opened after sharding, so that its sessions see the settings
    let url: string;
    let config: SeasonConfig;

    beforeAll(
      async () => {
        const t0 = Date.now();
        work = mkdtempSync(join(tmpdir(), 'wangji-distributed-'));
        const bank = join(work, 'bank');
        // Targets, so that KPI progress has ranks and laggards to compare too.
        const doc = JSON.parse(JSON.stringify(loadSeasonConfig())) as Record<string, unknown>;
        doc.targets = [
          { kpi: 'NEW_CUSTOMERS', level: 'OUTLET', period: 'SEASON', target: 12 },
          { kpi: 'DEPOSIT_ADB_GROWTH', level: 'BRANCH', period: 'NEW_YEAR', target: '500000' },
        ];
        config = parseSeasonConfig(stringify(doc));
        // The shard servers start while the bank is generated.
        const [c, drops] = await Promise.all([
          startShards(PG_ADMIN_URL, SHARDS),
          generateBank({ customers: CUSTOMERS, seed: 19, asOf: AS_OF, out: bank }).then(() =>
            splitDailyDrops(bank, join(work, 'drops')),
          ),
        ]);
        cluster = c;
        figures.generateAndStartSeconds = lap(t0);
        // The single-node run and the sharded one side by side (the servers work, not this process).
        // Both settle before beforeAll ends, so that afterAll never drops a database still in use.
        const [one, sharded] = await settled([
          (async () => {
            single = await postgresEngine.open();
            return loadAndRun(single, drops, config);
          })(),
          (async () => {
            const t = Date.now();
            coordinatorDb = await postgresEngine.open();
            await coordinatorDb.release();
            url = coordinatorDb.target.location;
            await shardCoordinator(url, cluster as ShardCluster);
            figures.shardingSeconds = lap(t);
            coordinator = await openDb(coordinatorDb.target);
            return loadAndRun(coordinator, drops, config);
          })(),
        ]);
        figures.singleNode = { loadSeconds: one.loads, runSeconds: one.runs, slowestModels: one.slowest };
        figures.sharded = {
          loadSeconds: sharded.loads,
          runSeconds: sharded.runs,
          slowestModels: sharded.slowest,
        };
        figures.beforeAllSeconds = lap(t0);
        figures.loadAverage = loadavg()[0];
      },
      sized(300_000, 1_800_000),
    );

    afterAll(async () => {
      const t = Date.now();
      // The databases are dropped while the shards stop.
      await Promise.all([
        (async () => {
          await coordinator?.close().catch(() => undefined);
          await coordinatorDb?.close().catch(() => undefined);
        })(),
        single?.close().catch(() => undefined),
        cluster?.stop(),
      ]);
      figures.teardownSeconds = lap(t);
      if (work) rmSync(work, { recursive: true, force: true });
      recordFigures('distributed', figures);
    }, 120_000);

    it('every published table is identical to the single-node run (checksums of all rows)', async () => {
      const names = publishedTables().map((t) => t.name);
      const [a, b] = await Promise.all([
        checksumTables(single as Db, names),
        checksumTables(coordinator as Db, names),
      ]);
      expect(b).toEqual(a);
      for (const t of a) expect(t, `${t.table} is published`).not.toHaveProperty('absent');
      figures.publishedTables = a.length;
      figures.publishedRows = a.reduce((s, t) => s + ('rows' in t ? t.rows : 0), 0);
    });

    it('the extract tables and the balance cache hold the same rows as on one node', async () => {
      const names = [...EXTRACTS.map((e) => e.name), 'balance_periods', 'balance_cached', 'quarantine'];
      const [a, b] = await Promise.all([
        checksumTables(single as Db, names),
        checksumTables(coordinator as Db, names),
      ]);
      expect(b).toEqual(a);
    });

    it('the big tables are partitions on the shards, their rows spread over both, counted there', async () => {
      const spread: Record<string, number[]> = {};
      const tables = [...SHARDED_INPUTS.map((t) => t.table), ...SHARDED_MODELS.map((m) => m.model)];
      for (const table of tables) {
        // On the coordinator: a partitioned table with no rows of its own, one foreign partition a shard.
        const [kind] = await (coordinator as Db).query<{ relkind: string }>(
          `SELECT relkind FROM pg_class WHERE oid = CAST($1 AS regclass)`,
          [`public.${table}`],
        );
        expect(kind?.relkind, table).toBe('p');
        expect((await placement(coordinator as Db, table)).map((p) => p.server)).toEqual(
          (cluster as ShardCluster).shards.map((s) => s.server),
        );
        const onEach = await shardRows(coordinator as Db, cluster as ShardCluster, table);
        const [{ n }] = (await (single as Db).query<{ n: number }>(
          `SELECT count(*) AS n FROM "${table}"`,
        )) as [{ n: number }];
        expect(
          onEach.reduce((s, x) => s + x, 0),
          `${table}: the shards' rows add up to one node's`,
        ).toBe(Number(n));
        if (table !== 'balance_periods' || Number(n) > 0)
          for (const x of onEach) expect(x, `${table}: rows on every shard`).toBeGreaterThan(0);
        spread[table] = onEach;
      }
      figures.rowsPerShard = spread;
    });

    it('money sums add up: each shard holds its part of the balances and of the customers’ AUM', async () => {
      // Exact: decimal sums (2 decimals) as cents in BigInt.
      const cents = (s: string) => BigInt(s.replace('.', ''));
      for (const [table, column] of [
        ['balances', 'balance'],
        ['customer_features', 'aum_d'],
      ] as const) {
        const sum = `CAST(sum(${column}) AS DECIMAL(38,2))`;
        const [whole] = await (single as Db).query<{ s: string }>(`SELECT ${sum} AS s FROM ${table}`);
        // The shard table behind each partition (the same name on every shard), summed on the shard.
        const [shardTable, ...others] = new Set(
          (await placement(coordinator as Db, table)).map((p) => p.table),
        );
        expect(others).toEqual([]);
        const own = (
          await (cluster as ShardCluster).onShards<{ s: string }>(`SELECT ${sum} AS s FROM "${shardTable}"`)
        ).map((rows) => cents(rows[0]?.s as string));
        expect(
          own.reduce((s, x) => s + x, 0n),
          `${table}.${column}`,
        ).toBe(cents(whole?.s as string));
        for (const x of own) expect(x, `${table}.${column} on every shard`).not.toBe(0n);
      }
    });

    it('a join and GROUP BY on customer_id of co-located tables run on the shards themselves', async () => {
      const plan = (
        await (coordinator as Db).query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (VERBOSE, COSTS OFF)
           SELECT c.customer_id, count(a.account_id) AS accounts
             FROM customers c JOIN accounts a ON a.customer_id = c.customer_id GROUP BY c.customer_id`,
        )
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      // One remote query per shard doing the join and the aggregate there (postgres_fdw pushdown of a
      // partitionwise join and aggregate), not rows pulled to the coordinator to be joined.
      const remote = plan.split('\n').filter((l) => l.includes('Remote SQL:'));
      expect(remote, plan).toHaveLength(SHARDS);
      for (const r of remote) expect(r, plan).toMatch(/INNER JOIN[\s\S]*GROUP BY/);
    });

    it('a later publication replaces the sharded tables; the shard tables it leaves are collected', async () => {
      // The features stage again for the published date: its sharded tables are made anew on the
      // shards and published by rename over the old ones.
      // What the earlier runs' publications left on the shards (the full form runs several dates).
      const earlier = await collectGarbage(coordinator as Db, cluster as ShardCluster);
      expect(earlier).toBe(EARLIER.length * SHARDED_MODELS.length * SHARDS);
      const before = await placement(coordinator as Db, 'customer_features');
      const rerun = await runPipeline(coordinator as Db, { asOf: AS_OF, stage: 'features', config });
      expect(rerun.status, rerun.message ?? '').toBe('PUBLISHED');
      const after = await placement(coordinator as Db, 'customer_features');
      expect(after.map((p) => p.table)).not.toEqual(before.map((p) => p.table));
      const dropped = await collectGarbage(coordinator as Db, cluster as ShardCluster);
      // customer_balances, customer_features, customer_products and balance_live: one per shard each.
      expect(dropped).toBe(4 * SHARDS);
      const names = ['balance_live', 'customer_balances', 'customer_features', 'customer_products'];
      expect(await checksumTables(coordinator as Db, names)).toEqual(
        await checksumTables(single as Db, names),
      );
      // Nothing else was collected: every published sharded table still reads whole.
      expect(await collectGarbage(coordinator as Db, cluster as ShardCluster)).toBe(0);
      figures.garbageCollected = { earlierRuns: earlier, featuresRerun: dropped };
      figures.mode = FULL ? 'full' : 'bounded';
    });
  },
);

/** Promise.all that waits for every promise to settle, then rejects with the first failure. */
async function settled<T extends unknown[]>(ps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const out = await Promise.allSettled(ps);
  const failed = out.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return out.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}
