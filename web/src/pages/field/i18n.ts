// The Field operations page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  field: {
    title: '外拓',
    purpose: '外拓活动与预约日历、活动结果、服务点与驿站、单位与政府走访、两张 P7 台账。',
  },
};

export const en: Shape<typeof zh> = {
  field: {
    title: 'Field operations',
    purpose:
      'Calendar of outreach events and appointments, event results, service points and stations, visits, the two P7 tables.',
  },
};
