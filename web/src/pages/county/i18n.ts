// The County page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  county: {
    title: '县域',
    purpose: '县域网点的社保卡与借记卡漏斗，及社保卡发卡评估（P10）。',
  },
};

export const en: Shape<typeof zh> = {
  county: {
    title: 'County',
    purpose: 'Card funnel per county outlet and the social-security card assessment (P10).',
  },
};
