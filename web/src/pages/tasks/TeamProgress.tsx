// 团队进度 (managers): each staff member of the manager's subtree who works tasks (filter by org), with their tasks by status,
// the overdue ones, contacts in the last 7 × 24 hours and this season's conversions credited to them
// (GET /api/team; definitions in src/server/routes/team.ts and docs/server.md). Sortable, exportable.
import { Button, Table, Tooltip } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useTranslation } from 'react-i18next';
import { type TeamMember, useTeam } from '../../api/hooks';
import { useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { downloadCsv } from '../../format/csv';
import { formatCount } from '../../format/format';

const COUNTS = ['queued', 'open', 'in_progress', 'done', 'overdue', 'contacts_7d', 'converted'] as const;

export function TeamProgress() {
  const { t } = useTranslation();
  const s = useCurrentSession();
  const q = useTeam(s.user.orgId);
  if (q.isPending) return <LoadingState rows={8} />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const rows = q.data.members;
  const columns: ColumnsType<TeamMember> = [
    {
      title: t('tasks.teamStaff'),
      dataIndex: 'staff_name',
      fixed: 'left',
      width: 190,
      render: (_v, m) => `${m.staff_name ?? m.staff_id}（${m.staff_id}）`,
      sorter: (a, b) => a.staff_id.localeCompare(b.staff_id),
    },
    { title: t('tasks.teamRole'), dataIndex: 'role', width: 150, render: (r: string) => t(`roles.${r}`) },
    {
      title: t('tasks.teamOrg'),
      dataIndex: 'org_name',
      width: 180,
      render: (v, m) => v ?? m.org_id,
      filters: [...new Map(rows.map((m) => [m.org_id, m.org_name ?? m.org_id]))].map(([value, text]) => ({
        value,
        text,
      })),
      onFilter: (v, m) => m.org_id === v,
      sorter: (a, b) => a.org_id.localeCompare(b.org_id),
    },
    ...COUNTS.map((k) => ({
      title: (
        <Tooltip title={t(`tasks.teamDef.${k}`)}>
          <span>{t(`tasks.team.${k}`)}</span>
        </Tooltip>
      ),
      dataIndex: k,
      align: 'right' as const,
      width: 96,
      sorter: (a: TeamMember, b: TeamMember) => a[k] - b[k],
      render: (v: number) => (
        <span className={`wj-num${k === 'overdue' && v > 0 ? ' wj-down' : ''}`}>{formatCount(v)}</span>
      ),
    })),
  ];
  return (
    <div data-testid="team-progress">
      <div className="wj-filters">
        <span>{t('tasks.teamAsOf', { date: q.data.today })}</span>
        <span style={{ marginLeft: 'auto' }}>{t('tasks.total', { n: formatCount(rows.length) })}</span>
        <Button
          onClick={() =>
            downloadCsv(
              `team-${q.data.org_id}-${q.data.today}.csv`,
              [
                t('tasks.teamStaff'),
                'staff_id',
                t('tasks.teamRole'),
                t('tasks.teamOrg'),
                ...COUNTS.map((k) => t(`tasks.team.${k}`)),
              ],
              rows.map((m) => [
                m.staff_name ?? '',
                m.staff_id,
                t(`roles.${m.role}`),
                m.org_name ?? m.org_id,
                ...COUNTS.map((k) => m[k]),
              ]),
            )
          }
        >
          {t('tasks.export')}
        </Button>
      </div>
      <Table<TeamMember>
        size="small"
        rowKey="staff_id"
        columns={columns}
        dataSource={rows}
        scroll={{ x: 1200, y: 'calc(100vh - 360px)' }}
        pagination={{ pageSize: 50, showTotal: (n) => t('tasks.total', { n: formatCount(n) }) }}
        locale={{ emptyText: <EmptyState title={t('tasks.teamEmpty')} /> }}
      />
    </div>
  );
}
