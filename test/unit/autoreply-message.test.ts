import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildAutoreplyMessage, encodeBody, encodeWords, replySubject, type AutoreplyDraft } from '../../src/domain/autoreply-message.js';

const draft = (changes: Partial<AutoreplyDraft> = {}): AutoreplyDraft => ({
  from: 'alice@example.test',
  displayName: 'Alice Smith',
  to: 'bob@remote.test',
  subject: 'Away until Monday',
  text: 'I am away until Monday.\nYour mail will be read then.',
  original: { subject: 'Lunch?', messageId: '<orig-1@remote.test>', references: ['<thread-0@remote.test>'] },
  date: new Date(Date.UTC(2025, 7, 15, 9, 30, 0)),
  messageId: '<reply-1@mx.test>',
  ...changes,
});

const headersOf = (message: string) => message.slice(0, message.indexOf('\n\n')).split('\n');

describe('buildAutoreplyMessage: the reply RFC 3834 3.1 describes', () => {
  it('writes From the mailbox, To the envelope sender, the subject, the thread and Auto-Submitted: auto-replied', () => {
    const message = buildAutoreplyMessage(draft());
    expect(headersOf(message)).toEqual([
      'From: "Alice Smith" <alice@example.test>',
      'To: <bob@remote.test>',
      'Subject: Away until Monday',
      'Date: Fri, 15 Aug 2025 09:30:00 +0000',
      'Message-ID: <reply-1@mx.test>',
      'In-Reply-To: <orig-1@remote.test>',
      'References: <thread-0@remote.test>',
      ' <orig-1@remote.test>',
      'Auto-Submitted: auto-replied',
      'X-Auto-Response-Suppress: All',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 7bit',
    ]);
    expect(message.endsWith('\n\nI am away until Monday.\nYour mail will be read then.\n')).toBe(true);
  });

  it('leaves out In-Reply-To and References when the original had no usable Message-ID', () => {
    for (const messageId of [null, 'no-brackets@remote.test', '<has space@remote.test>']) {
      const message = buildAutoreplyMessage(draft({ original: { subject: 'x', messageId, references: [] } }));
      expect(message).not.toMatch(/^(In-Reply-To|References):/m);
    }
  });

  it('writes a From without a name when the mailbox has no display name, and escapes quotes in one', () => {
    expect(buildAutoreplyMessage(draft({ displayName: '' }))).toMatch(/^From: <alice@example\.test>$/m);
    expect(buildAutoreplyMessage(draft({ displayName: 'Al "the boss" \\ S' }))).toMatch(/^From: "Al \\"the boss\\" \\\\ S" <alice@example\.test>$/m);
  });

  it('cannot be made to carry an extra header through the original subject or the display name', () => {
    const message = buildAutoreplyMessage(draft({ subject: null, displayName: 'Eve\nBcc: victim@x.test', original: { subject: 'Hi\r\nBcc: victim@x.test', messageId: null, references: [] } }));
    expect(message).not.toMatch(/^Bcc:/m);
    expect(message).toMatch(/^Subject: Auto: Hi Bcc: victim@x\.test$/m);
  });

  it('keeps only the newest 20 ids in References', () => {
    const references = Array.from({ length: 30 }, (_, i) => `<r${i}@remote.test>`);
    const message = buildAutoreplyMessage(draft({ original: { subject: 'x', messageId: '<last@remote.test>', references } }));
    const ids = /^References: ([\s\S]*?)\nAuto-Submitted/m.exec(message)![1]!.split(/\s+/);
    expect(ids).toHaveLength(20);
    expect(ids.at(-1)).toBe('<last@remote.test>');
    expect(ids[0]).toBe('<r11@remote.test>');
  });

  it('encodes a non-ASCII subject, name and text so that a mail reader shows them as written', async () => {
    const message = buildAutoreplyMessage(draft({ displayName: 'Zoë Müller', subject: 'Abwesend – zurück am Montag', text: 'Grüße,\nZoë' }));
    expect(/^[\x00-\x7f]*$/.test(message)).toBe(true);
    const parsed = await simpleParser(message);
    expect(parsed.subject).toBe('Abwesend – zurück am Montag');
    expect(parsed.from?.value[0]).toEqual({ address: 'alice@example.test', name: 'Zoë Müller' });
    expect(parsed.text).toBe('Grüße,\nZoë\n');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.inReplyTo).toBe('<orig-1@remote.test>');
  });
});

describe('replySubject: the configured subject, else "Auto: " and the original (RFC 3834 3.1.5)', () => {
  it.each<[string | null, string | null, string]>([
    ['Out of office', 'Lunch?', 'Out of office'],
    [null, 'Lunch?', 'Auto: Lunch?'],
    ['   ', 'Lunch?', 'Auto: Lunch?'],
    [null, null, 'Auto: (no subject)'],
    [null, '', 'Auto: (no subject)'],
    [null, 'Re:\tfolded\n  subject', 'Auto: Re: folded subject'],
  ])('subject %j with original %j gives %j', (configured, original, expected) => {
    expect(replySubject(configured, original)).toBe(expected);
  });
});

describe('encodeWords and encodeBody', () => {
  it('splits long non-ASCII text into encoded words of at most 75 characters, never inside a character', async () => {
    const text = 'ü'.repeat(100);
    const encoded = encodeWords(text);
    for (const word of encoded.split('\n ')) expect(word.length).toBeLessThanOrEqual(75);
    const parsed = await simpleParser(`Subject: ${encoded}\n\n`);
    expect(parsed.subject).toBe(text);
  });

  it.each<[string, string, '7bit' | 'quoted-printable']>([
    ['plain ASCII text', 'plain ASCII', '7bit'],
    ['non-ASCII text', 'café', 'quoted-printable'],
    ['a line longer than 998 characters', 'x'.repeat(1200), 'quoted-printable'],
  ])('chooses the transfer encoding for %s', (_label, text, encoding) => {
    const body = encodeBody(text);
    expect(body.encoding).toBe(encoding);
    for (const line of body.text.split('\n')) expect(line.length).toBeLessThanOrEqual(998);
    if (encoding === 'quoted-printable') for (const line of body.text.split('\n')) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('ends the text with exactly one line end and writes CRLF as LF', () => {
    expect(encodeBody('a\r\nb\n\n\n').text).toBe('a\nb\n');
  });
});
