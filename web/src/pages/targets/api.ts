// The 指标 page's queries (src/server/routes/targets.ts): GET /api/targets (the season's targets in
// scope, key ['targets']), POST /api/targets (a CSV or xlsx file as the body; all rows or none),
// GET /api/targets/split (the cascade previewed, nothing written, key ['targetSplit', …]) and
// POST /api/targets/split (written, with the user's edits; audited).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../../api/client';
import type { TargetListRow, Unit } from './split';

export interface TargetsBody {
  season: string;
  targets: TargetListRow[];
}

export function useTargets() {
  return useQuery({ queryKey: ['targets'], queryFn: () => api<TargetsBody>('GET', '/api/targets') });
}

export interface LoadResult {
  season: string;
  season_start: string;
  format: 'csv' | 'xlsx';
  encoding?: string;
  ignored_columns: string[];
  rows: number;
  inserted: number;
  replaced: number;
  unchanged: number;
}

/** A refused file: the server's words and its validation report (nothing was loaded). */
export class FileRefusedError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly problems: string[],
    readonly total: number,
  ) {
    super(status, code, message);
  }
}

/** Send a target file as the body (the JSON client cannot send bytes). */
export function useUploadTargets(csrfToken: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (f: { file: File; type: string }): Promise<LoadResult> => {
      let res: Response;
      try {
        res = await fetch('/api/targets', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': f.type, accept: 'application/json', 'x-csrf-token': csrfToken },
          body: await f.file.arrayBuffer(),
        });
      } catch {
        throw new ApiError(0, 'NETWORK', 'the server cannot be reached');
      }
      const data = (await res.json().catch(() => null)) as
        | (LoadResult & { error?: { code: string; message: string }; problems?: string[]; total?: number })
        | null;
      if (!res.ok)
        throw new FileRefusedError(
          res.status,
          data?.error?.code ?? `HTTP_${res.status}`,
          data?.error?.message ?? res.statusText,
          data?.problems ?? [],
          data?.total ?? data?.problems?.length ?? 0,
        );
      return data as LoadResult;
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['targets'] }),
  });
}

export interface SplitParams {
  kpi: string;
  period: string;
  from: string;
  by: 'CUSTOMERS' | 'EQUAL' | 'LAST_SEASON';
  toStaff: boolean;
}

export interface SplitBody {
  season: string;
  season_start: string;
  kpi: string;
  unit: Unit;
  period: { label: string; start: string; end: string };
  from: string;
  from_name: string | null;
  parent_target: string;
  parent_source: 'TARGETS' | 'SEASON_FILE';
  by: SplitParams['by'];
  basis_as_of?: string;
  source_ref: string;
  rows: {
    scope_kind: 'ORG' | 'STAFF';
    scope_id: string;
    name: string | null;
    measure: string;
    target: string;
    edited: boolean;
  }[];
  notes: string[];
}

export function useSplitPreview(p: SplitParams | null) {
  return useQuery({
    queryKey: ['targetSplit', p],
    queryFn: () => api<SplitBody>('GET', '/api/targets/split', { query: { ...(p as SplitParams) } }),
    enabled: p !== null,
    retry: false,
  });
}

export function useSaveSplit() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (b: SplitParams & { targets: { scope_id: string; target: string }[] }) =>
      api<SplitBody>('POST', '/api/targets/split', { body: b }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['targets'] }),
  });
}
