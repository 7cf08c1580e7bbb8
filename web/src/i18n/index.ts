// react-i18next with zh-CN by default and en-US; the choice is kept in localStorage. antd's, dayjs's
// (date pickers, calendar) and ECharts' locales follow the same choice (see app/App.tsx and components/EChart.tsx).
import 'dayjs/locale/zh-cn';
import dayjs from 'dayjs';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Lang } from '../format/format';
import { AREA_RESOURCES } from './areas';
import { enUS } from './en-US';
import { zhCN } from './zh-CN';

export const LANGS = ['zh-CN', 'en-US'] as const;
export type UiLang = (typeof LANGS)[number];
const KEY = 'wangji.lang';

const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
const initial: UiLang = stored === 'en-US' ? 'en-US' : 'zh-CN';

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: Object.assign({}, zhCN, ...AREA_RESOURCES.map((a) => a.zh)) },
    'en-US': { translation: Object.assign({}, enUS, ...AREA_RESOURCES.map((a) => a.en)) },
  },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = initial;
dayjs.locale(initial === 'en-US' ? 'en' : 'zh-cn');

export function setLanguage(lang: UiLang): void {
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
  dayjs.locale(lang === 'en-US' ? 'en' : 'zh-cn');
  void i18n.changeLanguage(lang);
}

/** The short form the API and the formatters take. */
export const shortLang = (lang: string): Lang => (lang.startsWith('en') ? 'en' : 'zh');

export default i18n;
