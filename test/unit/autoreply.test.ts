import { describe, expect, it } from 'vitest';
import {
  autoreplyDecision,
  isAutoSubmitted,
  isNullSender,
  isSystemSender,
  type OriginalHeaders,
  type SkipReason,
} from '../../src/domain/autoreply.js';

const OWN = ['alice@example.test', 'a.smith@example.test'];

/** A plain personal message to alice: the one case that gets a reply. */
const plain = (changes: Partial<OriginalHeaders> = {}): OriginalHeaders => ({
  autoSubmitted: null,
  precedence: null,
  listHeaders: [],
  autoResponseSuppress: null,
  recipients: ['alice@example.test'],
  subject: 'Lunch?',
  messageId: '<1@remote.test>',
  references: [],
  ...changes,
});

describe('autoreplyDecision: RFC 3834 says when to answer', () => {
  it.each<{ behaviour: string; sender?: string; headers?: Partial<OriginalHeaders> }>([
    { behaviour: 'answers a personal message addressed to the mailbox in To' },
    { behaviour: 'answers a message that has the mailbox in Cc', headers: { recipients: ['boss@remote.test', 'alice@example.test'] } },
    { behaviour: 'answers a message addressed to one of its extra addresses', headers: { recipients: ['a.smith@example.test'] } },
    { behaviour: 'compares addresses without regard to case', sender: 'Bob@Remote.TEST', headers: { recipients: ['ALICE@example.test'] } },
    { behaviour: 'answers when Auto-Submitted says "no"', headers: { autoSubmitted: 'no' } },
    { behaviour: 'answers when Auto-Submitted says "No" with a comment', headers: { autoSubmitted: ' No ; (typed by a person)' } },
    { behaviour: 'answers a Precedence it does not know', headers: { precedence: 'first-class' } },
    { behaviour: 'answers when X-Auto-Response-Suppress names other kinds only', headers: { autoResponseSuppress: 'DR, RN, NRN' } },
  ])('$behaviour', ({ sender = 'bob@remote.test', headers }) => {
    expect(autoreplyDecision({ sender, headers: plain(headers), ownAddresses: OWN })).toEqual({ reply: true });
  });

  it.each<{ behaviour: string; sender?: string; headers?: Partial<OriginalHeaders>; reason: SkipReason }>([
    { behaviour: 'never answers the null sender of a bounce', sender: '', reason: 'NULL_SENDER' },
    { behaviour: 'never answers the null sender written as <>', sender: '<>', reason: 'NULL_SENDER' },
    { behaviour: 'never answers a sender that is not an address it could write to', sender: 'not an address', reason: 'INVALID_SENDER' },
    { behaviour: 'never answers MAILER-DAEMON', sender: 'MAILER-DAEMON@remote.test', reason: 'SYSTEM_SENDER' },
    { behaviour: 'never answers a list owner (owner-*)', sender: 'owner-staff@lists.test', reason: 'SYSTEM_SENDER' },
    { behaviour: 'never answers a list robot (*-request)', sender: 'staff-request@lists.test', reason: 'SYSTEM_SENDER' },
    { behaviour: 'never answers a no-reply address', sender: 'noreply@shop.test', reason: 'SYSTEM_SENDER' },
    { behaviour: 'never answers itself', sender: 'alice@example.test', reason: 'OWN_ADDRESS' },
    { behaviour: 'never answers one of its own extra addresses', sender: 'A.Smith@example.test', reason: 'OWN_ADDRESS' },
    { behaviour: 'never answers Auto-Submitted: auto-generated', headers: { autoSubmitted: 'auto-generated' }, reason: 'AUTO_SUBMITTED' },
    { behaviour: 'never answers another autoreply', headers: { autoSubmitted: 'auto-replied' }, reason: 'AUTO_SUBMITTED' },
    { behaviour: 'never answers Auto-Submitted with a value it does not know', headers: { autoSubmitted: 'auto-notified; owner-email="x@y.test"' }, reason: 'AUTO_SUBMITTED' },
    { behaviour: 'never answers Precedence: bulk', headers: { precedence: 'bulk' }, reason: 'BULK' },
    { behaviour: 'never answers Precedence: list', headers: { precedence: 'List' }, reason: 'BULK' },
    { behaviour: 'never answers Precedence: junk', headers: { precedence: ' junk ' }, reason: 'BULK' },
    { behaviour: 'never answers a mailing list (List-Id)', headers: { listHeaders: ['id'] }, reason: 'MAILING_LIST' },
    { behaviour: 'never answers a newsletter (List-Unsubscribe)', headers: { listHeaders: ['unsubscribe'] }, reason: 'MAILING_LIST' },
    { behaviour: 'never answers when the sender asks for no out-of-office replies', headers: { autoResponseSuppress: 'OOF' }, reason: 'SUPPRESSED' },
    { behaviour: 'never answers when the sender suppresses all replies', headers: { autoResponseSuppress: 'All' }, reason: 'SUPPRESSED' },
    { behaviour: "never answers mail that does not name the mailbox in To or Cc (Bcc'd)", headers: { recipients: ['someone@else.test'] }, reason: 'NOT_ADDRESSED' },
    { behaviour: 'never answers a message with no To or Cc at all', headers: { recipients: [] }, reason: 'NOT_ADDRESSED' },
  ])('$behaviour', ({ sender = 'bob@remote.test', headers, reason }) => {
    expect(autoreplyDecision({ sender, headers: plain(headers), ownAddresses: OWN })).toEqual({ reply: false, reason });
  });

  it('checks the sender before the headers: a bounce from a list is refused as a null sender', () => {
    const decision = autoreplyDecision({ sender: '', headers: plain({ listHeaders: ['id'] }), ownAddresses: OWN });
    expect(decision).toEqual({ reply: false, reason: 'NULL_SENDER' });
  });
});

describe('the small RFC 3834 predicates', () => {
  it.each([
    ['', true],
    ['  ', true],
    ['<>', true],
    ['bob@remote.test', false],
  ])('isNullSender(%j) is %s', (sender, expected) => expect(isNullSender(sender)).toBe(expected));

  it.each([
    ['mailer-daemon@x.test', true],
    ['listserv@x.test', true],
    ['majordomo@x.test', true],
    ['staff-owner@x.test', true],
    ['do-not-reply@x.test', true],
    ['owner@x.test', false],
    ['requests@x.test', false],
    ['bob@x.test', false],
  ])('isSystemSender(%j) is %s', (sender, expected) => expect(isSystemSender(sender)).toBe(expected));

  it.each([
    [null, false],
    ['no', false],
    ['NO', false],
    ['', false],
    ['auto-generated', true],
    ['auto-replied', true],
    ['yes', true],
  ])('isAutoSubmitted(%j) is %s', (value, expected) => expect(isAutoSubmitted(value)).toBe(expected));
});
