// What the field tabs share: the write permission, the org filter of the org in view, a dense table with
// its row count and an export of exactly what it shows (in its order).
import { DownloadOutlined } from '@ant-design/icons';
import { Button, Space, Table } from 'antd';
import type { ColumnType } from 'antd/es/table';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useScopeOrg } from '../../app/orgScope';
import { can, useCurrentSession } from '../../app/session';
import { sortLike, type TableSort, tableSort } from '../../components/tableSort';
import { type CsvCell, downloadText, toCsv } from '../../format/csv';
import { oneLanguage } from './logic';

export type T = (k: string, o?: Record<string, unknown>) => string;

/** Whether the signed-in role may write field records (field:write). */
export function useCanWrite(): boolean {
  return can(useCurrentSession(), 'field:write');
}

/**
 * The org filter of the lists: none for the user's own org (the server's scope: their subtree), the
 * org picked in the top bar otherwise (the API's `org=` is that org's own records).
 */
export function useOrgFilter(): { org: string | undefined; orgId: string; own: boolean } {
  const { orgId, own } = useScopeOrg();
  return { org: own ? undefined : orgId, orgId, own };
}

export interface Col<R> extends ColumnType<R> {
  /** The header in the export (the column's title when it is text). */
  head?: string;
  /** The exported cell; a column without one is not exported. */
  csv?: (r: R) => CsvCell;
}

export function DataTable<R extends object>({
  rows,
  columns,
  rowKey,
  name,
  testId,
  extra,
  onRow,
}: {
  rows: readonly R[];
  columns: Col<R>[];
  rowKey: (r: R) => string | number;
  name: string;
  testId: string;
  extra?: ReactNode;
  onRow?: (r: R) => { onClick?: () => void };
}) {
  const { t } = useTranslation();
  const [sort, setSort] = useState<TableSort<R> | null>(null);
  const exportCsv = () => {
    const cols = columns.filter((c) => c.csv);
    downloadText(
      `${name}.csv`,
      toCsv(
        cols.map((c) => oneLanguage(c.head ?? String(c.title ?? ''))),
        sortLike(rows, sort).map((r) => cols.map((c) => c.csv?.(r))),
      ),
    );
  };
  return (
    <div data-testid={testId}>
      <Space style={{ marginBottom: 8 }} wrap>
        <span data-testid={`${testId}-count`}>
          {t('field.rows', { n: rows.length.toLocaleString('en-US') })}
        </span>
        <Button size="small" icon={<DownloadOutlined />} onClick={exportCsv} data-testid={`${testId}-export`}>
          {t('field.export')}
        </Button>
        {extra}
      </Space>
      <Table<R>
        size="small"
        rowKey={rowKey}
        dataSource={rows as R[]}
        columns={columns.map((col) => {
          const c = typeof col.title === 'string' ? { ...col, title: oneLanguage(col.title) } : col;
          return c.render || !c.dataIndex
            ? c
            : { ...c, render: (v: unknown) => (v === null || v === undefined || v === '' ? '—' : String(v)) };
        })}
        pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onChange={(_p, _f, sorter) => setSort(tableSort<R>(sorter))}
        onRow={onRow}
      />
    </div>
  );
}

export const byText =
  <R,>(f: (r: R) => string | null | undefined) =>
  (a: R, b: R) =>
    (f(a) ?? '').localeCompare(f(b) ?? '');
export const byNumber =
  <R,>(f: (r: R) => number | null | undefined) =>
  (a: R, b: R) =>
    (f(a) ?? -1) - (f(b) ?? -1);
