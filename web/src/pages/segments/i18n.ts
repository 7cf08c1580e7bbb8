// The Segments page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  segmentsPage: {
    title: '客群',
    purpose: '五大客群及其子客群（一老一小、县域）的规模、走势与价值贡献。',
  },
};

export const en: Shape<typeof zh> = {
  segmentsPage: {
    title: 'Segments',
    purpose: 'The five programs and their sub-groups (elderly & minors, county): sizes, trends and value.',
  },
};
