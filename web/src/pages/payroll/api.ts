// The payroll page's queries (GET /api/payroll/…, /api/field/visits) and their response shapes
// (src/server/routes/payroll.ts, src/field/visits.ts). Keys: ['payroll', 'org', id],
// ['payroll', 'employers', filters], ['payroll', 'employer', id], ['payroll', 'visits', employer].
import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface PayrollAlert {
  kind: string;
  headcount_l: number;
  avg3: string;
  amount_l: string;
  yoy_ratio: string | null;
}

export interface Employer {
  employer_id: string;
  employer_name: string | null;
  industry: string | null;
  is_government: string | null;
  org_id: string | null;
  corporate_rm_id: string | null;
  tier: string | null;
  mean_amount_12: string | null;
  mean_headcount_12: string | null;
  alert: PayrollAlert | null;
  retention: { month: string; rate: string | null } | null;
}

export interface PayrollMonth {
  month: string;
  headcount: number;
  amount: string;
  yoy_ratio: string | null;
  retention_rate: string | null;
}

export interface OrgPayroll {
  org_id: string;
  employers: number;
  months: PayrollMonth[];
}

export interface EmployerList {
  months: string[];
  total: number;
  employers: Employer[];
}

export interface EmployerDetail {
  employer: Employer;
  months: PayrollMonth[];
}

export interface Visit {
  visit_id: number;
  kind: string;
  employer_id: string | null;
  org_id: string;
  staff_id: string;
  visited_on: string;
  outcome: string;
  next_date: string | null;
}

export interface EmployerFilters {
  org: string;
  tier?: string;
  alert?: string;
}

const orgQuery = (id: string) => ({
  queryKey: ['payroll', 'org', id],
  queryFn: () => api<OrgPayroll>('GET', `/api/payroll/orgs/${encodeURIComponent(id)}`),
});

export function usePayrollOrg(id: string) {
  return useQuery(orgQuery(id));
}

/** The payroll of several orgs (the children of the org in view). */
export function usePayrollOrgs(ids: string[]) {
  return useQueries({ queries: ids.map(orgQuery) });
}

export function usePayrollEmployers(f: EmployerFilters) {
  return useQuery({
    queryKey: ['payroll', 'employers', f],
    queryFn: () =>
      api<EmployerList>('GET', '/api/payroll/employers', {
        query: { org: f.org, tier: f.tier, alert: f.alert, limit: 1000 },
      }),
  });
}

export function usePayrollEmployer(id: string | null) {
  return useQuery({
    queryKey: ['payroll', 'employer', id],
    queryFn: () => api<EmployerDetail>('GET', `/api/payroll/employers/${encodeURIComponent(id ?? '')}`),
    enabled: id !== null,
  });
}

export function useEmployerVisits(employer: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['payroll', 'visits', employer],
    queryFn: () => api<{ visits: Visit[] }>('GET', '/api/field/visits', { query: { employer, limit: 50 } }),
    enabled: enabled && employer !== null,
  });
}
