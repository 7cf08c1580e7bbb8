// 审计日志 Audit log (audit:read; docs/server.md "The audit log"): the hash chain's state on top (GET
// /api/audit/verify), then the log newest first in a dense table — time in bank time to the second,
// actor, role, action, target, detail — filtered by bank dates, actor, actions and target, paged by the
// server, exported as CSV exactly as shown. Entries hold no personal data (the server masks digit runs).
import { Alert, Button, DatePicker, Form, Input, Select, Table, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { sortLike, type TableSort, tableSort } from '../../components/tableSort';
import { downloadCsv } from '../../format/csv';
import { useAuditEntries, useAuditVerify } from './api';
import {
  AUDIT_CSV_HEADER,
  type AuditEntry,
  type AuditFilters,
  auditCsvRows,
  auditQuery,
  bankTimeSeconds,
} from './rows';

const PAGE = 100;

export function AuditPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-audit">
      <PageHead title={t('audit.title')} purpose={t('audit.purpose')} />
      <ChainStatus />
      <AuditLog />
    </div>
  );
}

function ChainStatus() {
  const { t } = useTranslation();
  const v = useAuditVerify();
  if (v.isPending)
    return <Alert type="info" showIcon message={t('audit.chainChecking')} style={{ marginBottom: 12 }} />;
  if (v.isError)
    return (
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 12 }}
        message={t('audit.chainError', {
          message: v.error instanceof ApiError ? v.error.message : String(v.error),
        })}
        action={<Button onClick={() => v.refetch()}>{t('states.retry')}</Button>}
      />
    );
  const d = v.data;
  const at = bankTimeSeconds(d.checkedAt);
  const message = d.ok
    ? d.head
      ? t('audit.chainOk', { rows: d.rows, seq: d.head.seq, hash: d.head.hash.slice(0, 12), at })
      : t('audit.chainEmpty', { at })
    : d.firstBroken?.seq != null
      ? t('audit.chainBroken', { seq: d.firstBroken.seq, reason: d.firstBroken.reason })
      : t('audit.chainBrokenLoose', { reason: d.firstBroken?.reason ?? '' });
  return (
    <Alert
      data-testid="audit-chain"
      data-ok={String(d.ok)}
      type={d.ok ? 'success' : 'error'}
      showIcon
      style={{ marginBottom: 12 }}
      message={
        <Tooltip title={t('audit.chainTip')}>
          <span>{message}</span>
        </Tooltip>
      }
      action={
        <Button size="small" onClick={() => v.refetch()} loading={v.isFetching}>
          {t('states.retry')}
        </Button>
      }
    />
  );
}

function AuditLog() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<AuditFilters>({});
  const [applied, setApplied] = useState<AuditFilters>({});
  const [offset, setOffset] = useState(0);
  const [sort, setSort] = useState<TableSort<AuditEntry> | null>(null);
  const q = useAuditEntries(auditQuery(applied, { limit: PAGE, offset }));
  const rows = q.data?.entries ?? [];
  const datesBad = !!(draft.fromDate && draft.toDate && draft.toDate < draft.fromDate);
  const apply = () => {
    if (datesBad) return;
    setOffset(0);
    setApplied(draft);
  };
  const roleLabel = (r: string | null) => (r ? t(`roles.${r}`, { defaultValue: r }) : '—');
  const columns: ColumnsType<AuditEntry> = [
    {
      title: t('audit.colSeq'),
      dataIndex: 'seq',
      width: 70,
      align: 'right',
      sorter: (a, b) => (a.seq ?? 0) - (b.seq ?? 0),
      render: (v: number | null) => v ?? '—',
    },
    {
      title: t('audit.colTime'),
      dataIndex: 'loggedAt',
      width: 160,
      sorter: (a, b) => a.loggedAt.localeCompare(b.loggedAt),
      render: (v: string) => (
        <span className="wj-num" style={{ whiteSpace: 'nowrap' }}>
          {bankTimeSeconds(v)}
        </span>
      ),
    },
    {
      title: t('audit.colActor'),
      dataIndex: 'actor',
      width: 130,
      ellipsis: true,
      sorter: (a, b) => a.actor.localeCompare(b.actor),
    },
    {
      title: t('audit.colRole'),
      dataIndex: 'role',
      width: 140,
      render: (r: string | null) => roleLabel(r),
    },
    {
      title: t('audit.colAction'),
      dataIndex: 'action',
      width: 150,
      sorter: (a, b) => a.action.localeCompare(b.action),
      render: (v: string) => <code>{v}</code>,
    },
    {
      title: t('audit.colTarget'),
      dataIndex: 'subject',
      width: 200,
      ellipsis: { showTitle: true },
      render: (v) => v ?? '—',
    },
    {
      title: t('audit.colDetail'),
      dataIndex: 'detail',
      ellipsis: { showTitle: true },
      render: (v) => v ?? '',
    },
  ];
  const exportRows = () => {
    const shown = sortLike(rows, sort);
    downloadCsv(`audit-${offset / PAGE + 1}.csv`, AUDIT_CSV_HEADER, auditCsvRows(shown));
  };
  return (
    <div>
      <Form className="wj-filters" layout="inline" onFinish={apply}>
        <Form.Item label={t('audit.from')} validateStatus={datesBad ? 'error' : undefined}>
          <DatePicker
            data-testid="audit-from"
            format="YYYY-MM-DD"
            value={draft.fromDate ? dayjs(draft.fromDate) : null}
            onChange={(d) => setDraft({ ...draft, fromDate: d ? d.format('YYYY-MM-DD') : null })}
          />
        </Form.Item>
        <Form.Item
          label={t('audit.to')}
          validateStatus={datesBad ? 'error' : undefined}
          help={datesBad ? t('audit.dateBad') : undefined}
        >
          <DatePicker
            data-testid="audit-to"
            format="YYYY-MM-DD"
            value={draft.toDate ? dayjs(draft.toDate) : null}
            onChange={(d) => setDraft({ ...draft, toDate: d ? d.format('YYYY-MM-DD') : null })}
          />
        </Form.Item>
        <Form.Item>
          <Input
            data-testid="audit-actor"
            placeholder={t('audit.actor')}
            style={{ width: 150 }}
            value={draft.actor ?? ''}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
          />
        </Form.Item>
        <Form.Item>
          <Select
            data-testid="audit-actions"
            mode="multiple"
            allowClear
            placeholder={t('audit.actions')}
            style={{ minWidth: 180, maxWidth: 320 }}
            value={draft.actions ?? []}
            options={(q.data?.actions ?? []).map((a) => ({ value: a, label: a }))}
            onChange={(v: string[]) => setDraft({ ...draft, actions: v })}
          />
        </Form.Item>
        <Form.Item>
          <Input
            data-testid="audit-target"
            placeholder={t('audit.target')}
            style={{ width: 150 }}
            value={draft.target ?? ''}
            onChange={(e) => setDraft({ ...draft, target: e.target.value })}
          />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" data-testid="audit-apply">
            {t('audit.apply')}
          </Button>
        </Form.Item>
        <Form.Item>
          <Button
            onClick={() => {
              setDraft({});
              setApplied({});
              setOffset(0);
            }}
          >
            {t('audit.reset')}
          </Button>
        </Form.Item>
        <Form.Item>
          <Button onClick={exportRows} disabled={rows.length === 0} data-testid="audit-export">
            {t('audit.export')}
          </Button>
        </Form.Item>
        {q.data ? (
          <span data-testid="audit-count">
            {t('audit.shownCount', { shown: rows.length, total: q.data.total })}
          </span>
        ) : null}
      </Form>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : q.data.total === 0 ? (
        <EmptyState title={t('audit.empty')} hint={t('audit.emptyHint')} />
      ) : (
        <Table<AuditEntry>
          data-testid="audit-table"
          size="small"
          rowKey={(r) => `${r.seq}|${r.loggedAt}|${r.actor}|${r.action}`}
          columns={columns}
          dataSource={rows}
          onChange={(_p, _f, s) => setSort(tableSort<AuditEntry>(s))}
          scroll={{ x: 1100 }}
          pagination={{
            current: offset / PAGE + 1,
            pageSize: PAGE,
            total: q.data.total,
            showSizeChanger: false,
            hideOnSinglePage: true,
            onChange: (p) => setOffset((p - 1) * PAGE),
          }}
        />
      )}
    </div>
  );
}
