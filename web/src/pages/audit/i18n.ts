// The Audit log page's strings (zh-CN and the same keys in en-US: the type enforces it).
import type { Shape } from '../../i18n/shape';

export const zh = {
  audit: {
    title: '审计日志',
    purpose: '谁在何时做了什么：登录、查看、导出、揭示、加载与运行，哈希链防篡改。',
  },
};

export const en: Shape<typeof zh> = {
  audit: {
    title: 'Audit log',
    purpose: 'Who did what and when: sign-ins, views, exports, reveals, loads and runs, hash-chained.',
  },
};
