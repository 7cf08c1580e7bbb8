// The county page's queries (GET /api/funnels/county, /api/funnels/ssc: src/server/routes/funnels.ts)
// and their shapes: the org's row first, then its children's. Keys: ['funnels', 'county' | 'ssc', org].
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

interface OrgCols {
  org_id: string;
  org_name: string | null;
  level: string | null;
}

export interface CountyRow extends OrgCols {
  opened: number;
  activated: number;
  app_registered: number;
  first_payment: number;
}

export interface SscRow extends OrgCols {
  issued: number;
  activated: number;
  credited: number;
}

export interface FunnelBody<R> {
  asOf: string | null;
  org: OrgCols & { parent_id: string | null };
  rows: R[];
}

export function useCountyFunnel(org: string) {
  return useQuery({
    queryKey: ['funnels', 'county', org],
    queryFn: () => api<FunnelBody<CountyRow>>('GET', '/api/funnels/county', { query: { org } }),
  });
}

export function useSscFunnel(org: string, enabled: boolean) {
  return useQuery({
    queryKey: ['funnels', 'ssc', org],
    queryFn: () => api<FunnelBody<SscRow>>('GET', '/api/funnels/ssc', { query: { org } }),
    enabled,
  });
}
