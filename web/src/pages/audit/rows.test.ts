import { describe, expect, it } from 'vitest';
import { toCsv } from '../../format/csv';
import { AUDIT_CSV_HEADER, auditCsvRows, auditQuery, bankTimeSeconds } from './rows';

describe('audit rows', () => {
  it('shows an instant in bank time to the second', () => {
    expect(bankTimeSeconds('2026-12-15T16:05:09.123Z')).toBe('2026-12-16 00:05:09');
    expect(bankTimeSeconds('2026-12-15T02:00:00Z')).toBe('2026-12-15 10:00:00');
    expect(bankTimeSeconds(null)).toBe('—');
    expect(bankTimeSeconds('nonsense')).toBe('—');
  });

  it('turns bank dates into instants, both days included', () => {
    expect(auditQuery({ fromDate: '2026-12-15', toDate: '2026-12-15' }, { limit: 100, offset: 0 })).toEqual({
      from: '2026-12-14T16:00:00.000Z',
      to: '2026-12-15T16:00:00.000Z',
      actor: undefined,
      action: undefined,
      target: undefined,
      limit: 100,
      offset: 0,
    });
    const q = auditQuery(
      { actor: ' hq-ops ', actions: ['RUN', 'LOAD'], target: ' run: ' },
      { limit: 50, offset: 50 },
    );
    expect(q).toMatchObject({
      actor: 'hq-ops',
      action: 'RUN,LOAD',
      target: 'run:',
      from: undefined,
      offset: 50,
    });
    expect(auditQuery({ actor: '  ', actions: [] }, { limit: 1, offset: 0 }).actor).toBeUndefined();
  });

  it('exports what is shown, in order, as CSV', () => {
    const csv = toCsv(
      AUDIT_CSV_HEADER,
      auditCsvRows([
        {
          seq: 9,
          loggedAt: '2026-12-15T02:00:00Z',
          actor: 'hq-ops',
          role: 'HQ_OPS',
          action: 'RUN',
          subject: 'run:3',
          detail: '{"asOf":"2026-12-15","ok":true}',
        },
        {
          seq: null,
          loggedAt: '2026-12-15T01:00:00Z',
          actor: 'ip:127.0.0.1',
          role: null,
          action: 'LOGIN_FAILED',
          subject: null,
          detail: null,
        },
      ]),
    );
    expect(csv).toBe(
      '\uFEFFseq,time (Asia/Shanghai),actor,role,action,target,detail\r\n' +
        '9,2026-12-15 10:00:00,hq-ops,HQ_OPS,RUN,run:3,"{""asOf"":""2026-12-15"",""ok"":true}"\r\n' +
        ',2026-12-15 09:00:00,ip:127.0.0.1,,LOGIN_FAILED,,\r\n',
    );
  });
});
