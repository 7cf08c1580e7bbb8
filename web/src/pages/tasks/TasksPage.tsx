// 名单工作台: my tasks or the pool, best first, filtered by view, activity and status, with the row
// count and pagination; a click opens the task; pool tasks are picked up in one click.
import { App, Button, Segmented, Select, Table, Tabs, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { type TaskFilters, usePickUp, useTaskActivities, useTasks } from '../../api/hooks';
import { TASK_STATUSES, type TaskView } from '../../api/types';
import { useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, PageHead } from '../../components/PageState';
import { DASH, formatCount, formatDate } from '../../format/format';
import { shortLang } from '../../i18n';
import { TaskDrawer } from './TaskDrawer';
import { TeamProgress } from './TeamProgress';

export const STATUS_COLORS: Record<string, string> = {
  QUEUED: 'default',
  OPEN: 'blue',
  IN_PROGRESS: 'gold',
  DONE: 'green',
  CLOSED: 'default',
};

/** A refusal (409 …) in words: the code's name in the UI's language, then the server's own message. */
export function refusalText(e: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (e instanceof ApiError) {
    const title = t(`refusals.${e.code}`, { defaultValue: '' }) || t('refusals.OTHER');
    return `${title}（${e.message}）`;
  }
  return String((e as Error)?.message ?? e);
}

export function TasksPage() {
  const s = useCurrentSession();
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const { message } = App.useApp();
  const [view, setView] = useState<TaskFilters['view']>(
    // Managers see their subtree's tasks first; staff their own.
    s.user.permissions.includes('leads:reassign') || !s.user.staffId ? 'all' : 'mine',
  );
  const [activity, setActivity] = useState<string | undefined>();
  const [status, setStatus] = useState<string[]>(['OPEN', 'IN_PROGRESS', 'QUEUED']);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [openId, setOpenId] = useState<number | null>(null);
  const manager = s.user.permissions.includes('leads:reassign');
  const [tab, setTab] = useState<'list' | 'team'>('list');
  const q = useTasks({ view, status, activity, limit: pageSize, offset: (page - 1) * pageSize, lang });
  const activities = useTaskActivities(lang);
  const pickUp = usePickUp();

  const doPickUp = (id: number) =>
    pickUp.mutate(id, {
      onSuccess: () => void message.success(t('tasks.pickedUp', { id })),
      onError: (e) => void message.error(refusalText(e, t)),
    });

  const columns: ColumnsType<TaskView> = [
    {
      title: t('tasks.priority'),
      dataIndex: 'priority',
      width: 90,
      align: 'right',
      fixed: 'left',
      sorter: (a, b) => Number(a.priority) - Number(b.priority),
      render: (v: string) => <span className="wj-num">{formatCount(v)}</span>,
    },
    {
      title: t('tasks.customer'),
      dataIndex: 'customer_name',
      width: 110,
      fixed: 'left',
      render: (v: string | null, r) => (
        <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpenId(r.task_id)}>
          {v ?? r.entity_id}
        </Button>
      ),
    },
    {
      title: t('tasks.phone'),
      dataIndex: 'customer_phone',
      width: 120,
      render: (v: string | null) => v ?? DASH,
    },
    { title: t('tasks.activity'), dataIndex: 'activity_name', ellipsis: true },
    {
      title: t('tasks.product'),
      dataIndex: 'product_name',
      ellipsis: true,
      render: (v: string | null) => v ?? DASH,
    },
    {
      title: t('tasks.channel'),
      dataIndex: 'channel',
      width: 110,
      render: (v: string) => t(`channels.${v}`, { defaultValue: v }),
    },
    {
      title: t('tasks.status'),
      dataIndex: 'status',
      width: 90,
      render: (v: string) => <Tag color={STATUS_COLORS[v]}>{t(`statuses.${v}`, { defaultValue: v })}</Tag>,
    },
    {
      title: t('tasks.due'),
      dataIndex: 'due_date',
      width: 110,
      sorter: (a, b) => (a.due_date ?? '9').localeCompare(b.due_date ?? '9'),
      render: (v: string | null) => formatDate(v),
    },
    {
      title: t('tasks.lastOutcome'),
      dataIndex: 'last_outcome',
      width: 110,
      render: (v: string | null) => (v ? t(`outcomes.${v}`, { defaultValue: v }) : DASH),
    },
    {
      title: t('tasks.actions'),
      key: 'actions',
      width: 120,
      render: (_, r) => (
        <span style={{ display: 'flex', gap: 4 }}>
          <Button size="small" onClick={() => setOpenId(r.task_id)}>
            {t('tasks.open')}
          </Button>
          {r.staff_id === null && s.user.permissions.includes('leads:work') ? (
            <Button
              size="small"
              type="primary"
              ghost
              loading={pickUp.isPending && pickUp.variables === r.task_id}
              onClick={() => doPickUp(r.task_id)}
            >
              {t('tasks.pickup')}
            </Button>
          ) : null}
        </span>
      ),
    },
  ];

  return (
    <div data-testid="page-tasks">
      <PageHead title={t('tasks.title')} purpose={t('tasks.purpose')} />
      {manager ? (
        <Tabs
          activeKey={tab}
          onChange={(k) => setTab(k as 'list' | 'team')}
          items={[
            { key: 'list', label: t('tasks.tabList') },
            { key: 'team', label: t('tasks.tabTeam') },
          ]}
          data-testid="tasks-tabs"
        />
      ) : null}
      {tab === 'team' ? <TeamProgress /> : null}
      <div className="wj-filters" hidden={tab === 'team'}>
        <Segmented<TaskFilters['view']>
          value={view}
          onChange={(v) => {
            setView(v);
            setPage(1);
          }}
          options={[
            ...(s.user.staffId ? [{ label: t('tasks.viewMine'), value: 'mine' as const }] : []),
            { label: t('tasks.viewPool'), value: 'pool' as const },
            { label: t('tasks.viewAll'), value: 'all' as const },
          ]}
          data-testid="view"
        />
        <Select
          allowClear
          style={{ minWidth: 200 }}
          placeholder={t('tasks.allActivities')}
          value={activity}
          loading={activities.isPending}
          onChange={(v: string | undefined) => {
            setActivity(v);
            setPage(1);
          }}
          options={(activities.data ?? []).map((a) => ({ value: a.id, label: a.name }))}
          aria-label={t('tasks.activity')}
        />
        <Select
          mode="multiple"
          style={{ minWidth: 260 }}
          placeholder={t('tasks.status')}
          value={status}
          onChange={(v: string[]) => {
            setStatus(v);
            setPage(1);
          }}
          options={TASK_STATUSES.map((x) => ({ value: x, label: t(`statuses.${x}`) }))}
          aria-label={t('tasks.status')}
        />
        <span style={{ marginLeft: 'auto' }} data-testid="task-total">
          {q.data ? t('tasks.total', { n: formatCount(q.data.total) }) : null}
        </span>
      </div>
      {tab === 'team' ? null : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Table<TaskView>
          size="small"
          rowKey="task_id"
          loading={q.isFetching}
          columns={columns}
          dataSource={q.data?.tasks ?? []}
          scroll={{ x: 1100, y: 'calc(100vh - 330px)' }}
          onRow={(r) => ({ onDoubleClick: () => setOpenId(r.task_id) })}
          pagination={{
            current: page,
            pageSize,
            total: q.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100, 200],
            showTotal: (n) => t('tasks.total', { n: formatCount(n) }),
            onChange: (p, size) => {
              setPage(size === pageSize ? p : 1);
              setPageSize(size);
            },
          }}
          locale={{ emptyText: q.isPending ? ' ' : <EmptyState title={t('tasks.empty')} /> }}
          data-testid="task-table"
        />
      )}
      <TaskDrawer id={openId} onClose={() => setOpenId(null)} />
    </div>
  );
}
