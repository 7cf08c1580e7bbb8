// Loads and pipeline runs with their audit entries, one code path for the CLI (`wangji load`,
// `wangji run`, actor `cli:<os user>`) and the server's job queue (actor the username):
//   LOAD            subject load:<id>; detail dir, status, as-of, rows read/loaded/quarantined/collapsed
//   RUN             subject run:<id>;  detail as-of, stage, full, status, run id, season file and sha256
//   CONFIG_CHANGED  subject run:<id>;  the run's season file hash differs from the previous run's
//                   (detail: file, old/new hash, previous run) — appended just before the run's RUN
// Each action leaves exactly one entry. The entries are appended after the action's own transaction
// has committed, in a transaction of their own: the loader and the runner commit their work
// themselves, and the runner's publish transaction holds the run lock, inside which nothing may append
// (lock order: the audit lock, then the run lock — docs/decisions.md). A process killed between the
// two leaves the load or run in its ledger without its entry.

import { lockAudit, withAudit } from '../audit/log.js';
import type { Db } from '../db/types.js';
import { loadDrop } from '../extracts/loader.js';
import type { LoadReport } from '../extracts/report.js';
import type { Stage } from '../pipeline/models.js';
import { type RunReport, runPipeline } from '../pipeline/runner.js';
import { maskDigitRuns } from './quarantine.js';
import type { SeasonFile } from './season.js';

export interface AuditedLoadOptions {
  actor: string;
  delimiter?: string;
  /** as_of of a drop without a manifest (default today at the bank). */
  today?: string;
  onProgress?: (message: string) => void;
}

/** Load a drop (never half-applied: see loadDrop) and audit it as LOAD, applied or failed. */
export async function auditedLoad(db: Db, dir: string, o: AuditedLoadOptions): Promise<LoadReport> {
  const report = await loadDrop(db, dir, {
    delimiter: o.delimiter,
    today: o.today,
    onProgress: o.onProgress,
  });
  await withAudit(db, (_tx, audit) =>
    audit({
      actor: o.actor,
      action: 'LOAD',
      subject: `load:${report.loadId}`,
      detail: {
        dir: report.sourceDir,
        status: report.status,
        as_of: report.asOf,
        files: report.files.length,
        rows_read: report.totals.read,
        rows_loaded: report.totals.loaded,
        rows_quarantined: report.totals.quarantined,
        rows_collapsed: report.totals.collapsed,
        // The loader's words may quote the file (a header-less file names its first record): the
        // append-only log keeps them with ID numbers and phones masked, as the loads API shows them.
        message: report.message === null ? null : maskDigitRuns(report.message),
      },
    }),
  );
  return report;
}

export interface AuditedRunOptions {
  actor: string;
  asOf: string;
  stage?: Stage;
  full?: boolean;
  season: SeasonFile;
  onProgress?: (message: string) => void;
}

/**
 * Run the pipeline, record the season file's path and hash on the run's ledger row, and audit it:
 * CONFIG_CHANGED first when the hash differs from that of the latest earlier run that recorded one,
 * then RUN. A run that throws before it has a ledger row is audited as RUN FAILED without a run id,
 * and the error is thrown on.
 */
export async function auditedRun(db: Db, o: AuditedRunOptions): Promise<RunReport> {
  const { file, sha256 } = o.season.source;
  let report: RunReport;
  try {
    report = await runPipeline(db, {
      asOf: o.asOf,
      stage: o.stage,
      full: o.full,
      config: o.season.config,
      onProgress: o.onProgress,
    });
  } catch (e) {
    await withAudit(db, (_tx, audit) =>
      audit({
        actor: o.actor,
        action: 'RUN',
        subject: null,
        detail: {
          as_of: o.asOf,
          stage: o.stage ?? null,
          full: o.full ?? false,
          status: 'FAILED',
          run_id: null,
          config_file: file,
          config_sha256: sha256,
          message: maskDigitRuns(`run failed: ${(e as Error).message.split('\n')[0]}`),
        },
      }),
    );
    throw e;
  }
  await withAudit(db, async (tx, audit) => {
    // Read the previous hash under the audit lock, so that two runs ending together compare in order.
    await lockAudit(tx);
    await tx.execute('UPDATE runs SET config_file = $2, config_sha256 = $3 WHERE run_id = $1', [
      report.runId,
      file,
      sha256,
    ]);
    const [previous] = await tx.query<{ run_id: number; config_file: string | null; config_sha256: string }>(
      `SELECT run_id, config_file, config_sha256 FROM runs
        WHERE run_id < $1 AND config_sha256 IS NOT NULL ORDER BY run_id DESC LIMIT 1`,
      [report.runId],
    );
    const subject = `run:${report.runId}`;
    if (previous && previous.config_sha256 !== sha256)
      await audit({
        actor: o.actor,
        action: 'CONFIG_CHANGED',
        subject,
        detail: {
          file,
          old_sha256: previous.config_sha256,
          new_sha256: sha256,
          old_file: previous.config_file,
          previous_run_id: Number(previous.run_id),
        },
      });
    await audit({
      actor: o.actor,
      action: 'RUN',
      subject,
      detail: {
        as_of: report.asOf,
        stage: report.stage,
        full: report.full,
        status: report.status,
        run_id: report.runId,
        config_file: file,
        config_sha256: sha256,
        // A check's message may quote a value: masked like the loads' (the log is append-only).
        message: report.message === null ? null : maskDigitRuns(report.message),
        seconds: Math.round(report.seconds * 10) / 10,
      },
    });
  });
  return report;
}
