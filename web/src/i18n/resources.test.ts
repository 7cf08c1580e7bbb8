// The English resources have every key of the Chinese ones (tsc checks the shape; this checks that no
// string is left empty), and the names the server's codes need are all there.
import { describe, expect, it } from 'vitest';
import { TASK_CHANNELS } from '../../../src/config/season.js';
import { KPI_IDS, KPIS } from '../../../src/kpis/catalogue.js';
import { OUTCOMES } from '../../../src/leads/contactPolicy.js';
import { ROLES } from '../../../src/server/roles.js';
import { OUTCOMES as WEB_OUTCOMES } from '../api/types';
import { AREA_RESOURCES } from './areas';
import { enUS } from './en-US';
import { zhCN } from './zh-CN';

const leaves = (o: object, prefix = ''): [string, string][] =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'string'
      ? [[`${prefix}${k}`, v] as [string, string]]
      : leaves(v as object, `${prefix}${k}.`),
  );

describe('i18n resources', () => {
  it('zh-CN and en-US have the same keys, none empty', () => {
    const zh = leaves(zhCN);
    const en = leaves(enUS);
    expect(en.map(([k]) => k).sort()).toEqual(zh.map(([k]) => k).sort());
    expect([...zh, ...en].filter(([, v]) => !v.trim())).toEqual([]);
  });

  it('every page area has the same keys in both languages, none empty, and claims its own top-level key', () => {
    const claimed = new Set(Object.keys(zhCN));
    for (const area of AREA_RESOURCES) {
      const zh = leaves(area.zh);
      const en = leaves(area.en);
      expect(en.map(([k]) => k).sort()).toEqual(zh.map(([k]) => k).sort());
      expect([...zh, ...en].filter(([, v]) => !v.trim())).toEqual([]);
      for (const top of Object.keys(area.zh)) {
        expect(claimed.has(top), `i18n key ${top} claimed twice`).toBe(false);
        claimed.add(top);
      }
    }
  });

  it('name every KPI of the catalogue as the catalogue does', () => {
    for (const id of KPI_IDS) {
      expect(zhCN.kpis[id], id).toBe(KPIS[id].zh);
      expect(enUS.kpis[id], id).toBe(KPIS[id].en);
    }
  });

  it('name every role, channel and outcome the server sends', () => {
    for (const r of ROLES) expect(zhCN.roles[r], r).toBeTruthy();
    for (const c of TASK_CHANNELS) expect(zhCN.channels[c], c).toBeTruthy();
    expect([...WEB_OUTCOMES]).toEqual([...OUTCOMES]);
    for (const o of OUTCOMES) expect(zhCN.outcomes[o], o).toBeTruthy();
  });
});
