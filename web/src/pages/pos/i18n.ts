// The Point of service page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  pos: {
    title: '厅堂/柜面',
    purpose: '大堂 PAD 查询客户名单与产品推荐，柜面查询收款机构与可推荐产品。',
  },
};

export const en: Shape<typeof zh> = {
  pos: {
    title: 'Point of service',
    purpose:
      'Lobby PAD lookup of a customer’s leads and products; counter prompt for a beneficiary institution.',
  },
};
