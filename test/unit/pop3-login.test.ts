import { describe, expect, it } from 'vitest';
import { capabilities, decodeSaslPlain, isLoopbackClient, userPassAllowed, type ConnectionFacts } from '../../src/domain/pop3-login.js';

const facts = (overrides: Partial<ConnectionFacts>): ConnectionFacts => ({
  secure: false,
  tlsAvailable: true,
  clientAddress: '192.0.2.7',
  loopbackPlaintext: true,
  ...overrides,
});
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('loopback clients', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['192.0.2.7', false],
    ['::ffff:192.0.2.7', false],
    ['2001:db8::1', false],
    ['', false],
  ])('%j is loopback: %s', (address, expected) => {
    expect(isLoopbackClient(address)).toBe(expected);
  });
});

describe('what CAPA offers in the AUTHORIZATION state', () => {
  it.each([
    ['a remote client before STLS', facts({}), ['STLS'], ['USER', 'SASL PLAIN']],
    ['a remote client after STLS', facts({ secure: true }), ['USER', 'SASL PLAIN'], ['STLS']],
    ['a loopback client before STLS', facts({ clientAddress: '127.0.0.1' }), ['USER', 'STLS'], ['SASL PLAIN']],
    ['a loopback client when loopback logins are off', facts({ clientAddress: '127.0.0.1', loopbackPlaintext: false }), ['STLS'], ['USER']],
    ['a remote client without a certificate on the server', facts({ tlsAvailable: false }), [], ['STLS', 'USER', 'SASL PLAIN']],
  ])('to %s', (_name, connection, offered, notOffered) => {
    const lines = capabilities(connection, 'authorization');
    expect(lines).toEqual(expect.arrayContaining(['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', ...offered]));
    for (const line of notOffered) expect(lines).not.toContain(line);
    expect(lines.includes('USER')).toBe(userPassAllowed(connection));
  });

  it('offers no login commands once logged in', () => {
    const lines = capabilities(facts({ secure: true }), 'transaction');
    expect(lines).not.toContain('USER');
    expect(lines.some((line) => line.startsWith('SASL') || line === 'STLS')).toBe(false);
  });
});

describe('AUTH PLAIN credentials (RFC 4616)', () => {
  it.each([
    ['\0alice@example.test\0secret-pass1', { ok: true, username: 'alice@example.test', password: 'secret-pass1' }],
    ['popbox\0popbox\0pw with spaces', { ok: true, username: 'popbox', password: 'pw with spaces' }],
    ['POPBOX\0popbox\0pw', { ok: true, username: 'popbox', password: 'pw' }],
    ['other\0popbox\0pw', { ok: false, reason: 'PROXY_LOGIN' }],
    ['\0popbox', { ok: false, reason: 'MALFORMED' }],
    ['\0\0pw', { ok: false, reason: 'MALFORMED' }],
    ['\0popbox\0', { ok: false, reason: 'MALFORMED' }],
    ['a\0b\0c\0d', { ok: false, reason: 'MALFORMED' }],
  ])('%j', (text, expected) => {
    expect(decodeSaslPlain(b64(text))).toEqual(expected);
  });

  it.each(['', 'not base64!', 'abc'])('refuses %j as malformed', (text) => {
    expect(decodeSaslPlain(text)).toEqual({ ok: false, reason: 'MALFORMED' });
  });
});
