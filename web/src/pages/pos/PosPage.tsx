// 厅堂/柜面 Point of service (PLAYBOOK "Prompts at the point of service", X2; B2 留学缴费): two tabs —
// the counter prompt (pos:counter): is the beneficiary a supported tuition institution, and what to
// offer; the lobby PAD (pos:pad, hidden without it): a walk-in customer's masked card, open leads and
// top product matches. Built for the lobby tablet (UI.md: 1024×768, touch): one column, no hover-only
// controls, targets ≥ 44 px. No reveal here: the API masks and the point of service has no pii:reveal.
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  type InputRef,
  List,
  Segmented,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { can, useCurrentSession } from '../../app/session';
import { EmptyState, ErrorState, PageHead } from '../../components/PageState';
import { type PadAnswer, type Timed, useCounterPrompt, usePadLookup } from './api';
import {
  type CounterAnswer,
  type CounterForm,
  type CounterQuery,
  counterQuery,
  counterView,
  entryLabel,
  type PadEntry,
  padEntry,
  padErrorKey,
  type Verdict,
} from './logic';
import './pos.css';

const useLang = (): 'zh' | 'en' => (useTranslation().i18n.language.startsWith('en') ? 'en' : 'zh');

export function PosPage() {
  const { t } = useTranslation();
  const s = useCurrentSession();
  const [params, setParams] = useSearchParams();
  const tabs = [
    ...(can(s, 'pos:counter') ? [{ value: 'counter', label: t('pos.tabCounter') }] : []),
    ...(can(s, 'pos:pad') ? [{ value: 'pad', label: t('pos.tabPad') }] : []),
  ];
  const asked = params.get('tab');
  const tab = tabs.find((x) => x.value === asked)?.value ?? tabs[0]?.value ?? 'counter';
  return (
    <div data-testid="page-pos" className="wj-pos">
      <PageHead title={t('pos.title')} purpose={t('pos.purpose')} />
      {tabs.length > 1 ? (
        <Segmented
          block
          options={tabs}
          value={tab}
          onChange={(v) => setParams(v === tabs[0]?.value ? {} : { tab: String(v) }, { replace: true })}
          data-testid="pos-tabs"
        />
      ) : null}
      {tab === 'pad' ? <PadTab /> : <CounterTab />}
    </div>
  );
}

const VERDICT: Record<Verdict, { key: string; type: 'success' | 'warning' | 'error' | 'info' }> = {
  SUPPORTED: { key: 'pos.counter.supported', type: 'success' },
  CHECK: { key: 'pos.counter.check', type: 'warning' },
  NOT_TUITION: { key: 'pos.counter.notTuition', type: 'error' },
  UNKNOWN: { key: 'pos.counter.unknown', type: 'error' },
};

interface CounterLookup {
  at: number;
  query: CounterQuery;
  result: Timed<CounterAnswer>;
}

function CounterTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const [form] = Form.useForm<CounterForm>();
  const prompt = useCounterPrompt();
  const [nothing, setNothing] = useState(false);
  const [recent, setRecent] = useState<CounterLookup[]>([]);
  const [shown, setShown] = useState<CounterLookup | null>(null);

  // A lookup from the list is shown with the form as it was keyed for it.
  const choose = (r: CounterLookup) => {
    form.setFieldsValue({ name: r.query.name ?? '', bic: r.query.bic ?? '', country: r.query.country ?? '' });
    setShown(r);
  };

  const ask = (values: CounterForm) => {
    const q = counterQuery(values);
    setNothing(q === null);
    if (!q) return;
    prompt.mutate(q, {
      onSuccess: (result) => {
        const entry = { at: Date.now(), query: q, result };
        setShown(entry);
        setRecent((r) => [entry, ...r].slice(0, 20));
      },
    });
  };

  return (
    <div className="wj-pos-stack" data-testid="pos-counter">
      <Card>
        <Form form={form} layout="vertical" onFinish={ask} autoComplete="off">
          <Form.Item name="name" label={t('pos.counter.name')}>
            <Input placeholder={t('pos.counter.namePh')} allowClear autoFocus data-testid="counter-name" />
          </Form.Item>
          <div className="wj-pos-row">
            <Form.Item name="bic" label={t('pos.counter.bic')}>
              <Input placeholder="ROYCCAT2" allowClear data-testid="counter-bic" />
            </Form.Item>
            <Form.Item name="country" label={t('pos.counter.country')}>
              <Input placeholder={t('pos.counter.countryPh')} allowClear data-testid="counter-country" />
            </Form.Item>
          </div>
          {nothing ? <Alert type="warning" showIcon title={t('pos.counter.nothing')} /> : null}
          <Space style={{ marginTop: 12 }}>
            <Button type="primary" htmlType="submit" loading={prompt.isPending} data-testid="counter-ask">
              {t('pos.counter.ask')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setShown(null);
                setNothing(false);
              }}
            >
              {t('pos.counter.clear')}
            </Button>
          </Space>
        </Form>
      </Card>
      {prompt.isError ? (
        <ErrorState error={prompt.error} onRetry={() => form.submit()} />
      ) : shown ? (
        <CounterCard lookup={shown} lang={lang} />
      ) : null}
      <Card title={t('pos.counter.recent')} className="wj-pos-recent" size="small">
        {recent.length === 0 ? (
          <Typography.Text type="secondary">{t('pos.counter.recentEmpty')}</Typography.Text>
        ) : (
          <List
            dataSource={recent}
            data-testid="counter-recent"
            renderItem={(r) => {
              const v = counterView(r.result.answer, lang);
              return (
                <List.Item
                  onClick={() => choose(r)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') choose(r);
                  }}
                  tabIndex={0}
                  role="button"
                >
                  <Space wrap>
                    <Tag color={VERDICT[v.verdict].type}>{t(VERDICT[v.verdict].key)}</Tag>
                    <span>{[r.query.name, r.query.bic, r.query.country].filter(Boolean).join(' · ')}</span>
                    {v.institution ? (
                      <Typography.Text type="secondary">→ {v.institution}</Typography.Text>
                    ) : null}
                  </Space>
                </List.Item>
              );
            }}
          />
        )}
      </Card>
    </div>
  );
}

function CounterCard({ lookup, lang }: { lookup: CounterLookup; lang: 'zh' | 'en' }) {
  const { t } = useTranslation();
  const v = counterView(lookup.result.answer, lang);
  const verdict = VERDICT[v.verdict];
  return (
    <Card data-testid="counter-answer" data-verdict={v.verdict}>
      <Alert
        type={verdict.type}
        showIcon
        title={<span className="wj-pos-verdict">{t(verdict.key)}</span>}
        description={
          v.verdict === 'UNKNOWN' || v.verdict === 'NOT_TUITION' ? t('pos.counter.unknownHint') : undefined
        }
      />
      {v.institution ? (
        <Descriptions column={1} bordered size="middle" style={{ marginTop: 16 }}>
          <Descriptions.Item label={t('pos.counter.institution')}>
            <span data-testid="counter-institution">{v.institution}</span>
            {v.country ? ` (${v.country})` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('pos.counter.how')}>
            {v.kindKey ? t(v.kindKey) : ''}
            {v.similarity ? ` · ${t('pos.counter.similarity')} ${v.similarity}` : ''}
          </Descriptions.Item>
          {v.productCode ? (
            <Descriptions.Item label={t('pos.counter.offer')}>
              <Tag color="blue" data-testid="counter-product">
                {v.productCode}
              </Tag>
            </Descriptions.Item>
          ) : null}
          {v.offerText ? (
            <Descriptions.Item label={t('pos.counter.talk')}>
              <span data-testid="counter-offer">{v.offerText}</span>
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      ) : null}
      <Typography.Text
        type="secondary"
        style={{ display: 'block', marginTop: 12 }}
        data-testid="counter-time"
      >
        {t('pos.counter.time', { ms: lookup.result.ms })}
      </Typography.Text>
    </Card>
  );
}

interface PadLookupDone {
  label: string;
  result: Timed<PadAnswer>;
}

function PadTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const lookup = usePadLookup(lang);
  const [value, setValue] = useState('');
  const [nothing, setNothing] = useState(false);
  const [shown, setShown] = useState<PadLookupDone | null>(null);
  const [recent, setRecent] = useState<PadLookupDone[]>([]);
  const [last, setLast] = useState<PadEntry | null>(null);
  const input = useRef<InputRef>(null);

  const ask = (e: PadEntry | null) => {
    setNothing(e === null);
    if (!e) return;
    setLast(e);
    // An ID number does not stay on screen (nor in the list: it is shown masked).
    if ('idNo' in e) setValue('');
    lookup.mutate(e, {
      onSuccess: (result) => {
        const done = { label: entryLabel(e), result };
        setShown(done);
        setRecent((r) => [done, ...r.filter((x) => x.label !== done.label)].slice(0, 10));
        input.current?.focus();
      },
      onError: () => setShown(null),
    });
  };

  const err = lookup.error;
  return (
    <div className="wj-pos-stack" data-testid="pos-pad">
      <Card>
        <Form layout="vertical" onFinish={() => ask(padEntry(value))} autoComplete="off">
          <Form.Item label={t('pos.pad.entry')} extra={t('pos.pad.scanHint')}>
            <Space.Compact style={{ width: '100%' }}>
              <Input
                ref={input}
                value={value}
                onChange={(e) => setValue(e.target.value)}
                placeholder={t('pos.pad.entryPh')}
                autoFocus
                inputMode="text"
                data-testid="pad-entry"
              />
              <Button type="primary" htmlType="submit" loading={lookup.isPending} data-testid="pad-ask">
                {t('pos.pad.ask')}
              </Button>
            </Space.Compact>
          </Form.Item>
          {nothing ? <Alert type="warning" showIcon title={t('pos.pad.nothing')} /> : null}
        </Form>
        {recent.length > 0 ? (
          <Space wrap style={{ marginTop: 4 }}>
            <Typography.Text type="secondary">{t('pos.pad.recent')}:</Typography.Text>
            {recent.map((r) => (
              <Button key={r.label} onClick={() => setShown(r)}>
                {r.label}
              </Button>
            ))}
          </Space>
        ) : null}
      </Card>
      {err ? (
        <PadError error={err} onRetry={last ? () => ask(last) : undefined} />
      ) : shown ? (
        <PadCard done={shown} />
      ) : null}
    </div>
  );
}

function PadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!(error instanceof ApiError) || error.status === 0 || (error.status >= 500 && error.status !== 503))
    return <ErrorState error={error} onRetry={onRetry} />;
  const idNotSetUp = error.status === 503 && /WANGJI_ID_SECRET/.test(error.message);
  return (
    <Alert
      type={error.status === 404 ? 'info' : 'warning'}
      showIcon
      data-testid="pad-error"
      title={t(padErrorKey(error.status, error.code))}
      description={idNotSetUp ? t('pos.pad.idNotSetUp') : error.message}
    />
  );
}

function PadCard({ done }: { done: PadLookupDone }) {
  const { t } = useTranslation();
  const a = done.result.answer;
  const c = a.customer;
  return (
    <>
      <Card title={t('pos.pad.customer')} data-testid="pad-customer">
        <Descriptions column={1} size="middle" bordered>
          <Descriptions.Item label={t('pos.pad.customerId')}>{c.customer_id}</Descriptions.Item>
          <Descriptions.Item label={t('pos.pad.name')}>{c.name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('pos.pad.phone')}>{c.phone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('pos.pad.age')}>{c.age ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('pos.pad.homeOrg')}>{c.home_org_id}</Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {t('pos.pad.masked')} {t('pos.pad.time', { ms: done.result.ms })}
        </Typography.Text>
      </Card>
      <Card title={`${t('pos.pad.leads')} (${a.leads.length})`} data-testid="pad-leads">
        {a.leads.length === 0 ? (
          <EmptyState title={t('pos.pad.noLeads')} hint={t('pos.pad.noLeadsHint')} />
        ) : (
          <div className="wj-pos-stack" style={{ marginTop: 0 }}>
            {a.leads.map((l) => (
              <div className="wj-pos-lead" key={l.lead_id} data-testid="pad-lead">
                <h4>{l.activity_name}</h4>
                <Space wrap>
                  {l.product_name ? <Tag color="blue">{l.product_name}</Tag> : null}
                  {l.channel ? <Tag>{t(`channels.${l.channel}`, { defaultValue: l.channel })}</Tag> : null}
                  <Tag>{t(`statuses.${l.status}`, { defaultValue: l.status })}</Tag>
                </Space>
                <div style={{ marginTop: 4 }}>
                  {t('pos.pad.reason')}: {l.reason || '—'}
                </div>
              </div>
            ))}
          </div>
        )}
      </Card>
      <Card title={t('pos.pad.matches')} data-testid="pad-matches">
        {a.matches.length === 0 ? (
          <EmptyState title={t('pos.pad.noMatches')} hint={t('pos.pad.noMatchesHint')} />
        ) : (
          <List
            dataSource={a.matches}
            renderItem={(m, i) => (
              <List.Item>
                <Space direction="vertical" size={2}>
                  <span>
                    <b>
                      {i + 1}. {m.product_name}
                    </b>{' '}
                    <Typography.Text type="secondary">{m.product_code}</Typography.Text>
                  </span>
                  <span>{m.reason}</span>
                </Space>
              </List.Item>
            )}
          />
        )}
        <Alert type="info" style={{ marginTop: 12 }} title={t('pos.pad.suitability')} />
      </Card>
    </>
  );
}
