import { describe, expect, it } from 'vitest';
import {
  WARNING_RATIO,
  crossesWarningLine,
  effectiveMailboxLimit,
  fitsWithin,
  parseQuotaFile,
  usagePercent,
} from '../../src/domain/quota.js';

const MB = 1024 * 1024;

describe('effectiveMailboxLimit', () => {
  it.each([
    { behaviour: 'lets a .quota file override both the individual limit and the account default', quotaFile: 5 * MB, individual: 10 * MB, accountDefault: 20 * MB, limit: 5 * MB },
    { behaviour: 'lets a .quota file raise the limit above the individual one', quotaFile: 50 * MB, individual: 10 * MB, accountDefault: null, limit: 50 * MB },
    { behaviour: 'lets the individual limit override the account default', quotaFile: null, individual: 10 * MB, accountDefault: 20 * MB, limit: 10 * MB },
    { behaviour: 'uses the account default when the mailbox has no limit of its own', quotaFile: null, individual: null, accountDefault: 20 * MB, limit: 20 * MB },
    { behaviour: 'means no limit when none of the three is set', quotaFile: null, individual: null, accountDefault: null, limit: null },
    { behaviour: 'keeps a zero individual limit rather than falling through to the default', quotaFile: null, individual: 0, accountDefault: 20 * MB, limit: 0 },
  ])('$behaviour', ({ quotaFile, individual, accountDefault, limit }) => {
    expect(effectiveMailboxLimit({ quotaFile, individual, accountDefault })).toBe(limit);
  });
});

describe('fitsWithin', () => {
  it.each([
    { behaviour: 'accepts a message that leaves the mailbox under its limit', usage: 500, incoming: 400, limit: 1000, fits: true },
    { behaviour: 'accepts a message that fills the mailbox exactly to its limit', usage: 600, incoming: 400, limit: 1000, fits: true },
    { behaviour: 'refuses a message one byte over the limit', usage: 600, incoming: 401, limit: 1000, fits: false },
    { behaviour: 'refuses any message to a full mailbox', usage: 1000, incoming: 1, limit: 1000, fits: false },
    { behaviour: 'refuses any message to a mailbox already over its limit', usage: 1200, incoming: 1, limit: 1000, fits: false },
    { behaviour: 'refuses a message bigger than the whole limit to an empty mailbox', usage: 0, incoming: 1001, limit: 1000, fits: false },
    { behaviour: 'refuses every message when the limit is zero', usage: 0, incoming: 1, limit: 0, fits: false },
    { behaviour: 'accepts anything when there is no limit', usage: 10 ** 12, incoming: 10 ** 9, limit: null, fits: true },
  ])('$behaviour', ({ usage, incoming, limit, fits }) => {
    expect(fitsWithin(usage, incoming, limit)).toBe(fits);
  });
});

describe('crossesWarningLine', () => {
  it('puts the warning line at 90 %', () => {
    expect(WARNING_RATIO).toBe(0.9);
  });

  it.each([
    { behaviour: 'warns on the delivery that goes from under 90 % to over it', before: 800, after: 950, limit: 1000, warns: true },
    { behaviour: 'warns on the delivery that reaches exactly 90 %', before: 899, after: 900, limit: 1000, warns: true },
    { behaviour: 'does not warn on a delivery that stays just under 90 %', before: 800, after: 899, limit: 1000, warns: false },
    { behaviour: 'does not warn again on a later delivery once over the line', before: 900, after: 950, limit: 1000, warns: false },
    { behaviour: 'does not warn again when already far over the line', before: 950, after: 1000, limit: 1000, warns: false },
    { behaviour: 'warns when one big delivery jumps from empty to full', before: 0, after: 1000, limit: 1000, warns: true },
    { behaviour: 'warns at exactly 90 % of an odd limit (no floating-point miss)', before: 0, after: 63, limit: 70, warns: true },
    { behaviour: 'warns at exactly 90 % of a 10 MiB limit', before: 9 * MB - 4096, after: 9 * MB, limit: 10 * MB, warns: true },
    { behaviour: 'never warns without a limit', before: 0, after: 10 ** 12, limit: null, warns: false },
    { behaviour: 'never warns for a zero limit', before: 0, after: 10, limit: 0, warns: false },
  ])('$behaviour', ({ before, after, limit, warns }) => {
    expect(crossesWarningLine(before, after, limit)).toBe(warns);
  });
});

describe('usagePercent', () => {
  it.each([
    { usage: 0, limit: 1000, percent: 0 },
    { usage: 455, limit: 1000, percent: 46 },
    { usage: 1000, limit: 1000, percent: 100 },
    { usage: 2500, limit: 1000, percent: 100 },
    { usage: 5, limit: 0, percent: 100 },
    { usage: 0, limit: 0, percent: 0 },
    { usage: 5, limit: null, percent: null },
  ])('shows $usage bytes of $limit as $percent %', ({ usage, limit, percent }) => {
    expect(usagePercent(usage, limit)).toBe(percent);
  });
});

describe('parseQuotaFile', () => {
  it.each([
    { behaviour: 'reads a plain byte count', text: '5000', limit: 5000 },
    { behaviour: 'reads a byte count followed by a newline', text: '5000\n', limit: 5000 },
    { behaviour: 'reads a size with an M suffix in binary megabytes', text: '10M', limit: 10 * MB },
    { behaviour: 'reads a size with a lower-case k suffix', text: '512k', limit: 512 * 1024 },
    { behaviour: 'reads the Maildir++ form with a size and a message count', text: '10000000S,1000C', limit: 10_000_000 },
    { behaviour: 'reads the Maildir++ form with only a size', text: '10000000S', limit: 10_000_000 },
    { behaviour: 'reads only the first line, with CRLF line ends', text: ' 10000000S,1000C \r\nanything else\r\n', limit: 10_000_000 },
    { behaviour: 'treats an empty file as no limit', text: '', limit: null },
    { behaviour: 'treats a blank first line as no limit', text: '\n5000\n', limit: null },
    { behaviour: 'treats garbage as no limit so a stray file never blocks mail', text: 'lots please', limit: null },
    { behaviour: 'treats a count-only Maildir++ quota as no size limit', text: '1000C', limit: null },
    { behaviour: 'treats a negative number as no limit', text: '-5000', limit: null },
  ])('$behaviour', ({ text, limit }) => {
    expect(parseQuotaFile(text)).toBe(limit);
  });
});
