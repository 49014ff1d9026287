import { describe, expect, it } from 'vitest';
import {
  deliveryHeaders,
  formatMessageDate,
  headerSafe,
  quotaWarningMessage,
  receivedHeader,
  toMaildirLineEnds,
  type TraceInfo,
} from '../../src/domain/message-headers.js';

describe('formatMessageDate', () => {
  it.each([
    { iso: '2024-01-05T03:04:05Z', text: 'Fri, 05 Jan 2024 03:04:05 +0000' },
    { iso: '2000-02-29T23:59:59Z', text: 'Tue, 29 Feb 2000 23:59:59 +0000' },
    { iso: '2025-12-31T12:00:00Z', text: 'Wed, 31 Dec 2025 12:00:00 +0000' },
    { iso: '2024-07-14T22:30:00-05:00', text: 'Mon, 15 Jul 2024 03:30:00 +0000' },
  ])('writes $iso as "$text" in UTC', ({ iso, text }) => {
    expect(formatMessageDate(new Date(iso))).toBe(text);
  });

  it('writes the RFC 5322 date-time form that Date.parse reads back to the same second', () => {
    const date = new Date('2023-03-09T08:07:06Z');
    const text = formatMessageDate(date);
    expect(text).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(Date.parse(text)).toBe(date.getTime());
  });
});

describe('headerSafe', () => {
  it.each([
    { behaviour: 'keeps an ordinary host name', input: 'mail.example.com', output: 'mail.example.com' },
    { behaviour: 'strips CR and LF so a client cannot add a header', input: 'evil.example\r\nX-Injected: yes', output: 'evil.exampleX-Injected:yes' },
    { behaviour: 'strips a bare LF', input: 'a\nb', output: 'ab' },
    { behaviour: 'strips NUL, tab, escape and DEL', input: 'a\u0000b\tc\u001bd\u007fe', output: 'abcde' },
    { behaviour: 'strips spaces', input: 'my host', output: 'myhost' },
    { behaviour: 'strips parentheses that would close the comment early', input: 'host) by fake (x', output: 'hostbyfakex' },
    { behaviour: 'strips non-ASCII characters', input: 'h\u00f6st.example', output: 'hst.example' },
    { behaviour: 'keeps an IPv6 literal', input: '[IPv6:2001:db8::1]', output: '[IPv6:2001:db8::1]' },
  ])('$behaviour', ({ input, output }) => {
    expect(headerSafe(input)).toBe(output);
  });

  it.each([
    { what: 'nothing', input: undefined },
    { what: 'an empty string', input: '' },
    { what: 'only unsafe characters', input: ' \r\n()' },
  ])('falls back to "unknown" for $what', ({ input }) => {
    expect(headerSafe(input)).toBe('unknown');
  });

  it('uses the given fallback', () => {
    expect(headerSafe('', '[192.0.2.1]')).toBe('[192.0.2.1]');
  });

  it('cuts a very long word to 255 characters', () => {
    expect(headerSafe('a'.repeat(1000))).toHaveLength(255);
  });
});

describe('toMaildirLineEnds', () => {
  it.each([
    { behaviour: 'turns CRLF into LF', input: 'Subject: hi\r\n\r\nbody\r\n', output: 'Subject: hi\n\nbody\n' },
    { behaviour: 'leaves a lone CR alone', input: 'a\rb\r\nc', output: 'a\rb\nc' },
    { behaviour: 'leaves LF-only content alone', input: 'a\nb\n', output: 'a\nb\n' },
    { behaviour: 'turns CR CR LF into CR LF, converting only the pair', input: 'a\r\r\nb', output: 'a\r\nb' },
    { behaviour: 'leaves LF CR alone', input: 'a\n\rb', output: 'a\n\rb' },
  ])('$behaviour', ({ input, output }) => {
    expect(toMaildirLineEnds(Buffer.from(input, 'latin1')).toString('latin1')).toBe(output);
  });

  it('keeps every non-ASCII byte exactly (8-bit and UTF-8 bodies)', () => {
    const body = Buffer.from([0xc3, 0xa9, 0x0d, 0x0a, 0xff, 0x00, 0x80, 0x0d, 0x0a]);
    expect([...toMaildirLineEnds(body)]).toStrictEqual([0xc3, 0xa9, 0x0a, 0xff, 0x00, 0x80, 0x0a]);
  });

  it('returns the same buffer untouched when there is no CRLF', () => {
    const body = Buffer.from('a\nb\n');
    expect(toMaildirLineEnds(body)).toBe(body);
  });
});

const trace = (extra: Partial<TraceInfo> = {}): TraceInfo => ({
  sender: 'pat@elsewhere.net',
  recipient: 'info@example.com',
  helo: 'client.elsewhere.net',
  clientHostname: 'mx.elsewhere.net',
  clientAddress: '192.0.2.7',
  serverHostname: 'mail.example.com',
  protocol: 'ESMTPS',
  id: 'abc123',
  date: new Date('2024-01-05T03:04:05Z'),
  ...extra,
});

describe('receivedHeader', () => {
  it('writes the RFC 5321 trace with for <recipient> when there is one recipient', () => {
    expect(receivedHeader(trace())).toBe(
      'Received: from client.elsewhere.net (mx.elsewhere.net [192.0.2.7])\n' +
        '\tby mail.example.com (Postyard) with ESMTPS id abc123\n' +
        '\tfor <info@example.com>;\n' +
        '\tFri, 05 Jan 2024 03:04:05 +0000\n',
    );
  });

  it('leaves out the for clause when no single recipient is given', () => {
    const header = receivedHeader(trace({ recipient: null }));
    expect(header).not.toContain('for <');
    expect(header).toContain('with ESMTPS id abc123;\n\tFri, 05 Jan 2024 03:04:05 +0000\n');
  });

  it.each([
    { field: 'helo' as const, value: 'x\r\nBcc: victim@example.com' },
    { field: 'clientHostname' as const, value: 'a)\r\nX-Spam: no' },
    { field: 'clientAddress' as const, value: '1.2.3.4]\nX: y' },
  ])('keeps a hostile $field from starting a new header line', ({ field, value }) => {
    const header = receivedHeader(trace({ [field]: value }));
    expect(header.split('\n').every((line) => line === '' || line.startsWith('Received:') || line.startsWith('\t'))).toBe(true);
  });

  it('writes "unknown" for a client that gave no HELO name', () => {
    expect(receivedHeader(trace({ helo: '' }))).toMatch(/^Received: from unknown \(/);
  });
});

describe('deliveryHeaders', () => {
  it('puts Return-Path and Delivered-To before the Received header', () => {
    const headers = deliveryHeaders(trace());
    expect(headers.startsWith('Return-Path: <pat@elsewhere.net>\nDelivered-To: info@example.com\nReceived: from ')).toBe(true);
  });

  it('writes an empty Return-Path for a bounce (null sender)', () => {
    expect(deliveryHeaders(trace({ sender: '' }))).toMatch(/^Return-Path: <>\n/);
  });
});

describe('quotaWarningMessage', () => {
  const message = quotaWarningMessage(
    { to: 'info@example.com', serverHostname: 'mail.example.com', usage: 955, limit: 1000, date: new Date('2024-01-05T03:04:05Z'), messageId: 'q1' },
    (bytes) => `${bytes} B`,
  );
  const [head, body] = message.split('\n\n');

  it.each([
    'From: Mail Delivery System <postmaster@mail.example.com>',
    'To: <info@example.com>',
    'Subject: Your mailbox is 95% full',
    'Date: Fri, 05 Jan 2024 03:04:05 +0000',
    'Message-ID: <q1@mail.example.com>',
    'Auto-Submitted: auto-generated',
  ])('has the header "%s"', (line) => {
    expect(head!.split('\n')).toContain(line);
  });

  it('says the usage and the limit with the given size format, rounding the percentage down', () => {
    expect(body).toBe('Your mailbox info@example.com uses 955 B of its 1000 B limit (95%).');
  });

  it('uses LF line ends only, like every Maildir file', () => {
    expect(message).not.toContain('\r');
  });
});
