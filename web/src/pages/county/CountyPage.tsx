// 县域 (C2, C5, P2, P10): two tabs — the county debit card funnel (opened → activated → app → first
// payment) and the gen-3 social-security card funnel (issued → activated → benefit credited) of the
// org in view and its children (a click drills down), with the card issuance assessment (the
// dashboard's SSC KPIs: completion vs time progress, children ranked).
import type { UseQueryResult } from '@tanstack/react-query';
import { Breadcrumb, Button, Card, Col, Row, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useDashboard, useOrgs } from '../../api/hooks';
import type { KpiRow, RankingRow } from '../../api/types';
import { useScopeOrg } from '../../app/orgScope';
import { orgAncestors } from '../../app/orgTree';
import { can, useCurrentSession } from '../../app/session';
import { EChart } from '../../components/EChart';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { sortLike, type TableSort, tableSort } from '../../components/tableSort';
import { downloadText, toCsv } from '../../format/csv';
import { formatCount, formatPercent, formatPoints } from '../../format/format';
import { shortLang } from '../../i18n';
import { type CountyRow, type FunnelBody, type SscRow, useCountyFunnel, useSscFunnel } from './api';
import { COUNTY_STAGES, funnelOption, SSC_STAGES, stages } from './charts';

type T = (k: string, o?: Record<string, unknown>) => string;
type FunnelRow = CountyRow | SscRow;
const num = (r: FunnelRow, k: string) => Number((r as unknown as Record<string, unknown>)[k] ?? 0);

const SSC_KPIS = ['SSC_GEN3_ISSUED', 'SSC_GEN3_ACTIVATED'];

function Funnel({
  kind,
  q,
  keys,
  drill,
  t,
}: {
  kind: 'county' | 'ssc';
  q: UseQueryResult<FunnelBody<FunnelRow>>;
  keys: readonly string[];
  drill: (id: string) => void;
  t: T;
}) {
  const [sort, setSort] = useState<TableSort<FunnelRow> | null>(null);
  const d = q.data;
  const label = useCallback((k: string) => t(`county.stages.${k}`), [t]);
  const def = (k: string) => t(`county.defs.${kind === 'ssc' && k === 'activated' ? 'activated_ssc' : k}`);
  const own = d?.rows.find((r) => r.org_id === d.org.org_id);
  const children = (d?.rows ?? []).filter((r) => r.org_id !== d?.org.org_id);
  const s = useMemo(
    () => stages(own as unknown as Record<string, unknown> | undefined, keys, label),
    [own, keys, label],
  );
  const option = useMemo(() => funnelOption(s), [s]);
  if (q.isPending) return <LoadingState />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  if (!d?.asOf || !own) return <EmptyState title={t('county.noData')} hint={t('county.noDataHint')} />;
  const last = keys[keys.length - 1] as string;
  const first = keys[0] as string;
  const rate = (r: FunnelRow) => (num(r, first) > 0 ? num(r, last) / num(r, first) : null);
  const columns: ColumnsType<FunnelRow> = [
    {
      title: t('county.org'),
      dataIndex: 'org_name',
      render: (_, r) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => drill(r.org_id)}>
          {r.org_name ?? r.org_id}
        </Button>
      ),
    },
    ...keys.map((k) => ({
      title: <Tip label={label(k)} def={def(k)} />,
      dataIndex: k,
      align: 'right' as const,
      sorter: (a: FunnelRow, b: FunnelRow) => num(a, k) - num(b, k),
      render: (v: number) => formatCount(v),
    })),
    {
      title: <Tip label={`${label(last)} / ${label(first)}`} def={t('county.defOfFirst')} />,
      key: 'rate',
      align: 'right',
      sorter: (a, b) => (rate(a) ?? -1) - (rate(b) ?? -1),
      render: (_, r) => formatPercent(rate(r)),
    },
  ];
  const exportCsv = () =>
    downloadText(
      `${kind}-funnel-${d.org.org_id}.csv`,
      toCsv(
        [t('county.org'), ...keys.map(label), `${label(last)} / ${label(first)}`],
        [own, ...sortLike(children, sort)].map((r) => [
          r.org_name ?? r.org_id,
          ...keys.map((k) => formatCount(num(r, k))),
          formatPercent(rate(r)),
        ]),
      ),
    );
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24} xl={10}>
        <Card
          size="small"
          title={t('county.funnel', { org: d.org.org_name ?? d.org.org_id })}
          data-testid={`${kind}-funnel-card`}
        >
          <EChart option={option} height={220} testId={`${kind}-funnel`} />
          <Table
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={s}
            style={{ marginTop: 8 }}
            data-testid={`${kind}-stages`}
            columns={[
              { title: '', dataIndex: 'label', render: (v: string, x) => <Tip label={v} def={def(x.key)} /> },
              {
                title: '',
                dataIndex: 'value',
                align: 'right',
                render: (v: number) => <span className="wj-num">{formatCount(v)}</span>,
              },
              {
                title: <Tip label={t('county.ofFirst')} def={t('county.defOfFirst')} />,
                dataIndex: 'ofFirst',
                align: 'right',
                render: (v: number | null) => formatPercent(v),
              },
              {
                title: <Tip label={t('county.ofPrevious')} def={t('county.defOfPrevious')} />,
                dataIndex: 'ofPrevious',
                align: 'right',
                render: (v: number | null) => formatPercent(v),
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={14}>
        <Card
          size="small"
          title={t('county.children')}
          extra={
            <span>
              <span style={{ color: '#8c8c8c', fontSize: 12, marginRight: 8 }}>
                {t('county.rows', { n: children.length })} · {t('county.childrenHint')}
              </span>
              <Button size="small" onClick={exportCsv} data-testid={`export-${kind}`}>
                {t('county.export')}
              </Button>
            </span>
          }
        >
          <Table<FunnelRow>
            size="small"
            rowKey="org_id"
            columns={columns}
            dataSource={children}
            pagination={false}
            scroll={{ x: 640 }}
            onChange={(_p, _f, sorter) => setSort(tableSort(sorter))}
            locale={{ emptyText: <EmptyState title={t('county.noChildren')} /> }}
            data-testid={`${kind}-children`}
          />
        </Card>
      </Col>
    </Row>
  );
}

function Assessment({ org, t, lang }: { org: string; t: T; lang: 'zh' | 'en' }) {
  const q = useDashboard(org);
  if (q.isPending) return <LoadingState />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const kpis = (q.data?.kpis ?? []).filter((k) => SSC_KPIS.includes(k.kpi));
  const ranking = (q.data?.rankings ?? []).filter((r) => r.kpi === 'SSC_GEN3_ISSUED');
  const firstPeriod = ranking[0]?.period;
  const ranked = ranking.filter((r) => r.period === firstPeriod);
  const pctCols = {
    completion: {
      title: <Tip label={t('county.completion')} def={t('county.defCompletion')} />,
      dataIndex: 'completion',
      align: 'right' as const,
      render: (v: string | null) => formatPercent(v),
    },
    time: {
      title: <Tip label={t('county.timeProgress')} def={t('county.defTimeProgress')} />,
      dataIndex: 'time_progress',
      align: 'right' as const,
      render: (v: string) => formatPercent(v),
    },
    gap: {
      title: <Tip label={t('county.gap')} def={t('county.defGap')} />,
      dataIndex: 'gap',
      align: 'right' as const,
      render: (v: string | null, r: { laggard: boolean }) => (
        <span>
          {formatPoints(v, lang)} {r.laggard ? <Tag color="red">{t('county.laggard')}</Tag> : null}
        </span>
      ),
    },
  };
  if (!kpis.length && !ranked.length)
    return <EmptyState title={t('county.noTargets')} hint={t('county.noTargetsHint')} />;
  const kpiName = (k: string) => t(`kpis.${k}`, { defaultValue: k });
  const periodName = (p: string) => t(`periods.${p}`, { defaultValue: p });
  const kpiCols: ColumnsType<KpiRow> = [
    { title: t('county.kpi'), dataIndex: 'kpi', render: kpiName },
    { title: t('county.period'), dataIndex: 'period', render: periodName },
    { title: t('county.actual'), dataIndex: 'actual', align: 'right', render: formatCount },
    { title: t('county.target'), dataIndex: 'target', align: 'right', render: formatCount },
    pctCols.completion,
    pctCols.time,
    pctCols.gap,
    {
      title: t('county.rank'),
      key: 'rank',
      align: 'right',
      render: (_, k) => (k.rank ? `${k.rank}/${k.ranked ?? ''}` : '—'),
    },
  ];
  const rankCols: ColumnsType<RankingRow> = [
    {
      title: t('county.rank'),
      dataIndex: 'rank',
      width: 70,
      sorter: (a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9),
      render: (v) => v ?? '—',
    },
    { title: t('county.org'), dataIndex: 'org_name', render: (v: string | null, r) => v ?? r.org_id },
    { title: t('county.actual'), dataIndex: 'actual', align: 'right', render: formatCount },
    { title: t('county.target'), dataIndex: 'target', align: 'right', render: formatCount },
    pctCols.completion,
    pctCols.gap,
  ];
  return (
    <Row gutter={[12, 12]}>
      <Col xs={24}>
        <Table<KpiRow>
          size="small"
          rowKey={(k) => `${k.kpi}|${k.period}|${k.period_start}`}
          columns={kpiCols}
          dataSource={kpis}
          pagination={false}
          scroll={{ x: 620 }}
          rowClassName={(k) => (k.laggard ? 'wj-row-laggard' : '')}
          data-testid="ssc-kpis"
        />
      </Col>
      <Col xs={24}>
        <div style={{ fontWeight: 500, marginBottom: 4 }}>
          {t('county.ranking')} {firstPeriod ? `· ${periodName(firstPeriod)}` : ''}
        </div>
        <Table<RankingRow>
          size="small"
          rowKey="org_id"
          columns={rankCols}
          dataSource={ranked}
          pagination={false}
          rowClassName={(r) => (r.laggard ? 'wj-row-laggard' : '')}
          locale={{ emptyText: <EmptyState title={t('county.noChildren')} /> }}
          data-testid="ssc-ranking"
        />
      </Col>
    </Row>
  );
}

export function CountyPage() {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const s = useCurrentSession();
  const { orgId: org, setOrgId } = useScopeOrg();
  const [params, setParams] = useSearchParams();
  const orgs = useOrgs();
  const sscAllowed = can(s, 'county:read');
  const tab = params.get('tab') === 'ssc' && sscAllowed ? 'ssc' : 'county';
  const county = useCountyFunnel(org);
  const ssc = useSscFunnel(org, sscAllowed && tab === 'ssc');
  const names = useMemo(
    () => new Map((orgs.data?.orgs ?? []).map((o) => [o.org_id, o.org_name ?? o.org_id])),
    [orgs.data],
  );
  const drill = (id: string) => setOrgId(id);
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
  const items = [
    {
      key: 'county',
      label: t('county.tabCounty'),
      children: <Funnel kind="county" q={county} keys={COUNTY_STAGES} drill={drill} t={t} />,
    },
    ...(sscAllowed
      ? [
          {
            key: 'ssc',
            label: t('county.tabSsc'),
            children: (
              <>
                <Funnel kind="ssc" q={ssc} keys={SSC_STAGES} drill={drill} t={t} />
                {can(s, 'dashboard:read') ? (
                  <Card
                    size="small"
                    title={t('county.assessment')}
                    style={{ marginTop: 12 }}
                    extra={
                      <span style={{ color: '#8c8c8c', fontSize: 12 }}>{t('county.assessmentHint')}</span>
                    }
                    data-testid="ssc-assessment"
                  >
                    <Assessment org={org} t={t} lang={lang} />
                  </Card>
                ) : null}
              </>
            ),
          },
        ]
      : []),
  ];
  return (
    <div data-testid="page-county">
      <PageHead title={t('county.title')} purpose={t('county.purpose')} />
      <Breadcrumb items={crumbs} style={{ marginBottom: 8 }} data-testid="breadcrumbs" />
      <Tabs
        activeKey={tab}
        onChange={(k) =>
          setParams((prev) => {
            const next = new URLSearchParams(prev);
            if (k === 'ssc') next.set('tab', 'ssc');
            else next.delete('tab');
            return next;
          })
        }
        items={items}
        data-testid="county-tabs"
      />
    </div>
  );
}
