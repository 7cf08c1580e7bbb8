// The server's job queue for loads, pipeline runs and backups (issue #7, operations; backups issue #9):
// one job at a time, in the order they were asked for. DuckDB has one connection per process, shared by every request, and a
// load or a run is long work over it; on PostgreSQL the loader's and runner's locks would serialise
// them anyway — here they never overlap, and a second request waits its turn visibly (QUEUED). A backup
// queued among them is never taken in the middle of a load or a run (src/backup/backup.ts).
//
// A job keeps its progress lines (the loader's and runner's onProgress) for the clients that follow
// it (server-sent events: the lines so far, then live ones) and ends DONE or FAILED with a message in
// words. A job that throws is FAILED with the error's first line; the queue goes on with the next.
// Jobs live in this process's memory: the last `historyLimit` finished jobs are kept, each with at
// most `lineLimit` lines (the first ones and the latest ones, a marker between). What lasts is in the
// database: the run ledger (runs), the loads and their reports, and the audit log.

import { randomUUID } from 'node:crypto';

export type JobKind = 'LOAD' | 'RUN' | 'BACKUP';
export type JobStatus = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
/** What was asked for (a drop folder, a data date …), as shown to whoever follows the job. */
export type JobParams = Record<string, string | boolean | null>;

/** What a job's work resolves with: ok false makes it FAILED (a FAILED load or run), with the message. */
export interface JobOutcome {
  ok: boolean;
  message: string | null;
  result: unknown;
}

export type JobWork = (progress: (line: string) => void) => Promise<JobOutcome>;

export interface JobView {
  id: string;
  kind: JobKind;
  params: JobParams;
  requestedBy: string;
  status: JobStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed (or the load's / run's own message), in words. */
  message: string | null;
  /** The load report's or run report's summary, once finished. */
  result: unknown;
  /** Progress lines so far (including any left out of a long job's kept lines). */
  lines: number;
}

/** What a follower of a job receives: each progress line with its number (1, 2, …), then the end. */
export type JobEvent = { type: 'progress'; seq: number; line: string } | { type: 'done'; job: JobView };

interface Job {
  view: JobView;
  work: JobWork;
  /** Kept lines with their numbers: the head, then the latest (a ring once past the limit). */
  head: { seq: number; line: string }[];
  tail: { seq: number; line: string }[];
  listeners: Set<(e: JobEvent) => void>;
}

export interface JobQueueOptions {
  /** Finished jobs kept in memory (default 200). */
  historyLimit?: number;
  /** Progress lines kept per job (default 2000: the first half and the latest half). */
  lineLimit?: number;
  now?: () => Date;
  /** Told of a job's work that threw (the server logs it); the job itself says why in its message. */
  onError?: (job: JobView, error: unknown) => void;
}

export class JobQueueClosed extends Error {}

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly pending: Job[] = [];
  private running: Job | null = null;
  private runningDone: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly historyLimit: number;
  private readonly lineLimit: number;
  private readonly now: () => Date;

  constructor(private readonly o: JobQueueOptions = {}) {
    this.historyLimit = Math.max(1, o.historyLimit ?? 200);
    this.lineLimit = Math.max(2, o.lineLimit ?? 2000);
    this.now = o.now ?? (() => new Date());
  }

  /** Queue a job; it starts when every earlier job has finished. */
  submit(kind: JobKind, params: JobParams, requestedBy: string, work: JobWork): JobView {
    if (this.closed) throw new JobQueueClosed('the server is stopping: no new jobs');
    const job: Job = {
      view: {
        id: randomUUID(),
        kind,
        params,
        requestedBy,
        status: 'QUEUED',
        queuedAt: this.now().toISOString(),
        startedAt: null,
        finishedAt: null,
        message: null,
        result: null,
        lines: 0,
      },
      work,
      head: [],
      tail: [],
      listeners: new Set(),
    };
    this.jobs.set(job.view.id, job);
    this.pending.push(job);
    this.pump();
    return this.snapshot(job);
  }

  /** Every job known, newest first. */
  list(): JobView[] {
    return [...this.jobs.values()].reverse().map((j) => this.snapshot(j));
  }

  get(id: string): JobView | null {
    const job = this.jobs.get(id);
    return job ? this.snapshot(job) : null;
  }

  /** The job's kept lines with their numbers (after `afterSeq`: a client resuming). */
  lines(id: string, afterSeq = 0): { seq: number; line: string }[] {
    const job = this.jobs.get(id);
    if (!job) return [];
    const first = job.tail[0];
    const lastHead = job.head[job.head.length - 1]?.seq ?? 0;
    // Lines dropped between the head and the tail: one marker, numbered as the last line dropped.
    const gap =
      first && first.seq > lastHead + 1
        ? [{ seq: first.seq - 1, line: `(… ${first.seq - 1 - lastHead} lines not kept)` }]
        : [];
    return [...job.head, ...gap, ...job.tail].filter((l) => l.seq > afterSeq);
  }

  /**
   * Follow a job: the lines so far (after afterSeq), then live ones, then `done` — at once for a job
   * already finished. Returns the unsubscribe function (idempotent), or null for an unknown job.
   */
  follow(id: string, listener: (e: JobEvent) => void, afterSeq = 0): (() => void) | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    for (const l of this.lines(id, afterSeq)) listener({ type: 'progress', seq: l.seq, line: l.line });
    if (job.view.status === 'DONE' || job.view.status === 'FAILED') {
      listener({ type: 'done', job: this.snapshot(job) });
      return () => undefined;
    }
    job.listeners.add(listener);
    return () => {
      job.listeners.delete(listener);
    };
  }

  /** Followers of a job still attached (tests: a closed stream leaves none). */
  followers(id: string): number {
    return this.jobs.get(id)?.listeners.size ?? 0;
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running || this.pending.length) await this.runningDone;
  }

  /**
   * Stop: no new jobs; queued ones are FAILED (never started); resolves when the running one has
   * finished (a load is applied whole or not at all, a run publishes in one transaction — neither can
   * be stopped half-way).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.pending.splice(0))
      this.finish(job, 'FAILED', 'the server stopped before it started', null);
    await this.idle();
  }

  private snapshot(job: Job): JobView {
    return { ...job.view, params: { ...job.view.params } };
  }

  private pump(): void {
    if (this.running) return;
    const job = this.pending.shift();
    if (!job) return;
    this.running = job;
    this.runningDone = this.execute(job).finally(() => {
      this.running = null;
      this.forget();
      this.pump();
    });
  }

  private async execute(job: Job): Promise<void> {
    job.view.status = 'RUNNING';
    job.view.startedAt = this.now().toISOString();
    const progress = (line: string) => this.progress(job, line);
    try {
      const outcome = await job.work(progress);
      this.finish(job, outcome.ok ? 'DONE' : 'FAILED', outcome.message, outcome.result);
    } catch (e) {
      this.o.onError?.(this.snapshot(job), e);
      const first = String((e as Error)?.message ?? e).split('\n')[0];
      this.finish(job, 'FAILED', `${job.view.kind.toLowerCase()} failed: ${first}`, null);
    }
  }

  private progress(job: Job, line: string): void {
    if (job.view.status !== 'RUNNING') return; // a late callback after the end
    const seq = ++job.view.lines;
    const half = Math.floor(this.lineLimit / 2);
    if (job.head.length < half) job.head.push({ seq, line });
    else {
      job.tail.push({ seq, line });
      if (job.tail.length > this.lineLimit - half) job.tail.shift();
    }
    for (const l of [...job.listeners]) l({ type: 'progress', seq, line });
  }

  private finish(job: Job, status: 'DONE' | 'FAILED', message: string | null, result: unknown): void {
    job.view.status = status;
    job.view.finishedAt = this.now().toISOString();
    job.view.message = message;
    job.view.result = result;
    const done: JobEvent = { type: 'done', job: this.snapshot(job) };
    const listeners = [...job.listeners];
    job.listeners.clear();
    for (const l of listeners) l(done);
  }

  /** Keep only the latest historyLimit finished jobs. */
  private forget(): void {
    const finished = [...this.jobs.values()].filter(
      (j) => j.view.status === 'DONE' || j.view.status === 'FAILED',
    );
    for (const j of finished.slice(0, Math.max(0, finished.length - this.historyLimit)))
      this.jobs.delete(j.view.id);
  }
}
