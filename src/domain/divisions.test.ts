import { expect, it } from 'vitest';
import { divisions, isCountyDivision } from './divisions.js';

it('ships the 2,978 county-level divisions of GB/T 2260', () => {
  expect(divisions().size).toBe(2978);
  expect(divisions().get('420102')).toMatchObject({
    name: '江岸区',
    cityName: '武汉市',
    provinceName: '湖北省',
  });
});

it('classifies counties as METRICS.md says', () => {
  expect(isCountyDivision('420222')).toBe(true); // 阳新县
  expect(isCountyDivision('420281')).toBe(true); // 大冶市, county-level city
  expect(isCountyDivision('150521')).toBe(true); // 科尔沁左翼中旗
  expect(isCountyDivision('429021')).toBe(true); // 神农架林区
  expect(isCountyDivision('520203')).toBe(true); // 六枝特区
  expect(isCountyDivision('420102')).toBe(false); // 江岸区, a district
  expect(isCountyDivision('610103')).toBe(false); // 碑林区
  for (const city of ['441900', '442000', '460400', '620201']) expect(isCountyDivision(city)).toBe(false);
  expect(isCountyDivision('999999')).toBe(false);
  expect(isCountyDivision(null)).toBe(false);
});
