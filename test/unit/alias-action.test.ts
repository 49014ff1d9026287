import { usernameProblem } from '../../src/domain/address.js';
import { describe, expect, it } from 'vitest';
import {
  MAX_FORWARD_ADDRESSES,
  formatAliasAction,
  parseAliasAction,
  type AliasAction,
} from '../../src/domain/alias-action.js';

describe('parseAliasAction', () => {
  it.each<{ behaviour: string; text: string; action: AliasAction }>([
    { behaviour: 'reads a bare name as delivery to that username', text: 'bobpop', action: { kind: 'deliver', username: 'bobpop' } },
    { behaviour: 'lower-cases a username', text: '  BobPop ', action: { kind: 'deliver', username: 'bobpop' } },
    { behaviour: 'reads a name that merely starts with "fail" as a username', text: 'failover', action: { kind: 'deliver', username: 'failover' } },
    { behaviour: 'reads one address as a forward', text: 'bob@example.com', action: { kind: 'forward', addresses: ['bob@example.com'] } },
    {
      behaviour: 'reads comma-separated addresses as one forward, lower-cased and trimmed',
      text: ' Bob@Example.com ,pat@ELSEWHERE.net',
      action: { kind: 'forward', addresses: ['bob@example.com', 'pat@elsewhere.net'] },
    },
    {
      behaviour: 'keeps each repeated forward address once, in first-seen order',
      text: 'a@x.com, b@x.com, A@X.COM, a@x.com',
      action: { kind: 'forward', addresses: ['a@x.com', 'b@x.com'] },
    },
    { behaviour: 'reads "fail" alone as a fail without message', text: 'fail', action: { kind: 'fail', message: null } },
    { behaviour: 'reads "fail:" with nothing after it as a fail without message', text: 'fail:   ', action: { kind: 'fail', message: null } },
    { behaviour: 'reads "fail: message" as a fail with that message', text: 'fail: No such address', action: { kind: 'fail', message: 'No such address' } },
    { behaviour: 'accepts "FAIL" in capitals and no space before the message', text: 'FAIL :Gone', action: { kind: 'fail', message: 'Gone' } },
    { behaviour: 'keeps colons inside a fail message', text: 'fail: gone: ask sales', action: { kind: 'fail', message: 'gone: ask sales' } },
    { behaviour: 'reads "discard" as discard', text: 'discard', action: { kind: 'discard' } },
    { behaviour: 'reads "Discard" in any case as discard', text: ' Discard ', action: { kind: 'discard' } },
  ])('$behaviour', ({ text, action }) => {
    expect(parseAliasAction(text)).toStrictEqual({ action });
  });

  it.each([
    { behaviour: 'refuses an empty action', text: '   ', problem: /empty/ },
    { behaviour: 'refuses a username with a slash', text: 'bob/pop', problem: /must start with a letter/ },
    { behaviour: 'refuses a username with ".."', text: 'bob..pop', problem: /must start with a letter/ },
    { behaviour: 'refuses a username that starts with a digit', text: '9lives', problem: /must start with a letter/ },
    { behaviour: 'refuses "fail" followed by words without a colon', text: 'fail now', problem: /must start with a letter/ },
    { behaviour: 'refuses a mix of usernames and addresses', text: 'bobpop, bob@example.com', problem: /not an address/ },
    { behaviour: 'refuses a malformed address among good ones', text: 'bob@example.com, a..b@example.com', problem: /not a valid local part/ },
    { behaviour: 'refuses a trailing comma', text: 'bob@example.com,', problem: /not an address/ },
    { behaviour: 'refuses a fail message that is not ASCII', text: 'fail: Adresse inconnue \u00e9', problem: /printable ASCII/ },
    { behaviour: 'refuses a fail message with a control character', text: 'fail: gone\tnow', problem: /printable ASCII/ },
    { behaviour: 'refuses a fail message split over lines (it would break the SMTP reply)', text: 'fail: gone\r\n250 ok', problem: /printable ASCII/ },
    { behaviour: 'refuses a fail message over 200 characters', text: `fail: ${'x'.repeat(201)}`, problem: /longer than 200/ },
    {
      behaviour: `refuses a forward to more than ${MAX_FORWARD_ADDRESSES} addresses`,
      text: Array.from({ length: MAX_FORWARD_ADDRESSES + 1 }, (_, i) => `u${i}@example.com`).join(','),
      problem: /at most 50 addresses/,
    },
  ])('$behaviour', ({ text, problem }) => {
    const parsed = parseAliasAction(text);
    expect(parsed).toHaveProperty('problem');
    if ('problem' in parsed) expect(parsed.problem).toMatch(problem);
  });

  it.each([
    { behaviour: 'accepts a fail message of exactly 200 characters', text: `fail: ${'x'.repeat(200)}` },
    {
      behaviour: `accepts a forward to exactly ${MAX_FORWARD_ADDRESSES} addresses`,
      text: Array.from({ length: MAX_FORWARD_ADDRESSES }, (_, i) => `u${i}@example.com`).join(','),
    },
    {
      behaviour: 'counts addresses after removing repeats when applying the forward limit',
      text: Array.from({ length: MAX_FORWARD_ADDRESSES + 10 }, (_, i) => `u${i % 5}@example.com`).join(','),
    },
  ])('$behaviour', ({ text }) => {
    expect(parseAliasAction(text)).toHaveProperty('action');
  });
});

describe('formatAliasAction', () => {
  it.each<{ action: AliasAction; text: string }>([
    { action: { kind: 'deliver', username: 'bobpop' }, text: 'bobpop' },
    { action: { kind: 'forward', addresses: ['a@x.com', 'b@y.org'] }, text: 'a@x.com, b@y.org' },
    { action: { kind: 'fail', message: 'No such address' }, text: 'fail: No such address' },
    { action: { kind: 'fail', message: null }, text: 'fail' },
    { action: { kind: 'discard' }, text: 'discard' },
  ])('writes $action.kind as "$text"', ({ action, text }) => {
    expect(formatAliasAction(action)).toBe(text);
  });

  it.each<AliasAction>([
    { kind: 'deliver', username: 'bobpop' },
    { kind: 'deliver', username: 'failover' },
    { kind: 'forward', addresses: ['a@x.com'] },
    { kind: 'forward', addresses: ['a@x.com', 'b@y.org', 'c@z.net'] },
    { kind: 'fail', message: 'gone: ask sales@x.com' },
    { kind: 'fail', message: null },
    { kind: 'discard' },
  ])('parses what it writes back to the same action: %o', (action) => {
    expect(parseAliasAction(formatAliasAction(action))).toStrictEqual({ action });
  });

  // Guards a fixed bug: a user named "fail" or "discard" made a delivery rule read back as a fail or discard rule.
  // Such names are now refused, so the text form of every action is unambiguous.
  it.each(['fail', 'discard'])('refuses "%s" as a username, since as an action the word means itself', (name) => {
    expect(usernameProblem(name)).toMatch(/reserved/);
  });
});
