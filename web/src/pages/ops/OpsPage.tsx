// 运营 Operations (docs/server.md "Operations"): run the pipeline for a data date and load a drop folder
// (ops:run only), each a job followed live over its server-sent events (progress bar, stage by stage,
// the log); the server's jobs (leave the page and come back: a running job is followed again); the run
// ledger; the loads with their files; the quarantined rows (masked by the server), filtered and exported.
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Progress,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { can, useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { sortLike, type TableSort, tableSort } from '../../components/tableSort';
import { downloadCsv } from '../../format/csv';
import { formatCount, formatDateTime } from '../../format/format';
import {
  type JobView,
  type LoadFileRow,
  type LoadRow,
  type QuarantineRow,
  useJobEvents,
  useJobs,
  useLoads,
  useQuarantine,
  useRuns,
  useStartLoad,
  useStartRun,
} from './api';
import { defaultAsOf, dropDirProblem, isDate, type LedgerRow, type LedgerStage, ledgerRows } from './ledger';
import { barStatus, percentDone, stageState } from './progress';

const STATUS_COLOR: Record<string, string> = {
  QUEUED: 'default',
  RUNNING: 'processing',
  DONE: 'success',
  PUBLISHED: 'success',
  APPLIED: 'success',
  FAILED: 'error',
};

function StatusTag({ status }: { status: string }) {
  const { t, i18n } = useTranslation();
  const key = `ops.status_${status}`;
  return <Tag color={STATUS_COLOR[status] ?? 'default'}>{i18n.exists(key) ? t(key) : status}</Tag>;
}

const errorWords = (e: unknown) => (e instanceof ApiError ? `${e.message} (${e.code})` : String(e));

export function OpsPage() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const runner = can(session, 'ops:run');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'run';
  return (
    <div data-testid="page-ops">
      <PageHead title={t('ops.title')} purpose={t('ops.purpose')} />
      {runner ? null : (
        <Alert
          type="info"
          showIcon
          message={t('ops.readOnly')}
          style={{ marginBottom: 12 }}
          data-testid="ops-read-only"
        />
      )}
      <Tabs
        activeKey={tab}
        onChange={(k) =>
          setParams((prev) => {
            const next = new URLSearchParams(prev);
            next.set('tab', k);
            return next;
          })
        }
        items={[
          { key: 'run', label: t('ops.tabRun'), children: <RunTab runner={runner} /> },
          { key: 'ledger', label: t('ops.tabLedger'), children: <Ledger /> },
          { key: 'loads', label: t('ops.tabLoads'), children: <Loads /> },
          { key: 'quarantine', label: t('ops.tabQuarantine'), children: <Quarantine /> },
        ]}
      />
    </div>
  );
}

function RunTab({ runner }: { runner: boolean }) {
  const jobs = useJobs();
  const [params, setParams] = useSearchParams();
  const picked = params.get('job');
  const follow = (id: string) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      next.set('job', id);
      return next;
    });
  // Coming back to the page: follow the newest queued or running job when none is picked.
  const activeJob = jobs.data?.jobs.find((j) => j.status === 'RUNNING' || j.status === 'QUEUED')?.id ?? null;
  const jobId = picked ?? activeJob;
  const job = jobs.data?.jobs.find((j) => j.id === jobId) ?? null;
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      {runner ? (
        <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
          <RunForm onStarted={follow} />
          <LoadForm onStarted={follow} />
        </div>
      ) : null}
      <JobProgressCard jobId={jobId} job={job} />
      <Jobs jobs={jobs} followed={jobId} onFollow={follow} />
    </Space>
  );
}

function RunForm({ onStarted }: { onStarted: (id: string) => void }) {
  const { t } = useTranslation();
  const runs = useRuns({ limit: 1, offset: 0 });
  const start = useStartRun();
  const [asOf, setAsOf] = useState<string | null>(null);
  const [full, setFull] = useState(false);
  const value = asOf ?? defaultAsOf(runs.data?.runs ?? [], '');
  const bad = value !== '' && !isDate(value);
  const submit = () => {
    if (!isDate(value)) return;
    start.mutate({ asOf: value, ...(full ? { full } : {}) }, { onSuccess: (j) => onStarted(j.id) });
  };
  return (
    <Card size="small" title={t('ops.runTitle')} style={{ flex: '1 1 360px' }}>
      <Form layout="inline" onFinish={submit}>
        <Form.Item
          label={t('ops.asOf')}
          validateStatus={bad ? 'error' : undefined}
          help={bad ? t('ops.asOfBad') : t('ops.asOfHelp')}
        >
          <Input
            data-testid="ops-asof"
            value={value}
            placeholder="YYYY-MM-DD"
            style={{ width: 130 }}
            onChange={(e) => setAsOf(e.target.value)}
          />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={full} onChange={(e) => setFull(e.target.checked)}>
            {t('ops.full')}
          </Checkbox>
        </Form.Item>
        <Form.Item>
          <Button
            type="primary"
            htmlType="submit"
            disabled={!isDate(value)}
            loading={start.isPending}
            data-testid="ops-run"
          >
            {t('ops.runButton')}
          </Button>
        </Form.Item>
      </Form>
      {start.isError ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 8 }}
          message={t('ops.refused', { message: errorWords(start.error) })}
        />
      ) : null}
    </Card>
  );
}

function LoadForm({ onStarted }: { onStarted: (id: string) => void }) {
  const { t } = useTranslation();
  const start = useStartLoad();
  const [dir, setDir] = useState('');
  const [touched, setTouched] = useState(false);
  const problem = dropDirProblem(dir);
  const problemText = {
    empty: t('ops.dropEmpty'),
    absolute: t('ops.dropAbsolute'),
    parent: t('ops.dropParent'),
    chars: t('ops.dropChars'),
  };
  const submit = () => {
    setTouched(true);
    if (problem) return;
    start.mutate({ dir: dir.trim() }, { onSuccess: (j) => onStarted(j.id) });
  };
  const shownProblem = touched && problem ? problemText[problem] : null;
  return (
    <Card size="small" title={t('ops.loadTitle')} style={{ flex: '1 1 360px' }}>
      <Form layout="inline" onFinish={submit}>
        <Form.Item
          label={t('ops.dropDir')}
          validateStatus={shownProblem ? 'error' : undefined}
          help={shownProblem ?? t('ops.dropDirHelp')}
        >
          <Input
            data-testid="ops-drop"
            value={dir}
            style={{ width: 200 }}
            onChange={(e) => {
              setDir(e.target.value);
              setTouched(true);
            }}
          />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" loading={start.isPending} data-testid="ops-load">
            {t('ops.loadButton')}
          </Button>
        </Form.Item>
      </Form>
      {start.isError ? (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 8 }}
          message={t('ops.refused', { message: errorWords(start.error) })}
        />
      ) : null}
    </Card>
  );
}

function JobProgressCard({ jobId, job }: { jobId: string | null; job: JobView | null }) {
  const { t } = useTranslation();
  const { progress, broken } = useJobEvents(jobId);
  if (!jobId)
    return (
      <Card size="small" title={t('ops.progressTitle')}>
        <EmptyState title={t('ops.progressNone')} hint={t('ops.progressNoneHint')} />
      </Card>
    );
  const pct = percentDone(progress);
  const f = progress.finished;
  return (
    <Card
      size="small"
      title={t('ops.progressTitle')}
      data-testid="ops-progress"
      data-status={f?.status ?? 'RUNNING'}
      data-percent={pct}
      extra={
        job ? (
          <span style={{ color: '#595959' }}>
            {t('ops.following', {
              kind: t(`ops.kind_${job.kind}`),
              who: job.requestedBy,
              at: formatDateTime(job.queuedAt),
            })}
          </span>
        ) : null
      }
    >
      <Progress percent={pct} status={barStatus(progress)} data-testid="ops-progress-bar" />
      <div style={{ margin: '6px 0' }}>
        {progress.total !== null ? (
          <span style={{ marginRight: 12 }}>
            {t('ops.step', { done: progress.completed, total: progress.total })}
          </span>
        ) : null}
        {f ? (
          f.status === 'DONE' ? (
            <Tag color="success">{t('ops.jobDone')}</Tag>
          ) : (
            <Alert type="error" showIcon message={t('ops.jobFailed', { message: f.message ?? f.status })} />
          )
        ) : progress.current ? (
          <span>{t('ops.current', { step: progress.current })}</span>
        ) : progress.total === null ? (
          <span>{t('ops.waiting')}</span>
        ) : null}
        {broken && !f ? <Tag color="warning">{t('ops.reconnecting')}</Tag> : null}
      </div>
      {progress.stages.length ? (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4, marginBottom: 6 }} data-testid="ops-stages">
          {progress.stages.map((s, i) => (
            <Tag key={s.stage} color={stageState(progress, i) === 'done' ? 'success' : 'processing'}>
              {s.stage} {s.finished}/{s.started}
            </Tag>
          ))}
        </div>
      ) : null}
      <details>
        <summary>{t('ops.log')}</summary>
        <pre
          className="wj-log"
          style={{ maxHeight: 200, overflow: 'auto', fontSize: 12, background: '#fafafa', padding: 8 }}
        >
          {progress.lines.join('\n')}
        </pre>
      </details>
    </Card>
  );
}

function paramsText(p: JobView['params']) {
  return Object.entries(p)
    .filter(([, v]) => v !== null && v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`))
    .join(' ');
}

function Jobs({
  jobs,
  followed,
  onFollow,
}: {
  jobs: ReturnType<typeof useJobs>;
  followed: string | null;
  onFollow: (id: string) => void;
}) {
  const { t } = useTranslation();
  if (jobs.isPending) return <LoadingState rows={3} />;
  if (jobs.isError) return <ErrorState error={jobs.error} onRetry={() => jobs.refetch()} />;
  const rows = jobs.data.jobs;
  const columns: ColumnsType<JobView> = [
    { title: t('ops.colKind'), dataIndex: 'kind', width: 70, render: (k: string) => t(`ops.kind_${k}`) },
    { title: t('ops.colParams'), dataIndex: 'params', render: (p: JobView['params']) => paramsText(p) },
    { title: t('ops.colBy'), dataIndex: 'requestedBy', width: 110 },
    {
      title: t('ops.colStatus'),
      dataIndex: 'status',
      width: 90,
      render: (s: string) => <StatusTag status={s} />,
    },
    {
      title: t('ops.colQueued'),
      dataIndex: 'queuedAt',
      width: 150,
      render: (v: string) => formatDateTime(v),
    },
    {
      title: t('ops.colFinished'),
      dataIndex: 'finishedAt',
      width: 150,
      render: (v: string | null) => formatDateTime(v),
    },
    { title: t('ops.colMessage'), dataIndex: 'message', ellipsis: true },
    {
      title: '',
      key: 'follow',
      width: 100,
      render: (_: unknown, j) =>
        j.id === followed ? null : (
          <Button size="small" onClick={() => onFollow(j.id)}>
            {t('ops.follow')}
          </Button>
        ),
    },
  ];
  return (
    <Card size="small" title={t('ops.jobsTitle')} extra={t('ops.rowCount', { count: rows.length })}>
      {rows.length === 0 ? (
        <EmptyState title={t('ops.jobsEmpty')} hint={t('ops.jobsEmptyHint')} />
      ) : (
        <Table<JobView>
          data-testid="ops-jobs"
          size="small"
          rowKey="id"
          columns={columns}
          dataSource={rows}
          pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
        />
      )}
    </Card>
  );
}

const PAGE = 50;

function Ledger() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const runs = useRuns({ limit: PAGE, offset });
  const [sort, setSort] = useState<TableSort<LedgerRow> | null>(null);
  const rows = useMemo(() => ledgerRows(runs.data?.runs ?? []), [runs.data]);
  if (runs.isPending) return <LoadingState />;
  if (runs.isError) return <ErrorState error={runs.error} onRetry={() => runs.refetch()} />;
  if (runs.data.total === 0)
    return <EmptyState title={t('ops.ledgerEmpty')} hint={t('ops.ledgerEmptyHint')} />;
  const columns: ColumnsType<LedgerRow> = [
    { title: t('ops.colRun'), dataIndex: 'runId', width: 80, sorter: (a, b) => a.runId - b.runId },
    {
      title: t('ops.colAsOf'),
      dataIndex: 'asOf',
      width: 110,
      sorter: (a, b) => a.asOf.localeCompare(b.asOf),
    },
    {
      title: t('ops.colOnly'),
      dataIndex: 'only',
      width: 110,
      render: (v: string | null) => v ?? t('ops.allStages'),
    },
    {
      title: t('ops.colStatus'),
      dataIndex: 'status',
      width: 90,
      render: (s: string, r) => (
        <Tooltip title={r.message ?? undefined}>
          <span>
            <StatusTag status={s} />
          </span>
        </Tooltip>
      ),
    },
    {
      title: t('ops.colStarted'),
      dataIndex: 'startedAt',
      width: 150,
      render: (v: string) => formatDateTime(v),
    },
    {
      title: t('ops.colDuration'),
      dataIndex: 'seconds',
      width: 100,
      align: 'right',
      sorter: (a, b) => (a.seconds ?? 0) - (b.seconds ?? 0),
      render: (v: number | null) => (v === null ? '—' : v.toFixed(1)),
    },
    { title: t('ops.colModels'), dataIndex: 'models', width: 80, align: 'right' },
    { title: t('ops.colWarnings'), dataIndex: 'warnings', width: 70, align: 'right' },
    {
      title: <Tooltip title={t('ops.hashTip')}>{t('ops.colHash')}</Tooltip>,
      dataIndex: 'hashShort',
      width: 140,
      render: (v: string | null, r) => (
        <Tooltip title={r.hash ? `${r.configFile ?? ''} ${r.hash}` : undefined}>
          <code>{v ?? '—'}</code>
        </Tooltip>
      ),
    },
  ];
  const stageColumns: ColumnsType<LedgerStage> = [
    { title: t('ops.colStage'), dataIndex: 'stage' },
    { title: t('ops.colModels'), dataIndex: 'models', align: 'right' },
    { title: t('ops.colRows'), dataIndex: 'rows', align: 'right', render: (v: number) => formatCount(v) },
    {
      title: t('ops.colDuration'),
      dataIndex: 'seconds',
      align: 'right',
      render: (v: number) => v.toFixed(1),
    },
    { title: t('ops.colWarnings'), dataIndex: 'warnings', align: 'right' },
  ];
  const exportRows = () =>
    downloadCsv(
      'run-ledger.csv',
      [
        'run',
        'as_of',
        'scope',
        'status',
        'started_at',
        'finished_at',
        'seconds',
        'models',
        'warnings',
        'config_sha256',
        'message',
      ],
      sortLike(rows, sort).map((r) => [
        r.runId,
        r.asOf,
        r.only ?? 'ALL',
        r.status,
        r.startedAt,
        r.finishedAt,
        r.seconds,
        r.models,
        r.warnings,
        r.hash,
        r.message,
      ]),
    );
  return (
    <div>
      <div className="wj-filters">
        <span>{t('ops.shownCount', { shown: rows.length, total: runs.data.total })}</span>
        <Button onClick={exportRows}>{t('ops.export')}</Button>
      </div>
      <Table<LedgerRow>
        data-testid="ops-ledger"
        size="small"
        rowKey="key"
        columns={columns}
        dataSource={rows}
        onChange={(_p, _f, s) => setSort(tableSort<LedgerRow>(s))}
        expandable={{
          expandedRowRender: (r) => (
            <Table<LedgerStage>
              size="small"
              rowKey="stage"
              columns={stageColumns}
              dataSource={r.stages}
              pagination={false}
            />
          ),
        }}
        pagination={{
          current: offset / PAGE + 1,
          pageSize: PAGE,
          total: runs.data.total,
          showSizeChanger: false,
          hideOnSinglePage: true,
          onChange: (p) => setOffset((p - 1) * PAGE),
        }}
      />
    </div>
  );
}

function Loads() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const loads = useLoads({ limit: PAGE, offset });
  if (loads.isPending) return <LoadingState />;
  if (loads.isError) return <ErrorState error={loads.error} onRetry={() => loads.refetch()} />;
  if (loads.data.total === 0)
    return <EmptyState title={t('ops.loadsEmpty')} hint={t('ops.loadsEmptyHint')} />;
  const n = (v: number) => formatCount(v);
  const columns: ColumnsType<LoadRow> = [
    { title: t('ops.colLoad'), dataIndex: 'load_id', width: 80, sorter: (a, b) => a.load_id - b.load_id },
    { title: t('ops.colDir'), dataIndex: 'source_dir', ellipsis: true },
    { title: t('ops.colAsOf'), dataIndex: 'as_of', width: 110 },
    {
      title: t('ops.colStatus'),
      dataIndex: 'status',
      width: 90,
      render: (s: string, r) => (
        <Tooltip title={r.message ?? undefined}>
          <span>
            <StatusTag status={s} />
          </span>
        </Tooltip>
      ),
    },
    {
      title: t('ops.colStarted'),
      dataIndex: 'started_at',
      width: 150,
      render: (v: string) => formatDateTime(v),
    },
    { title: t('ops.colFiles'), dataIndex: 'files', width: 70, align: 'right' },
    { title: t('ops.colRead'), dataIndex: 'rows_read', width: 90, align: 'right', render: n },
    { title: t('ops.colLoaded'), dataIndex: 'rows_loaded', width: 90, align: 'right', render: n },
    { title: t('ops.colQuarantined'), dataIndex: 'rows_quarantined', width: 90, align: 'right', render: n },
    { title: t('ops.colCollapsed'), dataIndex: 'rows_collapsed', width: 90, align: 'right', render: n },
  ];
  const fileColumns: ColumnsType<LoadFileRow> = [
    { title: t('ops.colExtract'), dataIndex: 'extract' },
    { title: t('ops.colFile'), dataIndex: 'file' },
    { title: t('ops.colFormat'), dataIndex: 'format', render: (v: string, f) => `${v} ${f.encoding}` },
    { title: t('ops.colRead'), dataIndex: 'rows_read', align: 'right', render: n },
    { title: t('ops.colLoaded'), dataIndex: 'rows_loaded', align: 'right', render: n },
    { title: t('ops.colQuarantined'), dataIndex: 'rows_quarantined', align: 'right', render: n },
    { title: t('ops.colInserted'), dataIndex: 'rows_inserted', align: 'right', render: n },
    { title: t('ops.colUpdated'), dataIndex: 'rows_updated', align: 'right', render: n },
    { title: t('ops.colRemoved'), dataIndex: 'rows_removed', align: 'right', render: n },
    { title: t('ops.colUnchanged'), dataIndex: 'rows_unchanged', align: 'right', render: n },
  ];
  return (
    <div>
      <div className="wj-filters">
        <span>{t('ops.shownCount', { shown: loads.data.loads.length, total: loads.data.total })}</span>
      </div>
      <Table<LoadRow>
        data-testid="ops-loads"
        size="small"
        rowKey="load_id"
        columns={columns}
        dataSource={loads.data.loads}
        expandable={{
          expandedRowRender: (r) => (
            <Table<LoadFileRow>
              size="small"
              rowKey="extract"
              columns={fileColumns}
              dataSource={r.load_files}
              pagination={false}
            />
          ),
        }}
        pagination={{
          current: offset / PAGE + 1,
          pageSize: PAGE,
          total: loads.data.total,
          showSizeChanger: false,
          hideOnSinglePage: true,
          onChange: (p) => setOffset((p - 1) * PAGE),
        }}
      />
    </div>
  );
}

function Quarantine() {
  const { t } = useTranslation();
  const [load, setLoad] = useState<number | null>(null);
  const [extract, setExtract] = useState('');
  const [reason, setReason] = useState('');
  const [applied, setApplied] = useState<{ load?: number; extract?: string; reason?: string }>({});
  const [offset, setOffset] = useState(0);
  const q = useQuarantine(applied, { limit: 100, offset });
  const [sort, setSort] = useState<TableSort<QuarantineRow> | null>(null);
  const apply = () => {
    setOffset(0);
    setApplied({
      ...(load ? { load } : {}),
      ...(extract.trim() ? { extract: extract.trim() } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    });
  };
  const columns: ColumnsType<QuarantineRow> = [
    { title: t('ops.colLoad'), dataIndex: 'load_id', width: 80, sorter: (a, b) => a.load_id - b.load_id },
    {
      title: t('ops.colExtract'),
      dataIndex: 'extract',
      width: 120,
      sorter: (a, b) => a.extract.localeCompare(b.extract),
    },
    { title: t('ops.colFile'), dataIndex: 'file', width: 140, ellipsis: true },
    {
      title: t('ops.colLine'),
      dataIndex: 'line',
      width: 70,
      align: 'right',
      sorter: (a, b) => (a.line ?? 0) - (b.line ?? 0),
    },
    { title: t('ops.colColumn'), dataIndex: 'column_name', width: 120 },
    { title: t('ops.colValue'), dataIndex: 'value', width: 160, ellipsis: true },
    { title: t('ops.colReason'), dataIndex: 'reason', ellipsis: { showTitle: true } },
  ];
  const rows = q.data?.rows ?? [];
  const exportRows = () =>
    downloadCsv(
      'quarantine.csv',
      ['load', 'extract', 'file', 'line', 'column', 'value', 'reason'],
      sortLike(rows, sort).map((r) => [
        r.load_id,
        r.extract,
        r.file,
        r.line,
        r.column_name,
        r.value,
        r.reason,
      ]),
    );
  return (
    <div>
      <Form className="wj-filters" layout="inline" onFinish={apply}>
        <Form.Item>
          <InputNumber
            data-testid="ops-q-load"
            placeholder={t('ops.filterLoad')}
            min={1}
            value={load}
            onChange={(v) => setLoad(typeof v === 'number' ? v : null)}
          />
        </Form.Item>
        <Form.Item>
          <Input
            data-testid="ops-q-extract"
            placeholder={t('ops.filterExtract')}
            value={extract}
            style={{ width: 140 }}
            onChange={(e) => setExtract(e.target.value)}
          />
        </Form.Item>
        <Form.Item>
          <Input
            data-testid="ops-q-reason"
            placeholder={t('ops.filterReason')}
            value={reason}
            style={{ width: 200 }}
            onChange={(e) => setReason(e.target.value)}
          />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" type="primary">
            {t('ops.apply')}
          </Button>
        </Form.Item>
        <Form.Item>
          <Button onClick={exportRows} disabled={rows.length === 0} data-testid="ops-q-export">
            {t('ops.export')}
          </Button>
        </Form.Item>
        {q.data ? (
          <span data-testid="ops-q-count">
            {t('ops.shownCount', { shown: rows.length, total: q.data.total })}
          </span>
        ) : null}
      </Form>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.total === 0 ? (
        <EmptyState title={t('ops.quarantineEmpty')} hint={t('ops.quarantineEmptyHint')} />
      ) : (
        <Table<QuarantineRow>
          data-testid="ops-quarantine"
          size="small"
          rowKey={(r) => `${r.load_id}|${r.extract}|${r.file}|${r.line}|${r.column_name}|${r.reason}`}
          columns={columns}
          dataSource={rows}
          onChange={(_p, _f, s) => setSort(tableSort<QuarantineRow>(s))}
          pagination={{
            current: offset / 100 + 1,
            pageSize: 100,
            total: q.data.total,
            showSizeChanger: false,
            hideOnSinglePage: true,
            onChange: (p) => setOffset((p - 1) * 100),
          }}
        />
      )}
    </div>
  );
}
