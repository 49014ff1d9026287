import { describe, expect, it } from 'vitest';
import { formatBytes, parseSize } from '../../src/domain/size.js';

describe('parseSize', () => {
  it.each([
    { text: '5000', bytes: 5000 },
    { text: '0', bytes: 0 },
    { text: '512K', bytes: 512 * 1024 },
    { text: '512k', bytes: 512 * 1024 },
    { text: '10M', bytes: 10 * 1024 ** 2 },
    { text: '10MB', bytes: 10 * 1024 ** 2 },
    { text: '10MiB', bytes: 10 * 1024 ** 2 },
    { text: '10 mb', bytes: 10 * 1024 ** 2 },
    { text: '  2G  ', bytes: 2 * 1024 ** 3 },
    { text: '1T', bytes: 1024 ** 4 },
    { text: '1.5G', bytes: 1.5 * 1024 ** 3 },
    { text: '0.5K', bytes: 512 },
    { text: '100B', bytes: 100 },
  ])('reads "$text" as $bytes bytes', ({ text, bytes }) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each([
    { what: 'an empty string', text: '' },
    { what: 'a negative number', text: '-5' },
    { what: 'words', text: 'ten megabytes' },
    { what: 'an unknown unit', text: '10X' },
    { what: 'two units', text: '10MG' },
    { what: 'exponent notation', text: '1e6' },
    { what: 'a number with thousands separators', text: '10,000' },
    { what: 'a leading dot', text: '.5M' },
    { what: 'a number too large to count exactly', text: '9999999999T' },
  ])('refuses $what', ({ text }) => {
    expect(parseSize(text)).toBeNull();
  });

  it('rounds a fractional size to whole bytes', () => {
    expect(Number.isInteger(parseSize('1.3K'))).toBe(true);
    expect(parseSize('1.3K')).toBe(Math.round(1.3 * 1024));
  });
});

describe('formatBytes', () => {
  it.each([
    { bytes: 0, text: '0 B' },
    { bytes: 1023, text: '1023 B' },
    { bytes: 1024, text: '1.0 KiB' },
    { bytes: 1536, text: '1.5 KiB' },
    { bytes: 10 * 1024, text: '10 KiB' },
    { bytes: 10 * 1024 ** 2, text: '10 MiB' },
    { bytes: 1.5 * 1024 ** 3, text: '1.5 GiB' },
    { bytes: 2 * 1024 ** 4, text: '2.0 TiB' },
    { bytes: 2048 * 1024 ** 4, text: '2048 TiB' },
  ])('shows $bytes bytes as "$text"', ({ bytes, text }) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each(['500M', '10M', '2G', '512K'])('formats a parsed "%s" back to the same amount', (text) => {
    const bytes = parseSize(text)!;
    expect(parseSize(formatBytes(bytes).replace(/ /g, ''))).toBe(bytes);
  });
});
