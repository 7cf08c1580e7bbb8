// The headline of a published run: the G3 measures of the bank and its branches (org_measures) and the
// segment sizes at HQ (segment_sizes) — what `wangji demo` prints after its run.

import type { Db } from '../../db/types.js';
import { formatMoney } from '../../domain/money.js';
import { renderTable } from '../output.js';

export interface Headline {
  asOf: string;
  orgs: {
    org_id: string;
    org_name: string;
    level: string;
    customers: number;
    new_customers: number;
    aum_d: string;
    deposits_d: string;
    adb_mtd: string;
    value_season: string;
  }[];
  segments: { segment: string; members: number }[];
}

export async function readHeadline(db: Db, asOf: string): Promise<Headline> {
  const orgs = await db.query<Headline['orgs'][number]>(
    `SELECT m.org_id, o.org_name, o.level, m.customers, m.new_customers, m.aum_d, m.deposits_d, m.adb_mtd, m.value_season
       FROM org_measures m JOIN orgs o ON o.org_id = m.org_id
      WHERE o.level IN ('HQ', 'BRANCH')
      ORDER BY CASE o.level WHEN 'HQ' THEN 0 ELSE 1 END, m.org_id`,
  );
  const segments = await db.query<Headline['segments'][number]>(
    `SELECT s.segment, s.members FROM segment_sizes s JOIN orgs o ON o.org_id = s.org_id
      WHERE o.level = 'HQ' AND s.as_of = CAST($1 AS DATE)`,
    [asOf],
  );
  const order = ['PAYROLL', 'SILVER', 'MINOR', 'GUARDIAN', 'PAYMENT', 'MERCHANT', 'COUNTY'];
  segments.sort((a, b) => order.indexOf(a.segment) - order.indexOf(b.segment));
  return { asOf, orgs, segments };
}

/** 12345678.9 → "12,345,679": whole yuan, half away from zero, exact from the decimal text. */
export const yuan = (decimal: string) => formatMoney(decimal, 0);

const SEGMENT_NAMES: Record<string, string> = {
  PAYROLL: '代发 payroll',
  SILVER: '银发 silver',
  MINOR: '未成年 minor',
  GUARDIAN: '监护人 guardian',
  PAYMENT: '缴费 payment',
  MERCHANT: '商户 merchant',
  COUNTY: '县域 county',
};

export function describeHeadline(h: Headline): string[] {
  return [
    `核心指标 Headline measures as of ${h.asOf} (元 yuan; 日均 = month-to-date ADB)`,
    ...renderTable(
      ['机构 org', '客户 customers', '新客 new', 'AUM', '存款 deposits', '存款日均 ADB', '价值贡献 value'],
      h.orgs.map((o) => [
        `${o.org_name} (${o.org_id})`,
        o.customers.toLocaleString('en-US'),
        o.new_customers.toLocaleString('en-US'),
        yuan(o.aum_d),
        yuan(o.deposits_d),
        yuan(o.adb_mtd),
        yuan(o.value_season),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
    '',
    '客群规模 Segment sizes (the bank)',
    ...renderTable(
      ['客群 segment', '人数 members'],
      h.segments.map((s) => [SEGMENT_NAMES[s.segment] ?? s.segment, s.members.toLocaleString('en-US')]),
      ['left', 'right'],
    ),
  ];
}
