// 外拓活动: the events in scope with filters, a create form, and an event's record with its results
// (typed cards, appointments, participants, and the cards opened from the accounts) and its edit.
import type { ButtonProps } from 'antd';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { formatCount, formatDate, formatDateTime } from '../../format/format';
import {
  type FieldEvent,
  type FieldEventDetail,
  useEvent,
  useEvents,
  useFieldWrite,
  useServicePoints,
  useStations,
} from './api';
import { EVENT_STATUSES, EVENT_TEAMS, eventBody, eventResultBody, oneLanguage, refusalWords } from './logic';
import { byNumber, byText, DataTable, type Col as TCol, useCanWrite, useOrgFilter } from './shared';

const d = (v?: Dayjs | null) => (v ? v.format('YYYY-MM-DD') : undefined);

export function EventsTab({ openEvent }: { openEvent: (id: number) => void }) {
  const { t } = useTranslation();
  const { org } = useOrgFilter();
  const canWrite = useCanWrite();
  const [team, setTeam] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [creating, setCreating] = useState(false);
  const q = useEvents({ org, team, status, from: d(range?.[0]), to: d(range?.[1]) });

  const columns: TCol<FieldEvent>[] = [
    {
      title: t('field.eventId'),
      head: t('field.eventId'),
      dataIndex: 'event_id',
      sorter: byNumber((r) => r.event_id),
      render: (v: number) => (
        <Typography.Link onClick={() => openEvent(v)} data-testid="event-link">
          #{v}
        </Typography.Link>
      ),
      csv: (r) => r.event_id,
    },
    {
      title: t('field.date'),
      head: t('field.date'),
      dataIndex: 'event_date',
      sorter: byText((r) => r.event_date),
      defaultSortOrder: 'descend',
      render: (v: string) => formatDate(v),
      csv: (r) => r.event_date,
    },
    {
      title: t('field.team'),
      head: t('field.team'),
      dataIndex: 'team',
      render: (v: string) => t(`field.teams.${v}`),
      csv: (r) => t(`field.teams.${r.team}`),
    },
    { title: t('field.org'), head: t('field.org'), dataIndex: 'org_id', csv: (r) => r.org_id },
    {
      title: t('field.place'),
      head: t('field.place'),
      dataIndex: 'place',
      sorter: byText((r) => r.place),
      csv: (r) => r.place,
    },
    {
      title: t('field.community'),
      head: t('field.community'),
      dataIndex: 'community',
      csv: (r) => r.community,
    },
    {
      title: t('field.status'),
      head: t('field.status'),
      dataIndex: 'status',
      render: (v: string) => <Tag>{t(`field.eventStatuses.${v}`)}</Tag>,
      csv: (r) => t(`field.eventStatuses.${r.status}`),
    },
    ...(
      [
        ['cards_opened', 'cardsTyped', 'defCardsTyped'],
        ['cards_opened_accounts', 'cardsAccounts', 'defCardsAccounts'],
        ['appointments_taken', 'apptsTaken', 'defApptsTaken'],
        ['participants', 'participants', 'defParticipants'],
      ] as const
    ).map(
      ([k, label, def]): TCol<FieldEvent> => ({
        title: <Tip label={t(`field.${label}`)} def={t(`field.${def}`)} />,
        head: t(`field.${label}`),
        align: 'right',
        sorter: byNumber((r) => r.results[k]),
        render: (_: unknown, r) => <span className="wj-num">{formatCount(r.results[k])}</span>,
        csv: (r) => r.results[k],
      }),
    ),
    {
      title: t('field.staff'),
      head: t('field.staff'),
      render: (_, r) => r.staff_ids.join('、'),
      csv: (r) => r.staff_ids.join('|'),
    },
  ];

  return (
    <div data-testid="field-events">
      <div className="wj-filters">
        <Select
          allowClear
          aria-label={t('field.team')}
          placeholder={t('field.allTeams')}
          style={{ width: 150 }}
          value={team}
          onChange={setTeam}
          options={EVENT_TEAMS.map((k) => ({ value: k, label: t(`field.teams.${k}`) }))}
        />
        <Select
          allowClear
          aria-label={t('field.status')}
          placeholder={t('field.allStatuses')}
          style={{ width: 130 }}
          value={status}
          onChange={setStatus}
          options={EVENT_STATUSES.map((k) => ({ value: k, label: t(`field.eventStatuses.${k}`) }))}
        />
        <DatePicker.RangePicker
          value={range}
          onChange={(v) => setRange(v)}
          placeholder={[oneLanguage(t('field.from')), oneLanguage(t('field.to'))]}
          aria-label={t('field.date')}
        />
        {canWrite ? (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="new-event">
            {t('field.newEvent')}
          </Button>
        ) : null}
      </div>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.events.length === 0 ? (
        <EmptyState title={t('field.eventsEmpty')} hint={t('field.eventsEmptyHint')} />
      ) : (
        <DataTable
          rows={q.data.events}
          columns={columns}
          rowKey={(r) => r.event_id}
          name="field-events"
          testId="events-table"
        />
      )}
      {creating ? <EventCreate onClose={() => setCreating(false)} onCreated={openEvent} /> : null}
    </div>
  );
}

interface CreateValues {
  team: string;
  place: string;
  community?: string;
  division_code?: string;
  event_date: Dayjs;
  staff_ids: string[];
  status: string;
  station_id?: number;
  service_point_id?: number;
  notes?: string;
}

function EventCreate({ onClose, onCreated }: { onClose: () => void; onCreated: (id: number) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const s = useCurrentSession();
  const { org } = useOrgFilter();
  const [form] = Form.useForm<CreateValues>();
  const [error, setError] = useState<string | null>(null);
  const stations = useStations({ org });
  const points = useServicePoints({ org });
  const create = useFieldWrite<Record<string, unknown>, FieldEventDetail>(
    'POST',
    () => '/api/field/events',
    (b) => b,
  );
  const submit = (v: CreateValues) => {
    setError(null);
    create.mutate(eventBody({ ...v, event_date: v.event_date.format('YYYY-MM-DD') }, org), {
      onSuccess: (e) => {
        void message.success(t('field.saved'));
        onClose();
        onCreated(e.event_id);
      },
      onError: (e) => setError(refusalWords(e, t)),
    });
  };
  return (
    <Modal
      open
      title={t('field.newEvent')}
      onCancel={onClose}
      okText={t('field.create')}
      cancelText={t('field.cancel')}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'event-submit' } as ButtonProps}
      width={640}
    >
      {error ? (
        <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} data-testid="event-error" />
      ) : null}
      <Form<CreateValues>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          status: 'PLANNED',
          event_date: dayjs(),
          staff_ids: s.user.staffId ? [s.user.staffId] : [],
        }}
        data-testid="event-form"
      >
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item
              name="team"
              label={t('field.team')}
              rules={[{ required: true, message: t('field.required', { what: t('field.team') }) }]}
            >
              <Select
                id="event-team"
                options={EVENT_TEAMS.map((k) => ({ value: k, label: t(`field.teams.${k}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="event_date"
              label={t('field.date')}
              rules={[{ required: true, message: t('field.required', { what: t('field.date') }) }]}
            >
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="place"
              label={t('field.place')}
              rules={[
                {
                  required: true,
                  whitespace: true,
                  message: t('field.required', { what: t('field.place') }),
                },
                { max: 200 },
              ]}
            >
              <Input id="event-place" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="community" label={t('field.community')} rules={[{ max: 200 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="division_code"
              label={t('field.division')}
              rules={[{ pattern: /^\d{6}$/, message: t('field.divisionBad') }]}
            >
              <Input maxLength={6} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="status" label={t('field.status')}>
              <Select
                options={EVENT_STATUSES.map((k) => ({ value: k, label: t(`field.eventStatuses.${k}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item
              name="staff_ids"
              label={t('field.staff')}
              extra={t('field.staffHint')}
              rules={[
                {
                  required: true,
                  type: 'array',
                  min: 1,
                  message: t('field.required', { what: t('field.staff') }),
                },
              ]}
            >
              <Select mode="tags" open={false} tokenSeparators={[',', ' ']} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="station_id" label={t('field.station')}>
              <Select
                allowClear
                placeholder={t('field.none')}
                options={(stations.data?.stations ?? []).map((x) => ({ value: x.station_id, label: x.name }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="service_point_id" label={t('field.servicePoint')}>
              <Select
                allowClear
                placeholder={t('field.none')}
                options={(points.data?.service_points ?? []).map((x) => ({
                  value: x.service_point_id,
                  label: x.name,
                }))}
              />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="notes" label={t('field.notes')} rules={[{ max: 2000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

interface ResultValues {
  status: string;
  place: string;
  event_date: Dayjs;
  cards_opened?: number | null;
  appointments_taken?: number | null;
  participants?: number | null;
  notes?: string;
}

export function EventRecord({ id, back }: { id: number; back: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const canWrite = useCanWrite();
  const q = useEvent(id);
  const [form] = Form.useForm<ResultValues>();
  const [error, setError] = useState<string | null>(null);
  const patch = useFieldWrite<Record<string, unknown>, FieldEventDetail>(
    'PATCH',
    () => `/api/field/events/${id}`,
    (b) => b,
  );
  if (!Number.isInteger(id) || id <= 0) return <EmptyState title={t('field.eventMissing')} />;
  if (q.isPending) return <LoadingState />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const e = q.data;
  const submit = (v: ResultValues) => {
    setError(null);
    patch.mutate(eventResultBody({ ...v, event_date: v.event_date.format('YYYY-MM-DD') }), {
      onSuccess: () => void message.success(t('field.saved')),
      onError: (err) => setError(refusalWords(err, t)),
    });
  };
  const stat = (label: string, def: string, v: number | null, testId: string) => (
    <Col span={6}>
      <Card size="small">
        <Statistic
          title={<Tip label={t(`field.${label}`)} def={t(`field.${def}`)} />}
          value={formatCount(v)}
          data-testid={testId}
        />
      </Card>
    </Col>
  );
  return (
    <div data-testid="event-record">
      <Typography.Link onClick={back}>← {t('field.back')}</Typography.Link>
      <Typography.Title level={5} style={{ marginTop: 8 }}>
        {t('field.eventRecord', { id: e.event_id })} · {t(`field.teams.${e.team}`)} ·{' '}
        <Tag>{t(`field.eventStatuses.${e.status}`)}</Tag>
      </Typography.Title>
      <Descriptions size="small" column={3} bordered>
        <Descriptions.Item label={t('field.date')}>{formatDate(e.event_date)}</Descriptions.Item>
        <Descriptions.Item label={t('field.org')}>{e.org_id}</Descriptions.Item>
        <Descriptions.Item label={t('field.place')}>{e.place}</Descriptions.Item>
        <Descriptions.Item label={t('field.community')}>{e.community ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('field.division')}>{e.division_code ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('field.staff')}>{e.staff_ids.join('、')}</Descriptions.Item>
        <Descriptions.Item label={t('field.station')}>{e.station_id ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('field.servicePoint')}>{e.service_point_id ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('field.created')}>
          {e.created_by} · {formatDateTime(e.created_at)}
        </Descriptions.Item>
        <Descriptions.Item label={t('field.notes')} span={3}>
          {e.notes ?? t('field.noNotes')}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        {t('field.results')}
      </Typography.Title>
      <Row gutter={12}>
        {stat('cardsTyped', 'defCardsTyped', e.results.cards_opened, 'result-cards')}
        {stat('cardsAccounts', 'defCardsAccounts', e.results.cards_opened_accounts, 'result-cards-accounts')}
        {stat('apptsTaken', 'defApptsTaken', e.results.appointments_taken, 'result-appointments')}
        {stat('participants', 'defParticipants', e.results.participants, 'result-participants')}
      </Row>
      {canWrite ? (
        <Card size="small" title={t('field.recordResult')} style={{ marginTop: 12 }}>
          {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} /> : null}
          <Form<ResultValues>
            form={form}
            layout="inline"
            style={{ rowGap: 8 }}
            onFinish={submit}
            initialValues={{
              status: e.status,
              place: e.place,
              event_date: dayjs(e.event_date),
              cards_opened: e.results.cards_opened,
              appointments_taken: e.results.appointments_taken,
              participants: e.results.participants,
            }}
            data-testid="result-form"
          >
            <Form.Item name="status" label={t('field.status')}>
              <Select
                style={{ width: 110 }}
                options={EVENT_STATUSES.map((k) => ({ value: k, label: t(`field.eventStatuses.${k}`) }))}
              />
            </Form.Item>
            <Form.Item name="event_date" label={t('field.date')} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
            <Form.Item
              name="place"
              label={t('field.place')}
              rules={[
                {
                  required: true,
                  whitespace: true,
                  message: t('field.required', { what: t('field.place') }),
                },
              ]}
            >
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item name="cards_opened" label={t('field.cardsTyped')}>
              <InputNumber min={0} max={1_000_000} precision={0} id="result-cards-input" />
            </Form.Item>
            <Form.Item name="appointments_taken" label={t('field.apptsTaken')}>
              <InputNumber min={0} max={1_000_000} precision={0} id="result-appts-input" />
            </Form.Item>
            <Form.Item name="participants" label={t('field.participants')}>
              <InputNumber min={0} max={1_000_000} precision={0} id="result-participants-input" />
            </Form.Item>
            <Form.Item name="notes" label={t('field.notes')} style={{ minWidth: 260, flex: 1 }}>
              <Input maxLength={2000} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={patch.isPending} data-testid="result-submit">
                {t('field.save')}
              </Button>
            </Form.Item>
          </Form>
        </Card>
      ) : null}
    </div>
  );
}
