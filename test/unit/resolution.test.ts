import { describe, expect, it } from 'vitest';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import {
  MAX_EXPANDED_ADDRESSES,
  MAX_FORWARD_DEPTH,
  destinationKey,
  resolveRecipient,
  type MailboxTarget,
  type Resolution,
  type Step,
} from '../../src/domain/resolution.js';
import { buildLookups, outcomeOf, type Outcome, type RuleSpec, type World } from './fixtures/lookups.js';

// The test world: acme hosts example.com and has a child account acmesales; orgco hosts example.org.
const mailbox = (id: number, kind: 'virtual' | 'pop', name: string, flags = 0): MailboxTarget => ({
  id,
  kind,
  name,
  accountId: 1,
  accountUsername: 'acme',
  flags,
});

function world(rules: Record<string, Record<string, RuleSpec>> = {}): World {
  return {
    domains: [
      { name: 'example.com', accountId: 1, accountUsername: 'acme' },
      { name: 'example.org', accountId: 3, accountUsername: 'orgco' },
    ],
    accounts: [
      { id: 1, username: 'acme' },
      { id: 2, username: 'acmesales' },
      { id: 3, username: 'orgco' },
    ],
    virtualAccounts: [
      mailbox(10, 'virtual', 'info@example.com'),
      mailbox(11, 'virtual', 'closed@example.com', MAILBOX_FLAGS.bounceMail),
      { ...mailbox(12, 'virtual', 'jane@example.org'), accountId: 3, accountUsername: 'orgco' },
    ],
    popMailboxes: [mailbox(20, 'pop', 'bobpop'), mailbox(21, 'pop', 'oldpop', MAILBOX_FLAGS.bounceMail | MAILBOX_FLAGS.noPop)],
    rules,
  };
}

const resolve = (recipient: string, rules: Record<string, RuleSpec> = {}, relayAllowed = false): Resolution =>
  resolveRecipient(recipient, buildLookups(world({ 'example.com': rules })), { relayAllowed });

interface Case {
  behaviour: string;
  rules: Record<string, RuleSpec>;
  recipient: string;
  outcome: Outcome;
}

describe('resolveRecipient: where mail for a hosted domain goes', () => {
  const cases: Case[] = [
    {
      behaviour: 'delivers to a virtual account before any rule, even when a named rule and a * rule exist for it',
      rules: { info: 'discard', '*': 'fail: No such address' },
      recipient: 'info@example.com',
      outcome: { deliveredTo: ['mailbox:info@example.com'] },
    },
    {
      behaviour: 'lets the rule for exactly the local part win over the * rule',
      rules: { sales: 'acmesales', '*': 'discard' },
      recipient: 'sales@example.com',
      outcome: { deliveredTo: ['account:acmesales'] },
    },
    {
      behaviour: 'sends every other local part to the * rule',
      rules: { sales: 'acmesales', '*': 'bobpop' },
      recipient: 'anything@example.com',
      outcome: { deliveredTo: ['mailbox:bobpop'] },
    },
    {
      behaviour: 'delivers a rule naming a child account into that account (kind account)',
      rules: { sales: 'acmesales' },
      recipient: 'sales@example.com',
      outcome: { deliveredTo: ['account:acmesales'] },
    },
    {
      behaviour: 'delivers a rule naming a POP mailbox into that mailbox (kind mailbox)',
      rules: { bob: 'bobpop' },
      recipient: 'bob@example.com',
      outcome: { deliveredTo: ['mailbox:bobpop'] },
    },
    {
      behaviour: 'resolves a forward to a local virtual account again and lands in that virtual account',
      rules: { contact: 'info@example.com' },
      recipient: 'contact@example.com',
      outcome: { deliveredTo: ['mailbox:info@example.com'] },
    },
    {
      behaviour: 'resolves a forward to another local alias through that alias rule',
      rules: { contact: 'sales@example.com', sales: 'acmesales' },
      recipient: 'contact@example.com',
      outcome: { deliveredTo: ['account:acmesales'] },
    },
    {
      behaviour: 'resolves a forward to a local address with no virtual account and no rule into its domain owner mailbox',
      rules: { contact: 'nobody@example.org' },
      recipient: 'contact@example.com',
      outcome: { deliveredTo: ['account:orgco'] },
    },
    {
      behaviour: 'forwards to a remote address as a remote destination even though the client may not relay',
      rules: { out: 'pat@elsewhere.net' },
      recipient: 'out@example.com',
      outcome: { deliveredTo: ['remote:pat@elsewhere.net'] },
    },
    {
      behaviour: 'forwards to local and remote addresses at once, each resolved on its own',
      rules: { team: 'info@example.com, jane@example.org, pat@elsewhere.net' },
      recipient: 'team@example.com',
      outcome: { deliveredTo: ['mailbox:info@example.com', 'mailbox:jane@example.org', 'remote:pat@elsewhere.net'] },
    },
    {
      behaviour: 'accepts and drops mail for a discard rule, with no destination at all',
      rules: { spam: 'discard' },
      recipient: 'spam@example.com',
      outcome: { deliveredTo: [] },
    },
    {
      behaviour: 'closes a domain with a * discard rule while named rules still receive mail',
      rules: { sales: 'acmesales', '*': 'discard' },
      recipient: 'stranger@example.com',
      outcome: { deliveredTo: [] },
    },
    {
      behaviour: 'delivers to the parent mailbox of the account hosting the domain when no virtual account or rule matches',
      rules: {},
      recipient: 'someone@example.com',
      outcome: { deliveredTo: ['account:acme'] },
    },
    {
      behaviour: 'delivers to the parent mailbox of the right account for each hosted domain',
      rules: {},
      recipient: 'someone@example.org',
      outcome: { deliveredTo: ['account:orgco'] },
    },
    {
      behaviour: 'writes once into a mailbox that two forward targets both land in',
      rules: { team: 'info@example.com, contact@example.com', contact: 'info@example.com' },
      recipient: 'team@example.com',
      outcome: { deliveredTo: ['mailbox:info@example.com'] },
    },
    {
      behaviour: 'writes once into the parent mailbox when two forward targets both fall through to it',
      rules: { team: 'x@example.com, y@example.com' },
      recipient: 'team@example.com',
      outcome: { deliveredTo: ['account:acme'] },
    },
    {
      behaviour: 'relays once to a remote address reached by two forward paths',
      rules: { team: 'a@example.com, b@example.com', a: 'pat@elsewhere.net', b: 'pat@elsewhere.net' },
      recipient: 'team@example.com',
      outcome: { deliveredTo: ['remote:pat@elsewhere.net'] },
    },
    {
      behaviour: 'follows a diamond of forwards (two paths to one alias) without calling it a loop',
      rules: { team: 'a@example.com, b@example.com', a: 'shared@example.com', b: 'shared@example.com', shared: 'bobpop' },
      recipient: 'team@example.com',
      outcome: { deliveredTo: ['mailbox:bobpop'] },
    },
    {
      behaviour: 'refuses mail with RULE_FAILED for a fail rule',
      rules: { gone: 'fail: No such address' },
      recipient: 'gone@example.com',
      outcome: { refused: 'RULE_FAILED' },
    },
    {
      behaviour: 'refuses mail with RULE_FAILED for a * fail rule that closes the domain',
      rules: { '*': 'fail' },
      recipient: 'stranger@example.com',
      outcome: { refused: 'RULE_FAILED' },
    },
    {
      behaviour: 'refuses a forward loop a -> b -> a with FORWARD_LOOP',
      rules: { a: 'b@example.com', b: 'a@example.com' },
      recipient: 'a@example.com',
      outcome: { refused: 'FORWARD_LOOP' },
    },
    {
      behaviour: 'refuses a rule that forwards to its own address with FORWARD_LOOP',
      rules: { a: 'a@example.com' },
      recipient: 'a@example.com',
      outcome: { refused: 'FORWARD_LOOP' },
    },
    {
      behaviour: 'refuses a * rule that forwards back into its own domain instead of following it forever',
      rules: { '*': 'catchall@example.com' },
      recipient: 'stranger@example.com',
      outcome: { refused: 'FORWARD_LOOP' },
    },
    {
      behaviour: 'refuses a virtual account flagged bounce mail with MAILBOX_BOUNCES',
      rules: {},
      recipient: 'closed@example.com',
      outcome: { refused: 'MAILBOX_BOUNCES' },
    },
    {
      behaviour: 'refuses a rule delivering to a POP mailbox flagged bounce mail with MAILBOX_BOUNCES',
      rules: { old: 'oldpop' },
      recipient: 'old@example.com',
      outcome: { refused: 'MAILBOX_BOUNCES' },
    },
    {
      behaviour: 'refuses a forward that reaches a virtual account flagged bounce mail with MAILBOX_BOUNCES',
      rules: { contact: 'closed@example.com' },
      recipient: 'contact@example.com',
      outcome: { refused: 'MAILBOX_BOUNCES' },
    },
    {
      behaviour: 'refuses a rule delivering to a username that no longer exists with NO_SUCH_USER',
      rules: { sales: 'deletedsales' },
      recipient: 'sales@example.com',
      outcome: { refused: 'NO_SUCH_USER' },
    },
    {
      behaviour: 'refuses the whole recipient when one forward target fails, rather than half-delivering',
      rules: { team: 'info@example.com, gone@example.com', gone: 'fail: gone' },
      recipient: 'team@example.com',
      outcome: { refused: 'RULE_FAILED' },
    },
    {
      behaviour: 'refuses a stored forward whose target is malformed with MALFORMED_ADDRESS',
      rules: { broken: { kind: 'forward', addresses: ['not-an-address'] } },
      recipient: 'broken@example.com',
      outcome: { refused: 'MALFORMED_ADDRESS' },
    },
  ];

  it.each(cases)('$behaviour', ({ rules, recipient, outcome }) => {
    expect(outcomeOf(resolve(recipient, rules))).toEqual(outcome);
  });
});

describe('resolveRecipient: forwards across hosted domains', () => {
  it.each([
    {
      behaviour: 'follows a forward into another hosted domain through that domain\'s own rules',
      rules: { 'example.com': { a: 'b@example.org' }, 'example.org': { b: 'bobpop' } },
      outcome: { deliveredTo: ['mailbox:bobpop'] },
    },
    {
      behaviour: 'refuses a loop that passes through two hosted domains with FORWARD_LOOP',
      rules: { 'example.com': { a: 'b@example.org' }, 'example.org': { b: 'a@example.com' } },
      outcome: { refused: 'FORWARD_LOOP' },
    },
  ])('$behaviour', ({ rules, outcome }) => {
    expect(outcomeOf(resolveRecipient('a@example.com', buildLookups(world(rules)), { relayAllowed: false }))).toEqual(outcome);
  });
});

describe('resolveRecipient: domains not hosted here', () => {
  it.each([
    { behaviour: 'refuses a client that may not relay with RELAY_DENIED', relayAllowed: false, outcome: { refused: 'RELAY_DENIED' } },
    {
      behaviour: 'queues for the outbound relay when the client may relay',
      relayAllowed: true,
      outcome: { deliveredTo: ['remote:pat@elsewhere.net'] },
    },
  ])('$behaviour', ({ relayAllowed, outcome }) => {
    expect(outcomeOf(resolve('pat@elsewhere.net', {}, relayAllowed))).toEqual(outcome);
  });

  it('records the decision relay and the lower-cased address for a relayed recipient', () => {
    const resolution = resolve('Pat@ElseWhere.NET', {}, true);
    expect(resolution.steps).toStrictEqual([{ address: 'pat@elsewhere.net', depth: 0, decision: 'relay' }]);
    expect(resolution.accepted && resolution.destinations).toStrictEqual([{ kind: 'remote', address: 'pat@elsewhere.net' }]);
  });

  it('says which domain is not hosted when it refuses to relay', () => {
    const resolution = resolve('pat@elsewhere.net', {}, false);
    expect(resolution.accepted).toBe(false);
    if (!resolution.accepted) expect(resolution.refusal.message).toContain('elsewhere.net');
  });
});

describe('resolveRecipient: addresses compared case-insensitively', () => {
  it.each<{ recipient: string; rules: Record<string, RuleSpec>; outcome: Outcome }>([
    { recipient: 'Info@Example.COM', rules: {}, outcome: { deliveredTo: ['mailbox:info@example.com'] } },
    { recipient: 'SALES@EXAMPLE.COM', rules: { sales: 'acmesales' }, outcome: { deliveredTo: ['account:acmesales'] } },
    { recipient: 'contact@example.com', rules: { contact: 'INFO@Example.Com' }, outcome: { deliveredTo: ['mailbox:info@example.com'] } },
    { recipient: '  info@example.com  ', rules: {}, outcome: { deliveredTo: ['mailbox:info@example.com'] } },
  ])('resolves $recipient like its lower-case form', ({ recipient, rules, outcome }) => {
    expect(outcomeOf(resolve(recipient, rules))).toEqual(outcome);
  });
});

describe('resolveRecipient: malformed recipients', () => {
  it.each([
    { what: 'no @', recipient: 'info.example.com' },
    { what: 'two dots in a row', recipient: 'a..b@example.com' },
    { what: 'a slash', recipient: 'a/b@example.com' },
    { what: 'a NUL byte', recipient: 'a\u0000b@example.com' },
    { what: 'a CR LF', recipient: 'a\r\nb@example.com' },
    { what: 'a local part of ".."', recipient: '..@example.com' },
    { what: 'an empty local part', recipient: '@example.com' },
    { what: 'an empty domain', recipient: 'info@' },
    { what: 'a one-label domain', recipient: 'info@localhost' },
    { what: 'an empty string', recipient: '' },
    { what: 'a local part over 64 characters', recipient: `${'a'.repeat(65)}@example.com` },
    { what: 'an address over 254 characters', recipient: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.com` },
  ])('refuses an address with $what as MALFORMED_ADDRESS, even when relaying is allowed', ({ recipient }) => {
    const resolution = resolveRecipient(recipient, buildLookups(world()), { relayAllowed: true });
    expect(outcomeOf(resolution)).toEqual({ refused: 'MALFORMED_ADDRESS' });
    expect(resolution.accepted === false && resolution.refusal.message).toBeTruthy();
    expect(resolution.steps).toEqual([]);
  });
});

describe('resolveRecipient: fail rules carry their message', () => {
  it.each([
    { action: 'fail: No such address', message: 'No such address' },
    { action: 'fail', message: null },
    { action: 'fail: 5.1.1 gone: try sales@example.com', message: '5.1.1 gone: try sales@example.com' },
  ])('refuses "$action" with the message $message', ({ action, message }) => {
    const resolution = resolve('gone@example.com', { gone: action });
    expect(resolution.accepted).toBe(false);
    if (!resolution.accepted) expect(resolution.refusal).toStrictEqual({ reason: 'RULE_FAILED', message });
  });
});

describe('resolveRecipient: bounds on forwarding', () => {
  /** hop0 -> hop1 -> ... -> hop{length}; the last hop has no rule and lands in the parent mailbox. */
  const chain = (length: number): Record<string, RuleSpec> =>
    Object.fromEntries(Array.from({ length }, (_, i) => [`hop${i}`, `hop${i + 1}@example.com`]));

  it.each([
    { behaviour: `follows a chain of exactly MAX_FORWARD_DEPTH (${MAX_FORWARD_DEPTH}) forwards`, length: MAX_FORWARD_DEPTH, outcome: { deliveredTo: ['account:acme'] } },
    { behaviour: 'refuses a chain one forward deeper than MAX_FORWARD_DEPTH with FORWARD_LOOP', length: MAX_FORWARD_DEPTH + 1, outcome: { refused: 'FORWARD_LOOP' } },
  ])('$behaviour', ({ length, outcome }) => {
    const resolution = resolve('hop0@example.com', chain(length));
    expect(outcomeOf(resolution)).toEqual(outcome);
    expect(Math.max(...resolution.steps.map((step) => step.depth))).toBe(Math.min(length, MAX_FORWARD_DEPTH + 1));
  });

  // Stored rules hold at most 50 addresses each, but resolution bounds a fan-out on its own whatever the lookups return.
  const fanOut = (count: number): RuleSpec => ({
    kind: 'forward',
    addresses: Array.from({ length: count }, (_, i) => `user${i}@elsewhere.net`),
  });

  it.each([
    { behaviour: 'accepts a fan-out that visits exactly MAX_EXPANDED_ADDRESSES addresses', targets: MAX_EXPANDED_ADDRESSES - 1, accepted: true },
    { behaviour: 'refuses a fan-out that would visit more than MAX_EXPANDED_ADDRESSES addresses', targets: MAX_EXPANDED_ADDRESSES, accepted: false },
  ])('$behaviour', ({ targets, accepted }) => {
    const resolution = resolve('everyone@example.com', { everyone: fanOut(targets) });
    expect(resolution.accepted).toBe(accepted);
    if (resolution.accepted) expect(resolution.destinations).toHaveLength(targets);
    else expect(resolution.refusal.reason).toBe('FORWARD_LOOP');
  });

  it('refuses a two-level fan-out of 50 x 50 forwards before visiting every address', () => {
    const rules: Record<string, RuleSpec> = {
      everyone: Array.from({ length: 50 }, (_, i) => `group${i}@example.com`).join(', '),
    };
    for (let i = 0; i < 50; i++) {
      rules[`group${i}`] = Array.from({ length: 50 }, (_, j) => `member${i}x${j}@elsewhere.net`).join(', ');
    }
    const resolution = resolve('everyone@example.com', rules);
    expect(outcomeOf(resolution)).toEqual({ refused: 'FORWARD_LOOP' });
    expect(resolution.steps.length).toBeLessThanOrEqual(MAX_EXPANDED_ADDRESSES + 1);
  });
});

describe('resolveRecipient: the steps explain the decision', () => {
  it.each<{ behaviour: string; rules: Record<string, RuleSpec>; recipient: string; steps: Step[] }>([
    {
      behaviour: 'records a virtual account decision',
      rules: {},
      recipient: 'info@example.com',
      steps: [{ address: 'info@example.com', depth: 0, decision: 'virtual-account' }],
    },
    {
      behaviour: 'records a named rule with its map-file line',
      rules: { sales: 'acmesales' },
      recipient: 'sales@example.com',
      steps: [{ address: 'sales@example.com', depth: 0, decision: 'named-rule', rule: 'sales: acmesales' }],
    },
    {
      behaviour: 'records a * rule with its map-file line',
      rules: { '*': 'fail: No such address' },
      recipient: 'stranger@example.com',
      steps: [{ address: 'stranger@example.com', depth: 0, decision: 'wildcard-rule', rule: '*: fail: No such address' }],
    },
    {
      behaviour: 'records a fall-through to the parent mailbox without a rule',
      rules: {},
      recipient: 'someone@example.com',
      steps: [{ address: 'someone@example.com', depth: 0, decision: 'parent-mailbox' }],
    },
    {
      behaviour: 'records each forward target at depth one more than the rule that forwarded to it',
      rules: { team: 'info@example.com, sales@example.com, pat@elsewhere.net', sales: 'acmesales' },
      recipient: 'team@example.com',
      steps: [
        { address: 'team@example.com', depth: 0, decision: 'named-rule', rule: 'team: info@example.com, sales@example.com, pat@elsewhere.net' },
        { address: 'info@example.com', depth: 1, decision: 'virtual-account' },
        { address: 'sales@example.com', depth: 1, decision: 'named-rule', rule: 'sales: acmesales' },
        { address: 'pat@elsewhere.net', depth: 1, decision: 'relay' },
      ],
    },
    {
      behaviour: 'records the address where a loop was caught as refused',
      rules: { a: 'b@example.com', b: 'a@example.com' },
      recipient: 'a@example.com',
      steps: [
        { address: 'a@example.com', depth: 0, decision: 'named-rule', rule: 'a: b@example.com' },
        { address: 'b@example.com', depth: 1, decision: 'named-rule', rule: 'b: a@example.com' },
        { address: 'a@example.com', depth: 2, decision: 'refused' },
      ],
    },
    {
      behaviour: 'records a refused relay',
      rules: {},
      recipient: 'pat@elsewhere.net',
      steps: [{ address: 'pat@elsewhere.net', depth: 0, decision: 'refused' }],
    },
  ])('$behaviour', ({ rules, recipient, steps }) => {
    expect(resolve(recipient, rules).steps).toStrictEqual(steps);
  });
});

describe('resolveRecipient: destinations carry the target records', () => {
  it('returns the POP mailbox record for a deliver rule', () => {
    const resolution = resolve('bob@example.com', { bob: 'bobpop' });
    expect(resolution.accepted && resolution.destinations).toStrictEqual([{ kind: 'mailbox', mailbox: mailbox(20, 'pop', 'bobpop') }]);
  });

  it('returns the hosting account for the parent mailbox', () => {
    const resolution = resolve('someone@example.org');
    expect(resolution.accepted && resolution.destinations).toStrictEqual([{ kind: 'account', account: { id: 3, username: 'orgco' } }]);
  });
});

describe('destinationKey', () => {
  it.each([
    { behaviour: 'gives one mailbox the same key however it was reached', a: { kind: 'mailbox' as const, mailbox: mailbox(10, 'virtual', 'info@example.com') }, b: { kind: 'mailbox' as const, mailbox: { ...mailbox(10, 'virtual', 'info@example.com'), flags: 1 } }, same: true },
    { behaviour: 'keeps an account and a mailbox with the same id apart', a: { kind: 'account' as const, account: { id: 1, username: 'acme' } }, b: { kind: 'mailbox' as const, mailbox: mailbox(1, 'pop', 'acme') }, same: false },
    { behaviour: 'keeps two remote addresses apart', a: { kind: 'remote' as const, address: 'a@x.net' }, b: { kind: 'remote' as const, address: 'b@x.net' }, same: false },
  ])('$behaviour', ({ a, b, same }) => {
    expect(destinationKey(a) === destinationKey(b)).toBe(same);
  });
});

describe('resolveRecipient: postmaster and mailbox forwarding', () => {
  const hosted = { name: 'example.com', accountId: 1, accountUsername: 'acme' };
  const mailbox = (name: string, id: number, forward: { addresses: string[]; keepCopy: boolean } | null) => ({
    id, kind: 'virtual' as const, name, accountId: 1, accountUsername: 'acme', flags: 0, forward,
  });
  const lookupsWith = (mailboxes: ReturnType<typeof mailbox>[]) => ({
    findDomain: (name: string) => (name === 'example.com' ? hosted : null),
    findVirtualAccount: (address: string) => mailboxes.find((m) => m.name === address) ?? null,
    findRule: () => null,
    findUser: () => null,
  });

  it('accepts "postmaster" without a domain into the server postmaster mailbox (RFC 5321 4.5.1)', () => {
    const result = resolveRecipient('PostMaster', lookupsWith([]), { relayAllowed: false });
    expect(result).toMatchObject({ accepted: true, destinations: [{ kind: 'postmaster' }] });
  });

  it('forwards a mailbox with forwarding set and keeps no copy unless asked', () => {
    const lookups = lookupsWith([mailbox('a@example.com', 1, { addresses: ['b@example.com', 'x@remote.example'], keepCopy: false }), mailbox('b@example.com', 2, null)]);
    const result = resolveRecipient('a@example.com', lookups, { relayAllowed: false });
    expect(result.accepted && result.destinations.map((d) => (d.kind === 'mailbox' ? d.mailbox.name : d.kind === 'remote' ? d.address : d.kind))).toEqual(['b@example.com', 'x@remote.example']);
  });

  it('keeps a copy in the forwarding mailbox when keepCopy is set', () => {
    const lookups = lookupsWith([mailbox('a@example.com', 1, { addresses: ['b@example.com'], keepCopy: true }), mailbox('b@example.com', 2, null)]);
    const result = resolveRecipient('a@example.com', lookups, { relayAllowed: false });
    expect(result.accepted && result.destinations.map((d) => (d.kind === 'mailbox' ? d.mailbox.name : d.kind))).toEqual(['b@example.com', 'a@example.com']);
  });

  it('refuses two mailboxes that forward to each other as a loop', () => {
    const lookups = lookupsWith([mailbox('a@example.com', 1, { addresses: ['b@example.com'], keepCopy: true }), mailbox('b@example.com', 2, { addresses: ['a@example.com'], keepCopy: true })]);
    const result = resolveRecipient('a@example.com', lookups, { relayAllowed: false });
    expect(result).toMatchObject({ accepted: false, refusal: { reason: 'FORWARD_LOOP' } });
  });
});
