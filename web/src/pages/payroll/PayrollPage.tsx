// 代发监测 (P4, P3, P6): the org's 13 months of payroll with the same month a year earlier, YoY and the
// retention rate; its child orgs (a click drills down); the employers of its subtree with tier,
// 12-month means and churn alerts (filters by tier and alert, search, sorting, CSV of what is shown);
// an employer's drawer with its 13 months, YoY and the visit plan.
import { Breadcrumb, Button, Card, Col, Input, Row, Select, Statistic, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useOrgs } from '../../api/hooks';
import { useScopeOrg } from '../../app/orgScope';
import { orgAncestors } from '../../app/orgTree';
import { EChart } from '../../components/EChart';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { sortLike, type TableSort, tableSort } from '../../components/tableSort';
import { downloadText, toCsv } from '../../format/csv';
import { byDecimal } from '../../format/decimal';
import { formatCount, formatMoney, formatPercent, formatWan } from '../../format/format';
import { shortLang } from '../../i18n';
import { type Employer, type PayrollMonth, usePayrollEmployers, usePayrollOrg, usePayrollOrgs } from './api';
import { headline, monthLabel, payrollChartOption, searchEmployers } from './charts';
import { EmployerDrawer } from './EmployerDrawer';

type T = (k: string, o?: Record<string, unknown>) => string;

function Headline({
  months,
  employers,
  t,
  lang,
}: {
  months: PayrollMonth[];
  employers: number;
  t: T;
  lang: 'zh' | 'en';
}) {
  const h = headline(months);
  const month = h.month ? monthLabel(h.month) : '';
  const cards = [
    {
      key: 'employers',
      title: t('payroll.employersCount'),
      def: t('payroll.defEmployersCount'),
      value: formatCount(employers),
      sub: null,
    },
    {
      key: 'amount',
      title: t('payroll.lastAmount', { month }),
      def: t('payroll.defLastAmount'),
      value: formatMoney(h.amount, lang),
      sub: t('payroll.lastYear', { amount: formatMoney(h.lastYearAmount, lang) }),
    },
    { key: 'yoy', title: t('payroll.yoy'), def: t('payroll.defYoy'), value: formatPercent(h.yoy), sub: null },
    {
      key: 'retention',
      title: t('payroll.retention'),
      def: t('payroll.defRetention'),
      value: formatPercent(h.retention),
      sub: `${t('payroll.lastHeadcount', { month })} ${formatCount(h.headcount)}`,
    },
  ];
  return (
    <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
      {cards.map((c) => (
        <Col key={c.key} xs={12} lg={6}>
          <Card size="small" data-testid={`payroll-card-${c.key}`}>
            <Statistic
              title={<Tip label={c.title} def={c.def} />}
              value={c.value}
              valueStyle={{ fontSize: 22 }}
            />
            <div style={{ color: '#8c8c8c', fontSize: 12, minHeight: 18 }}>{c.sub}</div>
          </Card>
        </Col>
      ))}
    </Row>
  );
}

interface ChildRow {
  org_id: string;
  org_name: string;
  employers: number | null;
  amount: string | null;
  yoy: string | null;
  retention: string | null;
}

function Children({
  ids,
  names,
  drill,
  t,
}: {
  ids: string[];
  names: Map<string, string>;
  drill: (id: string) => void;
  t: T;
}) {
  const qs = usePayrollOrgs(ids);
  const wan = t('dashboard.wanUnit');
  const rows: ChildRow[] = ids.map((id, i) => {
    const d = qs[i]?.data;
    const h = headline(d?.months ?? []);
    return {
      org_id: id,
      org_name: names.get(id) ?? id,
      employers: d ? d.employers : null,
      amount: h.amount,
      yoy: h.yoy,
      retention: h.retention,
    };
  });
  const columns: ColumnsType<ChildRow> = [
    {
      title: t('payroll.org'),
      dataIndex: 'org_name',
      render: (_, r) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => drill(r.org_id)}>
          {r.org_name}
        </Button>
      ),
    },
    {
      title: <Tip label={t('payroll.employersCount')} def={t('payroll.defEmployersCount')} />,
      dataIndex: 'employers',
      align: 'right',
      sorter: (a, b) => (a.employers ?? -1) - (b.employers ?? -1),
      render: formatCount,
    },
    {
      title: <Tip label={`${t('payroll.amount')}${wan}`} def={t('payroll.defLastAmount')} />,
      dataIndex: 'amount',
      align: 'right',
      sorter: (a, b) => byDecimal(a.amount, b.amount),
      render: (v: string | null) => formatWan(v),
    },
    {
      title: <Tip label={t('payroll.yoy')} def={t('payroll.defYoy')} />,
      dataIndex: 'yoy',
      align: 'right',
      sorter: (a, b) => byDecimal(a.yoy, b.yoy),
      render: (v: string | null) => formatPercent(v),
    },
    {
      title: <Tip label={t('payroll.retention')} def={t('payroll.defRetention')} />,
      dataIndex: 'retention',
      align: 'right',
      sorter: (a, b) => byDecimal(a.retention, b.retention),
      render: (v: string | null) => formatPercent(v),
    },
  ];
  return (
    <Table<ChildRow>
      size="small"
      rowKey="org_id"
      columns={columns}
      dataSource={rows}
      loading={qs.some((q) => q.isPending)}
      pagination={false}
      scroll={{ x: 560 }}
      locale={{ emptyText: <EmptyState title={t('payroll.noChildren')} /> }}
      data-testid="payroll-children"
    />
  );
}

function Employers({
  org,
  names,
  t,
  open,
}: {
  org: string;
  names: Map<string, string>;
  t: T;
  open: (id: string) => void;
}) {
  const [tier, setTier] = useState<string | undefined>();
  const [alert, setAlert] = useState<string | undefined>();
  const [text, setText] = useState('');
  const q = usePayrollEmployers({ org, tier, alert });
  const rows = useMemo(() => searchEmployers(q.data?.employers ?? [], text), [q.data, text]);
  const [sort, setSort] = useState<TableSort<Employer> | null>(null);
  const alertText = (e: Employer) =>
    e.alert ? t(`payroll.alertKinds.${e.alert.kind}`, { defaultValue: e.alert.kind }) : t('payroll.noAlert');
  const columns: ColumnsType<Employer> = [
    {
      title: t('payroll.employerName'),
      dataIndex: 'employer_name',
      sorter: (a, b) => (a.employer_name ?? '').localeCompare(b.employer_name ?? '', 'zh'),
      render: (_, e) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => open(e.employer_id)}>
          {e.employer_name ?? e.employer_id}
        </Button>
      ),
    },
    {
      title: t('payroll.org'),
      dataIndex: 'org_id',
      render: (v: string | null) => (v ? (names.get(v) ?? v) : '—'),
    },
    {
      title: <Tip label={t('payroll.tier')} def={t('payroll.defTier')} />,
      dataIndex: 'tier',
      width: 90,
      sorter: (a, b) => (a.tier ?? 'Z').localeCompare(b.tier ?? 'Z'),
      render: (v: string | null, e) => (
        <span>
          {v ?? '—'} {e.is_government === 'Y' ? <Tag>{t('payroll.government')}</Tag> : null}
        </span>
      ),
    },
    {
      title: <Tip label={t('payroll.meanAmount')} def={t('payroll.defMeanAmount')} />,
      dataIndex: 'mean_amount_12',
      align: 'right',
      sorter: (a, b) => byDecimal(a.mean_amount_12, b.mean_amount_12),
      render: (v: string | null) => formatWan(v),
    },
    {
      title: <Tip label={t('payroll.meanHeadcount')} def={t('payroll.defMeanHeadcount')} />,
      dataIndex: 'mean_headcount_12',
      align: 'right',
      sorter: (a, b) => byDecimal(a.mean_headcount_12, b.mean_headcount_12),
      render: formatCount,
    },
    {
      title: <Tip label={t('payroll.alert')} def={t('payroll.defAlert')} />,
      key: 'alert',
      sorter: (a, b) => (a.alert?.kind ?? 'Z').localeCompare(b.alert?.kind ?? 'Z'),
      render: (_, e) =>
        e.alert ? (
          <Tag color={e.alert.kind === 'STOPPED' ? 'red' : 'orange'}>{alertText(e)}</Tag>
        ) : (
          alertText(e)
        ),
    },
    {
      title: <Tip label={t('payroll.retention')} def={t('payroll.defRetention')} />,
      key: 'retention',
      align: 'right',
      sorter: (a, b) => byDecimal(a.retention?.rate, b.retention?.rate),
      render: (_, e) => formatPercent(e.retention?.rate),
    },
  ];
  const exportCsv = () => {
    const list = sortLike(rows, sort);
    downloadText(
      `payroll-employers-${org}.csv`,
      toCsv(
        [
          t('payroll.employerName'),
          'ID',
          t('payroll.org'),
          t('payroll.tier'),
          t('payroll.meanAmount'),
          t('payroll.meanHeadcount'),
          t('payroll.alert'),
          t('payroll.retention'),
        ],
        list.map((e) => [
          e.employer_name,
          e.employer_id,
          e.org_id ? (names.get(e.org_id) ?? e.org_id) : '',
          e.tier,
          formatWan(e.mean_amount_12),
          formatCount(e.mean_headcount_12),
          alertText(e),
          formatPercent(e.retention?.rate),
        ]),
      ),
    );
  };
  const total = q.data?.total ?? 0;
  return (
    <>
      <div className="wj-filters">
        <Select
          allowClear
          placeholder={t('payroll.allTiers')}
          style={{ width: 140 }}
          value={tier}
          onChange={setTier}
          options={['A', 'B', 'C'].map((v) => ({ value: v, label: `${t('payroll.tier')} ${v}` }))}
          data-testid="filter-tier"
        />
        <Select
          allowClear
          placeholder={t('payroll.allAlerts')}
          style={{ width: 170 }}
          value={alert}
          onChange={setAlert}
          options={['ANY', 'STOPPED', 'DROP', 'NONE'].map((v) => ({
            value: v,
            label: t(`payroll.alertFilter.${v}`),
          }))}
          data-testid="filter-alert"
        />
        <Input.Search
          allowClear
          placeholder={t('payroll.search')}
          style={{ width: 220 }}
          onChange={(e) => setText(e.target.value)}
        />
        <span style={{ color: '#595959' }} data-testid="employer-count">
          {rows.length === total
            ? t('payroll.rows', { n: formatCount(total) })
            : t('payroll.rowsShown', { shown: formatCount(rows.length), n: formatCount(total) })}
        </span>
        <Button onClick={exportCsv} disabled={!rows.length} data-testid="export-employers">
          {t('payroll.export')}
        </Button>
      </div>
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<Employer>
          size="small"
          rowKey="employer_id"
          columns={columns}
          dataSource={rows}
          loading={q.isPending}
          pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          rowClassName={(e) => (e.alert ? 'wj-row-laggard' : '')}
          onChange={(_p, _f, sorter) => setSort(tableSort(sorter))}
          locale={{
            emptyText: <EmptyState title={t('payroll.noEmployers')} hint={t('payroll.noEmployersHint')} />,
          }}
          data-testid="employers-table"
        />
      )}
    </>
  );
}

export function PayrollPage() {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const { orgId: org, setOrgId } = useScopeOrg();
  const orgs = useOrgs();
  const q = usePayrollOrg(org);
  const [employer, setEmployer] = useState<string | null>(null);
  const d = q.data;
  const names = useMemo(
    () => new Map((orgs.data?.orgs ?? []).map((o) => [o.org_id, o.org_name ?? o.org_id])),
    [orgs.data],
  );
  const children = useMemo(
    () => (orgs.data?.orgs ?? []).filter((o) => o.parent_id === org).map((o) => o.org_id),
    [orgs.data, org],
  );
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
  const ancestors = orgs.data ? orgAncestors(orgs.data.orgs, org) : [org];
  const crumbs = ancestors.map((id, i) => ({
    key: id,
    title:
      i === ancestors.length - 1 ? (
        <span>{names.get(id) ?? id}</span>
      ) : (
        <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => setOrgId(id)}>
          {names.get(id) ?? id}
        </Button>
      ),
  }));

  let body: React.ReactNode;
  if (q.isPending) body = <LoadingState rows={10} />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (!d?.months.length)
    body = <EmptyState title={t('payroll.noData')} hint={t('payroll.noDataHint')} />;
  else
    body = (
      <>
        <Headline months={d.months} employers={d.employers} t={t} lang={lang} />
        <Row gutter={[12, 12]}>
          <Col xs={24} xl={14}>
            <Card size="small" title={t('payroll.chart')} data-testid="payroll-chart-card">
              <div style={{ color: '#8c8c8c', fontSize: 12, marginBottom: 4 }}>{t('payroll.chartHint')}</div>
              <EChart option={option} height={260} testId="payroll-chart" />
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card
              size="small"
              title={t('payroll.children')}
              extra={<span style={{ color: '#8c8c8c', fontSize: 12 }}>{t('payroll.childrenHint')}</span>}
            >
              <Children ids={children} names={names} drill={(id) => setOrgId(id)} t={t} />
            </Card>
          </Col>
        </Row>
        <Card size="small" title={t('payroll.employers')} style={{ marginTop: 12 }}>
          <Employers org={org} names={names} t={t} open={setEmployer} />
        </Card>
        <EmployerDrawer id={employer} onClose={() => setEmployer(null)} />
      </>
    );

  return (
    <div data-testid="page-payroll">
      <PageHead title={t('payroll.title')} purpose={t('payroll.purpose')} />
      <Breadcrumb items={crumbs} style={{ marginBottom: 12 }} data-testid="breadcrumbs" />
      {body}
    </div>
  );
}
