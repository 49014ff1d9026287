import { describe, expect, it } from 'vitest';
import { countChunk, encodeChunk, finishCounting, finishEncoding, startCounting, startEncoding } from '../../src/domain/pop3-transfer.js';

/** Encodes `text` split into chunks at the given offsets, as a file read in pieces would be. */
function encode(text: string, { splits = [] as number[], bodyLines = null as number | null } = {}): string {
  const bytes = Buffer.from(text, 'latin1');
  const bounds = [0, ...splits, bytes.length];
  let state = startEncoding(bodyLines);
  const out: Buffer[] = [];
  for (let index = 0; index + 1 < bounds.length; index++) {
    const encoded = encodeChunk(state, bytes.subarray(bounds[index], bounds[index + 1]));
    state = encoded.state;
    out.push(...encoded.out);
    if (state.done) break;
  }
  out.push(...finishEncoding(state));
  return Buffer.concat(out).toString('latin1');
}

function count(text: string, splits: number[] = []): number {
  const bytes = Buffer.from(text, 'latin1');
  const bounds = [0, ...splits, bytes.length];
  let state = startCounting();
  for (let index = 0; index + 1 < bounds.length; index++) state = countChunk(state, bytes.subarray(bounds[index], bounds[index + 1]));
  return finishCounting(state);
}

describe('encoding a stored message for RETR', () => {
  it.each([
    ['LF line ends become CRLF', 'a\nb\n', 'a\r\nb\r\n'],
    ['CRLF line ends stay as they are', 'a\r\nb\r\n', 'a\r\nb\r\n'],
    ['a line starting with a dot gets one more', 'a\n.b\n..c\n.\n', 'a\r\n..b\r\n...c\r\n..\r\n'],
    ['a dot on the first line is stuffed too', '.x\n', '..x\r\n'],
    ['a dot inside a line is left alone', 'a.b\n', 'a.b\r\n'],
    ['a last line without a line end gets one', 'a\nb', 'a\r\nb\r\n'],
    ['an empty file stays empty', '', ''],
    ['a bare CR is not a line end', 'a\rb\n', 'a\rb\r\n'],
  ])('%s', (_name, input, expected) => {
    expect(encode(input)).toBe(expected);
  });

  it('gives the same bytes however the file is split into chunks', () => {
    const input = 'Subject: x\n\n.dot\r\nline\n..\n.\nend';
    const whole = encode(input);
    for (let split = 0; split <= input.length; split++) {
      for (const second of [split, Math.min(input.length, split + 1), Math.min(input.length, split + 2)]) {
        expect(encode(input, { splits: [split, second] })).toBe(whole);
      }
    }
  });
});

describe('encoding for TOP', () => {
  const message = 'From: a\nSubject: b\n\nline 1\n.line 2\nline 3\n';

  it.each([
    [0, 'From: a\r\nSubject: b\r\n\r\n'],
    [1, 'From: a\r\nSubject: b\r\n\r\nline 1\r\n'],
    [2, 'From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n'],
    [3, 'From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n'],
    [99, 'From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n'],
  ])('TOP with %i body lines sends the header, the blank line and that many lines', (lines, expected) => {
    expect(encode(message, { bodyLines: lines })).toBe(expected);
    for (let split = 0; split <= message.length; split++) expect(encode(message, { bodyLines: lines, splits: [split] })).toBe(expected);
  });

  it('finds the blank line of a message stored with CRLF line ends, even split between CR and LF', () => {
    const crlf = 'A: 1\r\n\r\nbody\r\nmore\r\n';
    expect(encode(crlf, { bodyLines: 1 })).toBe('A: 1\r\n\r\nbody\r\n');
    expect(encode(crlf, { bodyLines: 1, splits: [7] })).toBe('A: 1\r\n\r\nbody\r\n');
  });

  it('sends a message without a blank line whole', () => {
    expect(encode('A: 1\nB: 2', { bodyLines: 0 })).toBe('A: 1\r\nB: 2\r\n');
  });
});

describe('the size LIST reports', () => {
  it.each([
    ['a\nb\n', 6],
    ['a\r\nb\r\n', 6],
    ['.a\n', 4],
    ['a\nb', 6],
    ['', 0],
    ['a\r', 3],
  ])('%j is %i octets on the wire, byte-stuffing not counted', (input, octets) => {
    expect(count(input)).toBe(octets);
  });

  it('equals what RETR sends, minus the stuffed dots, for any chunking', () => {
    const samples = ['x\n.\n..y\r\nz', '\n\n\r\n.', 'no line end', 'a\rb\r\n\r\r\n', 'Subject: s\n\nbody\n.\n'];
    for (const sample of samples) {
      const sent = encode(sample);
      const stuffed = (`\r\n${sent}`.match(/\r\n\./g) ?? []).length;
      for (let split = 0; split <= sample.length; split++) {
        expect(count(sample, [split])).toBe(Buffer.byteLength(sent, 'latin1') - stuffed);
      }
    }
  });
});
