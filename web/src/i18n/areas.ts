// Each page keeps its own strings beside it (pages/<area>/i18n.ts, one top-level key per area); they are
// merged here with the shared ones of zh-CN.ts / en-US.ts. resources.test.ts checks that no two areas
// claim the same key and that English has every key.

import * as audit from '../pages/audit/i18n';
import * as briefing from '../pages/briefing/i18n';
import * as county from '../pages/county/i18n';
import * as field from '../pages/field/i18n';
import * as merchants from '../pages/merchants/i18n';
import * as ops from '../pages/ops/i18n';
import * as payroll from '../pages/payroll/i18n';
import * as pos from '../pages/pos/i18n';
import * as segments from '../pages/segments/i18n';
import * as targets from '../pages/targets/i18n';

export const AREA_RESOURCES = [
  pos,
  briefing,
  payroll,
  segments,
  merchants,
  county,
  field,
  targets,
  ops,
  audit,
];
