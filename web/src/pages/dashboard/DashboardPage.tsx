// 作战看板: headline cards, completion vs time progress per KPI, the children's ranking with drill-down
// (a click on an org name moves one level down; the breadcrumbs bring you back), segment sizes, alerts.
import { InfoCircleOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Breadcrumb,
  Button,
  Card,
  Col,
  List,
  Row,
  Select,
  Statistic,
  Switch,
  Table,
  Tabs,
  Tag,
  Tooltip,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDashboard, useOrgs } from '../../api/hooks';
import type { Dashboard, OrgMeasures, RankingRow } from '../../api/types';
import { useScopeOrg } from '../../app/orgScope';
import { orgAncestors } from '../../app/orgTree';
import { EChart } from '../../components/EChart';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import {
  formatChange,
  formatCount,
  formatMoney,
  formatPercent,
  formatPoints,
  formatRankChange,
  formatWan,
} from '../../format/format';
import { shortLang } from '../../i18n';
import { completionChartOption, defaultRankingKey, kpiBars, rankingKeys, rankingOf } from './charts';
import { isMoneyKpi } from './kpis';

type T = (k: string, o?: Record<string, unknown>) => string;

function Headline({ d, t, lang }: { d: Dashboard; t: T; lang: 'zh' | 'en' }) {
  const m = d.measures[0];
  if (!m) return null;
  const w = d.weekBefore;
  const cards: { key: string; title: string; def: string; value: string; change: string | null }[] = [
    {
      key: 'customers',
      title: t('dashboard.customers'),
      def: t('dashboard.defCustomers'),
      value: formatCount(m.customers),
      change: w ? formatChange(m.customers - w.customers, 'count', lang) : null,
    },
    {
      key: 'aum',
      title: t('dashboard.aum'),
      def: t('dashboard.defAum'),
      value: formatMoney(m.aum_d, lang),
      change: w ? formatChange(Number(m.aum_d) - Number(w.aum_d), 'money', lang) : null,
    },
    {
      key: 'deposits',
      title: t('dashboard.deposits'),
      def: t('dashboard.defDeposits'),
      value: formatMoney(m.deposits_d, lang),
      change: w ? formatChange(Number(m.deposits_d) - Number(w.deposits_d), 'money', lang) : null,
    },
    {
      key: 'value',
      title: t('dashboard.value'),
      def: t('dashboard.defValue'),
      value: formatMoney(m.value_season, lang),
      change: w ? formatChange(Number(m.value_season) - Number(w.value_season), 'money', lang) : null,
    },
  ];
  return (
    <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
      {cards.map((c) => (
        <Col key={c.key} xs={12} lg={6}>
          <Card size="small" data-testid={`card-${c.key}`}>
            <Statistic
              title={
                <Tooltip title={`${c.def} ${t('dashboard.dataDate', { date: d.asOf })}`}>
                  <span>
                    {c.title} <InfoCircleOutlined />
                  </span>
                </Tooltip>
              }
              value={c.value}
              valueStyle={{ fontSize: 22 }}
            />
            <div style={{ color: '#8c8c8c', fontSize: 12 }}>
              {c.change !== null
                ? t('dashboard.sinceWeek', { change: c.change })
                : t('dashboard.noWeekBefore')}
            </div>
          </Card>
        </Col>
      ))}
    </Row>
  );
}

function kpiAmount(kpi: string, v: string | null, lang: 'zh' | 'en') {
  return isMoneyKpi(kpi) ? formatMoney(v, lang) : formatCount(v);
}

function Rankings({
  d,
  t,
  lang,
  drill,
}: {
  d: Dashboard;
  t: T;
  lang: 'zh' | 'en';
  drill: (org: string) => void;
}) {
  const keys = rankingKeys(d.rankings);
  const initial = defaultRankingKey(d.rankings);
  const [chosen, setChosen] = useState<string | null>(null);
  const [laggardsOnly, setLaggardsOnly] = useState(false);
  const key = chosen ?? (initial ? `${initial.kpi}|${initial.period}` : null);
  const [kpi = '', period = ''] = key ? key.split('|') : [];
  const rows = rankingOf(d.rankings, kpi, period).filter((r) => !laggardsOnly || r.laggard);
  const columns: ColumnsType<RankingRow> = [
    {
      title: t('dashboard.rank'),
      dataIndex: 'rank',
      width: 110,
      sorter: (a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9),
      render: (_, r) => {
        const c = formatRankChange(r.rank_change);
        return (
          <span className="wj-num">
            {r.rank ?? '—'}
            {r.ranked ? `/${r.ranked}` : ''}{' '}
            <span className={c.dir === 'up' ? 'wj-up' : c.dir === 'down' ? 'wj-down' : undefined}>
              {c.text}
            </span>
          </span>
        );
      },
    },
    {
      title: t('dashboard.org'),
      dataIndex: 'org_name',
      render: (_, r) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => drill(r.org_id)}>
          {r.org_name ?? r.org_id}
        </Button>
      ),
    },
    {
      title: t('dashboard.completionLabel'),
      dataIndex: 'completion',
      align: 'right',
      sorter: (a, b) => Number(a.completion ?? -1) - Number(b.completion ?? -1),
      render: (v: string | null) => formatPercent(v),
    },
    {
      title: t('dashboard.timeProgressLabel'),
      dataIndex: 'time_progress',
      align: 'right',
      render: (v: string) => formatPercent(v),
    },
    {
      title: t('dashboard.gap'),
      dataIndex: 'gap',
      align: 'right',
      sorter: (a, b) => Number(a.gap ?? -9) - Number(b.gap ?? -9),
      render: (v: string | null, r) => (
        <span>
          {formatPoints(v, lang)} {r.laggard ? <Tag color="red">{t('dashboard.laggard')}</Tag> : null}
        </span>
      ),
    },
    {
      title: t('dashboard.actual'),
      dataIndex: 'actual',
      align: 'right',
      render: (v: string) => kpiAmount(kpi, v, lang),
    },
    {
      title: t('dashboard.target'),
      dataIndex: 'target',
      align: 'right',
      render: (v: string | null) => kpiAmount(kpi, v, lang),
    },
  ];
  return (
    <>
      <div className="wj-filters">
        <span>{t('dashboard.kpi')}</span>
        <Select
          style={{ minWidth: 240 }}
          value={key}
          onChange={setChosen}
          options={keys.map((k) => ({
            value: `${k.kpi}|${k.period}`,
            label: `${t(`kpis.${k.kpi}`)} · ${t(`periods.${k.period}`, { defaultValue: k.period })}`,
          }))}
          data-testid="ranking-kpi"
        />
        <Switch checked={laggardsOnly} onChange={setLaggardsOnly} /> <span>{t('dashboard.laggardOnly')}</span>
      </div>
      <Table<RankingRow>
        size="small"
        rowKey="org_id"
        columns={columns}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 760 }}
        rowClassName={(r) => (r.laggard ? 'wj-row-laggard' : '')}
        locale={{ emptyText: <EmptyState title={t('dashboard.noChildren')} /> }}
        data-testid="ranking-table"
      />
    </>
  );
}

function Overview({ d, t, drill }: { d: Dashboard; t: T; drill: (org: string) => void }) {
  const rows = d.measures.slice(1);
  const wan = t('dashboard.wanUnit');
  const columns: ColumnsType<OrgMeasures> = [
    {
      title: t('dashboard.org'),
      dataIndex: 'org_name',
      fixed: 'left',
      render: (_, r) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => drill(r.org_id)}>
          {r.org_name ?? r.org_id}
        </Button>
      ),
    },
    {
      title: t('dashboard.level'),
      dataIndex: 'level',
      render: (v: string | null) => (v ? t(`levels.${v}`) : '—'),
    },
    {
      title: t('dashboard.customers'),
      dataIndex: 'customers',
      align: 'right',
      sorter: (a, b) => a.customers - b.customers,
      render: formatCount,
    },
    {
      title: t('dashboard.newCustomers'),
      dataIndex: 'new_customers',
      align: 'right',
      sorter: (a, b) => a.new_customers - b.new_customers,
      render: formatCount,
    },
    {
      title: `${t('dashboard.aum')}${wan}`,
      dataIndex: 'aum_d',
      align: 'right',
      sorter: (a, b) => Number(a.aum_d) - Number(b.aum_d),
      render: (v: string) => formatWan(v),
    },
    {
      title: `${t('dashboard.deposits')}${wan}`,
      dataIndex: 'deposits_d',
      align: 'right',
      sorter: (a, b) => Number(a.deposits_d) - Number(b.deposits_d),
      render: (v: string) => formatWan(v),
    },
    {
      title: `${t('dashboard.value')}${wan}`,
      dataIndex: 'value_season',
      align: 'right',
      sorter: (a, b) => Number(a.value_season) - Number(b.value_season),
      render: (v: string) => formatWan(v),
    },
  ];
  return (
    <Table<OrgMeasures>
      size="small"
      rowKey="org_id"
      columns={columns}
      dataSource={rows}
      pagination={false}
      scroll={{ x: 760 }}
      locale={{ emptyText: <EmptyState title={t('dashboard.noChildren')} /> }}
    />
  );
}

export function DashboardPage() {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const qc = useQueryClient();
  const { orgId: org, setOrgId } = useScopeOrg();
  const orgs = useOrgs();
  const q = useDashboard(org);
  const d = q.data;

  // Drill-down moves one level down; the breadcrumbs are the org's ancestors within the scope.
  const drill = (child: string) => setOrgId(child);
  const ancestors = orgs.data ? orgAncestors(orgs.data.orgs, org).slice(0, -1) : [];
  const nameOf = (id: string) =>
    orgs.data?.orgs.find((o) => o.org_id === id)?.org_name ??
    qc.getQueryData<Dashboard>(['dashboard', id])?.org.org_name ??
    id;

  const bars = useMemo(
    () => (d ? kpiBars(d.kpis, (k) => `${t(`kpis.${k.kpi}`, { defaultValue: k.kpi })}`) : []),
    [d, t],
  );
  const option = useMemo(
    () =>
      completionChartOption(bars, {
        completion: t('dashboard.completionLabel'),
        timeProgress: t('dashboard.timeProgressLabel'),
      }),
    [bars, t],
  );

  const crumbs = [
    ...ancestors.map((id) => ({
      key: id,
      title: (
        <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => setOrgId(id)}>
          {nameOf(id)}
        </Button>
      ),
    })),
    { key: org, title: <span>{d?.org.org_name ?? org}</span> },
  ];

  let body: React.ReactNode;
  if (q.isPending) body = <LoadingState rows={10} />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (!d?.asOf) body = <EmptyState title={t('states.noPipeline')} hint={t('states.noPipelineHint')} />;
  else
    body = (
      <>
        <Headline d={d} t={t} lang={lang} />
        <Row gutter={[12, 12]}>
          <Col xs={24} xl={14}>
            <Card size="small" title={t('dashboard.completion')} data-testid="completion-card">
              <div style={{ color: '#8c8c8c', fontSize: 12, marginBottom: 4 }}>
                {t('dashboard.completionHint')}
              </div>
              {bars.length ? (
                <EChart option={option} height={56 + bars.length * 32} testId="completion-chart" />
              ) : (
                <EmptyState title={t('dashboard.noTargets')} />
              )}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card
              size="small"
              title={t('dashboard.alerts')}
              style={{ marginBottom: 12 }}
              data-testid="alerts"
            >
              <List
                size="small"
                dataSource={d.alerts}
                locale={{ emptyText: t('dashboard.noAlerts') }}
                renderItem={(a) => (
                  <List.Item>
                    <Tag color={a.severity === 'HIGH' ? 'red' : a.severity === 'MEDIUM' ? 'orange' : 'blue'}>
                      {t(`alertSeverity.${a.severity}`)}
                    </Tag>
                    <span style={{ flex: 1 }}>{lang === 'en' ? a.en : a.zh}</span>
                  </List.Item>
                )}
              />
            </Card>
            <Card size="small" title={t('dashboard.segments')} data-testid="segments">
              <Table
                size="small"
                rowKey="segment"
                pagination={false}
                dataSource={d.segments}
                columns={[
                  {
                    title: t('dashboard.segment'),
                    dataIndex: 'segment',
                    render: (v: string) => t(`segments.${v}`, { defaultValue: v }),
                  },
                  {
                    title: t('dashboard.members'),
                    dataIndex: 'members',
                    align: 'right',
                    sorter: (a, b) => a.members - b.members,
                    render: formatCount,
                  },
                ]}
              />
            </Card>
          </Col>
        </Row>
        <Card size="small" style={{ marginTop: 12 }}>
          <Tabs
            items={[
              {
                key: 'ranking',
                label: t('dashboard.ranking'),
                children: <Rankings d={d} t={t} lang={lang} drill={drill} />,
              },
              {
                key: 'overview',
                label: t('dashboard.overview'),
                children: <Overview d={d} t={t} drill={drill} />,
              },
            ]}
          />
        </Card>
      </>
    );

  return (
    <div data-testid="page-dashboard">
      <PageHead title={t('dashboard.title')} purpose={t('dashboard.purpose')} />
      <Breadcrumb items={crumbs} style={{ marginBottom: 12 }} data-testid="breadcrumbs" />
      {body}
    </div>
  );
}
