// Book a home visit from a task (POST /api/tasks/:id/appointment): a date, a start time and a length on
// the bank's clock, a reason, a note. Server refusals (the task closed, no customer, a bad slot) are
// said in words; a booked slot is shown with a link to the field calendar.
import { Alert, App, Button, DatePicker, Form, Input, Select, TimePicker, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBookFromTask } from '../../api/hooks';
import { formatDateTime } from '../../format/format';
import { APPOINTMENT_REASONS, type AppointmentReason, bookingBody, SLOT_MINUTES } from './appointment';
import { refusalText } from './TasksPage';

interface Values {
  date?: Dayjs;
  start?: Dayjs;
  minutes: number;
  reason?: AppointmentReason;
  notes?: string;
}

export function TaskAppointment({ taskId }: { taskId: number }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const book = useBookFromTask();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const [booked, setBooked] = useState<{ start: string; end: string } | null>(null);

  const submit = (v: Values) => {
    setError(null);
    const body =
      v.date && v.start && v.reason
        ? bookingBody({
            date: v.date.format('YYYY-MM-DD'),
            start: v.start.format('HH:mm'),
            minutes: v.minutes,
            reason: v.reason,
            notes: v.notes,
          })
        : null;
    if (!body) {
      setError(t('tasks.bookBadSlot'));
      return;
    }
    book.mutate(
      { id: taskId, body },
      {
        onSuccess: (a) => {
          setBooked({ start: a.slot_start, end: a.slot_end });
          void message.success(t('tasks.booked'));
          form.resetFields();
        },
        onError: (e) => setError(refusalText(e, t)),
      },
    );
  };

  return (
    <div data-testid="task-appointment">
      <Typography.Title level={5}>{t('tasks.book')}</Typography.Title>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} /> : null}
      {booked ? (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 8 }}
          data-testid="booked"
          message={t('tasks.bookedSlot', {
            start: formatDateTime(booked.start),
            end: formatDateTime(booked.end).slice(11),
          })}
        />
      ) : null}
      <Form<Values>
        form={form}
        layout="inline"
        initialValues={{ minutes: 60 }}
        onFinish={submit}
        style={{ rowGap: 8 }}
      >
        <Form.Item name="date" rules={[{ required: true, message: t('tasks.bookDate') }]}>
          <DatePicker placeholder={t('tasks.bookDate')} aria-label={t('tasks.bookDate')} />
        </Form.Item>
        <Form.Item name="start" rules={[{ required: true, message: t('tasks.bookStart') }]}>
          <TimePicker
            format="HH:mm"
            minuteStep={15}
            placeholder={t('tasks.bookStart')}
            aria-label={t('tasks.bookStart')}
            needConfirm={false}
          />
        </Form.Item>
        <Form.Item name="minutes">
          <Select
            aria-label={t('tasks.bookLength')}
            style={{ width: 110 }}
            options={SLOT_MINUTES.map((m) => ({ value: m, label: t('tasks.minutes', { n: m }) }))}
          />
        </Form.Item>
        <Form.Item name="reason" rules={[{ required: true, message: t('tasks.bookReason') }]}>
          <Select
            aria-label={t('tasks.bookReason')}
            placeholder={t('tasks.bookReason')}
            style={{ width: 150 }}
            options={APPOINTMENT_REASONS.map((r) => ({ value: r, label: t(`appointmentReasons.${r}`) }))}
          />
        </Form.Item>
        <Form.Item name="notes" style={{ minWidth: 200, flex: 1 }}>
          <Input maxLength={1000} placeholder={t('tasks.bookNotes')} aria-label={t('tasks.bookNotes')} />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit" loading={book.isPending} data-testid="book-submit">
            {t('tasks.bookSubmit')}
          </Button>
        </Form.Item>
      </Form>
    </div>
  );
}
