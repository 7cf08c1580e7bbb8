// The Payroll monitoring page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  payroll: {
    title: '代发监测',
    purpose: '代发单位与机构的 13 个月代发走势、同比、流失预警、分层与走访计划。',
  },
};

export const en: Shape<typeof zh> = {
  payroll: {
    title: 'Payroll monitoring',
    purpose:
      '13-month payroll series per org and employer, year over year, churn alerts, tiers and visit plan.',
  },
};
