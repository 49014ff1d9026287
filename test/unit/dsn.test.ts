import { describe, expect, it } from 'vitest';
import { buildDsn, dsnFieldText, headerBlockOf, type DsnInput, type FailedRecipient } from '../../src/domain/dsn.js';

const failed = (address: string, extra: Partial<FailedRecipient> = {}): FailedRecipient => ({
  address,
  status: '5.1.1',
  diagnosticType: 'smtp',
  diagnostic: '550 5.1.1 <' + address + '> no such user',
  remoteMta: 'relay.example.net',
  lastAttemptAt: new Date('2024-05-01T10:05:00Z'),
  expired: false,
  ...extra,
});

const input = (extra: Partial<DsnInput> = {}): DsnInput => ({
  reportingMta: 'mx.example.test',
  sender: 'alice@example.test',
  arrivalDate: new Date('2024-05-01T10:00:00Z'),
  recipients: [failed('bob@remote.test')],
  originalHeaders: 'Received: from x\n\tby y\nFrom: alice@example.test\nTo: bob@remote.test\nSubject: Hello\n\nBody text that must not appear.\n',
  date: new Date('2024-05-01T10:05:01Z'),
  messageId: 'abc123',
  boundary: '=_b0undary',
  ...extra,
});

/** The parts of the report, split at the boundary, each with its headers and body. */
function partsOf(message: string, boundary: string) {
  const body = message.slice(message.indexOf('\r\n\r\n') + 4);
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const text = part.replace(/^\r\n/, '');
      const end = text.indexOf('\r\n\r\n');
      return { headers: text.slice(0, end), body: text.slice(end + 4) };
    });
}

describe('buildDsn', () => {
  it('writes a multipart/report of kind delivery-status from MAILER-DAEMON, marked auto-replied', () => {
    const message = buildDsn(input());
    const headers = message.slice(0, message.indexOf('\r\n\r\n'));
    expect(headers).toContain('From: Mail Delivery System <MAILER-DAEMON@mx.example.test>');
    expect(headers).toContain('To: <alice@example.test>');
    expect(headers).toContain('Subject: Undelivered Mail Returned to Sender');
    expect(headers).toContain('Date: Wed, 01 May 2024 10:05:01 +0000');
    expect(headers).toContain('Message-ID: <abc123@mx.example.test>');
    expect(headers).toContain('Auto-Submitted: auto-replied');
    expect(headers).toContain('MIME-Version: 1.0');
    expect(headers).toMatch(/Content-Type: multipart\/report; report-type=delivery-status;\r\n\tboundary="=_b0undary"/);
    expect(message.endsWith('--=_b0undary--\r\n')).toBe(true);
  });

  it('uses CRLF line ends only', () => {
    const message = buildDsn(input());
    expect(message).not.toMatch(/[^\r]\n/);
    expect(message).not.toMatch(/\r[^\n]/);
  });

  it('has a human-readable part, the status part and the original headers, in that order (RFC 6522)', () => {
    const parts = partsOf(buildDsn(input()), '=_b0undary');
    expect(parts.map((part) => /Content-Type: ([^;\r]+)/.exec(part.headers)![1])).toEqual([
      'text/plain',
      'message/delivery-status',
      'text/rfc822-headers',
    ]);
    expect(parts[0]!.body).toContain('<bob@remote.test>: 550 5.1.1 <bob@remote.test> no such user');
  });

  it('writes the per-message fields, then one block per recipient (RFC 3464 2.2, 2.3)', () => {
    const recipients = [failed('bob@remote.test'), failed('carol@remote.test', { status: '5.2.1', diagnostic: '550 5.2.1 disabled' })];
    const status = partsOf(buildDsn(input({ recipients })), '=_b0undary')[1]!.body;
    expect(status).toBe(
      [
        'Reporting-MTA: dns; mx.example.test',
        'Arrival-Date: Wed, 01 May 2024 10:00:00 +0000',
        '',
        'Final-Recipient: rfc822; bob@remote.test',
        'Action: failed',
        'Status: 5.1.1',
        'Remote-MTA: dns; relay.example.net',
        'Diagnostic-Code: smtp; 550 5.1.1 <bob@remote.test> no such user',
        'Last-Attempt-Date: Wed, 01 May 2024 10:05:00 +0000',
        '',
        'Final-Recipient: rfc822; carol@remote.test',
        'Action: failed',
        'Status: 5.2.1',
        'Remote-MTA: dns; relay.example.net',
        'Diagnostic-Code: smtp; 550 5.2.1 disabled',
        'Last-Attempt-Date: Wed, 01 May 2024 10:05:00 +0000',
        '',
      ].join('\r\n'),
    );
  });

  it('leaves out Remote-MTA and Last-Attempt-Date when there was no reply and no attempt', () => {
    const recipients = [failed('bob@remote.test', { remoteMta: null, lastAttemptAt: null, diagnosticType: 'X-Postyard', diagnostic: 'connect ECONNREFUSED', status: '4.4.7', expired: true })];
    const message = buildDsn(input({ recipients }));
    const status = partsOf(message, '=_b0undary')[1]!.body;
    expect(status).toContain('Status: 4.4.7\r\nDiagnostic-Code: X-Postyard; connect ECONNREFUSED\r\n');
    expect(status).not.toContain('Remote-MTA');
    expect(status).not.toContain('Last-Attempt-Date');
    expect(partsOf(message, '=_b0undary')[0]!.body).toContain('retry period');
  });

  it('attaches only the original header block, never the body', () => {
    const message = buildDsn(input());
    const headers = partsOf(message, '=_b0undary')[2]!.body;
    expect(headers).toBe('Received: from x\r\n\tby y\r\nFrom: alice@example.test\r\nTo: bob@remote.test\r\nSubject: Hello\r\n');
    expect(message).not.toContain('Body text that must not appear');
  });

  it('keeps a remote reply with line breaks and control characters on one header line', () => {
    const recipients = [failed('bob@remote.test', { diagnostic: '550-5.1.1 first line\r\n550 5.1.1 second\r\nX-Injected: yes\u0007' })];
    const status = partsOf(buildDsn(input({ recipients })), '=_b0undary')[1]!.body;
    expect(status).toContain('Diagnostic-Code: smtp; 550-5.1.1 first line 550 5.1.1 second X-Injected: yes?\r\n');
    expect(status).not.toMatch(/^X-Injected/m);
  });

  it('declares 8-bit content when the original headers carry raw UTF-8', () => {
    const parts = partsOf(buildDsn(input({ originalHeaders: 'Subject: Grüße\n\nbody' })), '=_b0undary');
    expect(parts[2]!.headers).toContain('Content-Transfer-Encoding: 8bit');
    expect(parts[1]!.headers).not.toContain('8bit');
  });
});

describe('headerBlockOf', () => {
  it.each([
    { behaviour: 'stops at the first empty line (LF)', text: 'A: 1\nB: 2\n\nbody\n\nmore', block: 'A: 1\nB: 2' },
    { behaviour: 'stops at the first empty line (CRLF)', text: 'A: 1\r\nB: 2\r\n\r\nbody', block: 'A: 1\r\nB: 2' },
    { behaviour: 'takes a message without a body whole', text: 'A: 1\nB: 2\n', block: 'A: 1\nB: 2' },
  ])('$behaviour', ({ text, block }) => {
    expect(headerBlockOf(text)).toBe(block);
  });
});

describe('dsnFieldText', () => {
  it.each([
    { input: 'plain text', output: 'plain text' },
    { input: 'two\r\nlines', output: 'two lines' },
    { input: 'tab\tand  spaces', output: 'tab and spaces' },
    { input: 'naïve', output: 'na?ve' },
    { input: ' trimmed ', output: 'trimmed' },
  ])('writes "$input" as "$output"', ({ input, output }) => {
    expect(dsnFieldText(input)).toBe(output);
  });

  it('cuts a very long reply short', () => {
    const text = dsnFieldText('x'.repeat(2000));
    expect(text.length).toBe(500);
    expect(text.endsWith('...')).toBe(true);
  });
});
