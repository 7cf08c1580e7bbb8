// `wangji run --as-of D`: computes every model (or one stage's) into the run's own staging tables,
// checks them (keys not null and unique, row counts reconciled), and publishes them all in one
// transaction — or, when a check fails, publishes nothing and names the check. Every run is in the
// ledger `runs` from its start (RUNNING) to its end (PUBLISHED or FAILED).

import { hostname } from 'node:os';
import type { SeasonConfig } from '../config/season.js';
import { analyze } from '../db/analyze.js';
import { quoteIdent } from '../db/dialect.js';
import { DbFault, duringFault } from '../db/faults.js';
import type { Db } from '../db/types.js';
import { utcTimestamp as nowTs } from '../domain/bankTime.js';
import { Calendar, daysBetweenInclusive } from '../domain/calendar.js';
import { addDays, lastCompleteMonth, monthStart, threeYearsBefore } from '../domain/dates.js';
import { dateLiteral } from '../extracts/checks.js';
import { publishLeadFunnel } from '../kpis/leadFunnel.js';
import { publishKpiProgress } from '../kpis/progress.js';
import { advanceLeads, type LifecycleSummary } from '../leads/lifecycle.js';
import { loadModels, type Model, orderModels, type RunContext, renderSql, type Stage } from './models.js';

export interface RunOptions {
  asOf: string;
  /** Rebuild the cache of completed balance periods from scratch (`wangji run --full`). */
  full?: boolean;
  stage?: Stage;
  config: SeasonConfig;
  onProgress?: (message: string) => void;
  models?: Model[];
}

export interface ModelReport {
  model: string;
  stage: Stage;
  rows: number;
  seconds: number;
  /** Data-quality warnings the model's inputs raised (the run still publishes). */
  warnings?: string[];
}

export interface RunReport {
  runId: number;
  asOf: string;
  stage: Stage | null;
  /** `--full`: completed periods were recomputed, not reused. */
  full: boolean;
  status: 'PUBLISHED' | 'FAILED';
  message: string | null;
  models: ModelReport[];
  /** What the lead lifecycle did (runs that include the leads stage). */
  leads?: LifecycleSummary;
  seconds: number;
}

export class CheckFailed extends Error {}

/** The dates and thresholds a model template may use, as SQL literals. */
export function runParams(
  asOf: string,
  config: SeasonConfig,
  calendar = new Calendar(config),
): Record<string, string> {
  const L = lastCompleteMonth(asOf);
  const seasonStart = calendar.seasonStartFor(asOf);
  const params: Record<string, string> = {
    as_of: dateLiteral(asOf),
    month_start: dateLiteral(monthStart(asOf)),
    L: dateLiteral(L),
    L_next: dateLiteral(monthStart(L, 1)),
    L_days: String(daysBetweenInclusive(L, addDays(monthStart(L, 1), -1))),
    as_of_next: dateLiteral(addDays(asOf, 1)),
    // For ages in full years: the year and the month-day of D as numbers.
    as_of_year: asOf.slice(0, 4),
    as_of_mmdd: String(Number(asOf.slice(5, 7)) * 100 + Number(asOf.slice(8, 10))),
    // Days of month(D) up to D: the divisor of ADB_month(c, month(D)).
    mtd_days: String(daysBetweenInclusive(monthStart(asOf), asOf)),
    as_of_minus_3y: dateLiteral(threeYearsBefore(asOf)),
    W13_start: dateLiteral(monthStart(L, -12)),
    season_start: dateLiteral(seasonStart),
  };
  for (const n of [45, 62, 90, 180, 365]) params[`as_of_minus_${n}`] = dateLiteral(addDays(asOf, -n));
  for (const n of [1, 2, 3, 11, 12]) params[`L_minus_${n}`] = dateLiteral(monthStart(L, -n));
  for (const [k, v] of Object.entries(config.thresholds)) {
    if (typeof v === 'number') params[k] = String(v);
    else if (typeof v === 'string') params[k] = `CAST('${v}' AS DECIMAL(38,10))`; // validated decimal text
  }
  return params;
}

/** A run's staging table: named after the run, so that runs never share one. */
const staging = (runId: number, model: string) => `stg_r${runId}__${model}`;

export async function runPipeline(db: Db, o: RunOptions): Promise<RunReport> {
  const t0 = Date.now();
  const started = nowTs();
  const progress = o.onProgress ?? (() => undefined);
  const all = orderModels(o.models ?? loadModels());
  // One stage runs its models and whatever models they read (from any stage), in dependency order.
  const wanted = new Set(all.filter((m) => !o.stage || m.stage === o.stage).map((m) => m.name));
  for (const m of [...all].reverse()) if (wanted.has(m.name)) for (const r of m.reads) wanted.add(r);
  const selected = all.filter((m) => wanted.has(m.name));
  const inRun = new Set(selected.map((m) => m.name));
  const calendar = new Calendar(o.config);
  const ctx: RunContext = {
    asOf: o.asOf,
    config: o.config,
    feeTiers: o.config.fee_tiers,
    spreads: o.config.spreads,
    billerKeywords: o.config.biller_keywords,
    keyCounties: o.config.key_counties,
    binaryText: (expr) => db.dialect.binaryText(expr),
    activities: o.config.activities,
    phase: calendar.phaseOf(o.asOf)?.phase ?? null,
    params: runParams(o.asOf, o.config, calendar),
    // A model reads this run's staging table of a model in the run, else the published table.
    tableOf: (model) => quoteIdent(model),
    seasonStart: calendar.seasonStartFor(o.asOf),
    full: o.full ?? false,
    note: (message) => progress(`  ${message}`),
  };
  const reports: ModelReport[] = [];
  let leads: LifecycleSummary | undefined;
  await settleInterruptedRuns(db);
  const runId = await startRun(db, o, started);
  const stagingOf = (model: string) => staging(runId, model);
  ctx.tableOf = (model) => quoteIdent(inRun.has(model) ? stagingOf(model) : model);
  try {
    await checkAsOf(db, o);
    for (const [i, m] of selected.entries()) {
      const t = Date.now();
      progress(`[${i + 1}/${selected.length}] ${m.stage}/${m.name}`);
      const target = stagingOf(m.name);
      const compute = async () => {
        await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(target)}`);
        if (m.sql)
          await db.exec(`CREATE TABLE ${quoteIdent(target)} AS ${renderSql(m.sql, ctx, db.dialect.ratio)}`);
        else if (m.build) await m.build(db, ctx, target);
        await analyze(db, target); // the next models join it: PostgreSQL plans need its statistics
        return [await checkModel(db, m, target, ctx), await modelWarnings(db, m, ctx)] as const;
      };
      // A full disk or a lost connection is said in words, with the model it stopped.
      const [rows, warnings] = await compute().catch((e) => {
        throw duringFault(e, `computing ${m.name}`);
      });
      reports.push({
        model: m.name,
        stage: m.stage,
        rows,
        seconds: (Date.now() - t) / 1000,
        ...(warnings.length ? { warnings } : {}),
      });
      for (const w of warnings) progress(`  warning: ${m.name}: ${w}`);
      progress(
        `[${i + 1}/${selected.length}] ${m.stage}/${m.name}: ${rows} rows (${((Date.now() - t) / 1000).toFixed(1)}s)`,
      );
    }
    const publish = db.transaction(async (tx) => {
      const lock = tx.dialect.exclusiveLock('run');
      if (lock) await tx.exec(lock);
      await lockReplacedTables(tx, [
        ...selected.filter((m) => !m.history).map((m) => m.name),
        ...(inRun.has('lead_candidates') && inRun.has('kpi_credits') ? ['lead_funnel'] : []),
      ]);
      for (const m of selected) {
        const [table, from] = [quoteIdent(m.name), quoteIdent(stagingOf(m.name))];
        if (m.history) {
          // A history table keeps the other dates as they were published.
          await tx.exec(`CREATE TABLE IF NOT EXISTS ${table} AS SELECT * FROM ${from} WHERE 1 = 0`);
          await tx.execute(`DELETE FROM ${table} WHERE as_of = CAST($1 AS DATE)`, [o.asOf]);
          await tx.exec(`INSERT INTO ${table} SELECT * FROM ${from}`);
          await analyze(tx, m.name);
        } else {
          // The staging table becomes the published one (a rename, not a copy of its rows).
          await tx.exec(`DROP TABLE IF EXISTS ${table}`);
          await tx.exec(`ALTER TABLE ${from} RENAME TO ${table}`);
        }
        const grant = tx.dialect.grantConsoleRead(m.name);
        if (grant) await tx.exec(grant);
      }
      // The leads move on with the tables they are mined from, in the same transaction.
      if (inRun.has('lead_candidates')) {
        const t = Date.now();
        leads = await advanceLeads(tx, {
          asOf: o.asOf,
          runId,
          config: o.config,
          seasonStart: ctx.seasonStart,
          phase: ctx.phase,
          note: ctx.note,
        });
        // Reported as a step of the leads stage, beside the models.
        reports.push({
          model: 'lead_lifecycle',
          stage: 'leads',
          rows: leads.leads.open,
          seconds: (Date.now() - t) / 1000,
        });
        progress(`leads: lifecycle (${((Date.now() - t) / 1000).toFixed(1)}s)`);
      }
      // KPIs count the lifecycle's conversions too: rolled up and published after it.
      if (inRun.has('kpi_credits')) {
        const t = Date.now();
        const rows = await publishKpiProgress(tx, {
          asOf: o.asOf,
          seasonStart: ctx.seasonStart,
          config: o.config,
        });
        if (inRun.has('lead_candidates'))
          await publishLeadFunnel(tx, {
            asOf: o.asOf,
            seasonStart: ctx.seasonStart,
            activities: o.config.activities.map((a) => a.id),
          });
        for (const table of ['kpi_progress', 'lead_funnel']) {
          const grant = tx.dialect.grantConsoleRead(table);
          if (grant && (table === 'kpi_progress' || inRun.has('lead_candidates'))) await tx.exec(grant);
        }
        reports.push({ model: 'kpi_progress', stage: 'kpis', rows, seconds: (Date.now() - t) / 1000 });
        progress(`kpis: progress (${rows} rows, ${((Date.now() - t) / 1000).toFixed(1)}s)`);
      }
      await finishRun(tx, runId, 'PUBLISHED', null, reports);
    });
    await publish.catch((e) => {
      throw duringFault(e, 'publishing');
    });
    await dropStaging(
      db,
      selected.map((m) => stagingOf(m.name)),
    );
    return {
      runId,
      asOf: o.asOf,
      stage: o.stage ?? null,
      full: o.full ?? false,
      status: 'PUBLISHED',
      message: null,
      models: reports,
      ...(leads ? { leads } : {}),
      seconds: (Date.now() - t0) / 1000,
    };
  } catch (e) {
    const message =
      e instanceof CheckFailed ? e.message : `run failed: ${(e as Error).message.split('\n')[0]}`;
    await dropStaging(
      db,
      selected.map((m) => stagingOf(m.name)),
    ).catch(() => undefined);
    await finishRun(db, runId, 'FAILED', message, reports).catch((err: Error) => {
      // Still no space (or no connection): the next run of this process or any other settles it.
      unrecorded.set(`${db.location}#${runId}`, message);
      const why = err instanceof DbFault ? '' : `: ${err.message.split('\n')[0]}`;
      throw new Error(
        `${message} (not recorded in the run ledger${why}: the next run marks run ${runId} FAILED)`,
        {
          cause: err,
        },
      );
    });
    return {
      runId,
      asOf: o.asOf,
      stage: o.stage ?? null,
      full: o.full ?? false,
      status: 'FAILED',
      message,
      models: reports,
      seconds: (Date.now() - t0) / 1000,
    };
  }
}

/**
 * Lock every table the publish replaces (drops and renames, or drops and creates) before touching any,
 * all at once and without waiting, tried again while a reader holds one. Replaced one by one, a reader
 * holding a table not yet replaced while it waits for one already replaced deadlocks with the publish
 * (PostgreSQL aborts one of the two: the reader's query or the run); the publish never waits holding
 * some of them. Once it holds them all, readers wait for its commit and then read the new tables.
 * Should readers keep some of them busy for 10 s, the locks are waited for (new readers then queue
 * behind the publish): a deadlock is left only to a reader starting in the instant the locks are taken.
 */
async function lockReplacedTables(tx: Db, tables: string[]): Promise<void> {
  const existing = new Set(
    (
      await tx.query<{ name: string }>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1',
        [tx.dialect.defaultSchema],
      )
    ).map((r) => r.name),
  );
  const present = tables.filter((t) => existing.has(t));
  const nowait = tx.dialect.lockTables(present, true);
  if (!nowait) return;
  const until = Date.now() + 10_000;
  for (let attempt = 0; Date.now() < until; attempt++) {
    await tx.exec('SAVEPOINT publish_locks');
    try {
      await tx.exec(nowait);
      await tx.exec('RELEASE SAVEPOINT publish_locks');
      return;
    } catch (e) {
      if (!tx.dialect.lockUnavailable(e)) throw e;
      await tx.exec('ROLLBACK TO SAVEPOINT publish_locks');
      // Readers' queries are short: 5 ms, doubling up to 200 ms, with jitter so as not to beat in step.
      const ms = Math.min(200, 5 * 2 ** attempt);
      await new Promise((r) => setTimeout(r, ms / 2 + Math.random() * ms));
    }
  }
  await tx.exec(tx.dialect.lockTables(present, false));
}

/** Keys not null and unique; the row count reconciled when the model states what it should be. */
async function checkModel(db: Db, m: Model, table: string, ctx: RunContext): Promise<number> {
  const t = quoteIdent(table);
  const keys = m.key.map(quoteIdent);
  const one = async (sql: string) => Number(Object.values((await db.query(sql))[0] ?? {})[0]);
  const rows = await one(`SELECT count(*) FROM ${t}`);
  if (keys.length === 0) return rows; // a table of credits whose org or staff may be empty has no key
  const nulls = await one(`SELECT count(*) FROM ${t} WHERE ${keys.map((k) => `${k} IS NULL`).join(' OR ')}`);
  if (nulls > 0)
    throw new CheckFailed(`check failed: ${m.name}: ${nulls} rows with an empty key (${m.key.join(', ')})`);
  const dups = await one(
    `SELECT count(*) FROM (SELECT ${keys.join(', ')} FROM ${t} GROUP BY ${keys.join(', ')} HAVING count(*) > 1) d`,
  );
  if (dups > 0) throw new CheckFailed(`check failed: ${m.name}: ${dups} keys repeated (${m.key.join(', ')})`);
  if (m.expectedRows) {
    const expected = await one(renderSql(m.expectedRows, ctx, db.dialect.ratio));
    if (expected !== rows)
      throw new CheckFailed(`check failed: ${m.name}: ${rows} rows, the inputs give ${expected}`);
  }
  return rows;
}

async function modelWarnings(db: Db, m: Model, ctx: RunContext): Promise<string[]> {
  const out: string[] = [];
  for (const w of m.warnings ?? []) {
    const [row] = await db.query(renderSql(w.sql, ctx, db.dialect.ratio));
    const n = Number(Object.values(row ?? {})[0] ?? 0);
    if (n > 0) out.push(`${n} ${w.message}`);
  }
  return out;
}

async function dropStaging(db: Db, tables: string[]): Promise<void> {
  for (const t of tables) await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
}

/** The run's ledger row, RUNNING until it ends (a killed run stays visible as RUNNING). */
async function startRun(db: Db, o: RunOptions, started: string): Promise<number> {
  const [{ id }] = (await db.query<{ id: number }>(`SELECT nextval('run_id_seq') AS id`)) as [{ id: number }];
  await db.execute(
    `INSERT INTO runs (run_id, as_of, stage, started_at, finished_at, status, message, models, host, pid)
     VALUES ($1, CAST($2 AS DATE), $3, CAST($4 AS TIMESTAMP), CAST($4 AS TIMESTAMP), 'RUNNING', NULL, '[]', $5, $6)`,
    [id, o.asOf, o.stage ?? null, started, hostname(), process.pid],
  );
  return id;
}

/** Runs of this process that failed when their failure could not be written (a full disk): why. */
const unrecorded = new Map<string, string>();

/**
 * A run left RUNNING by a process of this machine that no longer exists was killed: it is marked
 * FAILED and its staging tables are dropped. (Runs of other machines are left to their own hosts.)
 * So is a run of this process whose failure could not be recorded, with the reason it failed.
 */
async function settleInterruptedRuns(db: Db): Promise<void> {
  const running = await db.query<{ run_id: number; pid: number | null }>(
    `SELECT run_id, pid FROM runs WHERE status = 'RUNNING' AND host = $1`,
    [hostname()],
  );
  for (const r of running) {
    const failed = unrecorded.get(`${db.location}#${r.run_id}`);
    if (failed === undefined && r.pid !== null && processAlive(r.pid)) continue;
    const prefix = `stg_r${r.run_id}__`;
    const tables = (
      await db.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE substr(table_name, 1, $1) = $2`,
        [prefix.length, prefix],
      )
    ).filter((t) => t.name.startsWith(prefix));
    await dropStaging(
      db,
      tables.map((t) => t.name),
    );
    await db.execute(
      `UPDATE runs SET status = 'FAILED', finished_at = CAST($2 AS TIMESTAMP), message = $3 WHERE run_id = $1`,
      [
        r.run_id,
        nowTs(),
        failed ?? 'interrupted: its process ended before the run finished (nothing was published)',
      ],
    );
    unrecorded.delete(`${db.location}#${r.run_id}`);
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

async function finishRun(
  db: Db,
  runId: number,
  status: string,
  message: string | null,
  models: ModelReport[],
) {
  await db.execute(
    `UPDATE runs SET finished_at = CAST($2 AS TIMESTAMP), status = $3, message = $4, models = $5 WHERE run_id = $1`,
    [runId, nowTs(), status, message, JSON.stringify(models)],
  );
}

/**
 * A run needs data up to its as-of (the latest applied load), and a one-stage run must use the data
 * date of the last full run, so that published tables never mix two dates.
 */
async function checkAsOf(db: Db, o: RunOptions): Promise<void> {
  const [loaded] = await db.query<{ d: string | null }>(
    `SELECT max(as_of) AS d FROM loads WHERE status = 'APPLIED'`,
  );
  if (!loaded?.d) throw new CheckFailed('no data loaded yet: wangji load DIR first');
  if (o.asOf > loaded.d)
    throw new CheckFailed(`as-of ${o.asOf} is after the latest loaded data (${loaded.d})`);
  if (o.stage) {
    const [last] = await db.query<{ d: string | null }>(
      `SELECT as_of AS d FROM runs WHERE run_id = (SELECT max(run_id) FROM runs WHERE status = 'PUBLISHED' AND stage IS NULL)`,
    );
    if (last?.d && last.d !== o.asOf) {
      throw new CheckFailed(
        `stage ${o.stage} alone can only rerun the published date ${last.d}: run every stage for ${o.asOf}`,
      );
    }
  }
}
