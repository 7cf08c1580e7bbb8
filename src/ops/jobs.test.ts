// The job queue on its own: one job at a time in the order asked, FIFO; progress replayed to late
// followers, then live; a job that throws is FAILED with its reason and the next one still runs;
// bounded history and lines; close fails the queued jobs and waits for the running one.

import { expect, it } from 'vitest';
import { type JobEvent, JobQueue, JobQueueClosed } from './jobs.js';

/** A promise to resolve from outside. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

it('runs one job at a time, first come first served, and a throwing job fails in words', async () => {
  const q = new JobQueue();
  let running = 0;
  let most = 0;
  const order: string[] = [];
  const work =
    (name: string, fail = false) =>
    async (progress: (l: string) => void) => {
      running++;
      most = Math.max(most, running);
      order.push(`start ${name}`);
      progress(`${name} working`);
      await new Promise((r) => setTimeout(r, 5));
      order.push(`end ${name}`);
      running--;
      if (fail) throw new Error('disk full\nstack line');
      return { ok: true, message: null, result: { name } };
    };
  const a = q.submit('LOAD', { dir: 'a' }, 'ops', work('a'));
  const b = q.submit('RUN', { asOf: '2026-12-01' }, 'ops', work('b', true));
  const c = q.submit('RUN', { asOf: '2026-12-02' }, 'admin', work('c'));
  expect(q.get(a.id)?.status).toBe('RUNNING');
  expect([q.get(b.id)?.status, q.get(c.id)?.status]).toEqual(['QUEUED', 'QUEUED']);
  await q.idle();
  expect(most).toBe(1);
  expect(order).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  expect(q.get(a.id)).toMatchObject({ status: 'DONE', result: { name: 'a' }, lines: 1, requestedBy: 'ops' });
  expect(q.get(b.id)).toMatchObject({ status: 'FAILED', message: 'run failed: disk full', result: null });
  expect(q.get(c.id)?.status).toBe('DONE');
  expect(q.list().map((j) => j.id)).toEqual([c.id, b.id, a.id]);
  const [ta, tb] = [q.get(a.id), q.get(b.id)];
  expect(Date.parse(tb?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(ta?.finishedAt ?? ''));
});

it('a follower gets the lines so far, then live ones, then done; unfollowing stops them', async () => {
  const q = new JobQueue();
  const step = gate();
  const end = gate();
  const job = q.submit('RUN', {}, 'ops', async (progress) => {
    progress('one');
    progress('two');
    await step.opened;
    progress('three');
    await end.opened;
    return { ok: false, message: 'check failed: x', result: null };
  });
  await new Promise((r) => setTimeout(r, 1));
  const seen: JobEvent[] = [];
  const unfollow = q.follow(job.id, (e) => seen.push(e));
  const resumed: JobEvent[] = [];
  q.follow(job.id, (e) => resumed.push(e), 1);
  const dropped: JobEvent[] = [];
  const stopDropped = q.follow(job.id, (e) => dropped.push(e));
  expect(seen).toEqual([
    { type: 'progress', seq: 1, line: 'one' },
    { type: 'progress', seq: 2, line: 'two' },
  ]);
  expect(resumed.map((e) => (e.type === 'progress' ? e.seq : 0))).toEqual([2]);
  expect(q.followers(job.id)).toBe(3);
  stopDropped?.();
  expect(q.followers(job.id)).toBe(2);
  step.open();
  await new Promise((r) => setTimeout(r, 1));
  expect(seen.at(-1)).toEqual({ type: 'progress', seq: 3, line: 'three' });
  end.open();
  await q.idle();
  expect(seen.at(-1)).toMatchObject({ type: 'done', job: { status: 'FAILED', message: 'check failed: x' } });
  expect(dropped).toHaveLength(2);
  expect(q.followers(job.id)).toBe(0);
  unfollow?.();
  // Late: everything at once, ending with done.
  const late: JobEvent[] = [];
  q.follow(job.id, (e) => late.push(e));
  expect(late.map((e) => e.type)).toEqual(['progress', 'progress', 'progress', 'done']);
  expect(q.follow('no-such-job', () => undefined)).toBeNull();
});

it('keeps the latest finished jobs and the first and latest lines of a long job', async () => {
  const q = new JobQueue({ historyLimit: 2, lineLimit: 4 });
  const ids = [1, 2, 3].map(
    (i) =>
      q.submit('LOAD', { dir: `d${i}` }, 'ops', async (progress) => {
        for (let n = 1; n <= 10; n++) progress(`line ${n}`);
        return { ok: true, message: null, result: null };
      }).id,
  );
  await q.idle();
  expect(q.get(ids[0] as string)).toBeNull();
  expect(q.list()).toHaveLength(2);
  const lines = q.lines(ids[2] as string);
  expect(lines.map((l) => l.line)).toEqual(['line 1', 'line 2', '(… 6 lines not kept)', 'line 9', 'line 10']);
  expect(lines.map((l) => l.seq)).toEqual([1, 2, 8, 9, 10]);
  expect(q.get(ids[2] as string)?.lines).toBe(10);
});

it('close fails the queued jobs, waits for the running one and takes no more', async () => {
  const q = new JobQueue();
  const g = gate();
  const first = q.submit('RUN', {}, 'ops', async () => {
    await g.opened;
    return { ok: true, message: null, result: null };
  });
  const second = q.submit('LOAD', {}, 'ops', async () => ({ ok: true, message: null, result: null }));
  let closed = false;
  const closing = q.close().then(() => {
    closed = true;
  });
  expect(q.get(second.id)).toMatchObject({
    status: 'FAILED',
    message: 'the server stopped before it started',
  });
  await new Promise((r) => setTimeout(r, 5));
  expect(closed).toBe(false);
  g.open();
  await closing;
  expect(q.get(first.id)?.status).toBe('DONE');
  expect(() => q.submit('RUN', {}, 'ops', async () => ({ ok: true, message: null, result: null }))).toThrow(
    JobQueueClosed,
  );
});
