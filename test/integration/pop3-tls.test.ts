import { once } from 'node:events';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/factories.js';
import { RawPop3Client, startPop3Fixture, type Pop3Fixture, type Pop3Overrides } from '../helpers/pop3.js';

let fixture: Pop3Fixture | null = null;
const open: RawPop3Client[] = [];

afterEach(async () => {
  for (const client of open.splice(0)) client.socket.destroy();
  await fixture?.close();
  fixture = null;
});

async function start(overrides: Pop3Overrides = {}) {
  fixture = await startPop3Fixture(overrides);
  return fixture;
}

async function connect(): Promise<RawPop3Client> {
  const client = await fixture!.connect();
  open.push(client);
  return client;
}

const capa = async (client: RawPop3Client) => (await client.multiLine('CAPA')).lines;
const plain = (...parts: string[]) => Buffer.from(parts.join('\u0000')).toString('base64');

describe('CAPA and STLS', () => {
  it('offers STLS and USER (but no SASL) to a loopback client before STLS, and SASL PLAIN after', async () => {
    await start();
    const client = await connect();
    const before = await capa(client);
    expect(before).toEqual(expect.arrayContaining(['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'USER', 'STLS']));
    expect(before.some((line) => line.startsWith('SASL'))).toBe(false);
    expect(await client.startTls()).toBe('+OK Begin TLS negotiation');
    const after = await capa(client);
    expect(after).toEqual(expect.arrayContaining(['TOP', 'UIDL', 'USER', 'SASL PLAIN']));
    expect(after).not.toContain('STLS');
    expect(await client.command('STLS')).toBe('-ERR Command not permitted when TLS active');
    expect(await client.login('alice@example.test', PASSWORD)).toMatch(/^\+OK Logged in/);
    expect(await capa(client)).not.toContain('USER');
  });

  it('offers no plain-text login at all to a remote client before STLS, and refuses one', async () => {
    await start({ loopbackPlaintext: false });
    const client = await connect();
    const before = await capa(client);
    expect(before).toContain('STLS');
    expect(before).not.toContain('USER');
    expect(before.some((line) => line.startsWith('SASL'))).toBe(false);
    const refusal = '-ERR [AUTH] Plain-text login is refused on an unencrypted connection: send STLS first';
    expect(await client.command('USER alice@example.test')).toBe(refusal);
    expect(await client.command(`PASS ${PASSWORD}`)).toBe(refusal);
    expect(await client.command(`AUTH PLAIN ${plain('', 'alice@example.test', PASSWORD)}`)).toBe(refusal);
    await client.startTls();
    expect(await capa(client)).toEqual(expect.arrayContaining(['USER', 'SASL PLAIN']));
    expect(await client.login('alice@example.test', PASSWORD)).toMatch(/^\+OK Logged in/);
  });

  it('discards commands sent after STLS before the handshake (no plain-text injection)', async () => {
    await start();
    const client = await connect();
    client.write('STLS\r\nUSER alice@example.test\r\n');
    expect(await client.readLine()).toBe('+OK Begin TLS negotiation');
    client.socket.removeAllListeners('data');
    const secured = connectTls({ socket: client.socket, rejectUnauthorized: false });
    await once(secured, 'secureConnect');
    secured.setEncoding('latin1');
    let received = '';
    secured.on('data', (chunk: string) => (received += chunk));
    secured.write(`PASS ${PASSWORD}\r\n`);
    while (!received.includes('\r\n')) await once(secured, 'data');
    expect(received).toBe('-ERR Send USER first\r\n');
    secured.destroy();
  });

  it('answers STLS with -ERR and still lets loopback clients log in when no certificate is configured', async () => {
    await start({ tls: null });
    const client = await connect();
    const lines = await capa(client);
    expect(lines).not.toContain('STLS');
    expect(lines).toContain('USER');
    expect(await client.command('STLS')).toBe('-ERR STLS is not available on this server');
    expect(await client.login('popbox', PASSWORD)).toMatch(/^\+OK Logged in/);
  });
});

describe('a stalled handshake', () => {
  it('is closed by the idle timer', async () => {
    await start({ idleTimeoutMs: 300 });
    const client = await connect();
    expect(await client.command('STLS')).toBe('+OK Begin TLS negotiation');
    await client.closed;
  });
});

describe('AUTH PLAIN', () => {
  it('is refused before STLS, even from loopback', async () => {
    await start();
    const client = await connect();
    expect(await client.command(`AUTH PLAIN ${plain('', 'popbox', PASSWORD)}`)).toMatch(/^-ERR \[AUTH\] Plain-text login is refused/);
    expect(await client.multiLine('AUTH')).toEqual({ status: '+OK Supported mechanisms follow', lines: [], raw: '.\r\n' });
  });

  it('logs in with an initial response after STLS', async () => {
    await start();
    const client = await connect();
    await client.startTls();
    expect((await client.multiLine('AUTH')).lines).toEqual(['PLAIN']);
    expect(await client.command(`AUTH PLAIN ${plain('', 'alice@example.test', PASSWORD)}`)).toMatch(/^\+OK Logged in/);
  });

  it('logs in with a continuation line, and accepts an authorization identity equal to the user', async () => {
    await start();
    const client = await connect();
    await client.startTls();
    expect(await client.command('AUTH PLAIN')).toBe('+ ');
    expect(await client.command(plain('popbox', 'popbox', PASSWORD))).toMatch(/^\+OK Logged in/);
  });

  it('refuses a wrong password, a cancelled exchange, malformed credentials and logging in as someone else', async () => {
    await start();
    const client = await connect();
    await client.startTls();
    expect(await client.command(`AUTH PLAIN ${plain('', 'popbox', 'wrong-password')}`)).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.command('AUTH PLAIN')).toBe('+ ');
    expect(await client.command('*')).toBe('-ERR Authentication cancelled');
    expect(await client.command('AUTH PLAIN !!!notbase64')).toBe('-ERR [AUTH] Malformed credentials');
    expect(await client.command(`AUTH PLAIN ${plain('alice@example.test', 'popbox', PASSWORD)}`)).toBe('-ERR [AUTH] Logging in as another user is not supported');
    expect(await client.command('AUTH CRAM-MD5')).toBe('-ERR Unsupported authentication mechanism');
    expect(await client.command(`AUTH PLAIN ${plain('', 'popbox', PASSWORD)}`)).toMatch(/^\+OK Logged in/);
  });
});

describe('implicit TLS (POP3S)', () => {
  it('speaks TLS from the first byte and offers SASL PLAIN and USER without STLS', async () => {
    const started = await start({ implicitTls: true });
    const socket = connectTls({ host: '127.0.0.1', port: started.pop3Port, rejectUnauthorized: false });
    await once(socket, 'secureConnect');
    socket.setEncoding('latin1');
    let received = '';
    socket.on('data', (chunk: string) => (received += chunk));
    const waitFor = async (text: string) => {
      while (!received.includes(text)) await once(socket, 'data');
    };
    await waitFor('\r\n');
    expect(received).toBe('+OK Postyard POP3 server ready\r\n');
    socket.write('CAPA\r\n');
    await waitFor('\r\n.\r\n');
    expect(received).toContain('SASL PLAIN\r\n');
    expect(received).not.toContain('STLS');
    socket.write(`AUTH PLAIN ${plain('', 'popbox', PASSWORD)}\r\n`);
    await waitFor('Logged in');
    socket.destroy();
  });
});
