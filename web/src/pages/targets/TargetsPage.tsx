// 指标 Targets (docs/targets.md): the season's targets of the orgs and staff in scope with where each
// came from (a file, or a cascade from a parent); upload a CSV or xlsx (all rows or none: a refused
// file shows the server's report, each problem with its row, column and words); cascade an org's
// target down in proportion to customers, equally or to last season, edit the children's numbers
// (the sum must equal the parent's, else the difference shows) and save — audited by the server.
// Upload and cascade only with targets:write.
import { InboxOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Input, Select, Space, Table, Tabs, Tag, Tooltip, Upload } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useOrgs } from '../../api/hooks';
import { useScopeOrg } from '../../app/orgScope';
import { can, useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { formatCount, formatDateTime, formatMoney, formatYuan } from '../../format/format';
import { shortLang } from '../../i18n';
import { isMoneyKpi } from '../dashboard/kpis';
import {
  FileRefusedError,
  type SplitParams,
  useSaveSplit,
  useSplitPreview,
  useTargets,
  useUploadTargets,
} from './api';
import { checkEdits, editedTargets, type TargetListRow } from './split';
import { fileType, type Problem, parseProblems } from './upload';

const PERIODS = ['SEASON', 'YEAR_END', 'NEW_YEAR', 'CONSOLIDATION', 'Q4', 'Q1'] as const;

export function TargetsPage() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const writer = can(session, 'targets:write');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'list';
  return (
    <div data-testid="page-targets">
      <PageHead title={t('targets.title')} purpose={t('targets.purpose')} />
      {writer ? null : (
        <Alert type="info" showIcon message={t('targets.readOnly')} style={{ marginBottom: 12 }} />
      )}
      <Tabs
        activeKey={writer ? tab : 'list'}
        onChange={(k) =>
          setParams((prev) => {
            const next = new URLSearchParams(prev);
            next.set('tab', k);
            return next;
          })
        }
        items={[
          { key: 'list', label: t('targets.tabList'), children: <TargetList /> },
          ...(writer
            ? [
                { key: 'upload', label: t('targets.tabUpload'), children: <TargetUpload /> },
                { key: 'cascade', label: t('targets.tabCascade'), children: <TargetCascade /> },
              ]
            : []),
        ]}
      />
    </div>
  );
}

function useKpiIds(): string[] {
  const { t } = useTranslation();
  return Object.keys(t('kpis', { returnObjects: true }) as Record<string, string>);
}

/** A target in its unit: money to the fen (with 万 / 亿 beside it), counts whole. */
function TargetValue({ kpi, value }: { kpi: string; value: string }) {
  const { i18n } = useTranslation();
  if (!isMoneyKpi(kpi)) return <span className="wj-num">{formatCount(value)}</span>;
  return (
    <Tooltip title={formatYuan(value)}>
      <span className="wj-num">{formatMoney(value, shortLang(i18n.language))}</span>
    </Tooltip>
  );
}

function TargetList() {
  const { t } = useTranslation();
  const q = useTargets();
  const kpis = useKpiIds();
  const [kpi, setKpi] = useState('');
  const [search, setSearch] = useState('');
  const rows = useMemo(() => {
    const s = search.trim().toLowerCase();
    return (q.data?.targets ?? []).filter(
      (r) =>
        (!kpi || r.kpi === kpi) &&
        (!s || r.scope_id.toLowerCase().includes(s) || (r.scope_name ?? '').toLowerCase().includes(s)),
    );
  }, [q.data, kpi, search]);
  const columns: ColumnsType<TargetListRow> = [
    {
      title: t('targets.kpi'),
      dataIndex: 'kpi',
      sorter: (a, b) => a.kpi.localeCompare(b.kpi),
      render: (v: string) => (
        <span style={{ whiteSpace: 'nowrap' }}>{t(`kpis.${v}`, { defaultValue: v })}</span>
      ),
    },
    {
      title: t('targets.scope'),
      key: 'scope',
      sorter: (a, b) => a.scope_id.localeCompare(b.scope_id),
      render: (_, r) => (
        <span>
          <Tag>{t(`targets.scopeKind.${r.scope_kind}`, { defaultValue: r.scope_kind })}</Tag>
          {r.scope_name ?? r.scope_id} <span style={{ color: '#8c8c8c' }}>{r.scope_id}</span>
        </span>
      ),
    },
    {
      title: t('targets.period'),
      dataIndex: 'period',
      filters: [...new Set((q.data?.targets ?? []).map((r) => r.period))].map((p) => ({
        text: t(`briefing.periods.${p}`, { defaultValue: p }),
        value: p,
      })),
      onFilter: (v, r) => r.period === v,
      render: (v: string, r) => (
        <Tooltip title={`${t('targets.dates')} ${r.period_start} – ${r.period_end}`}>
          <span style={{ whiteSpace: 'nowrap' }}>{t(`briefing.periods.${v}`, { defaultValue: v })}</span>
        </Tooltip>
      ),
    },
    {
      title: <Tip label={t('targets.target')} def={t('targets.defTarget')} />,
      dataIndex: 'target',
      align: 'right',
      sorter: (a, b) => Number(a.target) - Number(b.target),
      render: (v: string, r) => <TargetValue kpi={r.kpi} value={v} />,
    },
    {
      title: <Tip label={t('targets.source')} def={t('targets.defSource')} />,
      dataIndex: 'source',
      filters: [
        { text: t('targets.sources.FILE'), value: 'FILE' },
        { text: t('targets.sources.SPLIT'), value: 'SPLIT' },
      ],
      onFilter: (v, r) => r.source === v,
      render: (v: string, r) => (
        <span data-testid="target-source">
          <Tag color={v === 'SPLIT' ? 'blue' : 'default'}>
            {t(`targets.sources.${v}`, { defaultValue: v })}
          </Tag>
          <span style={{ color: '#595959', fontSize: 12 }}>{r.source_ref}</span>
        </span>
      ),
    },
    {
      title: t('targets.loadedAt'),
      dataIndex: 'loaded_at',
      sorter: (a, b) => a.loaded_at.localeCompare(b.loaded_at),
      render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(v)}</span>,
    },
  ];
  const start = q.data?.targets[0]?.season_start;
  const seasonLabel = start ? `${start.slice(0, 4)}-${String(Number(start.slice(0, 4)) + 1).slice(2)}` : null;
  if (q.isPending) return <LoadingState rows={8} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <Card size="small" title={seasonLabel ? t('targets.season', { season: seasonLabel }) : undefined}>
      <div className="wj-filters">
        <Select
          data-testid="targets-kpi"
          style={{ width: 200 }}
          value={kpi}
          onChange={setKpi}
          showSearch
          optionFilterProp="label"
          options={[
            { value: '', label: t('targets.allKpis') },
            ...kpis.map((k) => ({ value: k, label: t(`kpis.${k}`) })),
          ]}
        />
        <Input.Search
          allowClear
          style={{ width: 220 }}
          placeholder={t('targets.search')}
          onSearch={setSearch}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="targets-search"
        />
        <span style={{ flex: 1 }} />
        <span data-testid="targets-count">{t('targets.rows', { n: rows.length })}</span>
      </div>
      {q.data.targets.length === 0 ? (
        <EmptyState title={t('targets.noData')} hint={t('targets.noDataHint')} />
      ) : (
        <Table<TargetListRow>
          size="small"
          rowKey={(r) => `${r.kpi}|${r.scope_kind}|${r.scope_id}|${r.period_start}|${r.period_end}`}
          columns={columns}
          dataSource={rows}
          pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
          data-testid="targets-table"
        />
      )}
    </Card>
  );
}

function TargetUpload() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const upload = useUploadTargets(session.csrfToken);
  const [wrongType, setWrongType] = useState(false);
  const err = upload.error;
  const refused = err instanceof FileRefusedError && err.problems.length > 0 ? err : null;
  const problems = refused ? parseProblems(refused.problems) : [];
  const columns: ColumnsType<Problem> = [
    { title: t('targets.row'), dataIndex: 'row', width: 80, render: (v: number | null) => v ?? '—' },
    { title: t('targets.column'), dataIndex: 'column', width: 120, render: (v: string | null) => v ?? '—' },
    { title: t('targets.message'), dataIndex: 'message' },
  ];
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Upload.Dragger
        accept=".csv,.xlsx"
        multiple={false}
        showUploadList={false}
        disabled={upload.isPending}
        beforeUpload={(file) => {
          const type = fileType(file.name);
          setWrongType(!type);
          if (type) upload.mutate({ file, type });
          return false;
        }}
        data-testid="targets-upload"
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">
          {upload.isPending ? t('targets.uploading') : t('targets.uploadTitle')}
        </p>
        <p className="ant-upload-hint">{t('targets.uploadHint')}</p>
      </Upload.Dragger>
      {wrongType ? <Alert type="error" showIcon message={t('targets.uploadWrongType')} /> : null}
      {upload.isSuccess ? (
        <Alert
          type="success"
          showIcon
          data-testid="upload-ok"
          message={t('targets.loaded', { ...upload.data })}
          description={
            upload.data.ignored_columns.length
              ? t('targets.ignored', { cols: upload.data.ignored_columns.join(', ') })
              : undefined
          }
        />
      ) : null}
      {err ? (
        <div data-testid="upload-error">
          <Alert
            type="error"
            showIcon
            message={t('targets.refused')}
            description={
              <>
                <div>{err.message}</div>
                {refused ? (
                  <div>{t('targets.refusedTotal', { n: refused.total, shown: problems.length })}</div>
                ) : null}
              </>
            }
            style={{ marginBottom: 8 }}
          />
          {refused ? (
            <Table<Problem>
              size="small"
              rowKey="key"
              columns={columns}
              dataSource={problems}
              pagination={false}
              data-testid="upload-problems"
            />
          ) : null}
        </div>
      ) : null}
    </Space>
  );
}

function TargetCascade() {
  const { t } = useTranslation();
  const kpis = useKpiIds();
  const orgs = useOrgs();
  const { orgId } = useScopeOrg();
  const [form, setForm] = useState<SplitParams>({
    kpi: 'NEW_CUSTOMERS',
    period: 'SEASON',
    from: orgId,
    by: 'CUSTOMERS',
    toStaff: false,
  });
  const [asked, setAsked] = useState<SplitParams | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const preview = useSplitPreview(asked);
  const save = useSaveSplit();
  const p = preview.data;
  const check = p ? checkEdits(p.parent_target, p.unit, p.rows, values) : null;
  const orgOptions = (orgs.data?.orgs ?? [])
    .filter((o) => o.level !== 'REMOTE_CENTER')
    .map((o) => ({ value: o.org_id, label: `${o.org_name ?? o.org_id} (${o.org_id})` }));
  type Child = NonNullable<typeof p>['rows'][number];
  const columns: ColumnsType<Child> = [
    {
      title: t('targets.child'),
      key: 'child',
      render: (_, r) => (
        <span>
          {r.name ?? r.scope_id} <span style={{ color: '#8c8c8c' }}>{r.scope_id}</span>
        </span>
      ),
    },
    {
      title: t('targets.measure'),
      dataIndex: 'measure',
      align: 'right',
      render: (v: string) => formatCount(v),
    },
    {
      title: t('targets.share'),
      dataIndex: 'target',
      align: 'right',
      render: (v: string) => (p ? <TargetValue kpi={p.kpi} value={v} /> : v),
    },
    {
      title: t('targets.edit'),
      key: 'edit',
      width: 200,
      render: (_, r) => {
        const problem = check?.problems[r.scope_id] ?? '';
        return (
          <div>
            <Input
              size="small"
              inputMode="decimal"
              value={values[r.scope_id] ?? r.target}
              status={problem ? 'error' : undefined}
              aria-label={`${t('targets.edit')} ${r.scope_id}`}
              data-testid={`edit-${r.scope_id}`}
              onChange={(e) => setValues((v) => ({ ...v, [r.scope_id]: e.target.value }))}
            />
            {problem ? (
              <div style={{ color: '#cf1322', fontSize: 12 }}>{t(`targets.problems.${problem}`)}</div>
            ) : null}
          </div>
        );
      },
    },
  ];
  const saveIt = () => {
    if (!asked || !p) return;
    save.mutate(
      { ...asked, targets: editedTargets(p.unit, p.rows, values) },
      // The saved targets stay in the edit column (the preview above is the proportional split).
      { onSuccess: (saved) => setValues(Object.fromEntries(saved.rows.map((r) => [r.scope_id, r.target]))) },
    );
  };
  return (
    <Card size="small">
      <div className="wj-filters" data-testid="cascade-form">
        <Space size={4}>
          {t('targets.kpi')}
          <Select
            data-testid="cascade-kpi"
            style={{ width: 180 }}
            value={form.kpi}
            showSearch
            optionFilterProp="label"
            onChange={(kpi) => setForm({ ...form, kpi })}
            options={kpis.map((k) => ({ value: k, label: t(`kpis.${k}`) }))}
          />
        </Space>
        <Space size={4}>
          {t('targets.period')}
          <Select
            data-testid="cascade-period"
            style={{ width: 110 }}
            value={form.period}
            onChange={(period) => setForm({ ...form, period })}
            options={PERIODS.map((x) => ({ value: x, label: t(`briefing.periods.${x}`) }))}
          />
        </Space>
        <Space size={4}>
          {t('targets.from')}
          <Select
            data-testid="cascade-from"
            style={{ width: 200 }}
            value={form.from}
            showSearch
            optionFilterProp="label"
            onChange={(from) => setForm({ ...form, from })}
            options={orgOptions}
          />
        </Space>
        <Space size={4}>
          {t('targets.by')}
          <Select
            data-testid="cascade-by"
            style={{ width: 120 }}
            value={form.by}
            onChange={(by) => setForm({ ...form, by })}
            options={(['CUSTOMERS', 'EQUAL', 'LAST_SEASON'] as const).map((b) => ({
              value: b,
              label: t(`targets.byOptions.${b}`),
            }))}
          />
        </Space>
        <Checkbox checked={form.toStaff} onChange={(e) => setForm({ ...form, toStaff: e.target.checked })}>
          {t('targets.toStaff')}
        </Checkbox>
        <Button
          type="primary"
          data-testid="cascade-preview"
          onClick={() => {
            setValues({});
            save.reset();
            setAsked({ ...form });
          }}
        >
          {t('targets.preview')}
        </Button>
      </div>
      {!asked ? (
        <EmptyState title={t('targets.tabCascade')} hint={t('targets.pickToPreview')} />
      ) : preview.isPending ? (
        <LoadingState />
      ) : preview.isError ? (
        <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
      ) : p && check ? (
        <div data-testid="cascade-result">
          <div className="wj-filters">
            <span data-testid="cascade-parent">
              {t('targets.parentTarget')}：{p.from_name ?? p.from} · {t(`kpis.${p.kpi}`)} ·{' '}
              {t(`briefing.periods.${p.period.label}`, { defaultValue: p.period.label })} ({p.period.start} –{' '}
              {p.period.end}) ·{' '}
              <strong>
                <TargetValue kpi={p.kpi} value={p.parent_target} />
              </strong>{' '}
              <Tag>{t(`targets.parentSource.${p.parent_source}`)}</Tag>
            </span>
          </div>
          {p.notes.map((n) => (
            <Alert key={n} type="warning" showIcon message={n} style={{ marginBottom: 8 }} />
          ))}
          <Table<Child>
            size="small"
            rowKey="scope_id"
            columns={columns}
            dataSource={p.rows}
            pagination={false}
            scroll={{ y: 300 }}
            data-testid="cascade-table"
            summary={() => (
              <Table.Summary fixed>
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0} colSpan={3}>
                    {t('targets.sum')}
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={3}>
                    <span data-testid="cascade-sum">{check.sum === null ? '—' : check.sum}</span>
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              </Table.Summary>
            )}
          />
          <div className="wj-filters" style={{ marginTop: 8 }}>
            {check.sum === null ? null : check.balanced ? (
              <Tag color="green" data-testid="cascade-balance">
                {t('targets.balanced')}
              </Tag>
            ) : (
              <Tag color="red" data-testid="cascade-balance">
                {t('targets.notBalanced', {
                  d: `${check.difference?.startsWith('-') ? '' : '+'}${check.difference}`,
                })}
              </Tag>
            )}
            <span style={{ flex: 1 }} />
            <Button onClick={() => setValues({})} disabled={!Object.keys(values).length}>
              {t('targets.reset')}
            </Button>
            <Button
              type="primary"
              onClick={saveIt}
              loading={save.isPending}
              disabled={!check.balanced}
              data-testid="cascade-save"
            >
              {t('targets.save')}
            </Button>
          </div>
          {save.isSuccess ? (
            <Alert
              type="success"
              showIcon
              data-testid="cascade-saved"
              message={t('targets.saved', {
                n: save.data.rows.length,
                e: save.data.rows.filter((r) => r.edited).length,
              })}
              description={save.data.rows.map((r) => `${r.name ?? r.scope_id} ${r.target}`).join(' · ')}
            />
          ) : null}
          {save.isError ? <ErrorState error={save.error} /> : null}
        </div>
      ) : null}
    </Card>
  );
}
