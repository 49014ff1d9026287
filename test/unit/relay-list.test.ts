import { describe, expect, it } from 'vitest';
import { isRelayAllowed, normalizeCidr } from '../../src/domain/relay-list.js';

describe('normalizeCidr', () => {
  it.each([
    { behaviour: 'turns a single IPv4 host into a /32', text: '192.0.2.7', cidr: '192.0.2.7/32' },
    { behaviour: 'keeps an IPv4 network already on its boundary', text: '192.0.2.0/24', cidr: '192.0.2.0/24' },
    { behaviour: 'moves an IPv4 host address with a prefix to its network address', text: '192.0.2.77/24', cidr: '192.0.2.0/24' },
    { behaviour: 'clears host bits that are not on a byte boundary', text: '10.1.2.3/12', cidr: '10.0.0.0/12' },
    { behaviour: 'accepts /0 as every IPv4 address', text: '203.0.113.9/0', cidr: '0.0.0.0/0' },
    { behaviour: 'trims surrounding spaces', text: '  192.0.2.7  ', cidr: '192.0.2.7/32' },
    { behaviour: 'turns a single IPv6 host into a /128, lower-cased and compressed', text: '2001:DB8:0:0::1', cidr: '2001:db8::1/128' },
    { behaviour: 'moves an IPv6 address with a prefix to its network address', text: '2001:db8:1:2::5/32', cidr: '2001:db8::/32' },
    { behaviour: 'keeps an IPv6 network on a non-byte boundary', text: '2001:db8:ffff::/36', cidr: '2001:db8:f000::/36' },
    { behaviour: 'turns an IPv4-mapped IPv6 host into its IPv4 /32', text: '::ffff:192.0.2.7', cidr: '192.0.2.7/32' },
  ])('$behaviour', ({ text, cidr }) => {
    expect(normalizeCidr(text)).toBe(cidr);
  });

  it.each([
    { what: 'words', text: 'my office' },
    { what: 'an empty string', text: '' },
    { what: 'an octet over 255', text: '192.0.2.256' },
    { what: 'an IPv4 prefix over 32', text: '192.0.2.0/33' },
    { what: 'an IPv6 prefix over 128', text: '2001:db8::/129' },
    { what: 'a missing prefix after the slash', text: '192.0.2.0/' },
    { what: 'a host name', text: 'mail.example.com' },
    { what: 'a negative prefix', text: '192.0.2.0/-1' },
  ])('refuses $what', ({ text }) => {
    expect(normalizeCidr(text)).toBeNull();
  });

  // Guards a fixed bug: ipaddr.js reads the legacy inet_aton forms (octal, short, one big number), so "010.0.0.0/8"
  // was allowed as 8.0.0.0/8. On a relay allow list that opens the relay to strangers; only four-part decimal counts.
  it.each([
    { text: '010.0.0.1', became: '8.0.0.1/32' },
    { text: '010.0.0.0/8', became: '8.0.0.0/8' },
    { text: '10/8', became: '0.0.0.0/8' },
    { text: '192.168.1', became: '192.168.0.1/32' },
    { text: '3232235777', became: '192.168.1.1/32' },
  ])('refuses the legacy IPv4 form "$text" instead of reading it as $became', ({ text }) => {
    expect(normalizeCidr(text)).toBeNull();
  });
});

describe('isRelayAllowed', () => {
  const allowed = ['192.0.2.0/24', '198.51.100.7/32', '2001:db8::/32'];

  it.each([
    { behaviour: 'allows a client inside an IPv4 range', client: '192.0.2.200', result: true },
    { behaviour: 'allows a single allowed IPv4 host', client: '198.51.100.7', result: true },
    { behaviour: 'refuses the neighbour of a single allowed host', client: '198.51.100.8', result: false },
    { behaviour: 'refuses a client just outside an IPv4 range', client: '192.0.3.1', result: false },
    { behaviour: 'allows an IPv4-mapped IPv6 client inside an IPv4 range', client: '::ffff:192.0.2.200', result: true },
    { behaviour: 'refuses an IPv4-mapped IPv6 client outside every range', client: '::ffff:203.0.113.1', result: false },
    { behaviour: 'allows a client inside an IPv6 range', client: '2001:db8:abcd::1', result: true },
    { behaviour: 'refuses a client outside the IPv6 range', client: '2001:db9::1', result: false },
    { behaviour: 'does not allow loopback unless it is listed', client: '127.0.0.1', result: false },
    { behaviour: 'does not allow IPv6 loopback unless it is listed', client: '::1', result: false },
    { behaviour: 'refuses a client address that is not an address', client: 'unknown', result: false },
    { behaviour: 'refuses an empty client address', client: '', result: false },
  ])('$behaviour', ({ client, result }) => {
    expect(isRelayAllowed(client, allowed)).toBe(result);
  });

  it.each(['127.0.0.1', '::1', '192.0.2.1', '2001:db8::1'])('allows nobody, not even %s, when the list is empty', (client) => {
    expect(isRelayAllowed(client, [])).toBe(false);
  });

  it('allows loopback once it is listed', () => {
    expect(isRelayAllowed('127.0.0.1', ['127.0.0.0/8'])).toBe(true);
  });

  it('never matches an IPv4 client against an IPv6 range of the same bits', () => {
    expect(isRelayAllowed('0.0.0.1', ['::/96'])).toBe(false);
  });

  it('accepts the entries that normalizeCidr writes', () => {
    const list = ['192.0.2.77/24', '2001:DB8::1'].map((entry) => normalizeCidr(entry)!);
    expect(isRelayAllowed('192.0.2.1', list)).toBe(true);
    expect(isRelayAllowed('2001:db8::1', list)).toBe(true);
    expect(isRelayAllowed('2001:db8::2', list)).toBe(false);
  });
});
