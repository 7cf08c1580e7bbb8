// The two P7 tables — 帮扶行动台账 (assistance actions) and 惠民政策台账 (benefit programs) — with their
// progress recorded (POST …/:id/progress; 409 NOT_COVERED in words); and the lists of employer service
// plans (P6) and tuition partners (B2).
import type { ButtonProps } from 'antd';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Select, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { formatCount, formatDate } from '../../format/format';
import {
  type AssistanceAction,
  type BenefitProgram,
  type ServicePlan,
  type TuitionPartner,
  useAssistance,
  useBenefits,
  useFieldWrite,
  useServicePlans,
  useTuitionPartners,
} from './api';
import { benefitProgressBody, PROGRESS_STATUSES, refusalWords } from './logic';
import { byNumber, byText, type Col, DataTable, useCanWrite, useOrgFilter } from './shared';

type Recording =
  | { kind: 'assistance'; row: AssistanceAction }
  | { kind: 'benefit'; row: BenefitProgram }
  | null;

export function P7Tab() {
  const { t } = useTranslation();
  const { org } = useOrgFilter();
  const canWrite = useCanWrite();
  const [progress, setProgress] = useState<string>();
  const actions = useAssistance({ org, progress });
  const programs = useBenefits({});
  const [recording, setRecording] = useState<Recording>(null);

  const actionCols: Col<AssistanceAction>[] = [
    ...(canWrite
      ? [
          {
            key: 'rec',
            fixed: 'left' as const,
            render: (_: unknown, r: AssistanceAction) => (
              <Button
                size="small"
                onClick={() => setRecording({ kind: 'assistance', row: r })}
                data-testid="record-action"
              >
                {t('field.recordProgress')}
              </Button>
            ),
          },
        ]
      : []),
    {
      title: t('field.actionId'),
      head: t('field.actionId'),
      dataIndex: 'action_id',
      sorter: byText((r) => r.action_id),
      csv: (r) => r.action_id,
    },
    {
      title: t('field.counterpart'),
      head: t('field.counterpart'),
      dataIndex: 'counterpart',
      csv: (r) => r.counterpart,
    },
    { title: t('field.action'), head: t('field.action'), dataIndex: 'action', csv: (r) => r.action },
    {
      title: t('field.division'),
      head: t('field.division'),
      dataIndex: 'division_code',
      csv: (r) => r.division_code,
    },
    {
      title: t('field.owner'),
      head: t('field.owner'),
      dataIndex: 'owner_org_id',
      csv: (r) => r.owner_org_id,
    },
    {
      title: t('field.due'),
      head: t('field.due'),
      dataIndex: 'due_date',
      sorter: byText((r) => r.due_date),
      render: (v: string | null) => formatDate(v),
      csv: (r) => r.due_date,
    },
    {
      title: t('field.extractStatus'),
      head: t('field.extractStatus'),
      render: (_, r) => (r.status ? t(`field.extractStatuses.${r.status}`, { defaultValue: r.status }) : '—'),
      csv: (r) => (r.status ? t(`field.extractStatuses.${r.status}`, { defaultValue: r.status }) : ''),
    },
    {
      title: t('field.progress'),
      head: t('field.progress'),
      sorter: byText((r) => r.progress.status),
      render: (_, r) =>
        r.progress.status ? (
          <span data-testid="action-progress">
            <Tag
              color={
                r.progress.status === 'DONE' ? 'green' : r.progress.status === 'BLOCKED' ? 'red' : 'blue'
              }
            >
              {t(`field.progressStatuses.${r.progress.status}`)}
            </Tag>
            {formatDate(r.progress.recorded_on)}
          </span>
        ) : (
          <span data-testid="action-progress">{t('field.progressStatuses.NONE')}</span>
        ),
      csv: (r) => (r.progress.status ? t(`field.progressStatuses.${r.progress.status}`) : ''),
    },
    {
      title: t('field.records'),
      head: t('field.records'),
      align: 'right',
      sorter: byNumber((r) => r.progress.records),
      render: (_, r) => formatCount(r.progress.records),
      csv: (r) => r.progress.records,
    },
  ];

  const programCols: Col<BenefitProgram>[] = [
    ...(canWrite
      ? [
          {
            key: 'rec',
            fixed: 'left' as const,
            render: (_: unknown, r: BenefitProgram) => (
              <Button
                size="small"
                onClick={() => setRecording({ kind: 'benefit', row: r })}
                data-testid="record-program"
              >
                {t('field.recordProgress')}
              </Button>
            ),
          },
        ]
      : []),
    {
      title: t('field.programName'),
      head: t('field.programName'),
      sorter: byText((r) => r.program_name),
      render: (_, r) => r.program_name ?? r.program_id,
      csv: (r) => r.program_name ?? r.program_id,
    },
    {
      title: t('field.programKind'),
      head: t('field.programKind'),
      render: (_, r) => (r.kind ? t(`field.programKinds.${r.kind}`, { defaultValue: r.kind }) : '—'),
      csv: (r) => (r.kind ? t(`field.programKinds.${r.kind}`, { defaultValue: r.kind }) : ''),
    },
    {
      title: t('field.division'),
      head: t('field.division'),
      dataIndex: 'division_code',
      csv: (r) => r.division_code,
    },
    {
      title: t('field.payDay'),
      head: t('field.payDay'),
      dataIndex: 'pay_day',
      align: 'right',
      csv: (r) => r.pay_day,
    },
    ...(
      [
        ['reached', 'defReached', (r: BenefitProgram) => r.progress.recipients_reached, 'reached'],
        ['paidIntoCard', 'defPaidIntoCard', (r: BenefitProgram) => r.progress.paid_into_card, 'paid'],
        ['credited', 'defCredited', (r: BenefitProgram) => r.credited.customers, 'credited'],
        ['creditedSsc', 'defCreditedSsc', (r: BenefitProgram) => r.credited.into_ssc, 'ssc'],
      ] as const
    ).map(
      ([label, def, get, id]): Col<BenefitProgram> => ({
        title: <Tip label={t(`field.${label}`)} def={t(`field.${def}`)} />,
        head: t(`field.${label}`),
        align: 'right',
        sorter: byNumber(get),
        render: (_, r) => (
          <span className="wj-num" data-testid={`program-${id}`}>
            {formatCount(get(r))}
          </span>
        ),
        csv: get,
      }),
    ),
    {
      title: t('field.progress'),
      head: t('field.progress'),
      render: (_, r) => formatDate(r.progress.last_recorded_on),
      csv: (r) => r.progress.last_recorded_on,
    },
  ];

  return (
    <div data-testid="field-p7">
      <Typography.Title level={5}>{t('field.assistance')}</Typography.Title>
      <div className="wj-filters">
        <Select
          allowClear
          aria-label={t('field.progress')}
          placeholder={t('field.allStatuses')}
          style={{ width: 140 }}
          value={progress}
          onChange={setProgress}
          options={[...PROGRESS_STATUSES, 'NONE'].map((k) => ({
            value: k,
            label: t(`field.progressStatuses.${k}`),
          }))}
        />
      </div>
      {actions.isPending ? (
        <LoadingState rows={3} />
      ) : actions.isError ? (
        <ErrorState error={actions.error} onRetry={() => void actions.refetch()} />
      ) : actions.data.actions.length === 0 ? (
        <EmptyState title={t('field.p7Empty')} hint={t('field.p7EmptyHint')} />
      ) : (
        <DataTable
          rows={actions.data.actions}
          columns={actionCols}
          rowKey={(r) => r.action_id}
          name="p7-assistance"
          testId="assistance-table"
        />
      )}
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        {t('field.benefits')}
      </Typography.Title>
      {programs.isPending ? (
        <LoadingState rows={3} />
      ) : programs.isError ? (
        <ErrorState error={programs.error} onRetry={() => void programs.refetch()} />
      ) : programs.data.programs.length === 0 ? (
        <EmptyState title={t('field.p7Empty')} hint={t('field.p7EmptyHint')} />
      ) : (
        <DataTable
          rows={programs.data.programs}
          columns={programCols}
          rowKey={(r) => r.program_id}
          name="p7-benefits"
          testId="benefits-table"
        />
      )}
      {recording ? <ProgressModal recording={recording} onClose={() => setRecording(null)} /> : null}
    </div>
  );
}

interface Values {
  status?: string;
  recipients_reached?: number;
  paid_into_card?: number;
  note?: string;
}

function ProgressModal({ recording, onClose }: { recording: NonNullable<Recording>; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<string | null>(null);
  const isAction = recording.kind === 'assistance';
  const path = isAction
    ? `/api/field/assistance-actions/${encodeURIComponent(recording.row.action_id)}/progress`
    : `/api/field/benefit-programs/${encodeURIComponent(recording.row.program_id)}/progress`;
  const write = useFieldWrite<Record<string, unknown>>(
    'POST',
    () => path,
    (b) => b,
  );
  const submit = (v: Values) => {
    setError(null);
    let body: Record<string, unknown> | null;
    if (isAction) {
      body = { status: v.status, ...(v.note?.trim() ? { note: v.note.trim() } : {}) };
    } else {
      body = benefitProgressBody({
        recipients_reached: v.recipients_reached ?? 0,
        paid_into_card: v.paid_into_card ?? 0,
        note: v.note,
      });
      if (!body) {
        setError(t('field.paidExceeds'));
        return;
      }
    }
    write.mutate(body, {
      onSuccess: () => {
        void message.success(t('field.progressSaved'));
        onClose();
      },
      onError: (e) => setError(refusalWords(e, t)),
    });
  };
  const title = isAction
    ? `${recording.row.action_id} ${recording.row.action ?? ''}`
    : (recording.row.program_name ?? recording.row.program_id);
  return (
    <Modal
      open
      title={`${t('field.recordProgress')} · ${title}`}
      onCancel={onClose}
      okText={t('field.save')}
      cancelText={t('field.cancel')}
      onOk={() => form.submit()}
      confirmLoading={write.isPending}
      okButtonProps={{ 'data-testid': 'progress-submit' } as ButtonProps}
    >
      {error ? (
        <Alert
          type="error"
          showIcon
          message={error}
          style={{ marginBottom: 8 }}
          data-testid="progress-error"
        />
      ) : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={isAction ? { status: 'IN_PROGRESS' } : {}}
      >
        {isAction ? (
          <Form.Item name="status" label={t('field.status')} rules={[{ required: true }]}>
            <Select
              options={PROGRESS_STATUSES.map((k) => ({ value: k, label: t(`field.progressStatuses.${k}`) }))}
            />
          </Form.Item>
        ) : (
          <>
            <Form.Item
              name="recipients_reached"
              label={t('field.reached')}
              rules={[{ required: true, message: t('field.required', { what: t('field.reached') }) }]}
            >
              <InputNumber
                min={0}
                max={1_000_000}
                precision={0}
                id="progress-reached"
                style={{ width: 200 }}
              />
            </Form.Item>
            <Form.Item
              name="paid_into_card"
              label={t('field.paidIntoCard')}
              rules={[{ required: true, message: t('field.required', { what: t('field.paidIntoCard') }) }]}
            >
              <InputNumber min={0} max={1_000_000} precision={0} id="progress-paid" style={{ width: 200 }} />
            </Form.Item>
          </>
        )}
        <Form.Item name="note" label={t('field.note')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} id="progress-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function PlansTab() {
  const { t } = useTranslation();
  const { org } = useOrgFilter();
  const plans = useServicePlans({});
  const partners = useTuitionPartners({ org });
  const planCols: Col<ServicePlan>[] = [
    {
      title: t('field.employerName'),
      head: t('field.employerName'),
      sorter: byText((r) => r.employer_name),
      render: (_, r) => r.employer_name ?? r.employer_id,
      csv: (r) => r.employer_name ?? r.employer_id,
    },
    {
      title: t('field.offers'),
      head: t('field.offers'),
      render: (_, r) => r.offers.map((o) => t(`field.offerNames.${o}`, { defaultValue: o })).join('、'),
      csv: (r) => r.offers.join('|'),
    },
    {
      title: t('field.staff'),
      head: t('field.staff'),
      dataIndex: 'owner_staff_id',
      csv: (r) => r.owner_staff_id,
    },
    {
      title: t('field.status'),
      head: t('field.status'),
      render: (_, r) => t(`field.planStatuses.${r.status}`, { defaultValue: r.status }),
      csv: (r) => t(`field.planStatuses.${r.status}`, { defaultValue: r.status }),
    },
    {
      title: t('field.due'),
      head: t('field.due'),
      dataIndex: 'due_date',
      sorter: byText((r) => r.due_date),
      render: (v: string | null) => formatDate(v),
      csv: (r) => r.due_date,
    },
  ];
  const partnerCols: Col<TuitionPartner>[] = [
    {
      title: t('field.name'),
      head: t('field.name'),
      dataIndex: 'name',
      sorter: byText((r) => r.name),
      csv: (r) => r.name,
    },
    {
      title: t('field.kind'),
      head: t('field.kind'),
      render: (_, r) => t(`field.partnerKinds.${r.kind}`, { defaultValue: r.kind }),
      csv: (r) => t(`field.partnerKinds.${r.kind}`, { defaultValue: r.kind }),
    },
    { title: t('field.org'), head: t('field.org'), dataIndex: 'org_id', csv: (r) => r.org_id },
    {
      title: t('field.status'),
      head: t('field.status'),
      render: (_, r) => t(`field.partnerStatuses.${r.status}`, { defaultValue: r.status }),
      csv: (r) => t(`field.partnerStatuses.${r.status}`, { defaultValue: r.status }),
    },
    {
      title: t('field.listsReceived'),
      head: t('field.listsReceived'),
      align: 'right',
      sorter: byNumber((r) => r.lists_received),
      render: (_, r) => formatCount(r.lists_received),
      csv: (r) => r.lists_received,
    },
    {
      title: t('field.prospects'),
      head: t('field.prospects'),
      align: 'right',
      render: (_, r) => `${formatCount(r.prospects.received)} / ${formatCount(r.prospects.consented)}`,
      csv: (r) => `${r.prospects.received}/${r.prospects.consented}`,
    },
  ];
  return (
    <div data-testid="field-plans">
      <Typography.Title level={5}>{t('field.plans')}</Typography.Title>
      {plans.isPending ? (
        <LoadingState rows={3} />
      ) : plans.isError ? (
        <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />
      ) : plans.data.plans.length === 0 ? (
        <EmptyState title={t('field.plansEmpty')} hint={t('field.placesHint')} />
      ) : (
        <DataTable
          rows={plans.data.plans}
          columns={planCols}
          rowKey={(r) => r.plan_id}
          name="service-plans"
          testId="plans-table"
        />
      )}
      <Typography.Title level={5} style={{ marginTop: 12 }}>
        {t('field.tuition')}
      </Typography.Title>
      {partners.isPending ? (
        <LoadingState rows={3} />
      ) : partners.isError ? (
        <ErrorState error={partners.error} onRetry={() => void partners.refetch()} />
      ) : partners.data.partners.length === 0 ? (
        <EmptyState title={t('field.tuitionEmpty')} hint={t('field.placesHint')} />
      ) : (
        <DataTable
          rows={partners.data.partners}
          columns={partnerCols}
          rowKey={(r) => r.partner_id}
          name="tuition-partners"
          testId="tuition-table"
        />
      )}
    </div>
  );
}
