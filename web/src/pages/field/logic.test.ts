import { describe, expect, it } from 'vitest';
import {
  EVENT_STATUSES as SERVER_EVENT_STATUSES,
  EVENT_TEAMS as SERVER_TEAMS,
} from '../../../../src/field/events.js';
import { VISIT_OUTCOMES as SERVER_OUTCOMES } from '../../../../src/field/visits.js';
import { ApiError } from '../../api/client';
import {
  appointmentBody,
  bankDateOf,
  benefitProgressBody,
  dayCells,
  EVENT_STATUSES,
  EVENT_TEAMS,
  eventBody,
  eventResultBody,
  monthRange,
  oneLanguage,
  refusalWords,
  servicePointBody,
  stationBody,
  VISIT_OUTCOMES,
  visitBody,
} from './logic';

const ev = (id: number, team: string, date: string) => ({
  event_id: id,
  team,
  event_date: date,
  place: 'x',
  status: 'PLANNED',
});
const ap = (id: number, team: string | null, start: string) => ({
  appointment_id: id,
  team,
  slot_start: start,
  slot_end: start,
  status: 'BOOKED',
});

describe('the calendar cells', () => {
  it('puts events on their date and appointments on their bank date (UTC+8), earliest first', () => {
    const cells = dayCells(
      [ev(1, 'DOOR', '2026-12-15'), ev(2, 'CARE', '2026-12-15')],
      // 17:00 UTC on the 14th is 01:00 on the 15th at the bank.
      [ap(7, 'DOOR', '2026-12-15T02:00:00Z'), ap(8, 'DOOR', '2026-12-14T17:00:00Z')],
      [],
    );
    expect([...cells.keys()]).toEqual(['2026-12-15']);
    const c = cells.get('2026-12-15');
    expect(c?.events.map((e) => e.event_id)).toEqual([1, 2]);
    expect(c?.appointments.map((a) => a.appointment_id)).toEqual([8, 7]);
  });

  it('keeps a team’s events and appointments only when a team is chosen', () => {
    const cells = dayCells(
      [ev(1, 'DOOR', '2026-12-15'), ev(2, 'CARE', '2026-12-16')],
      [ap(7, null, '2026-12-15T02:00:00Z'), ap(8, 'CARE', '2026-12-16T02:00:00Z')],
      [],
      'CARE',
    );
    expect([...cells.keys()]).toEqual(['2026-12-16']);
    expect(cells.get('2026-12-16')?.appointments).toHaveLength(1);
  });

  it('marks the pension pay days once per program, counting the outlets', () => {
    const day = { date: '2026-12-10', programs: [{ program_id: 'P1', program_name: '城乡居民养老金' }] };
    const cells = dayCells(
      [],
      [],
      [
        { org_id: 'O1', days: [day] },
        { org_id: 'O2', days: [day] },
      ],
    );
    expect(cells.get('2026-12-10')?.pension).toEqual([
      { program_id: 'P1', program_name: '城乡居民养老金', outlets: 2 },
    ]);
  });

  it('gives a month’s first and last day (February of a leap year too)', () => {
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(bankDateOf('2026-12-31T16:30:00Z')).toBe('2027-01-01');
  });
});

describe('the forms’ request bodies', () => {
  it('an event: trimmed, staff once each, empty fields left out, the org in view', () => {
    expect(
      eventBody(
        {
          team: 'DOOR',
          place: ' 幸福社区 ',
          community: '  ',
          event_date: '2026-12-15',
          staff_ids: ['S1', ' S1', 'S2'],
          status: 'PLANNED',
          station_id: null,
          participants: 30,
        },
        'O9',
      ),
    ).toEqual({
      team: 'DOOR',
      org_id: 'O9',
      place: '幸福社区',
      event_date: '2026-12-15',
      staff_ids: ['S1', 'S2'],
      status: 'PLANNED',
      participants: 30,
    });
  });

  it('an event’s result: a cleared count is sent as null', () => {
    expect(
      eventResultBody({ status: 'DONE', cards_opened: 5, appointments_taken: null, participants: 0 }),
    ).toEqual({
      status: 'DONE',
      cards_opened: 5,
      appointments_taken: null,
      participants: 0,
    });
  });

  it('a visit: refused in words without whom, or with the next date before the visit', () => {
    expect(visitBody({ kind: 'EMPLOYER', visited_on: '2026-12-01', outcome: 'MET' })).toEqual({
      error: 'visitNeedsEmployer',
    });
    expect(visitBody({ kind: 'GOVERNMENT', visited_on: '2026-12-01', outcome: 'MET' })).toEqual({
      error: 'visitNeedsWhom',
    });
    expect(
      visitBody({
        kind: 'EMPLOYER',
        employer_id: 'E1',
        visited_on: '2026-12-01',
        outcome: 'MET',
        next_date: '2026-11-30',
      }),
    ).toEqual({ error: 'visitNextBefore' });
    expect(
      visitBody({
        kind: 'GOVERNMENT',
        counterpart: '人社局',
        visited_on: '2026-12-01',
        outcome: 'AGREED',
        summary: ' ',
      }),
    ).toEqual({
      body: { kind: 'GOVERNMENT', counterpart: '人社局', visited_on: '2026-12-01', outcome: 'AGREED' },
    });
  });

  it('benefit progress: paid into a card cannot exceed the recipients reached', () => {
    expect(benefitProgressBody({ recipients_reached: 10, paid_into_card: 11 })).toBeNull();
    expect(benefitProgressBody({ recipients_reached: 10, paid_into_card: 4, note: ' ok ' })).toEqual({
      recipients_reached: 10,
      paid_into_card: 4,
      note: 'ok',
    });
  });

  it('an appointment: the slot on the bank’s clock with the customer; none without a customer', () => {
    expect(
      appointmentBody({
        customer_id: ' C1 ',
        date: '2026-12-16',
        start: '09:30',
        minutes: 60,
        reason: 'PENSION',
        team: 'DOOR',
      }),
    ).toEqual({
      slot_start: '2026-12-16T09:30:00+08:00',
      slot_end: '2026-12-16T10:30:00+08:00',
      reason: 'PENSION',
      customer_id: 'C1',
      team: 'DOOR',
    });
    expect(
      appointmentBody({
        customer_id: ' ',
        date: '2026-12-16',
        start: '09:30',
        minutes: 60,
        reason: 'PENSION',
      }),
    ).toBeNull();
  });

  it('a service point that ends before it starts is not sent; a station’s partners one a line', () => {
    expect(
      servicePointBody({ name: 'a', place: 'b', start_date: '2026-12-10', end_date: '2026-12-09' }),
    ).toBeNull();
    expect(stationBody({ name: ' 驿站 ', place: '村委', partners: '村委会 | 基层组织\n\n 卫生院 ' })).toEqual(
      {
        name: '驿站',
        place: '村委',
        partners: [{ partner_name: '村委会', partner_kind: '基层组织' }, { partner_name: '卫生院' }],
      },
    );
  });
});

describe('refusals in words', () => {
  const words: Record<string, string> = {
    'field.refusals.NOT_COVERED': '不覆盖',
    'refusals.OTHER': '被拒绝',
  };
  const t = (k: string) => words[k] ?? '';
  it('uses the field page’s own code, else the generic words, with the server’s message', () => {
    expect(refusalWords(new ApiError(409, 'NOT_COVERED', 'not covered'), t)).toBe('不覆盖（not covered）');
    expect(refusalWords(new ApiError(409, 'WHATEVER', 'no'), t)).toBe('被拒绝（no）');
  });
});

describe('the codes match the server’s', () => {
  it('teams, statuses and outcomes', () => {
    expect([...EVENT_TEAMS]).toEqual([...SERVER_TEAMS]);
    expect([...EVENT_STATUSES]).toEqual([...SERVER_EVENT_STATUSES]);
    expect([...VISIT_OUTCOMES]).toEqual([...SERVER_OUTCOMES]);
  });
});

describe('a bilingual form label as a one-language table header', () => {
  it('keeps the first language, leaves one-language labels alone', () => {
    expect(oneLanguage('地点 Place')).toBe('地点');
    expect(oneLanguage('客户号 Customer ID')).toBe('客户号');
    expect(oneLanguage('Place 地点')).toBe('Place');
    expect(oneLanguage('Customer ID 客户号')).toBe('Customer ID');
    expect(oneLanguage('Community 村/社区')).toBe('Community');
    expect(oneLanguage('办卡（填报）')).toBe('办卡（填报）');
    expect(oneLanguage('Cards (typed)')).toBe('Cards (typed)');
    expect(oneLanguage('P7 台账')).toBe('P7 台账');
  });
});
