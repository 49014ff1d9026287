import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUEUE_LIFETIME_MS,
  decideAfterFailure,
  describeNextAttempt,
  isPermanentFailure,
  parseDuration,
  replyStatus,
  retryDelay,
  type AttemptReply,
} from '../../src/domain/retry-schedule.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('retryDelay', () => {
  it.each([
    { attempts: 1, wait: 5 * MINUTE },
    { attempts: 2, wait: 15 * MINUTE },
    { attempts: 3, wait: 30 * MINUTE },
    { attempts: 4, wait: 1 * HOUR },
    { attempts: 5, wait: 2 * HOUR },
    { attempts: 6, wait: 4 * HOUR },
    { attempts: 40, wait: 4 * HOUR },
  ])('waits $wait ms after $attempts failed attempts', ({ attempts, wait }) => {
    expect(retryDelay(attempts)).toBe(wait);
  });

  it('never waits less than before as attempts grow', () => {
    const waits = Array.from({ length: 12 }, (_, index) => retryDelay(index + 1));
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
  });
});

const reply = (code: number | null, text: string, stage: AttemptReply['stage'] = 'envelope'): AttemptReply => ({ code, text, stage });

describe('isPermanentFailure', () => {
  it.each([
    { behaviour: 'a 550 to RCPT is permanent', input: reply(550, '550 5.1.1 no such user'), permanent: true },
    { behaviour: 'a 554 at the end of DATA is permanent', input: reply(554, '554 5.7.1 spam', 'data'), permanent: true },
    { behaviour: 'a 553 to MAIL FROM is permanent', input: reply(553, '553 5.7.1 sender not allowed'), permanent: true },
    { behaviour: 'a 450 to RCPT is temporary', input: reply(450, '450 4.2.1 try later'), permanent: false },
    { behaviour: 'a 451 at the end of DATA is temporary', input: reply(451, '451 4.3.0 disk full', 'data'), permanent: false },
    { behaviour: 'a 421 closing the connection is temporary', input: reply(421, '421 4.4.2 bye', 'session'), permanent: false },
    { behaviour: 'no reply at all (connection refused) is temporary', input: reply(null, 'connect ECONNREFUSED', 'session'), permanent: false },
    { behaviour: 'a 535 to our AUTH is about our login, not the recipient: temporary', input: reply(535, '535 5.7.8 bad credentials', 'session'), permanent: false },
    { behaviour: 'a 554 greeting is about our session: temporary', input: reply(554, '554 no service', 'session'), permanent: false },
  ])('$behaviour', ({ input, permanent }) => {
    expect(isPermanentFailure(input)).toBe(permanent);
  });
});

describe('replyStatus', () => {
  it.each([
    { text: '550 5.1.1 <bob@x.test> unknown', code: 550, status: '5.1.1' },
    { text: '550-5.7.26 unauthenticated mail', code: 550, status: '5.7.26' },
    { text: '452 4.2.2 mailbox full', code: 452, status: '4.2.2' },
    { text: '550 no such user', code: 550, status: '5.0.0' },
    { text: '451 try again', code: 451, status: '4.0.0' },
    { text: '550 4.2.1 mismatched class', code: 550, status: '5.0.0' },
    { text: '550 5.1.1x not a code', code: 550, status: '5.0.0' },
  ])('reads "$text" as $status', ({ text, code, status }) => {
    expect(replyStatus(reply(code, text))).toBe(status);
  });

  it('reports no answer from the host (4.4.1) when there was no reply', () => {
    expect(replyStatus(reply(null, 'timeout', 'session'))).toBe('4.4.1');
  });
});

describe('decideAfterFailure', () => {
  const arrivedAt = new Date('2024-05-01T00:00:00Z');
  const at = (ms: number) => new Date(arrivedAt.getTime() + ms);
  const lifetimeMs = DEFAULT_QUEUE_LIFETIME_MS;

  it('bounces a permanent failure at once, with its status', () => {
    expect(decideAfterFailure(reply(550, '550 5.1.1 unknown'), { attempts: 1, arrivedAt, now: at(0), lifetimeMs })).toEqual({
      action: 'bounce',
      status: '5.1.1',
      expired: false,
    });
  });

  it('retries a temporary failure on the schedule', () => {
    expect(decideAfterFailure(reply(450, '450 4.2.1 later'), { attempts: 1, arrivedAt, now: at(0), lifetimeMs })).toEqual({
      action: 'retry',
      at: at(5 * MINUTE),
    });
    expect(decideAfterFailure(reply(null, 'ECONNREFUSED', 'session'), { attempts: 7, arrivedAt, now: at(HOUR), lifetimeMs })).toEqual({
      action: 'retry',
      at: at(5 * HOUR),
    });
  });

  it('makes the last retry fall on the end of the retry period, not after it', () => {
    const now = at(lifetimeMs - HOUR);
    expect(decideAfterFailure(reply(451, '451 later'), { attempts: 20, arrivedAt, now, lifetimeMs })).toEqual({ action: 'retry', at: at(lifetimeMs) });
  });

  it.each([0, 1, 6 * HOUR])('bounces a temporary failure %i ms after the retry period ended, as expired (4.4.7)', (late) => {
    expect(decideAfterFailure(reply(451, '451 later'), { attempts: 30, arrivedAt, now: at(lifetimeMs + late), lifetimeMs })).toEqual({
      action: 'bounce',
      status: '4.4.7',
      expired: true,
    });
  });

  it('reports the permanent status, not expiry, for a 5xx after the period ended', () => {
    const decision = decideAfterFailure(reply(550, '550 5.1.2 bad domain'), { attempts: 30, arrivedAt, now: at(lifetimeMs * 2), lifetimeMs });
    expect(decision).toEqual({ action: 'bounce', status: '5.1.2', expired: false });
  });
});

describe('parseDuration', () => {
  it.each([
    { text: '5d', ms: 5 * 24 * HOUR },
    { text: '36h', ms: 36 * HOUR },
    { text: '90m', ms: 90 * MINUTE },
    { text: '600s', ms: 600_000 },
    { text: '2w', ms: 14 * 24 * HOUR },
    { text: ' 3D ', ms: 3 * 24 * HOUR },
    { text: '0m', ms: 0 },
  ])('reads "$text" as $ms ms', ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'd', '1.5d', '-1d', '5 days', '5y', '99999999999999999999d'])('refuses "%s"', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('describeNextAttempt', () => {
  const now = new Date('2024-05-01T10:00:30Z');
  it.each([
    { behaviour: 'says "now" for a row that is due', row: { state: 'queued' as const, nextAttemptAt: '2024-05-01T09:00:00.000Z' }, text: 'now' },
    { behaviour: 'says "now" for a row due this very moment', row: { state: 'queued' as const, nextAttemptAt: now.toISOString() }, text: 'now' },
    { behaviour: 'gives the UTC minute of a later attempt', row: { state: 'queued' as const, nextAttemptAt: '2024-05-01T10:05:59.999Z' }, text: '2024-05-01 10:05 UTC' },
    { behaviour: 'says a failed row is being bounced', row: { state: 'failed' as const, nextAttemptAt: '2024-05-01T09:00:00.000Z' }, text: 'bouncing' },
  ])('$behaviour', ({ row, text }) => {
    expect(describeNextAttempt(row, now)).toBe(text);
  });
});
