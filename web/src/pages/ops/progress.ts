// A job's progress from its server-sent events (GET /api/ops/jobs/:id/events, src/server/routes/ops.ts):
// `progress` events carry the job's log lines, `done` the job as JSON. Runs and loads number their steps
// "[i/n] stage/model" (src/pipeline/runner.ts) or "[i/n] file" (src/extracts/loader.ts); the step's end
// repeats the prefix with ": N rows (Xs)". Pure: the page feeds events in, renders the state.

export type JobStatus = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface StageProgress {
  stage: string;
  /** Steps of this stage started, and finished. */
  started: number;
  finished: number;
}

export interface JobProgress {
  /** The last lines (at most MAX_LINES), for the log under the bar. */
  lines: string[];
  /** The id of the last progress event (its line number). */
  lastId: number;
  /** Steps in all (null until the first "[i/n]" line). */
  total: number | null;
  /** Steps finished. */
  completed: number;
  /** The step running now ("features/customer_features"), null when none. */
  current: string | null;
  /** The stages in the order they began (runs; a load's files have no stage). */
  stages: StageProgress[];
  /** The job's end: status and message (null while it runs). */
  finished: { status: JobStatus; message: string | null } | null;
}

export type JobEventIn =
  | { type: 'progress'; id: number; line: string }
  | { type: 'done'; job: { status: JobStatus; message: string | null } };

export const MAX_LINES = 200;

export const initialProgress: JobProgress = {
  lines: [],
  lastId: 0,
  total: null,
  completed: 0,
  current: null,
  stages: [],
  finished: null,
};

const STEP = /^\[(\d+)\/(\d+)\] ([^:]+?)(: .*)?$/;

/** The state after one event (a line replayed after a reconnect, id ≤ lastId, is ignored). */
export function applyEvent(state: JobProgress, e: JobEventIn): JobProgress {
  if (e.type === 'done')
    return {
      ...state,
      current: null,
      completed: e.job.status === 'DONE' && state.total !== null ? state.total : state.completed,
      finished: { status: e.job.status, message: e.job.message },
    };
  if (e.id > 0 && e.id <= state.lastId) return state;
  const lines = [...state.lines, e.line].slice(-MAX_LINES);
  const next: JobProgress = { ...state, lines, lastId: e.id > 0 ? e.id : state.lastId };
  const m = STEP.exec(e.line);
  if (!m) return next;
  const i = Number(m[1]);
  const n = Number(m[2]);
  const label = (m[3] ?? '').trim();
  const ended = m[4] !== undefined;
  const stage = label.includes('/') ? label.slice(0, label.indexOf('/')) : null;
  let stages = state.stages;
  if (stage) {
    const at = stages.findIndex((s) => s.stage === stage);
    const s: StageProgress = stages[at] ?? { stage, started: 0, finished: 0 };
    const updated = { ...s, ...(ended ? { finished: s.finished + 1 } : { started: s.started + 1 }) };
    stages = at < 0 ? [...stages, updated] : stages.map((x, k) => (k === at ? updated : x));
  }
  return {
    ...next,
    total: n,
    completed: ended ? Math.max(state.completed, i) : Math.max(state.completed, i - 1),
    current: ended ? null : label,
    stages,
  };
}

/** Percent done, 0–100 (a whole number); 100 once the job is done. */
export function percentDone(p: JobProgress): number {
  if (p.finished?.status === 'DONE') return 100;
  if (!p.total) return 0;
  return Math.floor((100 * p.completed) / p.total);
}

/** What the bar shows: active while running, success when done, exception when failed. */
export function barStatus(p: JobProgress): 'active' | 'success' | 'exception' | 'normal' {
  if (!p.finished) return p.total === null ? 'normal' : 'active';
  return p.finished.status === 'DONE' ? 'success' : 'exception';
}

/** A stage's state for its tag: done when every step it began ended and a later stage began (or the job is done). */
export function stageState(p: JobProgress, i: number): 'done' | 'running' {
  const s = p.stages[i];
  if (!s || p.finished?.status === 'DONE') return 'done';
  return i < p.stages.length - 1 && s.finished >= s.started ? 'done' : 'running';
}
