// The Operations page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  ops: {
    title: '运营',
    purpose: '加载数据投放、运行流水线（实时进度）、运行台账与隔离数据。',
  },
};

export const en: Shape<typeof zh> = {
  ops: {
    title: 'Operations',
    purpose: 'Load a drop, run the pipeline with live progress, the run ledger and quarantined rows.',
  },
};
