// One hook per API query (TanStack Query) and one per write. Query keys: ['session'], ['orgs'],
// ['dashboard', org], ['tasks', filters], ['task', id, lang], ['activities', lang].

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { OrgRow } from '../app/orgTree';
import type { BookingBody } from '../pages/tasks/appointment';
import { ApiError, api, setCsrfToken } from './client';
import type { ApiResponse } from './schema';
import type {
  BookedAppointment,
  Dashboard,
  MovedTask,
  Outcome,
  OutcomeResult,
  Session,
  TaskDetail,
  TaskList,
} from './types';

/** Set at sign-in, cleared at sign-out or 401: a fresh visit asks nothing before the sign-in page. */
const SIGNED_IN_FLAG = 'wangji.signedIn';
export const markSignedIn = (on: boolean) => {
  if (on) localStorage.setItem(SIGNED_IN_FLAG, '1');
  else localStorage.removeItem(SIGNED_IN_FLAG);
};

export type ApiLang = 'zh' | 'en';

/** Who is signed in (null: nobody). */
export function useSession() {
  return useQuery<Session | null>({
    queryKey: ['session'],
    queryFn: async () => {
      if (!localStorage.getItem(SIGNED_IN_FLAG)) return null;
      try {
        const s = await api<Session>('GET', '/api/session');
        setCsrfToken(s.csrfToken);
        return s;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          markSignedIn(false);
          return null;
        }
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: { username: string; password: string }) =>
      api<Session>('POST', '/api/session', { body: b }),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken);
      markSignedIn(true);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      qc.setQueryData(['session'], s);
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<{ signedOut: true }>('DELETE', '/api/session'),
    onSettled: () => {
      setCsrfToken(null);
      markSignedIn(false);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      qc.setQueryData(['session'], null);
    },
  });
}

/** The orgs in the user's scope (GET /api/orgs), for the org picker. */
export function useOrgs(enabled = true) {
  return useQuery({
    queryKey: ['orgs'],
    queryFn: () => api<{ root: string; orgs: OrgRow[] }>('GET', '/api/orgs'),
    enabled,
    staleTime: 10 * 60_000,
  });
}

export function useDashboard(org: string | undefined, enabled = true) {
  return useQuery({
    queryKey: ['dashboard', org],
    queryFn: () => api<Dashboard>('GET', '/api/dashboard', { query: { org } }),
    enabled: enabled && Boolean(org),
  });
}

export interface TaskFilters {
  view: 'all' | 'mine' | 'pool';
  status: string[];
  activity?: string;
  limit: number;
  offset: number;
  lang: ApiLang;
}

export function useTasks(f: TaskFilters) {
  return useQuery({
    queryKey: ['tasks', f],
    queryFn: () =>
      api<TaskList>('GET', '/api/tasks', {
        query: {
          view: f.view,
          status: f.status.length ? f.status.join(',') : undefined,
          activity: f.activity,
          limit: f.limit,
          offset: f.offset,
          lang: f.lang,
        },
      }),
    placeholderData: keepPreviousData,
  });
}

/**
 * The activities the user's open tasks belong to, for the activity filter (the API has no list of
 * activities: this reads the first 1,000 open tasks in scope and keeps their activities).
 */
export function useTaskActivities(lang: ApiLang) {
  return useQuery({
    queryKey: ['activities', lang],
    queryFn: async () => {
      const list = await api<TaskList>('GET', '/api/tasks', { query: { view: 'all', limit: 1000, lang } });
      const seen = new Map<string, string>();
      for (const t of list.tasks) seen.set(t.activity_id, t.activity_name);
      return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id));
    },
    staleTime: 5 * 60_000,
  });
}

export function useTask(id: number | null, lang: ApiLang) {
  return useQuery({
    queryKey: ['task', id, lang],
    queryFn: () => api<TaskDetail>('GET', `/api/tasks/${id}`, { query: { lang } }),
    enabled: id !== null,
  });
}

const useTaskWrite = <V, R>(fn: (v: V) => Promise<R>) => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['tasks'] });
      void qc.invalidateQueries({ queryKey: ['task'] });
    },
  });
};

export const useRecordOutcome = () =>
  useTaskWrite((v: { id: number; outcome: Outcome; reason?: string }) =>
    api<OutcomeResult>('POST', `/api/tasks/${v.id}/outcome`, {
      body: v.reason ? { outcome: v.outcome, reason: v.reason } : { outcome: v.outcome },
    }),
  );

export const usePickUp = () =>
  useTaskWrite((id: number) => api<MovedTask>('POST', `/api/tasks/${id}/pickup`));

export const useReassign = () =>
  useTaskWrite((v: { id: number; staffId?: string; poolOrgId?: string }) =>
    api<MovedTask>('POST', `/api/tasks/${v.id}/reassign`, {
      body: v.staffId ? { staffId: v.staffId } : { poolOrgId: v.poolOrgId },
    }),
  );

/** Book a home visit from a task (POST /api/tasks/:id/appointment). */
export const useBookFromTask = () =>
  useTaskWrite((v: { id: number; body: BookingBody }) =>
    api<BookedAppointment>('POST', `/api/tasks/${v.id}/appointment`, { body: v.body }),
  );

export type TeamMember = ApiResponse<'/api/team'>['members'][number];

/** The team's progress on leads in an org's subtree (managers). */
export function useTeam(org: string) {
  return useQuery({
    queryKey: ['team', org],
    queryFn: () => api<ApiResponse<'/api/team'>>('GET', '/api/team', { query: { org } }),
  });
}
