// The 审计日志 page's queries (src/server/routes/audit.ts): the log filtered and paged
// (['audit', 'entries', query…]) and the hash chain check (['audit', 'verify']).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { AuditEntry } from './rows';

export interface AuditPage {
  total: number;
  entries: AuditEntry[];
  actions: string[];
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  head: { seq: number; hash: string } | null;
  firstBroken?: { seq: number | null; reason: string };
  checkedAt: string;
}

export type AuditQuery = Record<string, string | number | undefined>;

export function useAuditEntries(query: AuditQuery) {
  return useQuery({
    queryKey: ['audit', 'entries', ...Object.values(query)],
    queryFn: () => api<AuditPage>('GET', '/api/audit', { query }),
    placeholderData: keepPreviousData,
  });
}

export function useAuditVerify() {
  return useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => api<AuditVerification>('GET', '/api/audit/verify'),
  });
}
