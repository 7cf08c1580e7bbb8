// The segments page's query (GET /api/segments, src/server/routes/segments.ts); the sizes over the
// season come from the dashboard's segmentTrend (useDashboard). Key: ['segments', org].
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface GroupFigures {
  members: number;
  aum_d: string;
  value_season: string;
  value_share: string | null;
}

export interface SegmentFigures extends GroupFigures {
  segment: string;
}

export interface CountyGroupFigures extends GroupFigures {
  county_group: string;
}

export interface SegmentsBody {
  asOf: string | null;
  org: { org_id: string; org_name: string | null; level: string | null; parent_id: string | null };
  orgValue: string | null;
  segments: SegmentFigures[];
  countyGroups: CountyGroupFigures[];
}

export function useSegments(org: string) {
  return useQuery({
    queryKey: ['segments', org],
    queryFn: () => api<SegmentsBody>('GET', '/api/segments', { query: { org } }),
  });
}
