// 预约: a bank day's appointment slots in scope (GET /api/appointments, customers masked), their status
// changes DONE / CANCELLED / NO_SHOW (PATCH; 409 APPOINTMENT_CLOSED in words) and a booking form for a
// customer in scope (POST /api/appointments; 409 DOUBLE_BOOKED, STAFF_ELSEWHERE in words).
import { Alert, App, Button, Card, DatePicker, Form, Input, Select, Space, Tag, TimePicker } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { formatDateTime } from '../../format/format';
import { APPOINTMENT_REASONS, type AppointmentReason, SLOT_MINUTES } from '../tasks/appointment';
import { type Appointment, useAppointments, useFieldWrite } from './api';
import { APPOINTMENT_STATUSES, APPOINTMENT_TEAMS, appointmentBody, refusalWords } from './logic';
import { byText, type Col, DataTable, useCanWrite, useOrgFilter } from './shared';

export function AppointmentsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { org } = useOrgFilter();
  const canWrite = useCanWrite();
  const [date, setDate] = useState<Dayjs | null>(() => dayjs());
  const [team, setTeam] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string | null>(null);
  const q = useAppointments({ org, team, status, date: date?.format('YYYY-MM-DD') });
  const change = useFieldWrite<{ id: number; status: string }>(
    'PATCH',
    (v) => `/api/appointments/${v.id}`,
    (v) => ({ status: v.status }),
  );
  const mark = (id: number, s: string) => {
    setError(null);
    change.mutate(
      { id, status: s },
      {
        onSuccess: () => void message.success(t('field.changed')),
        onError: (e) => setError(refusalWords(e, t)),
      },
    );
  };

  const columns: Col<Appointment>[] = [
    {
      title: t('field.slot'),
      head: t('field.slot'),
      sorter: byText((r) => r.slot_start),
      defaultSortOrder: 'ascend',
      render: (_, r) => (
        <span className="wj-num">
          {formatDateTime(r.slot_start)}–{formatDateTime(r.slot_end).slice(11)}
        </span>
      ),
      csv: (r) => `${formatDateTime(r.slot_start)}–${formatDateTime(r.slot_end).slice(11)}`,
    },
    {
      title: t('field.customerName'),
      head: t('field.customerName'),
      dataIndex: 'customer_name',
      csv: (r) => r.customer_name,
    },
    {
      title: t('field.phone'),
      head: t('field.phone'),
      dataIndex: 'customer_phone',
      csv: (r) => r.customer_phone,
    },
    {
      title: t('field.team'),
      head: t('field.team'),
      render: (_, r) => (r.team ? t(`field.teams.${r.team}`) : '—'),
      csv: (r) => (r.team ? t(`field.teams.${r.team}`) : ''),
    },
    { title: t('field.staff'), head: t('field.staff'), dataIndex: 'staff_id', csv: (r) => r.staff_id },
    { title: t('field.org'), head: t('field.org'), dataIndex: 'org_id', csv: (r) => r.org_id },
    {
      title: t('field.reason'),
      head: t('field.reason'),
      render: (_, r) => t(`appointmentReasons.${r.reason}`),
      csv: (r) => t(`appointmentReasons.${r.reason}`),
    },
    {
      title: t('field.status'),
      head: t('field.status'),
      render: (_, r) => <Tag data-testid="appt-status">{t(`field.apptStatuses.${r.status}`)}</Tag>,
      csv: (r) => t(`field.apptStatuses.${r.status}`),
    },
    ...(canWrite
      ? [
          {
            title: '',
            key: 'act',
            render: (_: unknown, r: Appointment) =>
              r.status === 'BOOKED' ? (
                <Space size={4}>
                  <Button size="small" onClick={() => mark(r.appointment_id, 'DONE')} data-testid="appt-done">
                    {t('field.markDone')}
                  </Button>
                  <Button size="small" onClick={() => mark(r.appointment_id, 'NO_SHOW')}>
                    {t('field.markNoShow')}
                  </Button>
                  <Button size="small" danger onClick={() => mark(r.appointment_id, 'CANCELLED')}>
                    {t('field.markCancelled')}
                  </Button>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <div data-testid="field-appointments">
      <div className="wj-filters">
        <DatePicker value={date} onChange={setDate} aria-label={t('field.date')} data-testid="appt-date" />
        <Select
          allowClear
          aria-label={t('field.team')}
          placeholder={t('field.allTeams')}
          style={{ width: 140 }}
          value={team}
          onChange={setTeam}
          options={APPOINTMENT_TEAMS.map((k) => ({ value: k, label: t(`field.teams.${k}`) }))}
        />
        <Select
          allowClear
          aria-label={t('field.status')}
          placeholder={t('field.allStatuses')}
          style={{ width: 130 }}
          value={status}
          onChange={setStatus}
          options={APPOINTMENT_STATUSES.map((k) => ({ value: k, label: t(`field.apptStatuses.${k}`) }))}
        />
      </div>
      {error ? (
        <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} data-testid="appt-error" />
      ) : null}
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.appointments.length === 0 ? (
        <EmptyState title={t('field.apptsEmpty')} hint={t('field.apptsEmptyHint')} />
      ) : (
        <DataTable
          rows={q.data.appointments}
          columns={columns}
          rowKey={(r) => r.appointment_id}
          name="field-appointments"
          testId="appointments-table"
        />
      )}
      {canWrite ? <BookForm onBooked={(d) => setDate(dayjs(d))} /> : null}
    </div>
  );
}

interface BookValues {
  customer_id: string;
  date: Dayjs;
  start: Dayjs;
  minutes: number;
  reason: AppointmentReason;
  team?: string;
  staff_id?: string;
  notes?: string;
}

function BookForm({ onBooked }: { onBooked: (date: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { org } = useOrgFilter();
  const [form] = Form.useForm<BookValues>();
  const [error, setError] = useState<string | null>(null);
  const book = useFieldWrite<Record<string, unknown>>(
    'POST',
    () => '/api/appointments',
    (b) => b,
  );
  const submit = (v: BookValues) => {
    setError(null);
    const date = v.date.format('YYYY-MM-DD');
    const body = appointmentBody({ ...v, date, start: v.start.format('HH:mm') }, org);
    if (!body) {
      setError(t('field.bookBad'));
      return;
    }
    book.mutate(body, {
      onSuccess: () => {
        void message.success(t('field.booked'));
        form.resetFields();
        onBooked(date);
      },
      onError: (e) => setError(refusalWords(e, t)),
    });
  };
  return (
    <Card size="small" title={t('field.book')} style={{ marginTop: 12 }} data-testid="book-form">
      {error ? (
        <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} data-testid="book-error" />
      ) : null}
      <Form<BookValues>
        form={form}
        layout="inline"
        style={{ rowGap: 8 }}
        onFinish={submit}
        initialValues={{ minutes: 60 }}
      >
        <Form.Item
          name="customer_id"
          label={t('field.customer')}
          rules={[
            { required: true, whitespace: true, message: t('field.required', { what: t('field.customer') }) },
          ]}
        >
          <Input id="book-customer" style={{ width: 150 }} />
        </Form.Item>
        <Form.Item
          name="date"
          label={t('field.date')}
          rules={[{ required: true, message: t('field.required', { what: t('field.date') }) }]}
        >
          <DatePicker id="book-date" />
        </Form.Item>
        <Form.Item
          name="start"
          label={t('field.start')}
          rules={[{ required: true, message: t('field.required', { what: t('field.start') }) }]}
        >
          <TimePicker id="book-start" format="HH:mm" minuteStep={15} needConfirm={false} />
        </Form.Item>
        <Form.Item name="minutes" label={t('field.length')}>
          <Select
            style={{ width: 100 }}
            options={SLOT_MINUTES.map((m) => ({ value: m, label: t('field.minutes', { n: m }) }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('field.reason')}
          rules={[{ required: true, message: t('field.required', { what: t('field.reason') }) }]}
        >
          <Select
            id="book-reason"
            style={{ width: 130 }}
            options={APPOINTMENT_REASONS.map((r) => ({ value: r, label: t(`appointmentReasons.${r}`) }))}
          />
        </Form.Item>
        <Form.Item name="team" label={t('field.team')}>
          <Select
            allowClear
            style={{ width: 120 }}
            options={APPOINTMENT_TEAMS.map((k) => ({ value: k, label: t(`field.teams.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="staff_id" label={t('field.staff')}>
          <Input style={{ width: 120 }} />
        </Form.Item>
        <Form.Item name="notes" label={t('field.notes')}>
          <Input maxLength={1000} style={{ width: 200 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={book.isPending} data-testid="book-submit">
            {t('field.bookSubmit')}
          </Button>
        </Form.Item>
      </Form>
    </Card>
  );
}
