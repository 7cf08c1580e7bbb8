// One task: the reason, the talking points, the masked customer card with its suitability notes, the
// contacts so far, one-click outcomes (the contact policy's refusal said in words), pick-up from the
// pool, booking a home visit and, for managers, reassignment.
import {
  Alert,
  App,
  Button,
  Descriptions,
  Drawer,
  Input,
  List,
  Modal,
  Popconfirm,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePickUp, useReassign, useRecordOutcome, useTask } from '../../api/hooks';
import { OUTCOMES, type Outcome } from '../../api/types';
import { can, useCurrentSession } from '../../app/session';
import { ErrorState, LoadingState } from '../../components/PageState';
import { DASH, formatCount, formatDate, formatDateTime } from '../../format/format';
import { shortLang } from '../../i18n';
import { suitabilityNotes } from './suitability';
import { TaskAppointment } from './TaskAppointment';
import { refusalText, STATUS_COLORS } from './TasksPage';

const CLOSED = new Set(['DONE', 'CLOSED']);

export function TaskDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const s = useCurrentSession();
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const { message } = App.useApp();
  const q = useTask(id, lang);
  const record = useRecordOutcome();
  const pickUp = usePickUp();
  const reassign = useReassign();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [invalidOpen, setInvalidOpen] = useState(false);
  const [invalidReason, setInvalidReason] = useState('');
  const [staffId, setStaffId] = useState('');
  const [poolOrg, setPoolOrg] = useState('');

  const close = () => {
    setRefusal(null);
    record.reset();
    onClose();
  };

  const submit = (outcome: Outcome, reason?: string) => {
    if (id === null) return;
    setRefusal(null);
    record.mutate(
      { id, outcome, reason },
      {
        onSuccess: (r) => void message.success(t('tasks.recorded', { outcome: t(`outcomes.${r.outcome}`) })),
        onError: (e) => setRefusal(refusalText(e, t)),
      },
    );
  };

  const d = q.data;
  const task = d?.task;
  const open = task ? !CLOSED.has(task.status) : false;
  const mayWork = can(s, 'leads:work');

  let body: React.ReactNode;
  if (q.isPending) body = <LoadingState rows={12} />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (d && task) {
    const c = d.customer;
    body = (
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Descriptions size="small" column={2} bordered>
          <Descriptions.Item label={t('tasks.activity')} span={2}>
            {task.activity_name}
          </Descriptions.Item>
          <Descriptions.Item label={t('tasks.product')}>{task.product_name ?? DASH}</Descriptions.Item>
          <Descriptions.Item label={t('tasks.priority')}>{formatCount(task.priority)}</Descriptions.Item>
          <Descriptions.Item label={t('tasks.channel')}>
            {t(`channels.${task.channel}`, { defaultValue: task.channel })}
          </Descriptions.Item>
          <Descriptions.Item label={t('tasks.status')}>
            <Tag color={STATUS_COLORS[task.status]}>
              {t(`statuses.${task.status}`, { defaultValue: task.status })}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('tasks.created')}>{formatDate(task.created_on)}</Descriptions.Item>
          <Descriptions.Item label={t('tasks.due')}>{formatDate(task.due_date)}</Descriptions.Item>
          {task.queue_reason ? (
            <Descriptions.Item label={t('tasks.queueReason')} span={2}>
              {task.queue_reason}
            </Descriptions.Item>
          ) : null}
        </Descriptions>
        <Alert
          type="info"
          showIcon
          message={t('tasks.reason')}
          description={task.reason}
          data-testid="task-reason"
        />
        <div>
          <Typography.Title level={5}>{t('tasks.talkingPoints')}</Typography.Title>
          <Typography.Paragraph style={{ marginBottom: 0 }}>{task.talking_points}</Typography.Paragraph>
        </div>
        <div data-testid="customer-card">
          <Typography.Title level={5}>{t('tasks.customerCard')}</Typography.Title>
          {c ? (
            <>
              <Descriptions size="small" column={2} bordered>
                <Descriptions.Item label={t('tasks.customer')}>{c.name ?? DASH}</Descriptions.Item>
                <Descriptions.Item label={t('tasks.phone')}>{c.phone ?? DASH}</Descriptions.Item>
                <Descriptions.Item label={t('tasks.idNo')} span={2}>
                  {c.id_no ?? DASH}
                </Descriptions.Item>
                <Descriptions.Item label={t('tasks.gender')}>
                  {c.gender ? t(`gender.${c.gender}`, { defaultValue: c.gender }) : DASH}
                </Descriptions.Item>
                <Descriptions.Item label={t('tasks.since')}>{formatDate(c.customer_since)}</Descriptions.Item>
                <Descriptions.Item label={t('tasks.homeOrg')}>
                  {c.home_org_name ?? c.home_org_id ?? DASH}
                </Descriptions.Item>
                <Descriptions.Item label={t('tasks.manager')}>{c.manager_id ?? DASH}</Descriptions.Item>
                <Descriptions.Item label={t('tasks.riskLevel')}>{c.risk_level ?? DASH}</Descriptions.Item>
                <Descriptions.Item label={t('tasks.consent')}>
                  {c.marketing_consent === 'N' ? t('tasks.no') : t('tasks.yes')} · {t('tasks.dnd')}{' '}
                  {c.dnd === 'Y' ? t('tasks.yes') : t('tasks.no')}
                </Descriptions.Item>
              </Descriptions>
              <Space direction="vertical" style={{ width: '100%', marginTop: 8 }} data-testid="suitability">
                {suitabilityNotes(c).map((n) => (
                  <Alert key={n.key} type={n.level} showIcon message={t(n.key, n.params)} />
                ))}
              </Space>
            </>
          ) : (
            <Typography.Text type="secondary">{t('tasks.noCustomer')}</Typography.Text>
          )}
        </div>
        {mayWork && open ? (
          <div data-testid="outcomes">
            <Typography.Title level={5}>{t('tasks.outcome')}</Typography.Title>
            {refusal ? (
              <Alert
                type="error"
                showIcon
                message={t('tasks.refusedTitle')}
                description={refusal}
                style={{ marginBottom: 8 }}
                data-testid="refusal"
              />
            ) : null}
            {task.staff_id === null ? (
              <Button
                type="primary"
                style={{ marginBottom: 8 }}
                loading={pickUp.isPending}
                onClick={() =>
                  pickUp.mutate(task.task_id, {
                    onSuccess: () => void message.success(t('tasks.pickedUp', { id: task.task_id })),
                    onError: (e) => setRefusal(refusalText(e, t)),
                  })
                }
              >
                {t('tasks.pickup')}
              </Button>
            ) : null}
            <Space wrap>
              {OUTCOMES.map((o) =>
                o === 'REFUSED_ALL' ? (
                  <Popconfirm
                    key={o}
                    title={t('tasks.confirmRefusedAll')}
                    okText={t('tasks.confirm')}
                    cancelText={t('tasks.cancel')}
                    onConfirm={() => submit(o)}
                  >
                    <Button danger disabled={record.isPending}>
                      {t(`outcomes.${o}`)}
                    </Button>
                  </Popconfirm>
                ) : (
                  <Button
                    key={o}
                    disabled={record.isPending}
                    danger={o === 'REFUSED' || o === 'INVALID'}
                    type={o === 'CONVERTED_CLAIMED' ? 'primary' : 'default'}
                    onClick={() => (o === 'INVALID' ? setInvalidOpen(true) : submit(o))}
                    data-testid={`outcome-${o}`}
                  >
                    {t(`outcomes.${o}`)}
                  </Button>
                ),
              )}
            </Space>
          </div>
        ) : null}
        {mayWork && open && task.customer_id ? <TaskAppointment taskId={task.task_id} /> : null}
        {can(s, 'leads:reassign') && open ? (
          <div>
            <Typography.Title level={5}>{t('tasks.reassign')}</Typography.Title>
            <Space wrap>
              <Input
                style={{ width: 140 }}
                placeholder={t('tasks.reassignStaff')}
                value={staffId}
                onChange={(e) => setStaffId(e.target.value.trim())}
              />
              <Input
                style={{ width: 200 }}
                placeholder={t('tasks.reassignPool')}
                value={poolOrg}
                onChange={(e) => setPoolOrg(e.target.value.trim())}
              />
              <Button
                disabled={!staffId === !poolOrg}
                loading={reassign.isPending}
                onClick={() =>
                  reassign.mutate(
                    staffId ? { id: task.task_id, staffId } : { id: task.task_id, poolOrgId: poolOrg },
                    {
                      onSuccess: () => {
                        setStaffId('');
                        setPoolOrg('');
                        void message.success(t('tasks.reassignDone', { id: task.task_id }));
                      },
                      onError: (e) => setRefusal(refusalText(e, t)),
                    },
                  )
                }
              >
                {t('tasks.reassign')}
              </Button>
            </Space>
          </div>
        ) : null}
        <div>
          <Typography.Title level={5}>{t('tasks.contacts')}</Typography.Title>
          <List
            size="small"
            dataSource={d.contacts}
            locale={{ emptyText: t('tasks.noContacts') }}
            renderItem={(x) => (
              <List.Item>
                <span className="wj-num">{formatDateTime(x.contact_at)}</span>
                <Tag>{t(`outcomes.${x.outcome}`, { defaultValue: x.outcome })}</Tag>
                <span>{t(`channels.${x.channel}`, { defaultValue: x.channel })}</span>
                <span>{x.staff_id ?? DASH}</span>
              </List.Item>
            )}
          />
        </div>
      </Space>
    );
  }

  return (
    <Drawer
      open={id !== null}
      onClose={close}
      width={620}
      title={
        task
          ? `${t('tasks.detail')} #${task.task_id} · ${task.customer_name ?? task.entity_id}`
          : t('tasks.detail')
      }
      destroyOnHidden
      data-testid="task-drawer"
    >
      {body}
      <Modal
        open={invalidOpen}
        title={t('tasks.invalidReason')}
        okText={t('tasks.confirm')}
        cancelText={t('tasks.cancel')}
        okButtonProps={{ disabled: !invalidReason.trim() }}
        onCancel={() => setInvalidOpen(false)}
        onOk={() => {
          setInvalidOpen(false);
          submit('INVALID', invalidReason.trim());
          setInvalidReason('');
        }}
      >
        <Input.TextArea
          rows={3}
          maxLength={500}
          value={invalidReason}
          placeholder={t('tasks.invalidReasonPlaceholder')}
          onChange={(e) => setInvalidReason(e.target.value)}
        />
      </Modal>
    </Drawer>
  );
}
