import { describe, expect, it } from 'vitest';
import { baseName, compareDeliveryOrder, curName, flagsOf, uidOf, wireSizeFromName, withFlag } from '../../src/domain/pop3-maildir.js';

const NAME = '1700000000.M123456P42Q1.mx.test,S=1234';

describe('Maildir file names', () => {
  it.each([
    [NAME, NAME],
    [`${NAME}:2,`, NAME],
    [`${NAME}:2,ST`, NAME],
  ])('the base of %j is the part before ":"', (name, base) => {
    expect(baseName(name)).toBe(base);
  });

  it('gives a message the same UIDL whatever its flags and folder', () => {
    expect(uidOf(NAME)).toBe(NAME);
    expect(uidOf(`${NAME}:2,`)).toBe(NAME);
    expect(uidOf(`${NAME}:2,RS`)).toBe(NAME);
  });

  it('hashes a base name that RFC 1939 would not accept as a unique-id (over 70 characters)', () => {
    const long = `1700000000.M1P2Q3.${'h'.repeat(80)},S=1`;
    const uid = uidOf(`${long}:2,S`);
    expect(uid).toMatch(/^[\x21-\x7e]{1,70}$/);
    expect(uid).toBe(uidOf(long));
    expect(uid).not.toBe(uidOf(`${long}x`));
  });

  it.each([
    [NAME, `${NAME}:2,`],
    [`${NAME}:2,S`, `${NAME}:2,S`],
  ])('moving %j into cur/ names it %j', (name, expected) => {
    expect(curName(name)).toBe(expected);
  });

  it.each([
    [`${NAME}:2,`, 'S', `${NAME}:2,S`],
    [`${NAME}:2,T`, 'S', `${NAME}:2,ST`],
    [`${NAME}:2,FT`, 'S', `${NAME}:2,FST`],
    [`${NAME}:2,S`, 'S', null],
    [NAME, 'S', `${NAME}:2,S`],
    [`${NAME}:1,something`, 'S', null],
  ])('adding to %j the flag %s gives %j', (name, flag, expected) => {
    expect(withFlag(name, flag)).toBe(expected);
  });

  it('reads the flags of the ":2," info', () => {
    expect(flagsOf(`${NAME}:2,RS`)).toBe('RS');
    expect(flagsOf(NAME)).toBe('');
  });

  it("reads Dovecot's W= size tag, and only from the base name", () => {
    expect(wireSizeFromName('1.M1P1.h,S=10,W=12:2,S')).toBe(12);
    expect(wireSizeFromName(NAME)).toBeNull();
  });

  it('orders names by delivery time, microseconds as numbers', () => {
    const names = ['1700000001.M5P1Q1.h', '1700000000.M1000P1Q2.h', '1700000000.M99P1Q3.h', 'odd-name', '1700000000.12_3.h'];
    expect([...names].sort(compareDeliveryOrder)).toEqual([
      '1700000000.12_3.h',
      '1700000000.M99P1Q3.h',
      '1700000000.M1000P1Q2.h',
      '1700000001.M5P1Q1.h',
      'odd-name',
    ]);
  });

  it("orders two deliveries of one millisecond by the writer's counter, not by the random sub-millisecond digits", () => {
    const names = ['1700000000.M5999P7Q12.h', '1700000000.M5001P7Q13.h', '1700000000.M4999P7Q14.h'];
    expect([...names].sort(compareDeliveryOrder)).toEqual(['1700000000.M4999P7Q14.h', '1700000000.M5999P7Q12.h', '1700000000.M5001P7Q13.h']);
  });
});
