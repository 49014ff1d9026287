import ipaddr from 'ipaddr.js';

/**
 * Who may log in how (RFC 2595 section 2.1, RFC 8314 section 3): a password travels in clear with USER/PASS and with
 * AUTH PLAIN, so both wait for TLS. USER/PASS is also accepted from a loopback client, for local testing and tools on
 * the server itself; AUTH PLAIN is offered only over TLS.
 */
export interface ConnectionFacts {
  /** The connection is TLS (after STLS, or on an implicit-TLS port). */
  secure: boolean;
  /** The listener has a certificate, so STLS can be offered. */
  tlsAvailable: boolean;
  clientAddress: string;
  /** Accept USER/PASS in clear from loopback clients. */
  loopbackPlaintext: boolean;
}

/** Whether an address is the machine itself (127.0.0.0/8, ::1, or IPv4-mapped 127.x). */
export function isLoopbackClient(address: string): boolean {
  try {
    return ipaddr.process(address).range() === 'loopback';
  } catch {
    return false;
  }
}

export function userPassAllowed(facts: ConnectionFacts): boolean {
  return facts.secure || (facts.loopbackPlaintext && isLoopbackClient(facts.clientAddress));
}

export function saslMechanisms(facts: ConnectionFacts): string[] {
  return facts.secure ? ['PLAIN'] : [];
}

export function stlsAllowed(facts: ConnectionFacts): boolean {
  return facts.tlsAvailable && !facts.secure;
}

/**
 * The CAPA response lines (RFC 2449 section 5) in the AUTHORIZATION state: what is offered is exactly what the
 * connection would accept, so a client that reads CAPA never tries a login that will be refused.
 */
export function capabilities(facts: ConnectionFacts, state: 'authorization' | 'transaction'): string[] {
  const lines = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'IMPLEMENTATION Postyard'];
  if (state === 'authorization') {
    if (userPassAllowed(facts)) lines.push('USER');
    const mechanisms = saslMechanisms(facts);
    if (mechanisms.length > 0) lines.push(`SASL ${mechanisms.join(' ')}`);
    if (stlsAllowed(facts)) lines.push('STLS');
  }
  return lines;
}

export type SaslPlainResult = { ok: true; username: string; password: string } | { ok: false; reason: 'MALFORMED' | 'PROXY_LOGIN' };

/**
 * RFC 4616: base64 of "[authzid] NUL authcid NUL passwd". Logging in as someone else (an authzid other than the
 * authcid) is not offered.
 */
export function decodeSaslPlain(base64: string): SaslPlainResult {
  const text = base64.trim();
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return { ok: false, reason: 'MALFORMED' };
  const parts = Buffer.from(text, 'base64').toString('utf8').split('\u0000');
  if (parts.length !== 3) return { ok: false, reason: 'MALFORMED' };
  const [authzid = '', username = '', password = ''] = parts;
  if (username === '' || password === '') return { ok: false, reason: 'MALFORMED' };
  if (authzid !== '' && authzid.toLowerCase() !== username.toLowerCase()) return { ok: false, reason: 'PROXY_LOGIN' };
  return { ok: true, username, password };
}
