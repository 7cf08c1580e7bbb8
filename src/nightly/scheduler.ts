// The nightly drop (issue #10): `wangji serve --drops DIR` watches a folder the warehouse drops into,
// one sub-folder per drop. A drop is complete when its manifest.json has arrived (written last, and
// at least `settleSeconds` old). Each complete drop not yet taken is then, one at a time in as-of
// order, loaded (src/ops/audited.ts: the loader reconciles the manifest's files, rows and hashes and
// applies the drop whole or not at all), its pipeline run for the manifest's as-of date, and
// published — as jobs of the server's one job queue (src/ops/jobs.ts), so they show in the operations
// page's job list among the manual loads and runs (which wait their turn with them), and in the run
// ledger and the audit log (actor `nightly`).
//
// A drop is remembered in nightly_drops by its name and its manifest's hash: it is never taken twice.
// A drop that fails — its load refused, its run failed, or its as-of before that of a drop already
// published — is moved to DIR/<failedDir>/<name>/ with report.json beside its files (the load report,
// the run's summary, the reason) and raises a DROP_FAILED alert; the previous publication keeps
// serving (a refused load applies nothing, a failed run publishes nothing; a drop whose load applied
// and whose run then failed leaves its rows loaded, unpublished, for the next run). By `expectedBy`
// (bank time) each day a publication of the night's data date (bank date − lagDays) must exist;
// otherwise a DROP_MISSING alert is raised (once), resolved when that date is published — "late".
// After each successful publication the afterPublish hooks run in order (channel batches, digests);
// a hook that fails is logged and alerted, the publication stands.

import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/types.js';
import { bankClock, bankDate, utcTimestamp } from '../domain/bankTime.js';
import { addDays } from '../domain/dates.js';
import { DropError } from '../extracts/errors.js';
import { MANIFEST } from '../extracts/files.js';
import { readManifest } from '../extracts/manifest.js';
import type { LoadReport } from '../extracts/report.js';
import { auditedLoad, auditedRun } from '../ops/audited.js';
import { resolveDropDir } from '../ops/drops.js';
import {
  type JobKind,
  type JobOutcome,
  type JobParams,
  type JobQueue,
  JobQueueClosed,
  type JobView,
} from '../ops/jobs.js';
import { maskDigitRuns } from '../ops/quarantine.js';
import type { SeasonFile } from '../ops/season.js';
import type { RunReport } from '../pipeline/runner.js';
import { type AlertKind, raiseAlert, resolveAlerts } from './alerts.js';
import type { DropsConfig } from './config.js';

/** What an afterPublish hook is told: the drop just published. */
export interface PublishContext {
  db: Db;
  /** The data date published. */
  asOf: string;
  /** The drop's folder name. */
  drop: string;
  loadId: number;
  runId: number;
  /** The scheduler's clock at publication. */
  at: Date;
  log: NightlyLog;
}

export type AfterPublish = (ctx: PublishContext) => Promise<void>;

/** pino's shape (the server passes app.log). */
export interface NightlyLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface NightlyOptions {
  db: Db;
  jobs: JobQueue;
  season: SeasonFile;
  /** The watched folder. */
  dir: string;
  config: DropsConfig;
  /** The clock of the deadline and the records (tests set it). */
  now?: () => Date;
  log?: NightlyLog;
  /** Run in order after each successful publication (S2: channel batches, digests). */
  afterPublish?: AfterPublish[];
  /** Told after each job (the server drops what it keeps in memory). */
  onDataChanged?: () => void;
}

/** A sub-folder with its manifest, not yet taken. */
export interface PendingDrop {
  name: string;
  manifestSha256: string;
  /** The manifest's as-of, or null when the manifest cannot be read (the load then fails it). */
  asOf: string | null;
}

export interface DropOutcome {
  name: string;
  asOf: string;
  status: 'PUBLISHED' | 'FAILED';
  loadId: number | null;
  runId: number | null;
  message: string | null;
  movedTo: string | null;
}

export const NIGHTLY_ACTOR = 'nightly';
const REPORT_FILE = 'report.json';

const silent: NightlyLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class NightlyScheduler {
  readonly afterPublish: AfterPublish[];
  private readonly now: () => Date;
  private readonly log: NightlyLog;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<DropOutcome[]> | null = null;
  private stopped = false;
  /** The drop being worked, if any (tests, /metrics). */
  current: string | null = null;

  constructor(private readonly o: NightlyOptions) {
    this.now = o.now ?? (() => new Date());
    this.log = o.log ?? silent;
    this.afterPublish = o.afterPublish ?? [];
  }

  /** Look at the folder now and every pollSeconds (the timer does not keep the process alive). */
  start(): void {
    if (this.timer || this.stopped) return;
    // A folder that does not exist is not made (a mistyped path would be watched forever unnoticed):
    // it is looked for at every tick, and its failed folder made when a drop fails.
    if (existsSync(this.o.dir)) mkdirSync(this.failedRoot, { recursive: true });
    else this.log.warn({ dir: this.o.dir }, 'nightly: the drop folder does not exist (yet)');
    this.log.info(
      { dir: this.o.dir, everySeconds: this.o.config.pollSeconds },
      'nightly: watching the drop folder',
    );
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.o.config.pollSeconds * 1000);
    this.timer.unref();
  }

  /** No new drops or jobs; resolves when the drop being worked has ended (or been left for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
  }

  get busy(): boolean {
    return this.ticking !== null;
  }

  /**
   * One look: take every pending drop in as-of order, then check the day's deadline. A tick asked for
   * while one is going returns that one. Never throws (what fails is logged).
   */
  tick(): Promise<DropOutcome[]> {
    if (this.ticking) return this.ticking;
    if (this.stopped) return Promise.resolve([]);
    this.ticking = this.doTick().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private get failedRoot(): string {
    return join(this.o.dir, this.o.config.failedDir);
  }

  private async doTick(): Promise<DropOutcome[]> {
    const outcomes: DropOutcome[] = [];
    try {
      for (const drop of await this.pending()) {
        if (this.stopped) break;
        const outcome = await this.take(drop);
        if (!outcome) break; // the queue closed: the server is stopping
        outcomes.push(outcome);
      }
      if (!this.stopped) await this.checkDeadline();
    } catch (e) {
      this.log.error({ err: e }, 'nightly: the drop folder could not be worked');
    }
    return outcomes;
  }

  /** Complete drops not yet taken, in as-of order (then by name); unreadable manifests last. */
  async pending(): Promise<PendingDrop[]> {
    if (!existsSync(this.o.dir)) return [];
    const out: PendingDrop[] = [];
    const settleMs = this.o.config.settleSeconds * 1000;
    // The drops already taken (one row a night: read whole).
    const taken = new Set(
      (
        await this.o.db.query<{ name: string; manifest_sha256: string }>(
          'SELECT name, manifest_sha256 FROM nightly_drops',
        )
      ).map((r) => `${r.name}\0${r.manifest_sha256}`),
    );
    for (const entry of readdirSync(this.o.dir, { withFileTypes: true })) {
      const name = entry.name;
      if (name.startsWith('.') || name === this.o.config.failedDir) continue;
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      const manifest = join(this.o.dir, name, MANIFEST);
      let bytes: Buffer;
      try {
        const st = statSync(manifest);
        // Settling is about the file system's clock, not the scheduler's.
        if (!st.isFile() || Date.now() - st.mtimeMs < settleMs) continue;
        bytes = readFileSync(manifest);
      } catch {
        continue; // no manifest yet: the drop is still arriving
      }
      const manifestSha256 = createHash('sha256').update(bytes).digest('hex');
      if (taken.has(`${name}\0${manifestSha256}`)) continue;
      let asOf: string | null = null;
      try {
        asOf = (await readManifest(join(this.o.dir, name)))?.as_of ?? null;
      } catch (e) {
        if (!(e instanceof DropError)) throw e;
      }
      out.push({ name, manifestSha256, asOf });
    }
    return out.sort(
      (a, b) =>
        (a.asOf === null ? 1 : 0) - (b.asOf === null ? 1 : 0) ||
        (a.asOf ?? '').localeCompare(b.asOf ?? '') ||
        a.name.localeCompare(b.name),
    );
  }

  /** Load, run and publish one drop; null when the server stopped meanwhile (left for the next start). */
  private async take(drop: PendingDrop): Promise<DropOutcome | null> {
    const seenAt = this.now();
    this.current = drop.name;
    try {
      this.log.info({ drop: drop.name, asOf: drop.asOf }, 'nightly: drop taken');
      const latest = await this.latestPublishedDrop();
      if (drop.asOf !== null && latest !== null && drop.asOf < latest)
        return await this.fail(drop, seenAt, drop.asOf, {
          message: `as of ${drop.asOf}, before ${latest} already published from a drop: not loaded (it would put older data over newer)`,
        });

      let path: string;
      try {
        path = resolveDropDir(this.o.dir, drop.name).path;
      } catch (e) {
        return await this.fail(drop, seenAt, drop.asOf ?? bankDate(seenAt), {
          message: (e as Error).message,
        });
      }

      let load: LoadReport | null = null;
      const loadJob = await this.job('LOAD', { dir: drop.name, source: 'nightly drop' }, async (progress) => {
        load = await auditedLoad(this.o.db, path, {
          actor: NIGHTLY_ACTOR,
          today: bankDate(this.now()),
          onProgress: progress,
        });
        return {
          ok: load.status === 'APPLIED',
          message: load.message === null ? null : maskDigitRuns(load.message),
          result: loadSummary(load),
        };
      });
      if (!loadJob) return null;
      const loaded = load as LoadReport | null;
      if (loaded?.status !== 'APPLIED')
        return await this.fail(drop, seenAt, loaded?.asOf ?? drop.asOf ?? bankDate(seenAt), {
          message: loadJob.message ?? 'the load failed',
          load: loaded,
        });
      if (this.stopped) return null;

      const asOf = loaded.asOf;
      let run: RunReport | null = null;
      const runJob = await this.job(
        'RUN',
        { asOf, stage: null, full: false, source: 'nightly drop', dir: drop.name },
        async (progress) => {
          run = await auditedRun(this.o.db, {
            actor: NIGHTLY_ACTOR,
            asOf,
            season: this.o.season,
            onProgress: progress,
          });
          return { ok: run.status === 'PUBLISHED', message: run.message, result: runSummary(run) };
        },
      );
      if (!runJob) return null;
      const ran = run as RunReport | null;
      if (ran?.status !== 'PUBLISHED')
        return await this.fail(drop, seenAt, asOf, {
          message: `the run failed: ${runJob.message ?? 'no report'} (the drop's rows are loaded, not published)`,
          load: loaded,
          run: ran,
        });

      const outcome: DropOutcome = {
        name: drop.name,
        asOf,
        status: 'PUBLISHED',
        loadId: loaded.loadId,
        runId: ran.runId,
        message: null,
        movedTo: null,
      };
      await this.record(drop, seenAt, outcome);
      await resolveAlerts(
        this.o.db,
        'DROP_MISSING',
        asOf,
        this.now(),
        `published at ${bankClock(this.now())} bank time from drop ${drop.name}`,
      );
      this.log.info(
        { drop: drop.name, asOf, loadId: loaded.loadId, runId: ran.runId },
        'nightly: drop published',
      );
      for (const [i, hook] of this.afterPublish.entries()) {
        try {
          await hook({
            db: this.o.db,
            asOf,
            drop: drop.name,
            loadId: loaded.loadId,
            runId: ran.runId,
            at: this.now(),
            log: this.log,
          });
        } catch (e) {
          const message = maskDigitRuns(
            `after-publish step ${i + 1} failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`,
          );
          this.log.error({ err: e, drop: drop.name, asOf }, 'nightly: after-publish step failed');
          await this.alert('AFTER_PUBLISH_FAILED', asOf, drop.name, message);
        }
      }
      return outcome;
    } finally {
      this.current = null;
    }
  }

  /** Submit a job to the queue and wait for its end; null when the queue is closed. */
  private job(
    kind: JobKind,
    params: JobParams,
    work: (progress: (line: string) => void) => Promise<JobOutcome>,
  ): Promise<JobView | null> {
    return new Promise((resolve, reject) => {
      let view: JobView;
      try {
        view = this.o.jobs.submit(kind, params, NIGHTLY_ACTOR, (progress) =>
          work(progress).finally(() => this.o.onDataChanged?.()),
        );
      } catch (e) {
        if (e instanceof JobQueueClosed) resolve(null);
        else reject(e);
        return;
      }
      this.o.jobs.follow(view.id, (e) => {
        if (e.type === 'done') resolve(e.job.startedAt === null ? null : e.job); // never started: the queue closed
      });
    });
  }

  private async fail(
    drop: PendingDrop,
    seenAt: Date,
    asOf: string,
    why: { message: string; load?: LoadReport | null; run?: RunReport | null },
  ): Promise<DropOutcome> {
    const message = maskDigitRuns(why.message);
    let movedTo: string | null = null;
    try {
      movedTo = this.moveAside(drop.name);
      writeFileSync(
        join(this.o.dir, movedTo, REPORT_FILE),
        `${JSON.stringify(
          {
            drop: drop.name,
            asOf,
            status: 'FAILED',
            message,
            at: this.now().toISOString(),
            load: why.load ?? null,
            run: why.run ? runSummary(why.run) : null,
          },
          null,
          2,
        )}\n`,
      );
    } catch (e) {
      this.log.error({ err: e, drop: drop.name }, 'nightly: the failed drop could not be moved aside');
    }
    const outcome: DropOutcome = {
      name: drop.name,
      asOf,
      status: 'FAILED',
      loadId: why.load?.loadId ?? null,
      runId: why.run?.runId ?? null,
      message,
      movedTo,
    };
    await this.record(drop, seenAt, outcome);
    this.log.warn({ drop: drop.name, asOf, movedTo, reason: message }, 'nightly: drop failed');
    await this.alert('DROP_FAILED', asOf, drop.name, `drop ${drop.name} (as of ${asOf}) failed: ${message}`);
    return outcome;
  }

  /** Move a drop into the failed folder (a name already there gets a suffix); its path relative to the folder. */
  private moveAside(name: string): string {
    mkdirSync(this.failedRoot, { recursive: true });
    let target = name;
    for (let i = 2; existsSync(join(this.failedRoot, target)); i++) target = `${name}.${i}`;
    renameSync(join(this.o.dir, name), join(this.failedRoot, target));
    return `${this.o.config.failedDir}/${target}`;
  }

  private async record(drop: PendingDrop, seenAt: Date, o: DropOutcome): Promise<void> {
    await this.o.db.execute(
      `INSERT INTO nightly_drops (name, manifest_sha256, as_of, status, load_id, run_id, message, moved_to, seen_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        drop.name,
        drop.manifestSha256,
        o.asOf,
        o.status,
        o.loadId,
        o.runId,
        o.message,
        o.movedTo,
        utcTimestamp(seenAt),
        utcTimestamp(this.now()),
      ],
    );
  }

  private async latestPublishedDrop(): Promise<string | null> {
    const [row] = await this.o.db.query<{ d: string | null }>(
      `SELECT max(as_of) AS d FROM nightly_drops WHERE status = 'PUBLISHED'`,
    );
    return row?.d ? String(row.d).slice(0, 10) : null;
  }

  private async alert(kind: AlertKind, asOf: string, drop: string | null, message: string): Promise<void> {
    const raised = await raiseAlert(this.o.db, { kind, asOf, drop, message, at: this.now() });
    if (raised) this.log.warn({ alert: kind, asOf, drop, alertId: raised }, `nightly alert: ${message}`);
  }

  /** The data date the latest passed deadline expects published (bank date − lagDays). */
  expectedAsOf(at = this.now()): string {
    const today = bankDate(at);
    const day = bankClock(at) >= this.o.config.expectedBy ? today : addDays(today, -1);
    return addDays(day, -this.o.config.lagDays);
  }

  /** Past the day's deadline without a publication of the expected date: DROP_MISSING (once). */
  async checkDeadline(): Promise<void> {
    const expected = this.expectedAsOf();
    const [row] = await this.o.db.query<{ n: number }>(
      `SELECT count(*) AS n FROM runs WHERE status = 'PUBLISHED' AND stage IS NULL AND as_of >= CAST($1 AS DATE)`,
      [expected],
    );
    if (Number(row?.n ?? 0) > 0) {
      await resolveAlerts(
        this.o.db,
        'DROP_MISSING',
        expected,
        this.now(),
        'published (a run of that date or later)',
      );
      return;
    }
    await this.alert(
      'DROP_MISSING',
      expected,
      null,
      `no drop of ${expected} published by ${this.o.config.expectedBy} bank time (${bankDate(this.now())})`,
    );
  }
}

export const loadSummary = (r: LoadReport) => ({
  loadId: r.loadId,
  status: r.status,
  asOf: r.asOf,
  message: r.message === null ? null : maskDigitRuns(r.message),
  files: r.files.length,
  totals: r.totals,
});

export const runSummary = (r: RunReport) => ({
  runId: r.runId,
  status: r.status,
  asOf: r.asOf,
  stage: r.stage,
  full: r.full,
  message: r.message,
  seconds: r.seconds,
  models: r.models.map((m) => ({ model: m.model, stage: m.stage, rows: m.rows, seconds: m.seconds })),
});
