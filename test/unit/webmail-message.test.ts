import { describe, expect, it } from 'vitest';
import { uidOf } from '../../src/domain/pop3-maildir.js';
import { contentDisposition, downloadName, downloadType } from '../../src/domain/webmail-download.js';
import { deliveredAt, formatAddresses, formatMailDate, isMessageId, isSeen, messageIdOf, pageWindow } from '../../src/domain/webmail-message.js';

const NAME = '1700000000.M123456P42Q1.mx.test,S=1234';

describe('webmail message ids', () => {
  it.each([
    [NAME, true],
    ['1700000000.M1P2.host\\057name,S=1,W=2', true],
    ['1700000000.12345_1.mutt-host', true],
    [`h${'a1'.repeat(24)}`, true],
    ['../x', false],
    ['..', false],
    ['1700000000.a/b', false],
    [`${NAME}:2,S`, false],
    ['1700000000.a..b', false],
    ['x.1', false],
    ['', false],
    [`1.${'a'.repeat(69)}`, false],
    [`h${'0'.repeat(47)}`, false],
    ['1.a\u0000b', false],
  ])('%j is an id: %s', (id, valid) => {
    expect(isMessageId(id)).toBe(valid);
  });

  it('is the POP3 UIDL of the file, whatever its flags', () => {
    expect(messageIdOf(`${NAME}:2,S`)).toBe(NAME);
    const long = `1700000000.M1P2Q3.${'h'.repeat(80)},S=1`;
    expect(messageIdOf(`${long}:2,`)).toBe(uidOf(long));
    expect(isMessageId(messageIdOf(long)!)).toBe(true);
    expect(messageIdOf('1700000000.odd#name')).toBeNull();
  });

  it('reads the seen flag and the delivery time from the name', () => {
    expect(isSeen(`${NAME}:2,FS`)).toBe(true);
    expect(isSeen(`${NAME}:2,`)).toBe(false);
    expect(isSeen(NAME)).toBe(false);
    expect(deliveredAt(NAME)).toEqual(new Date(1_700_000_000_000));
    expect(deliveredAt('odd')).toBeNull();
    expect(formatMailDate(new Date(1_700_000_000_000))).toBe('2023-11-14 22:13 UTC');
    expect(formatMailDate(new Date(Number.NaN))).toBe('');
  });
});

describe('the inbox page window', () => {
  it.each([
    [0, '1', { page: 1, pages: 1, start: 0, end: 0 }],
    [60, undefined, { page: 1, pages: 2, start: 0, end: 50 }],
    [60, '2', { page: 2, pages: 2, start: 50, end: 60 }],
    [60, '99', { page: 2, pages: 2, start: 50, end: 60 }],
    [60, '-3', { page: 1, pages: 2, start: 0, end: 50 }],
    [60, 'abc', { page: 1, pages: 2, start: 0, end: 50 }],
    [100, '2', { page: 2, pages: 2, start: 50, end: 100 }],
  ])('%i messages, page %j', (total, requested, expected) => {
    expect(pageWindow(total, requested, 50)).toEqual({ ...expected, total });
  });
});

describe('showing addresses', () => {
  it('writes names with their addresses, and groups with their members', () => {
    expect(formatAddresses([{ name: 'Alice', address: 'a@x.test' }, { name: '', address: 'b@x.test' }])).toBe('Alice <a@x.test>, b@x.test');
    expect(formatAddresses([{ name: 'Team', group: [{ name: '', address: 'c@x.test' }] }])).toBe('Team: c@x.test');
    expect(formatAddresses([])).toBe('');
  });
});

describe('downloading an attachment', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['Image/PNG', 'image/png'],
    ['text/html', 'text/html'],
    ['text/html\r\nSet-Cookie: x=1', 'application/octet-stream'],
    ['nonsense', 'application/octet-stream'],
    [undefined, 'application/octet-stream'],
  ])('serves a declared type %j as %j', (declared, served) => {
    expect(downloadType(declared)).toBe(served);
  });

  it.each([
    ['report.pdf', 0, 'report.pdf'],
    ['../../etc/passwd', 0, 'passwd'],
    ['C:\\Users\\x\\evil.exe', 0, 'evil.exe'],
    ['.hidden', 0, 'hidden'],
    ['bad\r\nname.txt', 0, 'badname.txt'],
    [undefined, 2, 'attachment-3'],
    ['   ', 0, 'attachment-1'],
  ])('saves %j (attachment %i) as %j', (declared, index, name) => {
    expect(downloadName(declared, index)).toBe(name);
  });

  it('names the file for old and new browsers without breaking out of the header', () => {
    expect(contentDisposition('report "Q1".pdf')).toBe(`attachment; filename="report _Q1_.pdf"; filename*=UTF-8''report%20%22Q1%22.pdf`);
    expect(contentDisposition('Grüße (1).txt')).toBe(`attachment; filename="Gr__e (1).txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%281%29.txt`);
  });
});
