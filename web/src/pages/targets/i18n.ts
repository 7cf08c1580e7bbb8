// The Targets page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  targets: {
    title: '指标',
    purpose: '查看与上传指标，按比例向下分解并调整。',
  },
};

export const en: Shape<typeof zh> = {
  targets: {
    title: 'Targets',
    purpose: 'View and upload targets; cascade them down proportionally and edit.',
  },
};
