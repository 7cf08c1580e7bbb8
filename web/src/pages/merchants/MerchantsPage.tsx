// 商户 (M4, M5): the merchants of the org in view with their fee coverage over 90 days, the tier their
// owner's deposits reach and the rate proposed against the current one; negative contributors
// highlighted (owners masked by the server); filters, sorting, CSV of what is shown; child orgs drill down.
import {
  Breadcrumb,
  Button,
  Card,
  Col,
  Input,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tag,
} from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useOrgs } from '../../api/hooks';
import { useScopeOrg } from '../../app/orgScope';
import { orgAncestors } from '../../app/orgTree';
import { EmptyState, ErrorState, LoadingState, PageHead } from '../../components/PageState';
import { Tip } from '../../components/Tip';
import { sortLike, type TableSort, tableSort } from '../../components/tableSort';
import { downloadText, toCsv } from '../../format/csv';
import { byDecimal } from '../../format/decimal';
import { formatCount, formatMoney, formatPercent, formatWan, formatYuan } from '../../format/format';
import { shortLang } from '../../i18n';
import { type MerchantRow, useMerchantPricing } from './api';
import { filterMerchants, type Move, rateMove, sumMoney, tierRates } from './logic';

const TYPES = ['CHAIN', 'SUPPLY_CHAIN_DEALER', 'PRO_MARKET', 'BUSINESS_DISTRICT', 'STREET', 'VEG_MARKET'];
/** Fee rates are prices: two decimals (0.55%). */
const rate = (v: string | null) => formatPercent(v, 2);

export function MerchantsPage() {
  const { t, i18n } = useTranslation();
  const lang = shortLang(i18n.language);
  const { orgId: org, setOrgId } = useScopeOrg();
  const orgs = useOrgs();
  const [negative, setNegative] = useState(false);
  const [type, setType] = useState<string | undefined>();
  const [move, setMove] = useState<Move | undefined>();
  const [tier, setTier] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [sort, setSort] = useState<TableSort<MerchantRow> | null>(null);
  const q = useMerchantPricing(org, negative);
  const d = q.data;
  const all = d?.merchants ?? [];
  const rows = useMemo(
    () => filterMerchants(d?.merchants ?? [], { type, move, tier, text }),
    [d, type, move, tier, text],
  );
  const names = useMemo(
    () => new Map((orgs.data?.orgs ?? []).map((o) => [o.org_id, o.org_name ?? o.org_id])),
    [orgs.data],
  );
  const children = (orgs.data?.orgs ?? []).filter((o) => o.parent_id === org);
  const wan = (v: string | null) => formatWan(v);
  const typeName = (v: string | null) => (v ? t(`merchants.types.${v}`, { defaultValue: v }) : '—');
  const moveTag = (m: MerchantRow) => {
    const mv = rateMove(m);
    const color = mv === 'down' ? 'green' : mv === 'up' ? 'volcano' : undefined;
    return <Tag color={color}>{t(`merchants.moves.${mv}`)}</Tag>;
  };

  const columns: ColumnsType<MerchantRow> = [
    {
      title: t('merchants.name'),
      dataIndex: 'merchant_name',
      fixed: 'left',
      width: 160,
      sorter: (a, b) => (a.merchant_name ?? '').localeCompare(b.merchant_name ?? '', 'zh'),
      render: (v: string | null, m) => (
        <span>
          {v ?? m.merchant_id}
          <div style={{ color: '#8c8c8c', fontSize: 12 }}>{m.merchant_id}</div>
        </span>
      ),
    },
    { title: t('merchants.type'), dataIndex: 'merchant_type', render: typeName },
    {
      title: <Tip label={t('merchants.owner')} def={t('merchants.defOwner')} />,
      dataIndex: 'owner_name',
      render: (v) => v ?? '—',
    },
    {
      title: <Tip label={t('merchants.coverage')} def={t('merchants.defCoverage')} />,
      dataIndex: 'coverage_ok',
      render: (v: boolean | null) =>
        v === null ? (
          '—'
        ) : v ? (
          <Tag color="green">{t('merchants.covered')}</Tag>
        ) : (
          <Tag color="red">{t('merchants.notCovered')}</Tag>
        ),
    },
    {
      title: <Tip label={t('merchants.tier')} def={t('merchants.defTier')} />,
      dataIndex: 'tier_rate',
      align: 'right',
      sorter: (a, b) => byDecimal(a.tier_rate, b.tier_rate),
      render: rate,
    },
    {
      title: <Tip label={t('merchants.current')} def={t('merchants.defCurrent')} />,
      dataIndex: 'current_rate',
      align: 'right',
      sorter: (a, b) => byDecimal(a.current_rate, b.current_rate),
      render: rate,
    },
    {
      title: <Tip label={t('merchants.proposed')} def={t('merchants.defProposed')} />,
      dataIndex: 'proposed_rate',
      align: 'right',
      sorter: (a, b) => byDecimal(a.proposed_rate, b.proposed_rate),
      render: (v: string | null, m) => (
        <span>
          {rate(v)} {moveTag(m)}
        </span>
      ),
    },
    {
      title: <Tip label={t('merchants.changeCol')} def={t('merchants.defChange')} />,
      dataIndex: 'fee_income_change_90',
      align: 'right',
      sorter: (a, b) => byDecimal(a.fee_income_change_90, b.fee_income_change_90),
      render: (v: string | null) => formatYuan(v),
    },
    {
      title: <Tip label={t('merchants.adb')} def={t('merchants.defAdb')} />,
      dataIndex: 'merchant_adb',
      align: 'right',
      sorter: (a, b) => byDecimal(a.merchant_adb, b.merchant_adb),
      render: wan,
    },
    {
      title: <Tip label={t('merchants.acq')} def={t('merchants.defAcq')} />,
      dataIndex: 'acq_amount_90',
      align: 'right',
      sorter: (a, b) => byDecimal(a.acq_amount_90, b.acq_amount_90),
      render: wan,
    },
    {
      title: <Tip label={t('merchants.income')} def={t('merchants.defIncome')} />,
      dataIndex: 'fee_income_90',
      align: 'right',
      sorter: (a, b) => byDecimal(a.fee_income_90, b.fee_income_90),
      render: (v: string | null) => formatYuan(v),
    },
    {
      title: <Tip label={t('merchants.cost')} def={t('merchants.defCost')} />,
      dataIndex: 'fee_cost_90',
      align: 'right',
      sorter: (a, b) => byDecimal(a.fee_cost_90, b.fee_cost_90),
      render: (v: string | null) => formatYuan(v),
    },
    {
      title: t('merchants.org'),
      dataIndex: 'org_name',
      render: (v: string | null, m) => v ?? m.org_id ?? '—',
    },
  ];

  const exportCsv = () => {
    const list = sortLike(rows, sort);
    downloadText(
      `merchants-${org}${negative ? '-negative' : ''}.csv`,
      toCsv(
        [
          t('merchants.name'),
          'ID',
          t('merchants.type'),
          t('merchants.owner'),
          t('merchants.coverage'),
          t('merchants.tier'),
          t('merchants.current'),
          t('merchants.proposed'),
          t('merchants.move'),
          t('merchants.changeCol'),
          t('merchants.adb'),
          t('merchants.acq'),
          t('merchants.income'),
          t('merchants.cost'),
          t('merchants.org'),
        ],
        list.map((m) => [
          m.merchant_name,
          m.merchant_id,
          typeName(m.merchant_type),
          m.owner_name,
          m.coverage_ok === null ? '' : m.coverage_ok ? t('merchants.covered') : t('merchants.notCovered'),
          rate(m.tier_rate),
          rate(m.current_rate),
          rate(m.proposed_rate),
          t(`merchants.moves.${rateMove(m)}`),
          formatYuan(m.fee_income_change_90),
          wan(m.merchant_adb),
          wan(m.acq_amount_90),
          formatYuan(m.fee_income_90),
          formatYuan(m.fee_cost_90),
          m.org_name ?? m.org_id,
        ]),
      ),
    );
  };

  const ancestors = orgs.data ? orgAncestors(orgs.data.orgs, org) : [org];
  const crumbs = ancestors.map((id, i) => ({
    key: id,
    title:
      i === ancestors.length - 1 ? (
        <span>{names.get(id) ?? id}</span>
      ) : (
        <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => setOrgId(id)}>
          {names.get(id) ?? id}
        </Button>
      ),
  }));

  let body: React.ReactNode;
  if (q.isPending) body = <LoadingState rows={10} />;
  else if (q.isError) body = <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  else if (!d?.asOf) body = <EmptyState title={t('merchants.noData')} hint={t('merchants.noDataHint')} />;
  else {
    const neg = all.filter((m) => m.coverage_ok === false).length;
    const known = all.filter((m) => m.coverage_ok !== null).length;
    const cards = [
      {
        key: 'count',
        title: t('merchants.count'),
        def: t('merchants.defCount'),
        value: formatCount(d.total),
      },
      {
        key: 'negative',
        title: t('merchants.negative'),
        def: t('merchants.defNegative'),
        value: formatCount(neg),
      },
      {
        key: 'coverage',
        title: t('merchants.coverageRate'),
        def: t('merchants.defCoverageRate'),
        value: known ? formatPercent((known - neg) / known) : '—',
      },
      {
        key: 'change',
        title: t('merchants.change'),
        def: t('merchants.defChange'),
        value: formatMoney(sumMoney(all.map((m) => m.fee_income_change_90)), lang),
      },
    ];
    body = (
      <>
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {cards.map((c) => (
            <Col key={c.key} xs={12} lg={6}>
              <Card size="small" data-testid={`merchants-card-${c.key}`}>
                <Statistic
                  title={<Tip label={c.title} def={c.def} />}
                  value={c.value}
                  valueStyle={{ fontSize: 22 }}
                />
              </Card>
            </Col>
          ))}
        </Row>
        <Card size="small">
          <div className="wj-filters">
            <Switch checked={negative} onChange={setNegative} data-testid="negative-only" />
            <span>{t('merchants.negativeOnly')}</span>
            <Select
              allowClear
              placeholder={t('merchants.allTypes')}
              style={{ width: 150 }}
              value={type}
              onChange={setType}
              options={TYPES.map((v) => ({ value: v, label: typeName(v) }))}
            />
            <Select
              allowClear
              placeholder={t('merchants.allTiers')}
              style={{ width: 120 }}
              value={tier}
              onChange={setTier}
              options={tierRates(all).map((v) => ({ value: v, label: rate(v) }))}
            />
            <Select
              allowClear
              placeholder={t('merchants.allMoves')}
              style={{ width: 120 }}
              value={move}
              onChange={setMove}
              options={(['down', 'up', 'same'] as const).map((v) => ({
                value: v,
                label: t(`merchants.moves.${v}`),
              }))}
              data-testid="filter-move"
            />
            <Input.Search
              allowClear
              placeholder={t('merchants.search')}
              style={{ width: 200 }}
              onChange={(e) => setText(e.target.value)}
            />
            <span style={{ color: '#595959' }} data-testid="merchant-count">
              {rows.length === d.total
                ? t('merchants.rows', { n: formatCount(d.total) })
                : t('merchants.rowsShown', { shown: formatCount(rows.length), n: formatCount(d.total) })}
            </span>
            <Button onClick={exportCsv} disabled={!rows.length} data-testid="export-merchants">
              {t('merchants.export')}
            </Button>
          </div>
          {all.length < d.total ? (
            <div style={{ color: '#d46b08', marginBottom: 8 }}>
              {t('merchants.truncated', { shown: formatCount(all.length), n: formatCount(d.total) })}
            </div>
          ) : null}
          <Table<MerchantRow>
            size="small"
            rowKey="merchant_id"
            columns={columns}
            dataSource={rows}
            pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
            scroll={{ x: 1500 }}
            rowClassName={(m) => (m.coverage_ok === false ? 'wj-row-laggard' : '')}
            onChange={(_p, _f, sorter) => setSort(tableSort(sorter))}
            locale={{
              emptyText: (
                <EmptyState title={t('merchants.noMerchants')} hint={t('merchants.noMerchantsHint')} />
              ),
            }}
            data-testid="merchants-table"
          />
        </Card>
      </>
    );
  }

  return (
    <div data-testid="page-merchants">
      <PageHead title={t('merchants.title')} purpose={t('merchants.purpose')} />
      <Breadcrumb items={crumbs} style={{ marginBottom: 8 }} data-testid="breadcrumbs" />
      {children.length ? (
        <Space wrap size={4} style={{ marginBottom: 12 }} data-testid="merchants-children">
          {children.map((c) => (
            <Button key={c.org_id} size="small" onClick={() => setOrgId(c.org_id)}>
              {c.org_name ?? c.org_id}
            </Button>
          ))}
        </Space>
      ) : null}
      {body}
    </div>
  );
}
