import { describe, expect, it } from 'vitest';
import { parseQmailFile, parseQmailLine, qmailFileLocalPart, type QmailLine } from '../../src/domain/qmail.js';

describe('parseQmailLine: one dot-qmail delivery instruction', () => {
  it.each<[string, string, QmailLine]>([
    ['a forward marked with &', '&bob@example.com', { kind: 'forward', address: 'bob@example.com' }],
    ['a forward starting with a letter', 'bob@example.com', { kind: 'forward', address: 'bob@example.com' }],
    ['a forward starting with a digit', '2bob@example.com', { kind: 'forward', address: '2bob@example.com' }],
    ['a forward written in capitals, lower-cased', '&Bob@Example.COM', { kind: 'forward', address: 'bob@example.com' }],
    ['a forward with spaces and a CR around it', '  &bob@example.com \r', { kind: 'forward', address: 'bob@example.com' }],
    ['a program', '| /home/vpopmail/bin/vdelivermail \'\' bounce-no-mailbox', { kind: 'program', command: "/home/vpopmail/bin/vdelivermail '' bounce-no-mailbox" }],
    ['a Maildir path', '/home/vpopmail/domains/example.com/bob/Maildir/', { kind: 'mailbox', path: '/home/vpopmail/domains/example.com/bob/Maildir/' }],
    ['a relative mbox path', './Mailbox', { kind: 'mailbox', path: './Mailbox' }],
    ['a comment', '# forwards for bob', { kind: 'comment' }],
    ['a blank line', '   ', { kind: 'blank' }],
    ['a line that is no instruction', '%weird', { kind: 'bad', problem: '"%weird" is not a forward, a program (|) or a mailbox path (/ or ./)' }],
    ['a forward without a domain', '&bob', { kind: 'bad', problem: '"bob" must be a full address, local@domain' }],
    ['a forward to a malformed address', '&bob@@example.com', { kind: 'bad', problem: '"bob@" is not a valid local part' }],
    ['a forward to a domain with one label', 'bob@localhost', { kind: 'bad', problem: '"localhost" needs at least two labels, like example.com' }],
  ])('reads %s', (_behaviour, line, expected) => {
    expect(parseQmailLine(line)).toEqual(expected);
  });
});

describe('qmailFileLocalPart: the local part a .qmail-<ext> file is for', () => {
  it.each([
    ['.qmail-info', 'info'],
    ['.qmail-INFO', 'info'],
    ['.qmail-default', '*'],
    ['.qmail-sales:team', 'sales.team'],
    ['.qmail-first.last', 'first.last'],
    ['.qmail-a:b:c', 'a.b.c'],
  ])('%s is for %s', (name, localPart) => expect(qmailFileLocalPart(name)).toEqual({ localPart }));

  it.each([
    ['.qmail-sales-default', '.qmail-sales-default matches every address starting with "sales-", which alias rules cannot express'],
    ['.qmail-', '.qmail-: the local part is empty'],
    ['.qmail-bad:', '.qmail-bad:: "bad." is not a valid local part'],
    ['.qmail', '.qmail is not a .qmail-<user> file'],
  ])('refuses %s', (name, problem) => expect(qmailFileLocalPart(name)).toEqual({ problem }));
});

describe('parseQmailFile: a whole file, with every skipped and bad line numbered', () => {
  it('keeps the forwards in order, once each, and numbers what it skips', () => {
    const text = '# info\n&a@remote.test\n| /usr/bin/autorespond\nb@remote.test\n&a@remote.test\n./Maildir/\n';
    expect(parseQmailFile('.qmail-info', text)).toEqual({
      localPart: 'info',
      addresses: ['a@remote.test', 'b@remote.test'],
      deliversLocally: true,
      skipped: [
        { line: 3, message: 'program delivery "|/usr/bin/autorespond" is not imported' },
        { line: 6, message: 'mailbox path "./Maildir/" is not imported' },
      ],
      bad: [],
    });
  });

  it('reports each bad line by number', () => {
    const parsed = parseQmailFile('.qmail-x', '&ok@remote.test\n&nodomain\n!!\n');
    expect(parsed).toMatchObject({
      addresses: ['ok@remote.test'],
      deliversLocally: false,
      bad: [
        { line: 2, message: '"nodomain" must be a full address, local@domain' },
        { line: 3, message: '"!!" is not a forward, a program (|) or a mailbox path (/ or ./)' },
      ],
    });
  });

  it('reads a file with CRLF line ends the same as LF', () => {
    expect(parseQmailFile('.qmail-x', '&a@remote.test\r\n&b@remote.test\r\n')).toMatchObject({ addresses: ['a@remote.test', 'b@remote.test'], bad: [] });
  });
});
