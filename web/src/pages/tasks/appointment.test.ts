import { describe, expect, it } from 'vitest';
import { APPOINTMENT_REASONS as SERVER_REASONS } from '../../../../src/field/appointments.js';
import { APPOINTMENT_REASONS, bookingBody } from './appointment';

describe('the booking form’s request', () => {
  it('gives the slot on the bank’s clock with its +08:00 offset, the end after the length', () => {
    expect(bookingBody({ date: '2027-01-22', start: '09:30', minutes: 60, reason: 'PENSION' })).toEqual({
      slot_start: '2027-01-22T09:30:00+08:00',
      slot_end: '2027-01-22T10:30:00+08:00',
      reason: 'PENSION',
    });
  });

  it('crosses midnight into the next day, and keeps a note without its spaces', () => {
    expect(
      bookingBody({ date: '2027-02-28', start: '23:30', minutes: 90, reason: 'OTHER', notes: '  带身份证 ' }),
    ).toEqual({
      slot_start: '2027-02-28T23:30:00+08:00',
      slot_end: '2027-03-01T01:00:00+08:00',
      reason: 'OTHER',
      notes: '带身份证',
    });
  });

  it('refuses a date or time that does not exist', () => {
    expect(bookingBody({ date: '2027-02-30', start: '10:00', minutes: 30, reason: 'OTHER' })).toBeNull();
    expect(bookingBody({ date: '2027-01-22', start: '24:00', minutes: 30, reason: 'OTHER' })).toBeNull();
    expect(bookingBody({ date: '22/01/2027', start: '10:00', minutes: 30, reason: 'OTHER' })).toBeNull();
    expect(bookingBody({ date: '2027-01-22', start: '10:00', minutes: 0, reason: 'OTHER' })).toBeNull();
  });

  it('offers the reasons the server takes', () => {
    expect([...APPOINTMENT_REASONS]).toEqual([...SERVER_REASONS]);
  });
});
