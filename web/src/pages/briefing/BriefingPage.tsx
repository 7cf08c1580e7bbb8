// 周通报 Weekly briefing (docs/briefing.md): the ranking of one KPI at one level with week-over-week
// change (Δ actual, Δ rank against the latest as-of ≤ D−7), laggards red and those on time green, the
// summary on top (phase and days left, the headline of the user's org, top and bottom three), filters
// like `wangji report weekly` (level, KPI, program, period, view), and 下载 Excel — the same filters to
// /api/reports/weekly?format=xlsx (audited by the server), offered only with reports:export.
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Descriptions, Row, Select, Space, Table, Tag, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { can, useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import {
  formatChange,
  formatCount,
  formatDate,
  formatMoney,
  formatPercent,
  formatWan,
} from '../../format/format';
import { shortLang } from '../../i18n';
import { useBriefing } from './api';
import './briefing.css';
import { compareDecimal } from '../../format/decimal';
import { type BriefingRowData, exportQuery, leaders, type TableRow, tableRows } from './rows';

const LEVELS = ['BRANCH', 'SUBBRANCH', 'OUTLET', 'STAFF'] as const;
const PROGRAMS = ['PAYROLL', 'ELDERLY_MINOR', 'PAYMENT', 'MERCHANT', 'COUNTY'] as const;
const PERIODS = ['SEASON', 'YEAR_END', 'NEW_YEAR', 'CONSOLIDATION', 'Q4', 'Q1'] as const;

export function BriefingPage() {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const session = useCurrentSession();
  const [params, setParams] = useSearchParams();
  const f = {
    level: params.get('level') ?? undefined,
    program: params.get('program') ?? undefined,
    period: params.get('period') ?? undefined,
    view: params.get('view') ?? undefined,
  };
  const set = (key: string, value: string | undefined) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (value) next.set(key, value);
      else next.delete(key);
      if (key !== 'kpi') next.delete('kpi');
      return next;
    });
  const q = useBriefing(f, lang);
  const d = q.data;
  const kpiOptions = useMemo(
    () =>
      (d?.kpis ?? []).map((k) => ({
        value: `${k.kpi}|${k.level}`,
        label: d && d.levels.length > 1 ? `${k.name} · ${t(`briefing.levels.${k.level}`)}` : k.name,
      })),
    [d, t],
  );
  const kpiKey = params.get('kpi') ?? kpiOptions[0]?.value;
  const kpi = d?.kpis.find((k) => `${k.kpi}|${k.level}` === kpiKey) ?? d?.kpis[0];
  const rows = useMemo(() => (kpi ? tableRows([kpi]) : []), [kpi]);
  const lead = useMemo(() => (kpi ? leaders([kpi]) : []), [kpi]);
  const money = kpi?.unit === 'YUAN';
  const staff = kpi?.level === 'STAFF';
  const amount = (v: string | null) => (money ? formatWan(v) : formatCount(v));
  const unit = money ? t('briefing.unitYuan') : '';
  const num = (a: string | null, b: string | null) => Number(a ?? -Infinity) - Number(b ?? -Infinity);
  const periodName = (r: Pick<BriefingRowData, 'period' | 'period_start' | 'period_end'>) =>
    t(`briefing.periods.${r.period}`, { defaultValue: `${r.period_start}..${r.period_end}` });

  const columns: ColumnsType<TableRow> = [
    {
      title: staff ? t('briefing.staffName') : t('briefing.name'),
      dataIndex: 'name',
      fixed: 'left',
      width: 150,
      sorter: (a, b) => (a.name ?? '').localeCompare(b.name ?? ''),
      render: (v: string | null, r) => (
        <Tooltip title={r.scope_id}>
          <span>{v ?? r.scope_id}</span>
        </Tooltip>
      ),
    },
    {
      title: t('briefing.parent'),
      dataIndex: 'parent_name',
      width: 120,
      filters: [...new Set(rows.map((r) => r.parent_name ?? r.parent_id ?? ''))].map((p) => ({
        text: p,
        value: p,
      })),
      onFilter: (v, r) => (r.parent_name ?? r.parent_id ?? '') === v,
      render: (v: string | null, r) => v ?? r.parent_id,
    },
    {
      title: t('briefing.period'),
      key: 'period',
      width: 90,
      filters: [...new Set(rows.map((r) => r.period))].map((p) => ({
        text: periodName(rows.find((r) => r.period === p) as TableRow),
        value: p,
      })),
      onFilter: (v, r) => r.period === v,
      render: (_, r) => periodName(r),
    },
    {
      title: <Tip label={`${t('briefing.actual')}${unit}`} def={t('briefing.defActual')} />,
      dataIndex: 'actual',
      align: 'right',
      sorter: (a, b) => num(a.actual, b.actual),
      render: amount,
    },
    {
      title: <Tip label={`${t('briefing.target')}${unit}`} def={t('briefing.defTarget')} />,
      dataIndex: 'target',
      align: 'right',
      sorter: (a, b) => num(a.target, b.target),
      render: amount,
    },
    {
      title: <Tip label={t('briefing.completion')} def={t('briefing.defCompletion')} />,
      dataIndex: 'completion',
      align: 'right',
      defaultSortOrder: 'descend',
      sorter: (a, b) => num(a.completion, b.completion),
      render: (v: string | null) => formatPercent(v),
    },
    {
      title: <Tip label={t('briefing.timeProgress')} def={t('briefing.defTimeProgress')} />,
      dataIndex: 'time_progress',
      align: 'right',
      render: (v: string) => formatPercent(v),
    },
    {
      title: <Tip label={t('briefing.gap')} def={t('briefing.defGap')} />,
      dataIndex: 'gap',
      align: 'right',
      sorter: (a, b) => num(a.gap, b.gap),
      render: (v: string | null) => (
        <span style={{ whiteSpace: 'nowrap' }}>
          {v !== null && compareDecimal(v, '0') > 0 ? `+${formatPercent(v)}` : formatPercent(v)}
        </span>
      ),
    },
    {
      title: <Tip label={t('briefing.rank')} def={t('briefing.defRank')} />,
      dataIndex: 'rank',
      align: 'right',
      sorter: (a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9),
      render: (v: number | null, r) => (v === null ? '—' : `${v}/${r.ranked ?? ''}`),
    },
    {
      title: <Tip label={`${t('briefing.deltaActual')}${unit}`} def={t('briefing.defDeltaActual')} />,
      dataIndex: 'delta_actual',
      align: 'right',
      sorter: (a, b) => num(a.delta_actual, b.delta_actual),
      render: (v: string | null) => (money ? formatChange(v, 'money', lang) : formatChange(v, 'count', lang)),
    },
    {
      title: <Tip label={t('briefing.deltaRank')} def={t('briefing.defDeltaRank')} />,
      dataIndex: 'delta_rank',
      align: 'right',
      sorter: (a, b) => (a.delta_rank ?? 0) - (b.delta_rank ?? 0),
      render: (_: number | null, r) => (
        <span
          className={r.rankDir === 'up' ? 'wj-up' : r.rankDir === 'down' ? 'wj-down' : undefined}
          data-testid="delta-rank"
        >
          {r.rankText || '—'}
        </span>
      ),
    },
    {
      title: <Tip label={t('briefing.laggard')} def={t('briefing.defLaggard')} />,
      dataIndex: 'laggard',
      align: 'center',
      filters: [
        { text: t('briefing.yes'), value: true },
        { text: t('briefing.no'), value: false },
      ],
      onFilter: (v, r) => r.laggard === v,
      render: (v: boolean) => (v ? <Tag color="red">{t('briefing.yes')}</Tag> : t('briefing.no')),
    },
    ...(kpi?.balance
      ? [
          {
            title: <Tip label={`${t('briefing.dailyNeeded')}${unit}`} def={t('briefing.defDailyNeeded')} />,
            dataIndex: 'daily_needed',
            align: 'right' as const,
            render: (v: string | null) => formatWan(v),
          },
        ]
      : []),
  ];

  const filters = (
    <div className="wj-filters" data-testid="briefing-filters">
      <Space size={4}>
        {t('briefing.level')}
        <Select
          data-testid="filter-level"
          style={{ width: 110 }}
          value={f.level ?? (f.view ? undefined : 'BRANCH')}
          allowClear={Boolean(f.view)}
          placeholder={t('briefing.level')}
          onChange={(v) => set('level', v)}
          options={LEVELS.filter(
            (l) => !f.view || d?.views.find((v) => v.name === f.view)?.levels?.includes(l) !== false,
          ).map((l) => ({ value: l, label: t(`briefing.levels.${l}`) }))}
        />
      </Space>
      <Space size={4}>
        {t('briefing.kpi')}
        <Select
          data-testid="filter-kpi"
          style={{ width: 200 }}
          value={kpi ? `${kpi.kpi}|${kpi.level}` : undefined}
          onChange={(v) => set('kpi', v)}
          options={kpiOptions}
          showSearch
          optionFilterProp="label"
        />
      </Space>
      <Space size={4}>
        {t('briefing.program')}
        <Select
          data-testid="filter-program"
          style={{ width: 120 }}
          value={f.program ?? ''}
          onChange={(v) => set('program', v || undefined)}
          options={[
            { value: '', label: t('briefing.allPrograms') },
            ...PROGRAMS.map((p) => ({ value: p, label: t(`briefing.programs.${p}`) })),
          ]}
        />
      </Space>
      <Space size={4}>
        {t('briefing.period')}
        <Select
          data-testid="filter-period"
          style={{ width: 120 }}
          value={f.period ?? ''}
          onChange={(v) => set('period', v || undefined)}
          options={[
            { value: '', label: t('briefing.allPeriods') },
            ...PERIODS.map((p) => ({ value: p, label: t(`briefing.periods.${p}`) })),
          ]}
        />
      </Space>
      {d?.views.length ? (
        <Space size={4}>
          {t('briefing.view')}
          <Select
            data-testid="filter-view"
            style={{ width: 200 }}
            value={f.view ?? ''}
            onChange={(v) =>
              setParams((prev) => {
                const next = new URLSearchParams(prev);
                next.delete('kpi');
                next.delete('level');
                if (v) next.set('view', v);
                else next.delete('view');
                return next;
              })
            }
            options={[
              { value: '', label: t('briefing.noView') },
              ...d.views.map((v) => ({ value: v.name, label: v.title })),
            ]}
          />
        </Space>
      ) : null}
    </div>
  );

  let body: React.ReactNode;
  if (q.isPending) body = <LoadingState rows={10} />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (!d || !kpi) body = <EmptyState title={t('briefing.noData')} hint={t('briefing.noDataHint')} />;
  else {
    const h = d.headline;
    const who = (r: BriefingRowData) => `${r.name ?? r.scope_id} ${formatPercent(r.completion)}`;
    body = (
      <>
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          <Col xs={24} xl={10}>
            <Card
              size="small"
              title={d.view ? `${t('briefing.summary')} · ${d.view.title}` : t('briefing.summary')}
              data-testid="briefing-summary"
              style={{ height: '100%' }}
            >
              <Descriptions size="small" column={1} colon={false}>
                <Descriptions.Item label={t('briefing.phase')}>
                  {d.phase ? (
                    <span data-testid="briefing-phase">
                      {lang === 'zh' ? `${d.phase.zh} · ${d.phase.slogan}` : d.phase.en} ·{' '}
                      {t('briefing.phaseDaysLeft', { n: d.phase.daysLeft })}
                    </span>
                  ) : (
                    '—'
                  )}
                </Descriptions.Item>
                {d.season ? (
                  <Descriptions.Item label={d.season.label}>
                    {t('briefing.seasonDaysLeft', { n: d.season.daysLeft })}
                  </Descriptions.Item>
                ) : null}
                <Descriptions.Item label={t('briefing.asOf')}>
                  <span data-testid="briefing-asof">{formatDate(d.asOf)}</span>
                  {' · '}
                  {t('briefing.comparedWith')}{' '}
                  {d.previousAsOf ? formatDate(d.previousAsOf) : t('briefing.noPrevious')}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          </Col>
          <Col xs={24} xl={14}>
            <Card
              size="small"
              title={h ? `${t('briefing.headline')} · ${h.org_name ?? h.org_id}` : t('briefing.headline')}
              style={{ height: '100%' }}
            >
              {h ? (
                <Descriptions
                  size="small"
                  column={3}
                  colon={false}
                  layout="vertical"
                  data-testid="briefing-headline"
                >
                  <Descriptions.Item label={t('briefing.customers')}>
                    {formatCount(h.customers)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('briefing.aum')}>
                    {formatMoney(h.aum_d, lang)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('briefing.deposits')}>
                    {formatMoney(h.deposits_d, lang)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('briefing.adb')}>
                    {formatMoney(h.adb_mtd, lang)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('briefing.value')}>
                    {formatMoney(h.value_season, lang)}
                  </Descriptions.Item>
                </Descriptions>
              ) : (
                '—'
              )}
              {lead.map((l) => (
                <div key={l.period} style={{ fontSize: 12, marginTop: 4 }} data-testid="briefing-leaders">
                  <Tip
                    label={`${l.kpiName} · ${t(`briefing.periods.${l.period}`, { defaultValue: l.period })}`}
                    def={t('briefing.defLeaders')}
                  />
                  {'  '}
                  <span className="wj-up">
                    {t('briefing.top3')}
                    {l.top.map(who).join('、') || t('briefing.none')}
                  </span>
                  {'  '}
                  <span className="wj-down">
                    {t('briefing.bottom3')}
                    {l.bottom.map(who).join('、') || t('briefing.none')}
                  </span>
                </div>
              ))}
            </Card>
          </Col>
        </Row>
        <Card size="small" title={`${kpi.name} · ${t(`briefing.levels.${kpi.level}`)}`}>
          <div className="wj-filters">
            <span style={{ color: '#8c8c8c', fontSize: 12, flex: 1 }}>{t('briefing.legend')}</span>
            <span data-testid="briefing-rows">{t('briefing.rows', { n: rows.length })}</span>
          </div>
          <Table<TableRow>
            size="small"
            rowKey="key"
            columns={columns}
            dataSource={rows}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 1200 }}
            rowClassName={(r) =>
              r.status === 'laggard' ? 'wj-row-laggard' : r.status === 'leader' ? 'wj-row-leader' : ''
            }
            data-testid="briefing-table"
          />
        </Card>
      </>
    );
  }

  // Exactly what is shown: the filters, and the KPI and level of the table.
  const href = kpi ? exportQuery({ ...f, level: kpi.level, kpi: kpi.kpi, lang }) : undefined;
  return (
    <div data-testid="page-briefing">
      <PageHead title={t('briefing.title')} purpose={t('briefing.purpose')} />
      <div style={{ display: 'flex', gap: 12, alignItems: 'flex-start' }}>
        <div style={{ flex: 1 }}>{filters}</div>
        {can(session, 'reports:export') ? (
          <Tooltip title={t('briefing.downloadHint')}>
            <Button
              type="primary"
              icon={<DownloadOutlined />}
              href={href}
              download
              disabled={!href}
              data-testid="briefing-download"
            >
              {t('briefing.download')}
            </Button>
          </Tooltip>
        ) : null}
      </div>
      {body}
    </div>
  );
}
