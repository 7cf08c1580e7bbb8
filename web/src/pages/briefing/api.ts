// The 周通报 page's query: GET /api/reports/briefing (src/server/routes/reports.ts) — the weekly
// briefing as JSON for reading on screen, only the rows of the user's scope. The download is
// /api/reports/weekly?format=xlsx with the same filters (audited). Key: ['briefing', filters, lang].
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { BriefingKpiData } from './rows';

export interface BriefingFilters {
  level?: string;
  program?: string;
  period?: string;
  view?: string;
}

export interface BriefingBody {
  asOf: string;
  previousAsOf: string | null;
  season: { label: string; start: string; end: string; daysLeft: number } | null;
  phase: {
    phase: string;
    zh: string;
    slogan: string;
    en: string;
    start: string;
    end: string;
    daysLeft: number;
  } | null;
  view: { name: string; title: string } | null;
  levels: string[];
  program: string | null;
  headline: {
    org_id: string;
    org_name: string | null;
    customers: number;
    aum_d: string;
    deposits_d: string;
    adb_mtd: string;
    value_season: string;
  } | null;
  kpis: BriefingKpiData[];
  views: { name: string; title: string; levels?: string[] }[];
}

export function useBriefing(f: BriefingFilters, lang: 'zh' | 'en') {
  return useQuery({
    queryKey: ['briefing', f, lang],
    queryFn: () => api<BriefingBody>('GET', '/api/reports/briefing', { query: { ...f, lang } }),
    retry: false,
  });
}
