// The contact policy's rules (PLAYBOOK.md step 5) and the uplift estimate, as pure functions.

import { expect, it } from 'vitest';
import { bankClock } from '../domain/bankTime.js';
import { contactRefusal, inQuietHours } from './contactPolicy.js';
import { upliftOf } from './uplift.js';

const quiet = { from: '21:00', to: '09:00' };
/** An instant at a bank-time (UTC+8) clock on 2027-01-05 plus `days`. */
const at = (hhmm: string, days = 0) =>
  new Date(Date.parse(`2027-01-05T${hhmm}:00+08:00`) + days * 24 * 3_600_000);
const check = (o: Partial<Parameters<typeof contactRefusal>[0]>) =>
  contactRefusal({
    outcome: 'CONTACTED',
    channel: 'MANAGER',
    marketing: true,
    at: at('10:00'),
    others: [],
    cap: 2,
    quiet,
    ...o,
  });

it('knows bank time and quiet hours across midnight', () => {
  expect(bankClock(at('22:00'))).toBe('22:00');
  expect(inQuietHours('21:00', quiet)).toBe(true);
  expect(inQuietHours('08:59', quiet)).toBe(true);
  expect(inQuietHours('09:00', quiet)).toBe(false);
  expect(inQuietHours('20:59', quiet)).toBe(false);
  expect(inQuietHours('13:00', { from: '12:00', to: '14:00' })).toBe(true);
});

it('refuses an SMS or outbound call in quiet hours, not a visit, not a service notice', () => {
  expect(check({ channel: 'SMS', at: at('22:00') })?.code).toBe('QUIET_HOURS');
  expect(check({ channel: 'OUTBOUND_CALL', at: at('08:30'), outcome: 'NOT_REACHED' })?.code).toBe(
    'QUIET_HOURS',
  );
  expect(check({ channel: 'SMS', at: at('09:00') })).toBeNull();
  expect(check({ channel: 'MANAGER', at: at('22:00') })).toBeNull();
  expect(check({ channel: 'SMS', at: at('22:00'), marketing: false })).toBeNull();
});

it('refuses the 3rd marketing contact in any rolling 7 × 24 hours, before or after', () => {
  const two = [at('10:00', -6), at('10:00', -1)];
  expect(check({ others: two })?.code).toBe('CONTACT_CAP');
  expect(check({ others: two, outcome: 'NOT_REACHED' })).toBeNull(); // not a contact
  expect(check({ others: [at('10:00', -7), at('10:00', -1)] })).toBeNull(); // the first is exactly 7 × 24 h back
  // A contact recorded late, between two others five days apart: a week holds all three.
  expect(check({ others: [at('10:00', -3), at('10:00', 2)] })?.code).toBe('CONTACT_CAP');
  expect(check({ others: [at('10:00', -3), at('10:00', 5)] })).toBeNull(); // 8 days apart: every week holds two
  expect(check({ others: two, marketing: false })).toBeNull(); // a service visit
});

it('always records a refusal, whatever the hour or the count', () => {
  for (const outcome of ['REFUSED', 'REFUSED_ALL', 'INVALID'] as const) {
    expect(check({ outcome, channel: 'SMS', at: at('22:30') })).toBeNull();
    expect(check({ outcome, others: [at('10:00', -2), at('10:00', -1)] })).toBeNull();
  }
});

it('estimates uplift with a 95 % Wald interval, and says when it cannot', () => {
  const u = upliftOf(
    { treatedLeads: 100, treatedConverted: 30, controlLeads: 100, controlConverted: 20 },
    30,
  );
  // 0.30 − 0.20 = 0.10; se = √(0.3·0.7/100 + 0.2·0.8/100) = √0.0037 = 0.0608276; × 1.959964 = 0.1192199.
  expect(u.status).toBe('OK');
  expect(u.uplift).toBeCloseTo(0.1, 10);
  expect(u.ciLow).toBeCloseTo(-0.0192199, 6);
  expect(u.ciHigh).toBeCloseTo(0.2192199, 6);
  const small = upliftOf(
    { treatedLeads: 100, treatedConverted: 30, controlLeads: 29, controlConverted: 5 },
    30,
  );
  expect(small).toMatchObject({ status: 'INSUFFICIENT', ciLow: null, ciHigh: null });
  expect(
    upliftOf({ treatedLeads: 10, treatedConverted: 1, controlLeads: 0, controlConverted: 0 }, 30),
  ).toMatchObject({
    status: 'INSUFFICIENT',
    uplift: null,
  });
});
