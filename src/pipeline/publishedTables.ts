// Every table a run publishes, with its key: the models' tables and the lead lifecycle's own (written
// inside the publish transaction, PLAYBOOK.md). One list for the checks that compare whole
// publications — the two engines, a restore, a rerun after a crash, the sharded run.

import { loadModels } from './models.js';

export interface PublishedTable {
  name: string;
  key: string[];
}

/** The lifecycle's tables and the KPI tables published after it (src/leads, src/kpis). */
export const LIFECYCLE_TABLES: readonly PublishedTable[] = [
  { name: 'leads', key: ['lead_id'] },
  { name: 'lead_holdouts', key: ['lead_id'] },
  { name: 'tasks', key: ['task_id'] },
  { name: 'contacts', key: ['contact_id'] },
  { name: 'consent_events', key: ['customer_id', 'event'] },
  { name: 'conversions', key: ['lead_id'] },
  { name: 'incentive_ledger', key: ['entry_id'] },
  { name: 'uplift', key: ['season_start', 'activity_id', 'scope'] },
  { name: 'budgets', key: ['branch_id', 'kind'] },
  { name: 'kpi_progress', key: ['as_of', 'kpi', 'scope_kind', 'scope_id', 'period_start', 'period_end'] },
  { name: 'lead_funnel', key: ['activity_id'] },
];

export function publishedTables(): PublishedTable[] {
  return [...loadModels().map((m) => ({ name: m.name, key: m.key })), ...LIFECYCLE_TABLES];
}
