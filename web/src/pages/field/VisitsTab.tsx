// 走访: the employer and government visit log (GET /api/field/visits; filters org, employer, kind,
// from, to) and the form that records one (POST /api/field/visits).
import type { ButtonProps } from 'antd';
import { Alert, App, Button, Col, DatePicker, Form, Input, Modal, Row, Select, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { formatDate } from '../../format/format';
import { useFieldWrite, useVisits, type Visit } from './api';
import { oneLanguage, refusalWords, VISIT_KINDS, VISIT_OUTCOMES, visitBody } from './logic';
import { byText, DataTable, type Col as TCol, useCanWrite, useOrgFilter } from './shared';

const d = (v?: Dayjs | null) => (v ? v.format('YYYY-MM-DD') : undefined);

export function VisitsTab() {
  const { t } = useTranslation();
  const { org } = useOrgFilter();
  const canWrite = useCanWrite();
  const [kind, setKind] = useState<string>();
  const [employer, setEmployer] = useState('');
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [creating, setCreating] = useState(false);
  const q = useVisits({
    org,
    kind,
    employer: employer.trim() || undefined,
    from: d(range?.[0]),
    to: d(range?.[1]),
  });

  const columns: TCol<Visit>[] = [
    {
      title: t('field.visitedOn'),
      head: t('field.visitedOn'),
      dataIndex: 'visited_on',
      sorter: byText((r) => r.visited_on),
      defaultSortOrder: 'descend',
      render: (v: string) => formatDate(v),
      csv: (r) => r.visited_on,
    },
    {
      title: t('field.kind'),
      head: t('field.kind'),
      render: (_, r) => t(`field.visitKinds.${r.kind}`),
      csv: (r) => t(`field.visitKinds.${r.kind}`),
    },
    {
      title: t('field.employerName'),
      head: t('field.employerName'),
      sorter: byText((r) => r.employer_name ?? r.counterpart),
      render: (_, r) => r.employer_name ?? r.counterpart ?? '—',
      csv: (r) => r.employer_name ?? r.counterpart,
    },
    {
      title: t('field.employer'),
      head: t('field.employer'),
      dataIndex: 'employer_id',
      csv: (r) => r.employer_id,
    },
    {
      title: t('field.outcome'),
      head: t('field.outcome'),
      render: (_, r) => <Tag>{t(`field.outcomes.${r.outcome}`)}</Tag>,
      csv: (r) => t(`field.outcomes.${r.outcome}`),
    },
    { title: t('field.org'), head: t('field.org'), dataIndex: 'org_id', csv: (r) => r.org_id },
    { title: t('field.staff'), head: t('field.staff'), dataIndex: 'staff_id', csv: (r) => r.staff_id },
    {
      title: t('field.nextDate'),
      head: t('field.nextDate'),
      dataIndex: 'next_date',
      sorter: byText((r) => r.next_date),
      render: (v: string | null) => formatDate(v),
      csv: (r) => r.next_date,
    },
    {
      title: t('field.hasNotes'),
      head: t('field.hasNotes'),
      render: (_, r) => (r.has_notes ? '✓' : ''),
      csv: (r) => (r.has_notes ? 'Y' : ''),
    },
  ];

  return (
    <div data-testid="field-visits">
      <div className="wj-filters">
        <Select
          allowClear
          aria-label={t('field.kind')}
          placeholder={t('field.allKinds')}
          style={{ width: 140 }}
          value={kind}
          onChange={setKind}
          options={VISIT_KINDS.map((k) => ({ value: k, label: t(`field.visitKinds.${k}`) }))}
        />
        <Input.Search
          allowClear
          aria-label={t('field.employer')}
          placeholder={oneLanguage(t('field.employer'))}
          style={{ width: 200 }}
          onSearch={setEmployer}
        />
        <DatePicker.RangePicker
          value={range}
          onChange={(v) => setRange(v)}
          placeholder={[oneLanguage(t('field.from')), oneLanguage(t('field.to'))]}
        />
        {canWrite ? (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="new-visit">
            {t('field.newVisit')}
          </Button>
        ) : null}
      </div>
      {q.isPending ? (
        <LoadingState />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.visits.length === 0 ? (
        <EmptyState title={t('field.visitsEmpty')} hint={t('field.visitsEmptyHint')} />
      ) : (
        <DataTable
          rows={q.data.visits}
          columns={columns}
          rowKey={(r) => r.visit_id}
          name="field-visits"
          testId="visits-table"
        />
      )}
      {creating ? <VisitCreate onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

interface Values {
  kind: string;
  employer_id?: string;
  counterpart?: string;
  visited_on: Dayjs;
  outcome: string;
  summary?: string;
  next_step?: string;
  next_date?: Dayjs | null;
}

function VisitCreate({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { org } = useOrgFilter();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const create = useFieldWrite<Record<string, unknown>>(
    'POST',
    () => '/api/field/visits',
    (b) => b,
  );
  const submit = (v: Values) => {
    setError(null);
    const r = visitBody(
      { ...v, visited_on: v.visited_on.format('YYYY-MM-DD'), next_date: d(v.next_date) },
      org,
    );
    if ('error' in r) {
      setError(t(`field.${r.error}`));
      return;
    }
    create.mutate(r.body, {
      onSuccess: () => {
        void message.success(t('field.saved'));
        onClose();
      },
      onError: (e) => setError(refusalWords(e, t)),
    });
  };
  return (
    <Modal
      open
      title={t('field.newVisit')}
      onCancel={onClose}
      okText={t('field.save')}
      cancelText={t('field.cancel')}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'visit-submit' } as ButtonProps}
      width={640}
    >
      {error ? (
        <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} data-testid="visit-error" />
      ) : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ kind: 'EMPLOYER', visited_on: dayjs() }}
        data-testid="visit-form"
      >
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="kind" label={t('field.kind')} rules={[{ required: true }]}>
              <Select options={VISIT_KINDS.map((k) => ({ value: k, label: t(`field.visitKinds.${k}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="visited_on"
              label={t('field.visitedOn')}
              rules={[{ required: true, message: t('field.required', { what: t('field.visitedOn') }) }]}
            >
              <DatePicker style={{ width: '100%' }} disabledDate={(x) => x.isAfter(dayjs(), 'day')} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="employer_id" label={t('field.employer')}>
              <Input id="visit-employer" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="counterpart"
              label={t('field.counterpart')}
              extra={t('field.counterpartHint')}
              rules={[{ max: 200 }]}
            >
              <Input />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item
              name="outcome"
              label={t('field.outcome')}
              rules={[{ required: true, message: t('field.required', { what: t('field.outcome') }) }]}
            >
              <Select
                id="visit-outcome"
                options={VISIT_OUTCOMES.map((k) => ({ value: k, label: t(`field.outcomes.${k}`) }))}
              />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="next_date" label={t('field.nextDate')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="summary" label={t('field.summary')} rules={[{ max: 2000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Col>
          <Col span={24}>
            <Form.Item name="next_step" label={t('field.nextStep')} rules={[{ max: 500 }]}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}
