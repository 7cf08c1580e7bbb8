// kpi_credits: what every KPI counts per tracked period (kpi_periods), credited org and staff member —
// before the roll-up up the org tree, which happens when the KPIs are published (src/kpis/progress.ts,
// after the lead lifecycle, whose conversions LEADS_CONVERTED counts). amount / divisor is the credit
// (divisor is 1 except for DEPOSIT_ADB_GROWTH, divided once after the roll-up; see src/kpis/balances.ts).

import { quoteIdent } from '../../../db/dialect.js';
import { dateLiteral } from '../../../extracts/checks.js';
import { type BalancePeriod, balanceCredits } from '../../../kpis/balances.js';
import { KPI_IDS, type KpiId } from '../../../kpis/catalogue.js';
import { eventCreditsSql } from '../../../kpis/credits.js';
import type { Model } from '../../models.js';

export const kpiCreditsModel: Model = {
  name: 'kpi_credits',
  stage: 'kpis',
  description:
    'per tracked KPI period, org and staff member credited: the amount counted so far (amount / divisor), before the roll-up',
  reads: [
    'kpi_periods',
    'org_closure',
    'orgs',
    'staff',
    'balance_live',
    'customers',
    'accounts',
    'payroll',
    'employers',
    'benefit_credits',
    'benefit_programs',
    'bill_agreements',
    'merchants',
    'acquiring',
    'credit_card_applications',
    'products',
    'app_events',
    'ecny_wallets',
  ],
  key: [],
  async build(db, ctx, target) {
    const periods = ctx.tableOf('kpi_periods');
    const balance = (
      await db.query<{
        kpi: BalancePeriod['kpi'];
        period_start: string;
        period_end: string;
        last_day: string;
      }>(
        `SELECT kpi, period_start, period_end, last_day FROM ${periods}
          WHERE kpi IN ('DEPOSIT_ADB_GROWTH', 'AUM_GROWTH') ORDER BY kpi, period_start, period_end`,
      )
    ).map((r) => ({ kpi: r.kpi, start: r.period_start, end: r.period_end, lastDay: r.last_day }));
    const balanceTable = `${target}__balance`;
    await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(balanceTable)}`);
    await balanceCredits(db, {
      asOf: ctx.asOf,
      periods: balance,
      config: ctx.config,
      target: balanceTable,
      balanceLive: ctx.tableOf('balance_live'),
    });
    const events = KPI_IDS.filter((k): k is KpiId => k !== 'DEPOSIT_ADB_GROWTH' && k !== 'AUM_GROWTH');
    await db.exec(`CREATE TABLE ${quoteIdent(target)} AS
      SELECT kpi, CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end,
             CAST(org_id AS VARCHAR) AS org_id, CAST(staff_id AS VARCHAR) AS staff_id,
             CAST(amount AS DECIMAL(38,2)) AS amount, CAST(1 AS BIGINT) AS divisor
        FROM (${eventCreditsSql(periods, dateLiteral(ctx.asOf), events)}) e
      UNION ALL
      SELECT kpi, period_start, period_end, org_id, staff_id, amount, divisor FROM ${quoteIdent(balanceTable)}`);
    await db.exec(`DROP TABLE ${quoteIdent(balanceTable)}`);
  },
};
