/**
 * The vpopmail flags (seed 004, `vmoduser`), stored as vpopmail stores them: bits of one integer (its "gid" field), with
 * vpopmail's own bit values so that `vuserinfo -g` prints what a vpopmail administrator expects and SQL can test a bit.
 */
export const MAILBOX_FLAGS = {
  noPasswordChange: 0x01,
  noPop: 0x02,
  noWebmail: 0x04,
  noImap: 0x08,
  bounceMail: 0x10,
  noRelay: 0x20,
  noDialup: 0x40,
  user0: 0x80,
  user1: 0x100,
  user2: 0x200,
  user3: 0x400,
} as const;

export type MailboxFlag = keyof typeof MAILBOX_FLAGS;
export const ALL_FLAGS = Object.keys(MAILBOX_FLAGS) as MailboxFlag[];

/** vmoduser's option letters (seed 004), each setting one flag. */
export const VMODUSER_FLAG_OPTIONS: Record<string, MailboxFlag> = {
  u: 'noDialup',
  d: 'noPasswordChange',
  p: 'noPop',
  w: 'noWebmail',
  i: 'noImap',
  b: 'bounceMail',
  r: 'noRelay',
  '0': 'user0',
  '1': 'user1',
  '2': 'user2',
  '3': 'user3',
};

export function hasFlag(flags: number, flag: MailboxFlag): boolean {
  return (flags & MAILBOX_FLAGS[flag]) !== 0;
}

export function withFlags(flags: number, set: readonly MailboxFlag[]): number {
  return set.reduce((bits, flag) => bits | MAILBOX_FLAGS[flag], flags);
}

export function flagNames(flags: number): MailboxFlag[] {
  return ALL_FLAGS.filter((flag) => hasFlag(flags, flag));
}
