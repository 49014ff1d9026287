import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PERIOD_DAYS,
  calendarDateProblem,
  isAutoreplyActive,
  isReplyDue,
  localDateOf,
  type AutoreplyWindow,
} from '../../src/domain/autoreply-schedule.js';

const at = (iso: string) => new Date(iso);
const DAY = 24 * 60 * 60 * 1000;

describe('isReplyDue: once per sender per period (the vacation database)', () => {
  const now = at('2025-08-15T12:00:00Z');
  it.each<{ behaviour: string; last: Date | null; days: number; due: boolean }>([
    { behaviour: 'answers a sender it never answered', last: null, days: 7, due: true },
    { behaviour: 'stays quiet for a sender answered a minute ago', last: new Date(now.getTime() - 60_000), days: 7, due: false },
    { behaviour: 'stays quiet one second before the period is over', last: new Date(now.getTime() - 7 * DAY + 1000), days: 7, due: false },
    { behaviour: 'answers again exactly when the period is over', last: new Date(now.getTime() - 7 * DAY), days: 7, due: true },
    { behaviour: 'answers again long after the period', last: at('2025-01-01T00:00:00Z'), days: 7, due: true },
    { behaviour: 'uses the period it is given (1 day)', last: new Date(now.getTime() - DAY - 1), days: 1, due: true },
    { behaviour: 'uses the period it is given (30 days)', last: new Date(now.getTime() - 10 * DAY), days: 30, due: false },
    { behaviour: 'treats a last reply in the future (clock set back) as recent, not as never', last: new Date(now.getTime() + DAY), days: 7, due: false },
  ])('$behaviour', ({ last, days, due }) => {
    expect(isReplyDue(last, now, days)).toBe(due);
  });

  it('defaults to a week', () => expect(DEFAULT_PERIOD_DAYS).toBe(7));
});

describe('isAutoreplyActive: on, and today within its dates (both ends inclusive)', () => {
  const window = (changes: Partial<AutoreplyWindow>): AutoreplyWindow => ({ enabled: true, startsOn: null, endsOn: null, ...changes });
  it.each<{ behaviour: string; window: AutoreplyWindow; today: string; active: boolean }>([
    { behaviour: 'is active with no dates', window: window({}), today: '2025-08-15', active: true },
    { behaviour: 'is never active when turned off', window: window({ enabled: false }), today: '2025-08-15', active: false },
    { behaviour: 'waits for its first day', window: window({ startsOn: '2025-08-16' }), today: '2025-08-15', active: false },
    { behaviour: 'answers on its first day', window: window({ startsOn: '2025-08-15' }), today: '2025-08-15', active: true },
    { behaviour: 'answers on its last day', window: window({ endsOn: '2025-08-15' }), today: '2025-08-15', active: true },
    { behaviour: 'stops after its last day', window: window({ endsOn: '2025-08-14' }), today: '2025-08-15', active: false },
    { behaviour: 'answers between its dates', window: window({ startsOn: '2025-08-01', endsOn: '2025-08-31' }), today: '2025-08-15', active: true },
    { behaviour: 'compares across a year end', window: window({ startsOn: '2025-12-20', endsOn: '2026-01-05' }), today: '2026-01-02', active: true },
  ])('$behaviour', ({ window: w, today, active }) => {
    expect(isAutoreplyActive(w, today)).toBe(active);
  });
});

describe('calendarDateProblem: dates are YYYY-MM-DD days that exist', () => {
  it.each(['2025-08-15', '2024-02-29', '2025-12-31'])('accepts %s', (text) => expect(calendarDateProblem(text)).toBeNull());
  it.each([
    ['15/08/2025', 'must be a date written YYYY-MM-DD'],
    ['2025-8-15', 'must be a date written YYYY-MM-DD'],
    ['2025-08-15T10:00', 'must be a date written YYYY-MM-DD'],
    ['tomorrow', 'must be a date written YYYY-MM-DD'],
    ['2025-02-29', '2025-02-29 is not a date in the calendar'],
    ['2025-13-01', '2025-13-01 is not a date in the calendar'],
    ['2025-04-31', '2025-04-31 is not a date in the calendar'],
  ])('refuses %s', (text, problem) => expect(calendarDateProblem(text)).toBe(problem));
});

describe('localDateOf', () => {
  it("writes the server's calendar day as YYYY-MM-DD", () => {
    const instant = new Date(2025, 0, 5, 23, 59);
    expect(localDateOf(instant)).toBe('2025-01-05');
  });
});
