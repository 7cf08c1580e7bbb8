// The Weekly briefing page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  briefing: {
    title: '周通报',
    purpose: '各层级机构按指标的完成、排名与周环比，可下载 Excel。',
  },
};

export const en: Shape<typeof zh> = {
  briefing: {
    title: 'Weekly briefing',
    purpose: 'Completion and rank by level and KPI, week over week; download as Excel.',
  },
};
