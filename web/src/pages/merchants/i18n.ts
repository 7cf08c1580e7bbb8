// The Merchants page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  merchants: {
    title: '商户',
    purpose: '商户分层、建议费率与现行费率、覆盖情况与负贡献商户。',
  },
};

export const en: Shape<typeof zh> = {
  merchants: {
    title: 'Merchants',
    purpose: 'Merchant tiers, proposed vs current rate, coverage and negative contributors.',
  },
};
