import { describe, expect, it } from 'vitest';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import type { Resolution } from '../../src/domain/resolution.js';
import {
  SEND_WINDOW_MS,
  foreignFromAddress,
  fromHeaderAddresses,
  headerBlockOf,
  ownsAddress,
  relayForbidden,
  sendRateVerdict,
  senderIdentity,
  sendWindowStart,
  type SenderFacts,
} from '../../src/domain/sending-policy.js';

const none: SenderFacts = { ownAddress: null, extraAddresses: [], deliverRules: [], hostedDomains: [], childDomains: [] };
const virtualAccount: SenderFacts = { ...none, ownAddress: 'alice@example.test', extraAddresses: ['a.smith@example.test'] };
const popMailbox: SenderFacts = { ...none, deliverRules: ['popbox@example.test', 'support@example.test', '*@other.test'] };
const parentAccount: SenderFacts = { ...none, hostedDomains: ['example.test'], childDomains: ['kid.test'], deliverRules: ['boss@partner.test'] };
const childAccount: SenderFacts = { ...none, hostedDomains: ['kid.test'], deliverRules: ['sales@example.test'] };

describe('ownsAddress over senderIdentity', () => {
  it.each([
    { behaviour: 'lets a virtual account send as its own address', facts: virtualAccount, address: 'alice@example.test', owns: true },
    { behaviour: 'lets a virtual account send as its own address in any letter case', facts: virtualAccount, address: 'Alice@Example.TEST', owns: true },
    { behaviour: 'lets a virtual account send as one of its extra addresses', facts: virtualAccount, address: 'a.smith@example.test', owns: true },
    { behaviour: 'refuses a virtual account another address of its own domain', facts: virtualAccount, address: 'info@example.test', owns: false },
    { behaviour: 'lets a POP mailbox send as its default alias', facts: popMailbox, address: 'popbox@example.test', owns: true },
    { behaviour: 'lets a POP mailbox send as a named rule that delivers to it', facts: popMailbox, address: 'support@example.test', owns: true },
    { behaviour: 'does not let a "*" rule make a POP mailbox the owner of a whole domain', facts: popMailbox, address: 'anyone@other.test', owns: false },
    { behaviour: 'lets an account send as any address of a domain it hosts', facts: parentAccount, address: 'whoever@example.test', owns: true },
    { behaviour: "lets a parent send as an address of its child's domain", facts: parentAccount, address: 'staff@kid.test', owns: true },
    { behaviour: 'lets an account send as a named rule that delivers to it (seed 000: "info: bcsales1")', facts: parentAccount, address: 'boss@partner.test', owns: true },
    { behaviour: "does not let a child send as its parent's domain", facts: childAccount, address: 'whoever@example.test', owns: false },
    { behaviour: "lets a child send as the parent's address that a rule delivers to it", facts: childAccount, address: 'sales@example.test', owns: true },
    { behaviour: 'refuses a subdomain of a hosted domain', facts: parentAccount, address: 'x@sub.example.test', owns: false },
    { behaviour: 'refuses the null sender', facts: parentAccount, address: '', owns: false },
    { behaviour: 'refuses a malformed address', facts: parentAccount, address: 'not an address', owns: false },
    { behaviour: 'refuses an address without a domain', facts: virtualAccount, address: 'alice', owns: false },
    { behaviour: 'owns nothing without facts', facts: none, address: 'alice@example.test', owns: false },
  ])('$behaviour', ({ facts, address, owns }) => {
    expect(ownsAddress(senderIdentity(facts), address)).toBe(owns);
  });
});

describe('headerBlockOf', () => {
  it.each([
    { behaviour: 'stops at the first empty line with CRLF line ends', message: 'From: a@b.test\r\nSubject: x\r\n\r\nFrom: body@x.test\r\n', headers: 'From: a@b.test\r\nSubject: x\r' },
    { behaviour: 'stops at the first empty line with LF line ends', message: 'From: a@b.test\nSubject: x\n\nbody\n', headers: 'From: a@b.test\nSubject: x' },
    { behaviour: 'takes the whole message when there is no body', message: 'From: a@b.test\r\n', headers: 'From: a@b.test\r\n' },
    { behaviour: 'is empty for a message that starts with its body', message: '\r\nFrom: body@x.test\r\n', headers: '' },
  ])('$behaviour', ({ message, headers }) => {
    expect(headerBlockOf(Buffer.from(message))).toBe(headers);
  });
});

describe('fromHeaderAddresses', () => {
  it.each([
    { behaviour: 'reads a display name and an address', headers: 'From: "Alice Smith" <alice@example.test>', addresses: ['alice@example.test'] },
    { behaviour: 'reads a bare address', headers: 'Subject: hi\nfrom:alice@example.test', addresses: ['alice@example.test'] },
    { behaviour: 'unfolds a From field continued on the next line', headers: 'From: "Alice"\r\n <alice@example.test>\r\nTo: b@x.test', addresses: ['alice@example.test'] },
    { behaviour: 'reads every address of a list', headers: 'From: alice@example.test, Mallory <boss@bank.test>', addresses: ['alice@example.test', 'boss@bank.test'] },
    { behaviour: 'reads every From field, not just the first', headers: 'From: alice@example.test\nFrom: boss@bank.test', addresses: ['alice@example.test', 'boss@bank.test'] },
    { behaviour: 'ignores the address in a comma inside a quoted name', headers: 'From: "boss@bank.test, x" <alice@example.test>', addresses: ['alice@example.test'] },
    { behaviour: 'keeps an encoded-word display name out of the address', headers: 'From: =?UTF-8?B?w6lsaXNl?= <alice@example.test>', addresses: ['alice@example.test'] },
    { behaviour: 'yields "" for a From field without an address', headers: 'From: undisclosed', addresses: [''] },
    { behaviour: 'yields nothing when there is no From field', headers: 'Subject: hi\nReply-To: x@y.test', addresses: [] },
    { behaviour: 'does not read Resent-From or X-From as From', headers: 'Resent-From: boss@bank.test\nX-From: boss@bank.test', addresses: [] },
  ])('$behaviour', ({ headers, addresses }) => {
    expect(fromHeaderAddresses(headers)).toEqual(addresses);
  });
});

describe('foreignFromAddress', () => {
  const identity = senderIdentity(virtualAccount);
  it.each([
    { behaviour: 'accepts a From of the own address', headers: 'From: Alice <alice@example.test>', foreign: null },
    { behaviour: 'accepts a message without a From field', headers: 'Subject: no from', foreign: null },
    { behaviour: "names someone else's address", headers: 'From: Boss <boss@bank.test>', foreign: 'boss@bank.test' },
    { behaviour: 'names the foreign address hidden behind an owned one', headers: 'From: alice@example.test\nFrom: boss@bank.test', foreign: 'boss@bank.test' },
    { behaviour: 'refuses a From field without an address', headers: 'From: undisclosed', foreign: '' },
  ])('$behaviour', ({ headers, foreign }) => {
    expect(foreignFromAddress(identity, headers)).toBe(foreign);
  });
});

describe('sendRateVerdict', () => {
  const now = Date.UTC(2025, 0, 1, 12);
  it.each([
    { behaviour: 'allows the first message of the hour', sent: { count: 0, oldest: null }, limit: 500, verdict: { allowed: true, remaining: 500 } },
    { behaviour: 'allows the 500th message', sent: { count: 499, oldest: now - 1000 }, limit: 500, verdict: { allowed: true, remaining: 1 } },
    { behaviour: 'refuses the 501st until the oldest leaves the window', sent: { count: 500, oldest: now - 1000 }, limit: 500, verdict: { allowed: false, retryAt: now - 1000 + SEND_WINDOW_MS } },
    { behaviour: 'refuses when the limit was lowered below what was sent', sent: { count: 9, oldest: now - 5000 }, limit: 2, verdict: { allowed: false, retryAt: now - 5000 + SEND_WINDOW_MS } },
  ])('$behaviour', ({ sent, limit, verdict }) => {
    expect(sendRateVerdict(sent, limit, now)).toEqual(verdict);
  });

  it('counts the hour before now, so a message sent exactly an hour ago no longer counts', () => {
    expect(sendWindowStart(now)).toBe(now - 60 * 60 * 1000);
  });
});

describe('relayForbidden', () => {
  const relayed: Resolution = { accepted: true, destinations: [{ kind: 'remote', address: 'x@remote.test' }], steps: [{ address: 'x@remote.test', depth: 0, decision: 'relay' }] };
  const local: Resolution = {
    accepted: true,
    destinations: [{ kind: 'remote', address: 'x@remote.test' }],
    // A local address whose own rule forwards away: the domain's owner set that forward, so it is not the user relaying.
    steps: [
      { address: 'fwd@example.test', depth: 0, decision: 'named-rule', rule: 'fwd: x@remote.test' },
      { address: 'x@remote.test', depth: 1, decision: 'relay' },
    ],
  };
  it.each([
    { behaviour: 'refuses a remote recipient to a mailbox with the no-relay flag', flags: MAILBOX_FLAGS.noRelay, resolution: relayed, forbidden: true },
    { behaviour: 'allows a local recipient to a mailbox with the no-relay flag', flags: MAILBOX_FLAGS.noRelay, resolution: local, forbidden: false },
    { behaviour: 'allows a remote recipient to a mailbox without the flag', flags: MAILBOX_FLAGS.noPop, resolution: relayed, forbidden: false },
    { behaviour: 'allows a remote recipient to an account, which has no flags', flags: null, resolution: relayed, forbidden: false },
  ])('$behaviour', ({ flags, resolution, forbidden }) => {
    expect(relayForbidden(flags, resolution)).toBe(forbidden);
  });
});
