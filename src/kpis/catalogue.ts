// The KPI catalogue of METRICS.md "KPIs (X3)": one entry per KPI, with its program, what it counts in
// (a count of things or money in yuan), whether staff are credited, and its names on screen. The SQL
// that counts each KPI is in credits.ts; this file is what every other part (targets, briefing,
// server) checks names against.

import type { Program } from '../config/season.js';

export const KPI_IDS = [
  'NEW_CUSTOMERS',
  'PAYROLL_AMOUNT',
  'PAYROLL_EMPLOYERS_NEW',
  'SSC_GEN3_ISSUED',
  'SSC_GEN3_ACTIVATED',
  'PENSION_INTO_CARD',
  'DEPOSIT_ADB_GROWTH',
  'AUM_GROWTH',
  'CROSS_BORDER_SIGNED',
  'AUTO_DEBIT_SIGNED',
  'MERCHANTS_NEW',
  'ACQUIRING_AMOUNT',
  'ACQUIRING_NET_INCOME',
  'COUNTY_DEBIT_ISSUED',
  'COUNTY_DEBIT_ACTIVATED',
  'COUNTY_CREDIT_APPROVED',
  'COUNTY_APP_REGISTERED',
  'ECNY_WALLETS',
  'LEADS_CONVERTED',
] as const;
export type KpiId = (typeof KPI_IDS)[number];

export interface KpiDef {
  id: KpiId;
  /** The program the KPI belongs to; ALL belongs to every program. */
  program: Program | 'ALL';
  /** COUNT: whole things (targets are whole numbers); YUAN: money, to the fen. */
  unit: 'COUNT' | 'YUAN';
  /** Whether the catalogue's "staff credited" column names someone (STAFF rows and targets). */
  staffCredited: boolean;
  /** A balance KPI: the briefing also shows the daily net increase still needed. */
  balance: boolean;
  zh: string;
  en: string;
}

const def = (
  id: KpiId,
  program: KpiDef['program'],
  unit: KpiDef['unit'],
  staffCredited: boolean,
  zh: string,
  en: string,
  balance = false,
): KpiDef => ({ id, program, unit, staffCredited, balance, zh, en });

export const KPIS: Record<KpiId, KpiDef> = Object.fromEntries(
  [
    def('NEW_CUSTOMERS', 'ALL', 'COUNT', true, '新增客户', 'New customers'),
    def('PAYROLL_AMOUNT', 'PAYROLL', 'YUAN', true, '代发金额', 'Payroll amount'),
    def('PAYROLL_EMPLOYERS_NEW', 'PAYROLL', 'COUNT', true, '新增代发单位', 'New payroll employers'),
    def('SSC_GEN3_ISSUED', 'PAYROLL', 'COUNT', true, '三代社保卡发卡', 'Gen-3 social security cards issued'),
    def(
      'SSC_GEN3_ACTIVATED',
      'PAYROLL',
      'COUNT',
      true,
      '三代社保卡激活',
      'Gen-3 social security cards activated',
    ),
    def(
      'PENSION_INTO_CARD',
      'ELDERLY_MINOR',
      'COUNT',
      true,
      '养老金入卡客户',
      'Pension credited into the card',
    ),
    def('DEPOSIT_ADB_GROWTH', 'ALL', 'YUAN', true, '存款日均增量', 'Deposit ADB growth', true),
    def('AUM_GROWTH', 'ALL', 'YUAN', true, 'AUM 增量', 'AUM growth', true),
    def('CROSS_BORDER_SIGNED', 'PAYMENT', 'COUNT', true, '跨境缴费签约', 'Cross-border tuition agreements'),
    def('AUTO_DEBIT_SIGNED', 'PAYMENT', 'COUNT', true, '代扣签约', 'Auto-debit agreements'),
    def('MERCHANTS_NEW', 'MERCHANT', 'COUNT', false, '新增商户', 'New merchants'),
    def('ACQUIRING_AMOUNT', 'MERCHANT', 'YUAN', false, '收单交易额', 'Acquiring amount'),
    def('ACQUIRING_NET_INCOME', 'MERCHANT', 'YUAN', false, '收单净收入', 'Acquiring net income'),
    def('COUNTY_DEBIT_ISSUED', 'COUNTY', 'COUNT', true, '县域借记卡发卡', 'County debit cards issued'),
    def('COUNTY_DEBIT_ACTIVATED', 'COUNTY', 'COUNT', true, '县域借记卡激活', 'County debit cards activated'),
    def('COUNTY_CREDIT_APPROVED', 'COUNTY', 'COUNT', true, '县域信用卡核准', 'County credit cards approved'),
    def('COUNTY_APP_REGISTERED', 'COUNTY', 'COUNT', true, '县域 App 注册', 'County app registrations'),
    def('ECNY_WALLETS', 'COUNTY', 'COUNT', true, '数字人民币钱包', 'e-CNY wallets opened'),
    def('LEADS_CONVERTED', 'ALL', 'COUNT', true, '线索转化', 'Leads converted'),
  ].map((k) => [k.id, k]),
) as Record<KpiId, KpiDef>;

export const isKpiId = (s: string): s is KpiId => (KPI_IDS as readonly string[]).includes(s);

/** The KPIs a program's view shows: its own and those of every program. */
export const kpisOfProgram = (program: Program): KpiDef[] =>
  KPI_IDS.map((k) => KPIS[k]).filter((k) => k.program === program || k.program === 'ALL');
