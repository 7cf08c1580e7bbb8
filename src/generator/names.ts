// People's names, ID numbers and phones. Invented, but shaped like the real ones (valid check digits).

import { idCardCheckChar } from '../domain/checkDigits.js';
import type { Rng } from './random.js';

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建国志军文斌宇浩凯健俊帆帅旭宁颖琳雪梅晨欣怡婷子涵梓轩睿博',
];

export function chineseName(r: Rng): string {
  const s = r.chance(0.02) ? r.pick(['欧阳', '司马', '诸葛', '上官']) : r.pick(SURNAMES);
  return s + r.pick(GIVEN) + (r.chance(0.7) ? r.pick(GIVEN) : '');
}

/**
 * An 18-character citizen ID: residence division, birth date, a 3-digit sequence (odd for men), check
 * digit. `issued` holds the ID bodies given out so far: on a clash the sequence moves on, so IDs are
 * unique (and, generation being one ordered pass, still reproducible).
 */
export function idCard(
  r: Rng,
  division: string,
  birth: string,
  gender: 'M' | 'F',
  issued: Set<string>,
): string {
  let seq = r.int(0, 499) * 2 + (gender === 'M' ? 1 : 0);
  const prefix = `${division}${birth.replaceAll('-', '')}`;
  let body = `${prefix}${String(seq).padStart(3, '0')}`;
  for (let tries = 0; issued.has(body) && tries < 500; tries++) {
    seq = (seq + 2) % 1000;
    body = `${prefix}${String(seq).padStart(3, '0')}`;
  }
  issued.add(body);
  return body + idCardCheckChar(body);
}

export function mobile(r: Rng): string {
  return `1${r.pick(['30', '31', '35', '36', '38', '39', '50', '51', '58', '59', '77', '80', '86', '88', '99'])}${r.digits(8)}`;
}
