import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseLineCount, parseMessageNumber } from '../../src/domain/pop3-commands.js';

describe('parsing a POP3 command line', () => {
  it.each([
    ['STAT', { keyword: 'STAT', args: [], rest: '' }],
    ['stat', { keyword: 'STAT', args: [], rest: '' }],
    ['RETR 1', { keyword: 'RETR', args: ['1'], rest: '1' }],
    ['top 3 10', { keyword: 'TOP', args: ['3', '10'], rest: '3 10' }],
    ['PASS with spaces ', { keyword: 'PASS', args: ['with', 'spaces'], rest: 'with spaces ' }],
    ['  NOOP', { keyword: 'NOOP', args: [], rest: '' }],
    ['LIST\t2', { keyword: 'LIST', args: ['2'], rest: '2' }],
  ])('%j', (line, expected) => {
    expect(parseCommandLine(line)).toEqual(expected);
  });

  it.each(['', '   ', '\t'])('treats the blank line %j as no command', (line) => {
    expect(parseCommandLine(line)).toBeNull();
  });
});

describe('message numbers and line counts', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['0', null],
    ['-1', null],
    ['01', null],
    ['1.5', null],
    ['x', null],
    ['', null],
    [undefined, null],
    ['9999999999', null],
  ])('message number %j is %j', (text, expected) => {
    expect(parseMessageNumber(text)).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['10', 10],
    ['-1', null],
    ['a', null],
    [undefined, null],
  ])('line count %j is %j', (text, expected) => {
    expect(parseLineCount(text)).toBe(expected);
  });
});
