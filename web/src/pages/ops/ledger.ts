// The run ledger's rows (GET /api/ops/runs): each run with its duration, its models summed per stage, and
// a short form of the season file's hash. Pure, unit-tested.

export interface RunModel {
  model: string;
  stage: string;
  rows: number;
  seconds: number;
  warnings?: string[];
}

export interface RunRow {
  run_id: number;
  as_of: string;
  stage: string | null;
  status: string;
  started_at: string;
  finished_at: string;
  message: string | null;
  host: string | null;
  pid: number | null;
  config_file: string | null;
  config_sha256: string | null;
  models: RunModel[];
}

export interface LedgerStage {
  stage: string;
  models: number;
  rows: number;
  seconds: number;
  warnings: number;
}

export interface LedgerRow {
  key: number;
  runId: number;
  asOf: string;
  /** One stage only, or null for the whole pipeline. */
  only: string | null;
  status: string;
  startedAt: string;
  finishedAt: string;
  /** Wall-clock seconds from start to finish (one decimal), null when unknown. */
  seconds: number | null;
  models: number;
  warnings: number;
  stages: LedgerStage[];
  /** The season file's SHA-256, first 12 hex digits (the whole in `hash`). */
  hashShort: string | null;
  hash: string | null;
  configFile: string | null;
  message: string | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function ledgerRows(runs: readonly RunRow[]): LedgerRow[] {
  return runs.map((r) => {
    const start = Date.parse(r.started_at);
    const end = Date.parse(r.finished_at);
    const stages: LedgerStage[] = [];
    for (const m of r.models) {
      let s = stages.find((x) => x.stage === m.stage);
      if (!s) {
        s = { stage: m.stage, models: 0, rows: 0, seconds: 0, warnings: 0 };
        stages.push(s);
      }
      s.models += 1;
      s.rows += m.rows;
      s.seconds += m.seconds;
      s.warnings += m.warnings?.length ?? 0;
    }
    for (const s of stages) s.seconds = round1(s.seconds);
    return {
      key: r.run_id,
      runId: r.run_id,
      asOf: r.as_of,
      only: r.stage,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      seconds:
        Number.isFinite(start) && Number.isFinite(end) && end >= start ? round1((end - start) / 1000) : null,
      models: r.models.length,
      warnings: stages.reduce((a, s) => a + s.warnings, 0),
      stages,
      hashShort: r.config_sha256 ? r.config_sha256.slice(0, 12) : null,
      hash: r.config_sha256,
      configFile: r.config_file,
      message: r.message,
    };
  });
}

/** The as-of date a new run defaults to: the newest run's, else the given fallback. */
export function defaultAsOf(runs: readonly RunRow[], fallback: string): string {
  return runs[0]?.as_of ?? fallback;
}

/** A drop folder as typed: null when acceptable, else why not (a key of the page's strings). */
export function dropDirProblem(dir: string): 'empty' | 'absolute' | 'parent' | 'chars' | null {
  const d = dir.trim();
  if (!d) return 'empty';
  if (d.startsWith('/') || d.startsWith('\\') || /^[A-Za-z]:/.test(d)) return 'absolute';
  if (d.split(/[\\/]/).some((p) => p === '..')) return 'parent';
  if ([...d].some((c) => c.charCodeAt(0) < 32)) return 'chars';
  return null;
}

/** A date typed as YYYY-MM-DD that exists. */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
