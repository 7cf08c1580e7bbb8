// The 运营 page's queries (src/server/routes/ops.ts): jobs (['ops', 'jobs'], polled while one is queued
// or running), the run ledger (['ops', 'runs', page]), loads (['ops', 'loads', page]), quarantined rows
// (['ops', 'quarantine', filters]); loads and runs are started with POST and followed over the job's
// server-sent events (useJobEvents: an EventSource, closed on `done`).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useReducer } from 'react';
import { api } from '../../api/client';
import type { RunRow } from './ledger';
import { applyEvent, initialProgress, type JobEventIn, type JobProgress, type JobStatus } from './progress';

export interface JobView {
  id: string;
  kind: 'LOAD' | 'RUN' | 'BACKUP';
  params: Record<string, string | boolean | null>;
  requestedBy: string;
  status: JobStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
  result: Record<string, unknown> | null;
  lines: number;
}

export interface LoadFileRow {
  extract: string;
  file: string;
  format: string;
  encoding: string;
  sha256: string;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  rows_collapsed: number;
  rows_inserted: number;
  rows_updated: number;
  rows_removed: number;
  rows_unchanged: number;
  extra_columns: string[];
  warnings: Record<string, number>;
}

export interface LoadRow {
  load_id: number;
  source_dir: string;
  as_of: string | null;
  started_at: string;
  finished_at: string;
  status: string;
  message: string | null;
  files: number;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
  rows_collapsed: number;
  load_files: LoadFileRow[];
}

export interface QuarantineRow {
  load_id: number;
  extract: string;
  file: string;
  line: number | null;
  column_name: string | null;
  value: string | null;
  reason: string;
}

export interface QuarantineFilters {
  load?: number;
  extract?: string;
  reason?: string;
}

const active = (jobs: JobView[] | undefined) =>
  (jobs ?? []).some((j) => j.status === 'QUEUED' || j.status === 'RUNNING');

export function useJobs() {
  return useQuery({
    queryKey: ['ops', 'jobs'],
    queryFn: () => api<{ jobs: JobView[] }>('GET', '/api/ops/jobs', { query: { limit: 50 } }),
    refetchInterval: (q) => (active(q.state.data?.jobs) ? 2000 : false),
  });
}

export function useRuns(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: ['ops', 'runs', page.limit, page.offset],
    queryFn: () => api<{ total: number; runs: RunRow[] }>('GET', '/api/ops/runs', { query: page }),
    placeholderData: keepPreviousData,
  });
}

export function useLoads(page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: ['ops', 'loads', page.limit, page.offset],
    queryFn: () => api<{ total: number; loads: LoadRow[] }>('GET', '/api/ops/loads', { query: page }),
    placeholderData: keepPreviousData,
  });
}

export function useQuarantine(f: QuarantineFilters, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: [
      'ops',
      'quarantine',
      f.load ?? null,
      f.extract ?? null,
      f.reason ?? null,
      page.limit,
      page.offset,
    ],
    queryFn: () =>
      api<{ total: number; rows: QuarantineRow[] }>('GET', '/api/ops/quarantine', {
        query: { ...f, ...page },
      }),
    placeholderData: keepPreviousData,
  });
}

export function useStartRun() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { asOf: string; full?: boolean }) => api<JobView>('POST', '/api/ops/runs', { body: b }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['ops', 'jobs'] }),
  });
}

export function useStartLoad() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { dir: string }) => api<JobView>('POST', '/api/ops/loads', { body: b }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['ops', 'jobs'] }),
  });
}

type Action = { reset: true } | { reset?: false; event: JobEventIn };

/**
 * Follow a job's events: the lines so far, then live ones, until `done` (the EventSource is then closed,
 * else the browser would reconnect). The ledger, loads and quarantine are read again at the end.
 */
export function useJobEvents(jobId: string | null): { progress: JobProgress; broken: boolean } {
  const qc = useQueryClient();
  const [state, dispatch] = useReducer(
    (s: { progress: JobProgress; broken: boolean }, a: Action | { broken: boolean }) => {
      if ('broken' in a) return { ...s, broken: a.broken };
      if (a.reset) return { progress: initialProgress, broken: false };
      return { progress: applyEvent(s.progress, a.event), broken: false };
    },
    { progress: initialProgress, broken: false },
  );
  useEffect(() => {
    dispatch({ reset: true });
    if (!jobId) return;
    const es = new EventSource(`/api/ops/jobs/${encodeURIComponent(jobId)}/events`);
    es.addEventListener('progress', (e) => {
      const m = e as MessageEvent<string>;
      dispatch({ event: { type: 'progress', id: Number(m.lastEventId) || 0, line: m.data } });
    });
    es.addEventListener('done', (e) => {
      es.close();
      try {
        const job = JSON.parse((e as MessageEvent<string>).data) as JobView;
        dispatch({ event: { type: 'done', job } });
      } catch {
        dispatch({ broken: true });
      }
      void qc.invalidateQueries({ queryKey: ['ops'] });
    });
    es.onerror = () => {
      // The browser reconnects by itself (with Last-Event-ID); say so while it is away.
      if (es.readyState !== EventSource.CLOSED) dispatch({ broken: true });
    };
    es.onopen = () => dispatch({ broken: false });
    return () => es.close();
  }, [jobId, qc]);
  return state;
}
