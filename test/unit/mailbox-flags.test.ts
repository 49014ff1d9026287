import { describe, expect, it } from 'vitest';
import {
  ALL_FLAGS,
  MAILBOX_FLAGS,
  VMODUSER_FLAG_OPTIONS,
  flagNames,
  hasFlag,
  withFlags,
  type MailboxFlag,
} from '../../src/domain/mailbox-flags.js';

describe('MAILBOX_FLAGS', () => {
  // vpopmail's vauth.h values, so that `vuserinfo -g` prints the gid field a vpopmail administrator expects.
  it.each<[MailboxFlag, number]>([
    ['noPasswordChange', 0x01],
    ['noPop', 0x02],
    ['noWebmail', 0x04],
    ['noImap', 0x08],
    ['bounceMail', 0x10],
    ['noRelay', 0x20],
    ['noDialup', 0x40],
    ['user0', 0x80],
    ['user1', 0x100],
    ['user2', 0x200],
    ['user3', 0x400],
  ])('stores %s as vpopmail bit %i', (flag, bit) => {
    expect(MAILBOX_FLAGS[flag]).toBe(bit);
  });

  it('gives every flag its own single bit', () => {
    const bits = Object.values(MAILBOX_FLAGS);
    expect(new Set(bits).size).toBe(bits.length);
    for (const bit of bits) expect(bit & (bit - 1)).toBe(0);
  });
});

describe('VMODUSER_FLAG_OPTIONS', () => {
  it.each<[string, MailboxFlag]>([
    ['u', 'noDialup'],
    ['d', 'noPasswordChange'],
    ['p', 'noPop'],
    ['w', 'noWebmail'],
    ['i', 'noImap'],
    ['b', 'bounceMail'],
    ['r', 'noRelay'],
    ['0', 'user0'],
    ['1', 'user1'],
    ['2', 'user2'],
    ['3', 'user3'],
  ])('maps vmoduser -%s to %s', (letter, flag) => {
    expect(VMODUSER_FLAG_OPTIONS[letter]).toBe(flag);
  });

  it('has one option letter for every flag', () => {
    expect(Object.values(VMODUSER_FLAG_OPTIONS).sort()).toStrictEqual([...ALL_FLAGS].sort());
  });
});

describe('withFlags', () => {
  it.each<{ behaviour: string; flags: number; set: MailboxFlag[]; result: number }>([
    { behaviour: 'sets one flag on an empty field', flags: 0, set: ['bounceMail'], result: 0x10 },
    { behaviour: 'sets several flags at once', flags: 0, set: ['noPop', 'noImap', 'noRelay'], result: 0x2a },
    { behaviour: 'keeps flags already set', flags: 0x01, set: ['noWebmail'], result: 0x05 },
    { behaviour: 'does nothing for a flag already set', flags: 0x10, set: ['bounceMail'], result: 0x10 },
    { behaviour: 'does nothing for an empty list', flags: 0x42, set: [], result: 0x42 },
    { behaviour: 'keeps bits it does not know (vpopmail flags beyond user3)', flags: 0x800, set: ['noPop'], result: 0x802 },
  ])('$behaviour', ({ flags, set, result }) => {
    expect(withFlags(flags, set)).toBe(result);
  });
});

describe('hasFlag and flagNames', () => {
  it.each<{ flags: number; names: MailboxFlag[] }>([
    { flags: 0, names: [] },
    { flags: 0x02, names: ['noPop'] },
    { flags: 0x08, names: ['noImap'] },
    { flags: 0x10, names: ['bounceMail'] },
    { flags: 0x20, names: ['noRelay'] },
    { flags: 0x3a, names: ['noPop', 'noImap', 'bounceMail', 'noRelay'] },
    { flags: 0x7ff, names: ALL_FLAGS },
    { flags: 0x800, names: [] },
  ])('names the flags in $flags as $names', ({ flags, names }) => {
    expect(flagNames(flags)).toStrictEqual(names);
    for (const flag of ALL_FLAGS) expect(hasFlag(flags, flag)).toBe(names.includes(flag));
  });

  it.each(ALL_FLAGS.map((flag) => [flag]))('reads back %s after setting it on an empty field', (flag) => {
    expect(flagNames(withFlags(0, [flag]))).toStrictEqual([flag]);
  });
});
