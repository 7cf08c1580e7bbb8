// One payroll employer: tier, alert, its 13 months with the same month a year earlier and YoY, the
// retention rate, and the visit plan of its tier with the visits recorded (GET /api/field/visits).
import { Alert, Descriptions, Drawer, Table, Tag } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { can, useCurrentSession } from '../../app/session';
import { EChart } from '../../components/EChart';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { formatCount, formatDate, formatMoney, formatPercent, formatWan } from '../../format/format';
import { shortLang } from '../../i18n';
import { type PayrollMonth, useEmployerVisits, usePayrollEmployer } from './api';
import { headline, monthLabel, payrollChartOption, visitPlanKey } from './charts';

export function EmployerDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const s = useCurrentSession();
  const q = usePayrollEmployer(id);
  const visits = useEmployerVisits(id, can(s, 'field:read'));
  const d = q.data;
  const option = useMemo(
    () =>
      payrollChartOption(d?.months ?? [], {
        amount: t('payroll.amount'),
        lastYear: t('payroll.amountLastYear'),
        headcount: t('payroll.headcount'),
        amountAxis: t('payroll.amountAxis'),
        headcountAxis: t('payroll.headcountAxis'),
      }),
    [d, t],
  );
  const h = headline(d?.months ?? []);
  const e = d?.employer;
  let body: React.ReactNode = null;
  if (q.isPending) body = <LoadingState />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (e)
    body = (
      <>
        {e.alert ? (
          <Alert
            type={e.alert.kind === 'STOPPED' ? 'error' : 'warning'}
            showIcon
            style={{ marginBottom: 12 }}
            message={t('payroll.alertDetail', {
              kind: t(`payroll.alertKinds.${e.alert.kind}`, { defaultValue: e.alert.kind }),
              headcount: formatCount(e.alert.headcount_l),
              avg3: Number(e.alert.avg3).toFixed(1),
            })}
            data-testid="employer-alert"
          />
        ) : null}
        <Descriptions size="small" column={2} bordered style={{ marginBottom: 12 }}>
          <Descriptions.Item label={<Tip label={t('payroll.tier')} def={t('payroll.defTier')} />}>
            {e.tier ?? '—'} {e.is_government === 'Y' ? <Tag>{t('payroll.government')}</Tag> : null}
          </Descriptions.Item>
          <Descriptions.Item label={<Tip label={t('payroll.meanAmount')} def={t('payroll.defMeanAmount')} />}>
            {formatWan(e.mean_amount_12)}
          </Descriptions.Item>
          <Descriptions.Item
            label={
              <Tip
                label={t('payroll.lastAmount', { month: h.month ? monthLabel(h.month) : '' })}
                def={t('payroll.defLastAmount')}
              />
            }
          >
            {formatMoney(h.amount, lang)}
          </Descriptions.Item>
          <Descriptions.Item label={<Tip label={t('payroll.yoy')} def={t('payroll.defYoy')} />}>
            <span data-testid="employer-yoy">{formatPercent(h.yoy)}</span>
            <div style={{ color: '#8c8c8c', fontSize: 12 }}>
              {t('payroll.lastYear', { amount: formatMoney(h.lastYearAmount, lang) })}
            </div>
          </Descriptions.Item>
          <Descriptions.Item
            label={<Tip label={t('payroll.meanHeadcount')} def={t('payroll.defMeanHeadcount')} />}
          >
            {formatCount(e.mean_headcount_12)}
          </Descriptions.Item>
          <Descriptions.Item label={<Tip label={t('payroll.retention')} def={t('payroll.defRetention')} />}>
            {formatPercent(e.retention?.rate)}
          </Descriptions.Item>
        </Descriptions>
        <h5 style={{ margin: '8px 0' }}>{t('payroll.detailChart')}</h5>
        <EChart option={option} height={240} testId="employer-chart" />
        <Table<PayrollMonth>
          size="small"
          rowKey="month"
          pagination={false}
          dataSource={d.months}
          style={{ marginTop: 8 }}
          columns={[
            { title: t('payroll.month'), dataIndex: 'month', render: monthLabel },
            {
              title: `${t('payroll.amount')}${t('dashboard.wanUnit')}`,
              dataIndex: 'amount',
              align: 'right',
              render: (v: string) => formatWan(v),
            },
            { title: t('payroll.headcount'), dataIndex: 'headcount', align: 'right', render: formatCount },
            {
              title: t('payroll.yoy'),
              dataIndex: 'yoy_ratio',
              align: 'right',
              render: (v) => formatPercent(v),
            },
            {
              title: t('payroll.retention'),
              dataIndex: 'retention_rate',
              align: 'right',
              render: (v) => formatPercent(v),
            },
          ]}
        />
        <h5 style={{ margin: '16px 0 8px' }}>{t('payroll.visitPlan')}</h5>
        <div data-testid="visit-plan">{t(`payroll.visitPlans.${visitPlanKey(e.tier)}`)}</div>
        {can(s, 'field:read') ? (
          <>
            <h5 style={{ margin: '16px 0 8px' }}>{t('payroll.visits')}</h5>
            {visits.isError ? (
              <ErrorState error={visits.error} onRetry={() => void visits.refetch()} />
            ) : (
              <Table
                size="small"
                rowKey="visit_id"
                loading={visits.isPending}
                pagination={false}
                dataSource={visits.data?.visits ?? []}
                locale={{
                  emptyText: <EmptyState title={t('payroll.noVisits')} hint={t('payroll.noVisitsHint')} />,
                }}
                columns={[
                  { title: t('payroll.visitedOn'), dataIndex: 'visited_on', render: (v) => formatDate(v) },
                  {
                    title: t('payroll.outcome'),
                    dataIndex: 'outcome',
                    render: (v: string) => t(`payroll.visitOutcomes.${v}`, { defaultValue: v }),
                  },
                  { title: t('payroll.nextDate'), dataIndex: 'next_date', render: (v) => formatDate(v) },
                ]}
              />
            )}
          </>
        ) : null}
      </>
    );
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={720}
      title={e ? `${e.employer_name ?? e.employer_id} · ${e.employer_id}` : t('payroll.drawerTitle')}
      destroyOnHidden
      data-testid="employer-drawer"
    >
      {body}
    </Drawer>
  );
}
