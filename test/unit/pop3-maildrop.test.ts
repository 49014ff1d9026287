import { describe, expect, it } from 'vitest';
import { Pop3Maildrop } from '../../src/domain/pop3-maildrop.js';

const drop = () =>
  new Pop3Maildrop([
    { uid: 'a', size: 100 },
    { uid: 'b', size: 20 },
    { uid: 'c', size: 3 },
  ]);

describe('a POP3 maildrop', () => {
  it('numbers messages from 1 and reports their count and total size', () => {
    const maildrop = drop();
    expect(maildrop.stat()).toEqual({ count: 3, octets: 123 });
    expect(maildrop.get(2)).toEqual({ ok: true, number: 2, message: { uid: 'b', size: 20 } });
  });

  it.each([0, 4, -1])('has no message %i', (number) => {
    expect(drop().get(number)).toEqual({ ok: false, reason: 'NO_SUCH_MESSAGE', number });
  });

  it('hides a deleted message from STAT, the listing and every lookup, keeping the other numbers', () => {
    const maildrop = drop();
    expect(maildrop.delete(2).ok).toBe(true);
    expect(maildrop.stat()).toEqual({ count: 2, octets: 103 });
    expect(maildrop.listing().map((each) => each.number)).toEqual([1, 3]);
    expect(maildrop.get(2)).toEqual({ ok: false, reason: 'DELETED', number: 2 });
    expect(maildrop.delete(2)).toEqual({ ok: false, reason: 'DELETED', number: 2 });
  });

  it('marks for removal only what DELE marked, in order, and RSET clears every mark', () => {
    const maildrop = drop();
    maildrop.delete(3);
    maildrop.delete(1);
    expect(maildrop.markedForDeletion().map((each) => each.uid)).toEqual(['a', 'c']);
    maildrop.reset();
    expect(maildrop.markedForDeletion()).toEqual([]);
    expect(maildrop.stat()).toEqual({ count: 3, octets: 123 });
  });
});
