// Sharding a Wangji database with postgres_fdw (issue #9, "past one machine"): extra PostgreSQL servers
// on loopback are the shards, a database of the ordinary server is the coordinator. The big per-customer
// (and per-account, per-merchant) tables of the coordinator become HASH-partitioned tables whose
// partitions are FOREIGN TABLEs on the shards, so their rows live physically on the shards and every
// statement Wangji sends to the coordinator — the loader's inserts, deletes and anti-joins, the
// pipeline's models — runs across them. Nothing in Wangji's code knows.
//
// Two kinds of sharded table:
// - the extract tables and the balance cache, which migrations create once: converted here after the
//   migrations, with the same column definitions on the shards (and there the coordinator's indexes,
//   the primary keys included: a key that contains the partition key is unique across shards);
// - the tables a run publishes, which the runner builds as `stg_r<run>__<model>` (CREATE TABLE [AS])
//   and publishes by renaming: an event trigger on the coordinator turns each such staging table, the
//   moment it is created, into a partitioned table over new tables on the shards (dblink creates those),
//   so the model's rows go to the shards and the rename publishes the partitioned table.
//
// postgres_fdw's limits and what they cost (see docs/scaling.md): a partitioned table with foreign
// partitions can have no unique index on the coordinator (the shards keep the keys); the coordinator
// commits its shards' transactions one after the other, not by two-phase commit; dropping a published
// sharded table drops its foreign partitions but not the shard tables behind them (`collectGarbage`).

import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Db } from '../src/db/types.js';

const run = promisify(execFile);

/** A table and the column its rows are hashed by. */
export interface ShardedTable {
  table: string;
  key: string;
}

/**
 * The extract tables and the cache that are sharded: every one with customer_id by customer_id (the
 * customer's rows on one shard); balances and the balance cache by account_id and acquiring by
 * merchant_id, the only keys they carry (DATA-CONTRACT.md gives them no customer_id).
 */
export const SHARDED_INPUTS: readonly ShardedTable[] = [
  { table: 'customers', key: 'customer_id' },
  { table: 'relationships', key: 'customer_id' },
  { table: 'accounts', key: 'customer_id' },
  { table: 'payroll', key: 'customer_id' },
  { table: 'benefit_credits', key: 'customer_id' },
  { table: 'transfers', key: 'customer_id' },
  { table: 'remittances', key: 'customer_id' },
  { table: 'bill_agreements', key: 'customer_id' },
  { table: 'app_events', key: 'customer_id' },
  { table: 'ecny_wallets', key: 'customer_id' },
  { table: 'credit_card_applications', key: 'customer_id' },
  { table: 'balances', key: 'account_id' },
  { table: 'acquiring', key: 'merchant_id' },
  { table: 'balance_periods', key: 'account_id' },
];

/** The published per-customer (and per-account) tables of a run that are sharded. */
export const SHARDED_MODELS: readonly { model: string; key: string }[] = [
  { model: 'balance_live', key: 'account_id' },
  { model: 'customer_balances', key: 'customer_id' },
  { model: 'customer_features', key: 'customer_id' },
  { model: 'customer_products', key: 'customer_id' },
  { model: 'segment_members', key: 'customer_id' },
  { model: 'county_groups', key: 'customer_id' },
  { model: 'lead_candidates', key: 'customer_id' },
];

export interface Shard {
  /** The coordinator's foreign server name (shard0, shard1, …). */
  server: string;
  port: number;
  /** The shard's database, as a URL for direct checks. */
  url: string;
}

export interface ShardCluster {
  shards: Shard[];
  /** A query on every shard directly, results in shard order. */
  onShards<T extends pg.QueryResultRow>(sql: string): Promise<T[][]>;
  /** Stop the servers and remove their folders (idempotent). */
  stop(): Promise<void>;
}

const SHARD_DB = 'wangji_shard';
const asRoot = userInfo().uid === 0;

/** The server binaries of the coordinator's major version (Debian: /usr/lib/postgresql/<major>/bin). */
async function binDir(adminUrl: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const major = Math.floor(Number(rows[0]?.v) / 10000);
    const dir = `/usr/lib/postgresql/${major}/bin`;
    if (!existsSync(join(dir, 'initdb')))
      throw new Error(
        `no PostgreSQL ${major} server binaries in ${dir}: the shards are started with them (Debian: postgresql-${major}, see .ci/run)`,
      );
    return dir;
  } finally {
    await c.end();
  }
}

/** The coordinator's locale, so that the shards sort and compare text exactly as it does. */
async function serverLocale(adminUrl: string): Promise<{ collate: string; ctype: string }> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ collate: string; ctype: string }>(
      `SELECT datcollate AS collate, datctype AS ctype FROM pg_database WHERE datname = 'template1'`,
    );
    return rows[0] as { collate: string; ctype: string };
  } finally {
    await c.end();
  }
}

/** initdb and postgres refuse to run as root: as root they run as the postgres user. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function pgTool(bin: string, args: string[]): Promise<void> {
  const [cmd, argv] = asPostgres(bin, args);
  await run(cmd, argv, { timeout: 60_000 });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Start `count` PostgreSQL servers on loopback (free ports, unix sockets in their temp folder), each
 * with an empty database for its shard tables. Tuned for a test: no fsync, small buffers.
 */
export async function startShards(adminUrl: string, count = 2): Promise<ShardCluster> {
  const bin = await binDir(adminUrl);
  const locale = await serverLocale(adminUrl);
  const root = mkdtempSync(join(tmpdir(), 'wangji-shards-'));
  if (asRoot) {
    const { uid, gid } = userIdOf('postgres');
    chownSync(root, uid, gid);
  }
  chmodSync(root, 0o700);
  const started: string[] = [];
  const pools: pg.Pool[] = [];
  let stopped = false;
  const pgCtlStop = (dir: string) =>
    asPostgres(join(bin, 'pg_ctl'), ['-D', dir, '-m', 'immediate', '-w', 'stop']);
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    for (const dir of started) {
      const [cmd, argv] = pgCtlStop(dir);
      spawnSync(cmd, argv, { stdio: 'ignore', timeout: 30_000 });
    }
    rmSync(root, { recursive: true, force: true });
  };
  // A test process that ends without its afterAll (an uncaught error, a timeout) still stops them.
  process.once('exit', stopSync);
  const shards: Shard[] = [];
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const dir = join(root, `shard${i}`);
        await pgTool(join(bin, 'initdb'), [
          '-D',
          dir,
          '-U',
          'postgres',
          '--auth=trust',
          '--no-sync',
          '-E',
          'UTF8',
          `--lc-collate=${locale.collate}`,
          `--lc-ctype=${locale.ctype}`,
        ]);
        // A port found free may be taken before the server binds it: another one then.
        let port = 0;
        for (let attempt = 1; ; attempt++) {
          port = await freePort();
          const opts = [
            `-p ${port}`,
            `-k ${root}`,
            "-c listen_addresses='127.0.0.1'",
            '-c fsync=off',
            '-c synchronous_commit=off',
            '-c full_page_writes=off',
            '-c shared_buffers=32MB',
            '-c max_connections=40',
            '-c jit=off',
          ].join(' ');
          try {
            await pgTool(join(bin, 'pg_ctl'), [
              '-D',
              dir,
              '-o',
              opts,
              '-l',
              join(root, `shard${i}.log`),
              '-w',
              'start',
            ]);
            break;
          } catch (e) {
            if (attempt >= 3) throw e;
          }
        }
        started.push(dir);
        const url = `postgres://postgres@127.0.0.1:${port}/${SHARD_DB}`;
        const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${SHARD_DB}`);
        await admin.end();
        shards[i] = { server: `shard${i}`, port, url };
        pools[i] = new pg.Pool({ connectionString: url, max: 2 });
        pools[i]?.on('error', () => undefined);
      }),
    );
  } catch (e) {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    stopSync();
    throw e;
  }
  // A watchdog outside this process stops the shards when it ends without stopping them (a test
  // runner's worker thread is terminated without an 'exit' event).
  const stopAll = started
    .map((dir) => pgCtlStop(dir))
    .map(([cmd, argv]) => [cmd, ...argv].join(' '))
    .join('; ');
  const watchdog = spawn(
    'sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; ${stopAll}; rm -rf ${root}`],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  return {
    shards,
    onShards: <T extends pg.QueryResultRow>(sql: string) =>
      Promise.all(pools.map(async (p) => (await p.query<T>(sql)).rows)),
    stop: async () => {
      if (stopped) return;
      process.removeListener('exit', stopSync);
      watchdog.kill();
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      // Immediate shutdown of every shard at once; the data is thrown away.
      await Promise.all(
        started.map((dir) => {
          const [cmd, argv] = pgCtlStop(dir);
          return run(cmd, argv, { timeout: 30_000 }).catch(() => undefined);
        }),
      );
      stopped = true;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function userIdOf(name: string): { uid: number; gid: number } {
  const out = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (out.status !== 0)
    throw new Error(`no user ${name}: the shard servers run as it when the test runs as root`);
  return { uid: Number(out.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Make a fresh, migrated coordinator database shard its big tables across the cluster: postgres_fdw
 * and dblink, one foreign server per shard, the input tables converted, the event trigger that shards
 * the runs' per-customer tables, and partitionwise joins and aggregates (a join or a GROUP BY on the
 * partition key of co-located tables runs per shard, and postgres_fdw sends it to the shard).
 */
export async function shardCoordinator(coordinatorUrl: string, cluster: ShardCluster): Promise<void> {
  const n = cluster.shards.length;
  await withClient(coordinatorUrl, async (c) => {
    const db = (await c.query<{ d: string }>('SELECT current_database() AS d')).rows[0]?.d as string;
    await c.query('CREATE EXTENSION postgres_fdw');
    await c.query('CREATE EXTENSION dblink');
    await c.query('CREATE SCHEMA shards'); // the foreign partitions, out of Wangji's own schema
    await c.query('CREATE SCHEMA sharding'); // the layout and the functions that keep it
    for (const s of cluster.shards) {
      await c.query(
        `CREATE SERVER ${s.server} FOREIGN DATA WRAPPER postgres_fdw
           OPTIONS (host '127.0.0.1', port '${s.port}', dbname '${SHARD_DB}', fetch_size '10000',
                    batch_size '1000', async_capable 'true', use_remote_estimate 'true')`,
      );
      // The console role reads through the same mapping (trust on loopback: no password).
      await c.query(
        `CREATE USER MAPPING FOR PUBLIC SERVER ${s.server} OPTIONS (user 'postgres', password_required 'false')`,
      );
    }
    await c.query(`ALTER DATABASE ${ident(db)} SET enable_partitionwise_join = on`);
    await c.query(`ALTER DATABASE ${ident(db)} SET enable_partitionwise_aggregate = on`);
    await c.query(`CREATE TABLE sharding.servers (shard INTEGER PRIMARY KEY, server VARCHAR NOT NULL)`);
    await c.query(
      `INSERT INTO sharding.servers VALUES ${cluster.shards.map((s, i) => `(${i}, ${literal(s.server)})`).join(', ')}`,
    );
    await c.query(`CREATE TABLE sharding.models (model VARCHAR PRIMARY KEY, key VARCHAR NOT NULL)`);
    await c.query(
      `INSERT INTO sharding.models VALUES ${SHARDED_MODELS.map((m) => `(${literal(m.model)}, ${literal(m.key)})`).join(', ')}`,
    );

    const shardClients = cluster.shards.map((s) => new pg.Client({ connectionString: s.url }));
    try {
      await Promise.all(shardClients.map((sc) => sc.connect()));
      for (const t of SHARDED_INPUTS) await convertTable(c, shardClients, cluster, t);
    } finally {
      await Promise.all(shardClients.map((sc) => sc.end().catch(() => undefined)));
    }
    await c.query(STAGING_TRIGGER(n));
  });
}

/** Column definitions of a coordinator table, in order, with their NOT NULLs. */
async function columnsOf(c: pg.Client, table: string): Promise<string> {
  const { rows } = await c.query<{ cols: string }>(
    `SELECT string_agg(format('%I %s%s', attname, format_type(atttypid, atttypmod),
                              CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY attnum) AS cols
       FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [`public.${ident(table)}`],
  );
  return rows[0]?.cols as string;
}

/** Replace a migrated (empty) table by a partitioned one over shard tables of the same definition. */
async function convertTable(
  c: pg.Client,
  shardClients: pg.Client[],
  cluster: ShardCluster,
  t: ShardedTable,
): Promise<void> {
  const rel = `public.${ident(t.table)}`;
  const cols = await columnsOf(c, t.table);
  const indexes = (
    await c.query<{ def: string }>(
      'SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = $1::regclass ORDER BY indexrelid',
      [rel],
    )
  ).rows.map((r) => r.def);
  // Views over the table (the masked views of the console), their grants, and the table's grants:
  // dropped with the table, made again over the partitioned one.
  const views = (
    await c.query<{ name: string; def: string }>(
      `WITH RECURSIVE dep(oid) AS (
         SELECT DISTINCT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
          WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1::regclass AND r.ev_class <> $1::regclass
         UNION
         SELECT r.ev_class FROM dep JOIN pg_depend d ON d.refobjid = dep.oid
           JOIN pg_rewrite r ON r.oid = d.objid
          WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> dep.oid)
       SELECT DISTINCT format('%I.%I', n.nspname, v.relname) AS name, pg_get_viewdef(v.oid) AS def, v.oid
         FROM dep JOIN pg_class v ON v.oid = dep.oid JOIN pg_namespace n ON n.oid = v.relnamespace
        ORDER BY v.oid`,
      [rel],
    )
  ).rows;
  const grantsOf = async (name: string) =>
    (
      await c.query<{ g: string }>(
        `SELECT format('GRANT %s ON %s TO %I', a.privilege_type, $1::text, r.rolname) AS g
           FROM pg_class k CROSS JOIN LATERAL aclexplode(k.relacl) a JOIN pg_roles r ON r.oid = a.grantee
          WHERE k.oid = $1::text::regclass AND a.grantee <> k.relowner`,
        [name],
      )
    ).rows.map((r) => r.g);
  const grants = [
    ...(await grantsOf(rel)),
    ...(await Promise.all(views.map((v) => grantsOf(v.name)))).flat(),
  ];

  await Promise.all(
    shardClients.map(async (sc) => {
      await sc.query(`CREATE TABLE ${rel} (${cols})`);
      for (const def of indexes) await sc.query(def);
    }),
  );
  await c.query('BEGIN');
  try {
    await c.query(`DROP TABLE ${rel} CASCADE`);
    await c.query(`CREATE TABLE ${rel} (${cols}) PARTITION BY HASH (${ident(t.key)})`);
    for (const [i, s] of cluster.shards.entries())
      await c.query(
        `CREATE FOREIGN TABLE shards.${ident(`${t.table}_${i}`)} PARTITION OF ${rel}
           FOR VALUES WITH (MODULUS ${cluster.shards.length}, REMAINDER ${i})
           SERVER ${s.server} OPTIONS (schema_name 'public', table_name ${literal(t.table)})`,
      );
    for (const v of views) await c.query(`CREATE VIEW ${v.name} AS ${v.def}`);
    for (const g of grants) await c.query(g);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK');
    throw e;
  }
}

/**
 * The event trigger: a run's staging table of a sharded model (`stg_r<run>__<model>`, created by
 * CREATE TABLE or CREATE TABLE AS) becomes, at once, a partitioned table of the same columns whose
 * partitions are new tables on the shards (named like the staging table); the rows CREATE TABLE AS
 * computed move there. The runner then checks, publishes (renames) and reads it like any table.
 */
const STAGING_TRIGGER = (n: number) => `
CREATE FUNCTION sharding.place_staging() RETURNS event_trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record; rel text; model_name text; shard_key text; cols text; tmp text; s record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands()
              WHERE command_tag IN ('CREATE TABLE', 'CREATE TABLE AS') AND object_type = 'table' LOOP
    SELECT c.relname INTO rel FROM pg_class c
     WHERE c.oid = cmd.objid AND c.relkind = 'r' AND c.relpersistence = 'p'
       AND c.relnamespace = 'public'::regnamespace;
    CONTINUE WHEN rel IS NULL;
    model_name := substring(rel FROM '^stg_r[0-9]+__(.+)$');
    CONTINUE WHEN model_name IS NULL;
    SELECT m.key INTO shard_key FROM sharding.models m WHERE m.model = model_name;
    CONTINUE WHEN shard_key IS NULL;
    SELECT string_agg(format('%I %s%s', attname, format_type(atttypid, atttypmod),
                             CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY attnum)
      INTO cols FROM pg_attribute WHERE attrelid = cmd.objid AND attnum > 0 AND NOT attisdropped;
    tmp := rel || '__placing';
    EXECUTE format('CREATE TABLE public.%I (%s) PARTITION BY HASH (%I)', tmp, cols, shard_key);
    FOR s IN SELECT shard, server FROM sharding.servers ORDER BY shard LOOP
      -- A staging table of this run made again (the runner drops and re-creates it): a fresh shard table.
      PERFORM dblink_exec(s.server, format('DROP TABLE IF EXISTS public.%I; CREATE TABLE public.%I (%s)', rel, rel, cols));
      EXECUTE format('CREATE FOREIGN TABLE shards.%I PARTITION OF public.%I FOR VALUES WITH (MODULUS ${n}, REMAINDER %s)
                        SERVER %I OPTIONS (schema_name %L, table_name %L)',
                     rel || '_' || s.shard, tmp, s.shard, s.server, 'public', rel);
    END LOOP;
    EXECUTE format('INSERT INTO public.%I SELECT * FROM public.%I', tmp, rel);
    EXECUTE format('DROP TABLE public.%I', rel);
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', tmp, rel);
  END LOOP;
END
$fn$;
CREATE EVENT TRIGGER place_staging ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS')
  EXECUTE FUNCTION sharding.place_staging();
`;

/**
 * Drop the shard tables no coordinator foreign table refers to any more (those of a published table a
 * later run replaced, of a failed run's staging): what an operator's maintenance job would run between
 * runs. Returns how many were dropped.
 */
export async function collectGarbage(coordinator: Db, cluster: ShardCluster): Promise<number> {
  const used = await coordinator.query<{ server: string; name: string }>(
    `SELECT s.srvname AS server,
            (SELECT substr(o, length('table_name=') + 1) FROM unnest(f.ftoptions) o WHERE o LIKE 'table_name=%') AS name
       FROM pg_foreign_table f JOIN pg_foreign_server s ON s.oid = f.ftserver`,
  );
  const onShards = await cluster.onShards<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
  );
  let dropped = 0;
  for (const [i, s] of cluster.shards.entries()) {
    const keep = new Set(used.filter((u) => u.server === s.server).map((u) => u.name));
    const stale = (onShards[i] ?? []).map((r) => r.name).filter((n) => !keep.has(n));
    if (stale.length === 0) continue;
    await withClient(s.url, (c) =>
      c.query(`DROP TABLE ${stale.map((n) => `public.${ident(n)}`).join(', ')}`),
    );
    dropped += stale.length;
  }
  return dropped;
}

/** Where a coordinator table's rows live: per shard (in order), the shard table behind its partition. */
export async function placement(
  coordinator: Db,
  table: string,
): Promise<{ server: string; table: string }[]> {
  return coordinator.query<{ server: string; table: string }>(
    `SELECT s.srvname AS server,
            (SELECT substr(o, length('table_name=') + 1) FROM unnest(f.ftoptions) o WHERE o LIKE 'table_name=%') AS table
       FROM pg_inherits i JOIN pg_foreign_table f ON f.ftrelid = i.inhrelid
       JOIN pg_foreign_server s ON s.oid = f.ftserver
      WHERE i.inhparent = CAST($1 AS regclass) ORDER BY s.srvname`,
    [`public.${ident(table)}`],
  );
}

/** Rows of a coordinator table on each shard, counted on the shard itself (shard0, shard1, …). */
export async function shardRows(coordinator: Db, cluster: ShardCluster, table: string): Promise<number[]> {
  const tables = new Set((await placement(coordinator, table)).map((p) => p.table));
  if (tables.size !== 1) throw new Error(`${table} is not one shard table on every shard`);
  const counts = await cluster.onShards<{ n: string }>(
    `SELECT count(*) AS n FROM public.${ident([...tables][0] as string)}`,
  );
  return counts.map((rows) => Number(rows[0]?.n));
}
