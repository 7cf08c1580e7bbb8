import { describe, expect, it } from 'vitest';
import { counterQuery, counterView, entryLabel, padEntry, padErrorKey } from './logic';

describe('counterQuery', () => {
  it('squeezes spaces, keeps the name as keyed, upper-cases BIC and country', () => {
    expect(
      counterQuery({ name: '  university   of\u3000toronto ', bic: ' royc ca t2 ', country: ' ca' }),
    ).toEqual({
      name: 'university of toronto',
      bic: 'ROYCCAT2',
      country: 'CA',
    });
  });
  it('drops blank fields and answers null when nothing is keyed', () => {
    expect(counterQuery({ name: '   ', bic: '', country: undefined })).toBeNull();
    expect(counterQuery({ bic: 'abcd-us-33' })).toEqual({ bic: 'ABCDUS33' });
  });
  it('cuts a field to the server cap', () => {
    expect(counterQuery({ name: 'x'.repeat(500) })?.name).toHaveLength(200);
  });
});

describe('padEntry', () => {
  it('reads an 18-character ID number (scanner spaces dropped, x upper case)', () => {
    expect(padEntry(' 42010219900101100x\n')).toEqual({ idNo: '42010219900101100X' });
  });
  it('reads anything else as a customer id', () => {
    expect(padEntry(' C0000123 ')).toEqual({ customerId: 'C0000123' });
    expect(padEntry('4201021990')).toEqual({ customerId: '4201021990' });
  });
  it('refuses empty and over-long entries', () => {
    expect(padEntry('  ')).toBeNull();
    expect(padEntry('C'.repeat(65))).toBeNull();
  });
  it('labels an ID number masked, a customer id as is', () => {
    expect(entryLabel({ idNo: '420102199001011001' })).toBe('420102********1001');
    expect(entryLabel({ customerId: 'C1' })).toBe('C1');
  });
});

describe('counterView', () => {
  const offer = {
    activityId: 'CROSS_BORDER_TUITION',
    productCode: 'FX_TUITION',
    text: { zh: '推荐', en: 'Offer' },
  };
  const match = (kind: 'EXACT_BIC' | 'EXACT_NAME' | 'PROBABLE', score = 1) => ({
    institutionId: 'INST00001',
    institutionName: 'University of Toronto',
    country: 'CA',
    kind,
    score,
  });
  it('a supported exact match offers the product', () => {
    const v = counterView({ supported: true, match: match('EXACT_NAME'), offer }, 'en');
    expect(v).toMatchObject({
      verdict: 'SUPPORTED',
      institution: 'University of Toronto',
      kindKey: 'pos.kind.EXACT_NAME',
      similarity: null,
      productCode: 'FX_TUITION',
      offerText: 'Offer',
    });
  });
  it('a probable match asks to check, with the similarity', () => {
    const v = counterView({ supported: false, match: match('PROBABLE', 0.8765), offer }, 'zh');
    expect(v.verdict).toBe('CHECK');
    expect(v.similarity).toBe('87.7%');
    expect(v.offerText).toBe('推荐');
  });
  it('a listed institution that takes no tuition, and no match at all', () => {
    expect(counterView({ supported: false, match: match('EXACT_BIC'), offer: null }, 'zh').verdict).toBe(
      'NOT_TUITION',
    );
    const none = counterView({ supported: false, match: null, offer: null }, 'zh');
    expect(none).toMatchObject({ verdict: 'UNKNOWN', institution: null, kindKey: null, offerText: null });
  });
});

describe('padErrorKey', () => {
  it('says why in words', () => {
    expect(padErrorKey(503, 'UNAVAILABLE')).toBe('pos.pad.unavailable');
    expect(padErrorKey(404, 'NOT_FOUND')).toBe('pos.pad.notFound');
    expect(padErrorKey(409, 'NOT_STAFF')).toBe('pos.pad.notStaff');
    expect(padErrorKey(500, 'X')).toBe('pos.pad.failed');
  });
});
