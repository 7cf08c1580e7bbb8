// The KPIs counted in yuan (the rest count things): amounts show with ¥ and 万 / 亿.
export const MONEY_KPIS: readonly string[] = [
  'PAYROLL_AMOUNT',
  'DEPOSIT_ADB_GROWTH',
  'AUM_GROWTH',
  'ACQUIRING_AMOUNT',
  'ACQUIRING_NET_INCOME',
];

export const isMoneyKpi = (kpi: string) => MONEY_KPIS.includes(kpi);
