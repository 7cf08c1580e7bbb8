// 服务点与驿站: temporary service points and stations in scope with their events (and a station's
// partners); create and edit (POST / PATCH /api/field/service-points, /api/field/stations).
import {
  Alert,
  App,
  Button,
  Col,
  DatePicker,
  Drawer,
  Form,
  Input,
  List,
  Modal,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { formatCount, formatDate } from '../../format/format';
import {
  type ServicePoint,
  type Station,
  useFieldWrite,
  useServicePoints,
  useStation,
  useStations,
} from './api';
import { refusalWords, servicePointBody, stationBody } from './logic';
import { byNumber, byText, DataTable, type Col as TCol, useCanWrite, useOrgFilter } from './shared';

type Editing = { kind: 'point'; row: ServicePoint | null } | { kind: 'station'; row: Station | null } | null;

export function PlacesTab({ openEvent }: { openEvent: (id: number) => void }) {
  const { t } = useTranslation();
  const { org } = useOrgFilter();
  const canWrite = useCanWrite();
  const points = useServicePoints({ org });
  const stations = useStations({ org });
  const [editing, setEditing] = useState<Editing>(null);
  const [stationId, setStationId] = useState<number | null>(null);

  const edit = (e: Editing) =>
    canWrite ? (
      <Button size="small" onClick={() => setEditing(e)}>
        {t('field.edit')}
      </Button>
    ) : null;

  const pointCols: TCol<ServicePoint>[] = [
    {
      title: t('field.name'),
      head: t('field.name'),
      dataIndex: 'name',
      sorter: byText((r) => r.name),
      csv: (r) => r.name,
    },
    { title: t('field.place'), head: t('field.place'), dataIndex: 'place', csv: (r) => r.place },
    { title: t('field.org'), head: t('field.org'), dataIndex: 'org_id', csv: (r) => r.org_id },
    {
      title: t('field.startDate'),
      head: t('field.startDate'),
      dataIndex: 'start_date',
      sorter: byText((r) => r.start_date),
      render: (v: string) => formatDate(v),
      csv: (r) => r.start_date,
    },
    {
      title: t('field.endDate'),
      head: t('field.endDate'),
      dataIndex: 'end_date',
      render: (v: string) => formatDate(v),
      csv: (r) => r.end_date,
    },
    {
      title: t('field.staff'),
      head: t('field.staff'),
      render: (_, r) => r.staff_ids.join('、'),
      csv: (r) => r.staff_ids.join('|'),
    },
    {
      title: <Tip label={t('field.eventsHeld')} def={t('field.defEventsHeld')} />,
      head: t('field.eventsHeld'),
      align: 'right',
      sorter: byNumber((r) => r.events),
      render: (_, r) => formatCount(r.events),
      csv: (r) => r.events,
    },
    ...(canWrite
      ? [{ key: 'edit', render: (_: unknown, r: ServicePoint) => edit({ kind: 'point', row: r }) }]
      : []),
  ];
  const stationCols: TCol<Station>[] = [
    {
      title: t('field.name'),
      head: t('field.name'),
      sorter: byText((r) => r.name),
      render: (_, r) => (
        <Typography.Link onClick={() => setStationId(r.station_id)}>{r.name}</Typography.Link>
      ),
      csv: (r) => r.name,
    },
    { title: t('field.place'), head: t('field.place'), dataIndex: 'place', csv: (r) => r.place },
    { title: t('field.org'), head: t('field.org'), dataIndex: 'org_id', csv: (r) => r.org_id },
    {
      title: t('field.openedOn'),
      head: t('field.openedOn'),
      dataIndex: 'opened_on',
      render: (v: string | null) => formatDate(v),
      csv: (r) => r.opened_on,
    },
    {
      title: t('field.status'),
      head: t('field.status'),
      render: (_, r) => <Tag>{t(`field.stationStatuses.${r.status}`)}</Tag>,
      csv: (r) => t(`field.stationStatuses.${r.status}`),
    },
    {
      title: t('field.partners'),
      head: t('field.partners'),
      render: (_, r) => r.partners.map((p) => p.partner_name).join('、') || '—',
      csv: (r) => r.partners.map((p) => p.partner_name).join('|'),
    },
    {
      title: <Tip label={t('field.eventsHeld')} def={t('field.defEventsHeld')} />,
      head: t('field.eventsHeld'),
      align: 'right',
      sorter: byNumber((r) => r.events),
      render: (_, r) => formatCount(r.events),
      csv: (r) => r.events,
    },
    {
      title: <Tip label={t('field.participantsSum')} def={t('field.defParticipantsSum')} />,
      head: t('field.participantsSum'),
      align: 'right',
      sorter: byNumber((r) => r.participants),
      render: (_, r) => formatCount(r.participants),
      csv: (r) => r.participants,
    },
    ...(canWrite
      ? [{ key: 'edit', render: (_: unknown, r: Station) => edit({ kind: 'station', row: r }) }]
      : []),
  ];

  return (
    <div data-testid="field-places">
      <Typography.Title level={5}>{t('field.servicePoints')}</Typography.Title>
      {points.isPending ? (
        <LoadingState rows={3} />
      ) : points.isError ? (
        <ErrorState error={points.error} onRetry={() => void points.refetch()} />
      ) : (
        <>
          {points.data.service_points.length === 0 ? (
            <EmptyState title={t('field.pointsEmpty')} hint={t('field.placesHint')} />
          ) : null}
          <DataTable
            rows={points.data.service_points}
            columns={pointCols}
            rowKey={(r) => r.service_point_id}
            name="field-service-points"
            testId="points-table"
            extra={
              canWrite ? (
                <Button size="small" type="primary" onClick={() => setEditing({ kind: 'point', row: null })}>
                  {t('field.newServicePoint')}
                </Button>
              ) : null
            }
          />
        </>
      )}
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        {t('field.stations')}
      </Typography.Title>
      {stations.isPending ? (
        <LoadingState rows={3} />
      ) : stations.isError ? (
        <ErrorState error={stations.error} onRetry={() => void stations.refetch()} />
      ) : (
        <>
          {stations.data.stations.length === 0 ? (
            <EmptyState title={t('field.stationsEmpty')} hint={t('field.placesHint')} />
          ) : null}
          <DataTable
            rows={stations.data.stations}
            columns={stationCols}
            rowKey={(r) => r.station_id}
            name="field-stations"
            testId="stations-table"
            extra={
              canWrite ? (
                <Button
                  size="small"
                  type="primary"
                  onClick={() => setEditing({ kind: 'station', row: null })}
                >
                  {t('field.newStation')}
                </Button>
              ) : null
            }
          />
        </>
      )}
      {editing ? <PlaceModal editing={editing} onClose={() => setEditing(null)} /> : null}
      <StationDrawer id={stationId} onClose={() => setStationId(null)} openEvent={openEvent} />
    </div>
  );
}

function StationDrawer({
  id,
  onClose,
  openEvent,
}: {
  id: number | null;
  onClose: () => void;
  openEvent: (id: number) => void;
}) {
  const { t } = useTranslation();
  const q = useStation(id);
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      width={520}
      title={q.data?.station.name ?? t('field.stations')}
    >
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <div>
            {q.data.station.place} · {t(`field.stationStatuses.${q.data.station.status}`)}
          </div>
          <div>
            {t('field.services')}:{' '}
            {q.data.station.services
              .map((s) => `${t(`field.families.${s.family}`)}·${s.service}`)
              .join('、') || '—'}
          </div>
          <div>
            {t('field.partners')}:{' '}
            {q.data.station.partners
              .map((p) => `${p.partner_name}${p.partner_kind ? `（${p.partner_kind}）` : ''}`)
              .join('、') || '—'}
          </div>
          <div>{q.data.station.notes ?? t('field.noNotes')}</div>
          <Typography.Title level={5}>{t('field.stationEvents')}</Typography.Title>
          <List
            size="small"
            dataSource={q.data.events}
            locale={{ emptyText: t('field.eventsEmpty') }}
            renderItem={(e) => (
              <List.Item>
                <Typography.Link onClick={() => openEvent(e.event_id)}>
                  #{e.event_id} {formatDate(e.event_date)} {t(`field.teams.${e.team}`)} · {e.place}
                </Typography.Link>
                <span>
                  {t('field.participants')} {formatCount(e.results.participants)}
                </span>
              </List.Item>
            )}
          />
        </Space>
      )}
    </Drawer>
  );
}

interface Values {
  name: string;
  place: string;
  division_code?: string;
  start_date?: Dayjs;
  end_date?: Dayjs;
  opened_on?: Dayjs | null;
  status?: string;
  staff_ids?: string[];
  partners?: string;
  notes?: string;
}

function PlaceModal({ editing, onClose }: { editing: NonNullable<Editing>; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const s = useCurrentSession();
  const { org } = useOrgFilter();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const isPoint = editing.kind === 'point';
  const row = editing.row;
  const base = isPoint ? '/api/field/service-points' : '/api/field/stations';
  const rowId = row ? ('service_point_id' in row ? row.service_point_id : row.station_id) : null;
  const write = useFieldWrite<Record<string, unknown>>(
    row ? 'PATCH' : 'POST',
    () => (rowId ? `${base}/${rowId}` : base),
    (b) => b,
  );
  const fmt = (x?: Dayjs | null) => (x ? x.format('YYYY-MM-DD') : undefined);
  const submit = (v: Values) => {
    setError(null);
    const f = { ...v, start_date: fmt(v.start_date), end_date: fmt(v.end_date), opened_on: fmt(v.opened_on) };
    let body: Record<string, unknown> | null;
    if (isPoint) {
      body = servicePointBody(f, row ? undefined : org);
      if (!body) {
        setError(t('field.endsBefore'));
        return;
      }
    } else {
      body = { ...stationBody(f, row ? undefined : org), ...(row && v.status ? { status: v.status } : {}) };
    }
    if (row) delete body.division_code;
    write.mutate(body, {
      onSuccess: () => {
        void message.success(t('field.saved'));
        onClose();
      },
      onError: (e) => setError(refusalWords(e, t)),
    });
  };
  const initial: Values = row
    ? 'service_point_id' in row
      ? {
          name: row.name,
          place: row.place,
          start_date: dayjs(row.start_date),
          end_date: dayjs(row.end_date),
          staff_ids: row.staff_ids,
        }
      : {
          name: row.name,
          place: row.place,
          opened_on: row.opened_on ? dayjs(row.opened_on) : null,
          status: row.status,
          partners: row.partners
            .map((p) => (p.partner_kind ? `${p.partner_name} | ${p.partner_kind}` : p.partner_name))
            .join('\n'),
        }
    : {
        name: '',
        place: '',
        staff_ids: s.user.staffId ? [s.user.staffId] : [],
        start_date: dayjs(),
        end_date: dayjs(),
      };
  const req = (what: string) => [
    { required: true, whitespace: true, message: t('field.required', { what }) },
  ];
  return (
    <Modal
      open
      title={isPoint ? t('field.newServicePoint') : t('field.newStation')}
      onCancel={onClose}
      okText={t('field.save')}
      cancelText={t('field.cancel')}
      onOk={() => form.submit()}
      confirmLoading={write.isPending}
      width={600}
    >
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} /> : null}
      <Form<Values> form={form} layout="vertical" onFinish={submit} initialValues={initial}>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="name" label={t('field.name')} rules={req(t('field.name'))}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="place" label={t('field.place')} rules={req(t('field.place'))}>
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          {row ? null : (
            <Col span={12}>
              <Form.Item
                name="division_code"
                label={t('field.division')}
                rules={[{ pattern: /^\d{6}$/, message: t('field.divisionBad') }]}
              >
                <Input maxLength={6} />
              </Form.Item>
            </Col>
          )}
          {isPoint ? (
            <>
              <Col span={6}>
                <Form.Item
                  name="start_date"
                  label={t('field.startDate')}
                  rules={[{ required: true, message: t('field.required', { what: t('field.startDate') }) }]}
                >
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item
                  name="end_date"
                  label={t('field.endDate')}
                  rules={[{ required: true, message: t('field.required', { what: t('field.endDate') }) }]}
                >
                  <DatePicker style={{ width: '100%' }} />
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
            </>
          ) : (
            <>
              <Col span={6}>
                <Form.Item name="opened_on" label={t('field.openedOn')}>
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              {row ? (
                <Col span={6}>
                  <Form.Item name="status" label={t('field.status')}>
                    <Select
                      options={['ACTIVE', 'CLOSED'].map((k) => ({
                        value: k,
                        label: t(`field.stationStatuses.${k}`),
                      }))}
                    />
                  </Form.Item>
                </Col>
              ) : null}
              <Col span={24}>
                <Form.Item name="partners" label={t('field.partners')} extra={t('field.partnersHint')}>
                  <Input.TextArea rows={3} />
                </Form.Item>
              </Col>
            </>
          )}
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
