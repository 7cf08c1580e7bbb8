import { describe, expect, it } from 'vitest';
import { applyEvent, barStatus, initialProgress, type JobEventIn, percentDone, stageState } from './progress';

const feed = (events: JobEventIn[]) => events.reduce(applyEvent, initialProgress);
const line = (id: number, text: string): JobEventIn => ({ type: 'progress', id, line: text });

describe('job progress from server-sent events', () => {
  const run = [
    line(1, 'run 7 for 2026-12-15'),
    line(2, '[1/4] features/customer_features'),
    line(3, '[1/4] features/customer_features: 2000 rows (0.4s)'),
    line(4, '[2/4] features/org_features'),
    line(5, '  warning: org_features: one org without customers'),
    line(6, '[2/4] features/org_features: 30 rows (0.1s)'),
    line(7, '[3/4] segments/segments'),
  ];

  it('counts steps begun and finished, stage by stage', () => {
    const p = feed(run);
    expect(p.total).toBe(4);
    expect(p.completed).toBe(2);
    expect(p.current).toBe('segments/segments');
    expect(p.stages).toEqual([
      { stage: 'features', started: 2, finished: 2 },
      { stage: 'segments', started: 1, finished: 0 },
    ]);
    expect(percentDone(p)).toBe(50);
    expect(barStatus(p)).toBe('active');
    expect(stageState(p, 0)).toBe('done');
    expect(stageState(p, 1)).toBe('running');
    expect(p.lines).toHaveLength(7);
    expect(p.lastId).toBe(7);
  });

  it('ignores lines replayed after a reconnect (Last-Event-ID)', () => {
    const p = feed([...run, line(6, '[2/4] features/org_features: 30 rows (0.1s)'), line(3, 'again')]);
    expect(p.lines).toHaveLength(7);
    expect(p.stages[0]).toEqual({ stage: 'features', started: 2, finished: 2 });
  });

  it('is 100% and success when done, exception and the message when failed', () => {
    const done = feed([...run, { type: 'done', job: { status: 'DONE', message: null } }]);
    expect(percentDone(done)).toBe(100);
    expect(barStatus(done)).toBe('success');
    expect(done.current).toBeNull();
    expect(stageState(done, 1)).toBe('done');
    const failed = feed([
      ...run,
      { type: 'done', job: { status: 'FAILED', message: 'no data for 2026-12-15' } },
    ]);
    expect(percentDone(failed)).toBe(50);
    expect(barStatus(failed)).toBe('exception');
    expect(failed.finished).toEqual({ status: 'FAILED', message: 'no data for 2026-12-15' });
  });

  it('follows a load’s files (no stages) and starts empty', () => {
    expect(percentDone(initialProgress)).toBe(0);
    expect(barStatus(initialProgress)).toBe('normal');
    const p = feed([line(1, '[1/3] customers.csv'), line(2, '[1/3] customers.csv: 2000 rows (0.2s)')]);
    expect(p.stages).toEqual([]);
    expect(p.completed).toBe(1);
    expect(percentDone(p)).toBe(33);
  });
});
