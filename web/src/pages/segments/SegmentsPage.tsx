// 客群 (G2, C1): the five programs and their sub-groups of the org in view — members, AUM, value over
// the season and its share of the org's value (GET /api/segments) — with the sizes over the season
// (the dashboard's segmentTrend); a child org's button drills down.
import { Breadcrumb, Button, Card, Col, Row, Space, Statistic, Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useDashboard, useOrgs } from '../../api/hooks';
import { useScopeOrg } from '../../app/orgScope';
import { orgAncestors } from '../../app/orgTree';
import { EChart } from '../../components/EChart';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { downloadText, toCsv } from '../../format/csv';
import { formatCount, formatMoney, formatPercent, formatWan } from '../../format/format';
import { shortLang } from '../../i18n';
import { useSegments } from './api';
import { PROGRAMS, type ProgramRow, programRows, trendOption, valueOption } from './charts';

export function SegmentsPage() {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const { orgId: org, setOrgId } = useScopeOrg();
  const orgs = useOrgs();
  const q = useSegments(org);
  const dash = useDashboard(org);
  const d = q.data;
  const names = useMemo(
    () => new Map((orgs.data?.orgs ?? []).map((o) => [o.org_id, o.org_name ?? o.org_id])),
    [orgs.data],
  );
  const children = (orgs.data?.orgs ?? []).filter((o) => o.parent_id === org);
  const segName = useCallback((s: string) => t(`segments.${s}`, { defaultValue: s }), [t]);
  const groupName = (r: ProgramRow) =>
    r.kind === 'countyGroup' ? t(`segmentsPage.countyGroups.${r.group}`) : segName(r.group);
  const rows = useMemo(() => programRows(d?.segments ?? [], d?.countyGroups ?? []), [d]);
  const trend = useMemo(() => dash.data?.segmentTrend ?? [], [dash.data]);
  const trendChart = useMemo(() => trendOption(trend, segName), [trend, segName]);
  const valueChart = useMemo(
    () => valueOption(d?.segments ?? [], segName, t('payroll.amountAxis')),
    [d, segName, t],
  );

  const columns: ColumnsType<ProgramRow> = [
    {
      title: t('segmentsPage.program'),
      dataIndex: 'program',
      render: (v: string, r) => (r.kind === 'segment' ? t(`segmentsPage.programs.${v}`) : ''),
    },
    { title: t('segmentsPage.group'), key: 'group', render: (_, r) => groupName(r) },
    {
      title: <Tip label={t('segmentsPage.members')} def={t('segmentsPage.defMembers')} />,
      dataIndex: 'members',
      align: 'right',
      sorter: (a, b) => a.members - b.members,
      render: formatCount,
    },
    {
      title: <Tip label={t('segmentsPage.aum')} def={t('segmentsPage.defAum')} />,
      dataIndex: 'aum_d',
      align: 'right',
      sorter: (a, b) => Number(a.aum_d) - Number(b.aum_d),
      render: (v: string) => formatWan(v),
    },
    {
      title: <Tip label={t('segmentsPage.value')} def={t('segmentsPage.defValue')} />,
      dataIndex: 'value_season',
      align: 'right',
      sorter: (a, b) => Number(a.value_season) - Number(b.value_season),
      render: (v: string) => formatWan(v),
    },
    {
      title: <Tip label={t('segmentsPage.share')} def={t('segmentsPage.defShare')} />,
      dataIndex: 'value_share',
      align: 'right',
      sorter: (a, b) => Number(a.value_share ?? -1) - Number(b.value_share ?? -1),
      render: (v: string | null) => formatPercent(v),
    },
  ];

  const exportCsv = () => {
    const flat = rows.flatMap((r) => [r, ...(r.children ?? [])]);
    downloadText(
      `segments-${org}.csv`,
      toCsv(
        [
          t('segmentsPage.program'),
          t('segmentsPage.group'),
          t('segmentsPage.members'),
          t('segmentsPage.aum'),
          t('segmentsPage.value'),
          t('segmentsPage.share'),
        ],
        flat.map((r) => [
          t(`segmentsPage.programs.${r.program}`),
          groupName(r),
          formatCount(r.members),
          formatWan(r.aum_d),
          formatWan(r.value_season),
          formatPercent(r.value_share),
        ]),
      ),
    );
  };

  const ancestors = orgs.data ? orgAncestors(orgs.data.orgs, org) : [org];
  const crumbs = ancestors.map((id, i) => ({
    key: id,
    title:
      i === ancestors.length - 1 ? (
        <span>{names.get(id) ?? d?.org.org_name ?? id}</span>
      ) : (
        <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => setOrgId(id)}>
          {names.get(id) ?? id}
        </Button>
      ),
  }));

  let body: React.ReactNode;
  if (q.isPending) body = <LoadingState rows={10} />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (!d?.asOf || !d.segments.length)
    body = <EmptyState title={t('segmentsPage.noData')} hint={t('segmentsPage.noDataHint')} />;
  else {
    const by = new Map(d.segments.map((s) => [s.segment, s]));
    body = (
      <>
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {PROGRAMS.map((p) => {
            const segs = p.segments.map((s) => by.get(s)).filter((s) => s !== undefined);
            const value = segs.length === 1 ? segs[0]?.value_season : null;
            return (
              <Col key={p.program} xs={12} lg={p.program === 'ELDERLY_MINOR' ? 8 : 4}>
                <Card size="small" data-testid={`program-${p.program}`} style={{ height: '100%' }}>
                  <Statistic
                    title={
                      <Tip
                        label={t(`segmentsPage.programs.${p.program}`)}
                        def={t('segmentsPage.defMembers')}
                      />
                    }
                    value={segs.map((s) => formatCount(s.members)).join(' / ')}
                    valueStyle={{ fontSize: 20 }}
                  />
                  <div style={{ color: '#8c8c8c', fontSize: 12 }}>
                    {segs.length > 1
                      ? segs.map((s) => segName(s.segment)).join(' / ')
                      : t('segmentsPage.valueShort', { value: formatMoney(value, lang) })}
                  </div>
                </Card>
              </Col>
            );
          })}
        </Row>
        <Row gutter={[12, 12]}>
          <Col xs={24} xl={12}>
            <Card size="small" title={t('segmentsPage.trend')}>
              <div style={{ color: '#8c8c8c', fontSize: 12, marginBottom: 4 }}>
                {t('segmentsPage.trendHint')}
              </div>
              {dash.isError ? (
                <ErrorState error={dash.error} onRetry={() => void dash.refetch()} />
              ) : dash.isPending ? (
                <LoadingState />
              ) : new Set(trend.map((x) => x.as_of)).size < 2 ? (
                <EmptyState title={t('segmentsPage.noTrend')} />
              ) : (
                <EChart option={trendChart} height={240} testId="segments-trend" />
              )}
            </Card>
          </Col>
          <Col xs={24} xl={12}>
            <Card
              size="small"
              title={t('segmentsPage.valueChart')}
              extra={
                <Tip
                  label={`${t('segmentsPage.orgValue')} ${formatMoney(d.orgValue, lang)}`}
                  def={t('segmentsPage.defValue')}
                />
              }
            >
              <EChart option={valueChart} height={264} testId="segments-value" />
            </Card>
          </Col>
        </Row>
        <Card size="small" title={t('segmentsPage.table')} style={{ marginTop: 12 }}>
          <div className="wj-filters">
            <span style={{ color: '#8c8c8c', fontSize: 12, flex: 1 }}>{t('segmentsPage.tableHint')}</span>
            <span>{t('segmentsPage.rows', { n: rows.length })}</span>
            <Button onClick={exportCsv} data-testid="export-segments">
              {t('segmentsPage.export')}
            </Button>
          </div>
          <Table<ProgramRow>
            size="small"
            rowKey="key"
            columns={columns}
            dataSource={rows}
            pagination={false}
            expandable={{ defaultExpandAllRows: true }}
            data-testid="segments-table"
          />
        </Card>
      </>
    );
  }

  return (
    <div data-testid="page-segments">
      <PageHead title={t('segmentsPage.title')} purpose={t('segmentsPage.purpose')} />
      <Breadcrumb items={crumbs} style={{ marginBottom: 8 }} data-testid="breadcrumbs" />
      {children.length ? (
        <Space wrap size={4} style={{ marginBottom: 12 }} data-testid="segments-children">
          <span style={{ color: '#595959' }}>{t('segmentsPage.children')}:</span>
          {children.map((c) => (
            <Button key={c.org_id} size="small" onClick={() => setOrgId(c.org_id)}>
              {c.org_name ?? c.org_id}
            </Button>
          ))}
        </Space>
      ) : null}
      {body}
    </div>
  );
}
