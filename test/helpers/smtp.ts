import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import type { SMTPServer } from 'smtp-server';
import { openRuntime } from '../../src/runtime.js';
import { createSmtpListener } from '../../src/smtp/listener.js';
import { loadTlsCertificate, type TlsKeyPair } from '../../src/tls/certificate.js';
import { PASSWORD } from './factories.js';
import { createTestRuntime, TEST_HOSTNAME } from './runtime.js';

export type TestRuntime = ReturnType<typeof createTestRuntime>;

/** How long any single wait on the network may take before the test fails with what was seen so far. */
const WAIT_LIMIT_MS = 10_000;

export interface IncomingListener {
  server: SMTPServer;
  port: number;
  /** Resolves when every connection the listener accepted so far has closed on the server side. */
  connectionsClosed(): Promise<void>;
  close(): Promise<void>;
}

export interface ListenerLimits {
  maxMessageSize?: number;
  maxRecipients?: number;
  /** A certificate to offer STARTTLS with; without one the incoming listener is plain text. */
  tls?: TlsKeyPair;
}

/** The real incoming (port 25) listener over the runtime's services, listening on a free port at 127.0.0.1. */
export async function startIncomingListener(runtime: TestRuntime, limits: ListenerLimits = {}): Promise<IncomingListener> {
  const server = createSmtpListener({
    mode: 'incoming',
    hostname: TEST_HOSTNAME,
    maxMessageSize: limits.maxMessageSize ?? 1024 * 1024,
    maxRecipients: limits.maxRecipients ?? 100,
    delivery: runtime.services.delivery,
    tls: limits.tls ?? null,
    log: pino({ level: 'silent' }),
  });
  return listenOnFreePort(server);
}

/** Listens on a free port at 127.0.0.1; close() destroys open sessions first, since a test has nothing to wait for. */
async function listenOnFreePort(server: SMTPServer): Promise<IncomingListener> {
  const sockets = new Set<Socket>();
  const closings: Promise<unknown>[] = [];
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    closings.push(once(socket, 'close').finally(() => sockets.delete(socket)));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    server,
    port,
    connectionsClosed: async () => {
      await Promise.all(closings);
    },
    close: async () => {
      // smtp-server waits up to 30 s for open sessions before it closes; a test has nothing left to wait for.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fresh runtime and a listener over it; close() stops the listener and deletes the data folder. */
export async function startSmtpFixture(limits: ListenerLimits = {}) {
  const runtime = createTestRuntime();
  let listener: IncomingListener;
  try {
    listener = await startIncomingListener(runtime, limits);
  } catch (error) {
    runtime.dispose();
    throw error;
  }
  return {
    runtime,
    services: runtime.services,
    dataDir: runtime.dataDir,
    listener,
    port: listener.port,
    connect: () => RawSmtpClient.connect(listener.port),
    async close() {
      try {
        await listener.close();
      } finally {
        runtime.dispose();
      }
    },
  };
}

export type SmtpFixture = Awaited<ReturnType<typeof startSmtpFixture>>;

let testTls: Promise<TlsKeyPair> | null = null;

/** One self-signed certificate per test file, made by the production code in a folder removed right after. */
export function testTlsKeyPair(): Promise<TlsKeyPair> {
  testTls ??= (async () => {
    const folder = mkdtempSync(join(tmpdir(), 'postyard-tls-'));
    try {
      const { key, cert } = await loadTlsCertificate({ dataDir: folder, hostname: TEST_HOSTNAME });
      return { key, cert };
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  })();
  return testTls;
}

export interface SubmissionLimits {
  maxMessageSize?: number;
  /** POSTYARD_SEND_MAX_RECIPIENTS; 50 as by default. */
  maxRecipients?: number;
  /** POSTYARD_SEND_MAX_PER_HOUR; 500 as by default. */
  maxPerHour?: number;
}

/** The real submission (port 587) listener over the runtime's services, with the test certificate, on a free port. */
export async function startSubmissionListener(runtime: Pick<TestRuntime, 'services'>, limits: SubmissionLimits = {}): Promise<IncomingListener> {
  const server = createSmtpListener({
    mode: 'submission',
    hostname: TEST_HOSTNAME,
    maxMessageSize: limits.maxMessageSize ?? 1024 * 1024,
    maxRecipients: limits.maxRecipients ?? 50,
    maxPerHour: limits.maxPerHour ?? 500,
    sending: runtime.services.sending,
    tls: await testTlsKeyPair(),
    log: pino({ level: 'silent' }),
  });
  return listenOnFreePort(server);
}

/**
 * A fresh runtime and a submission listener over it. restart() stops the listener, closes the database and opens both
 * again on the same data folder, as a restart of the server would; close() stops everything and deletes the folder.
 */
export async function startSubmissionFixture(limits: SubmissionLimits = {}) {
  let runtime: TestRuntime = createTestRuntime();
  const { dataDir } = runtime;
  let listener: IncomingListener;
  try {
    listener = await startSubmissionListener(runtime, limits);
  } catch (error) {
    runtime.dispose();
    throw error;
  }
  return {
    dataDir,
    get runtime() {
      return runtime;
    },
    get services() {
      return runtime.services;
    },
    get port() {
      return listener.port;
    },
    connect: () => RawSmtpClient.connect(listener.port),
    /** A raw client that did EHLO, STARTTLS, EHLO again and AUTH PLAIN, which must have been accepted. */
    async login(username: string, password = PASSWORD) {
      const client = await RawSmtpClient.connect(listener.port);
      await client.expect('EHLO laptop.client.test', 250);
      await client.startTls();
      await client.expect('EHLO laptop.client.test', 250);
      await client.expect(`AUTH PLAIN ${authPlain(username, password)}`, 235);
      return client;
    },
    transport: (username: string, password = PASSWORD) => submissionTransport(listener.port, username, password),
    async restart() {
      await listener.close();
      runtime.close();
      const reopened = openRuntime({ dataDir, hostname: TEST_HOSTNAME });
      runtime = {
        ...reopened,
        dispose() {
          reopened.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
      listener = await startSubmissionListener(runtime, limits);
    },
    async close() {
      try {
        await listener.close();
      } finally {
        runtime.dispose();
      }
    },
  };
}

export type SubmissionFixture = Awaited<ReturnType<typeof startSubmissionFixture>>;

/** The AUTH PLAIN initial response of RFC 4616: NUL, user name, NUL, password, base64. */
export function authPlain(username: string, password: string): string {
  return Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
}

/**
 * nodemailer as a mail client set up as seed 000 says: port 587 (here a free port), STARTTLS required, authentication
 * with the user name (a virtual account's full address). The test certificate is self-signed, so it is not verified.
 */
export function submissionTransport(port: number, user: string, pass: string, method?: 'PLAIN' | 'LOGIN') {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user, pass },
    ...(method ? { authMethod: method } : {}),
    name: 'laptop.client.test',
    connectionTimeout: WAIT_LIMIT_MS,
    greetingTimeout: WAIT_LIMIT_MS,
    socketTimeout: WAIT_LIMIT_MS,
  });
}

export interface SmtpReply {
  code: number;
  /** Every line of the reply without its code and separator, joined by "\n". */
  text: string;
  /** The reply as the server sent it, lines joined by "\n". */
  raw: string;
}

/**
 * A deliberately small SMTP client over a raw socket: it sends exactly the bytes it is given, so tests can check exact
 * reply codes and feed the server malformed input, bare LF line ends and partial messages.
 */
export class RawSmtpClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private ended = false;
  private current: Socket;
  readonly closed: Promise<void>;

  private markClosed: () => void = () => undefined;

  private constructor(socket: Socket) {
    this.current = socket;
    this.closed = new Promise((resolve) => {
      this.markClosed = () => {
        this.ended = true;
        this.wake();
        resolve();
      };
    });
    this.listen(socket);
  }

  /** The socket commands go out on: the plain one, or the TLS one after startTls(). */
  get socket(): Socket {
    return this.current;
  }

  private readonly onData = (chunk: string) => {
    this.buffer += chunk;
    this.wake();
  };

  private listen(socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', this.onData);
    socket.on('error', () => undefined); // a reset after the server hangs up is expected in some tests
    socket.once('close', () => this.markClosed());
  }

  /**
   * STARTTLS (RFC 3207), which must be answered 220, then the TLS handshake over the same connection, accepting the
   * test's self-signed certificate. Returns the server's certificate.
   */
  async startTls(): Promise<ReturnType<TLSSocket['getPeerCertificate']>> {
    await this.expect('STARTTLS', 220);
    this.current.off('data', this.onData);
    const secure = tlsConnect({ socket: this.current, rejectUnauthorized: false, servername: TEST_HOSTNAME });
    await Promise.race([
      once(secure, 'secureConnect'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no TLS handshake within the wait limit')), WAIT_LIMIT_MS)),
    ]);
    this.current = secure;
    this.listen(secure);
    return secure.getPeerCertificate();
  }

  /** Connects and reads the greeting, which must be 220. */
  static async connect(port: number): Promise<RawSmtpClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const client = new RawSmtpClient(socket);
    const greeting = await client.readReply();
    if (greeting.code !== 220) throw new Error(`expected a 220 greeting, got ${greeting.raw}`);
    return client;
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Writes bytes exactly as given. */
  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends one command line with CRLF and reads its reply. */
  async command(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.readReply();
  }

  /** Reads the next complete reply (all its continuation lines), waiting on socket data; fails if the socket closes. */
  async readReply(): Promise<SmtpReply> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const reply = this.takeReply();
      if (reply) return reply;
      if (this.ended) throw new Error(`the connection closed before a complete reply; unread: ${JSON.stringify(this.buffer)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no complete reply within ${WAIT_LIMIT_MS} ms; unread: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private takeReply(): SmtpReply | null {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n', offset);
      if (end < 0) return null;
      const line = this.buffer.slice(offset, end).replace(/\r$/, '');
      offset = end + 1;
      lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        this.buffer = this.buffer.slice(offset);
        const code = Number(line.slice(0, 3));
        return { code, text: lines.map((each) => each.slice(4)).join('\n'), raw: lines.join('\n') };
      }
    }
  }

  /** Replies that are already complete and unread, without waiting. */
  pendingReplies(): SmtpReply[] {
    const replies: SmtpReply[] = [];
    for (let reply = this.takeReply(); reply; reply = this.takeReply()) replies.push(reply);
    return replies;
  }

  /** EHLO, MAIL FROM and each RCPT TO; returns the RCPT replies in order. */
  async envelope(from: string, recipients: readonly string[], helo = 'client.remote.test'): Promise<SmtpReply[]> {
    await this.expect(`EHLO ${helo}`, 250);
    await this.expect(`MAIL FROM:<${from}>`, 250);
    const replies: SmtpReply[] = [];
    for (const recipient of recipients) replies.push(await this.command(`RCPT TO:<${recipient}>`));
    return replies;
  }

  /** Sends a command and fails with the reply when its code is not the expected one. */
  async expect(line: string, code: number): Promise<SmtpReply> {
    const reply = await this.command(line);
    if (reply.code !== code) throw new Error(`"${line}" got ${reply.raw}, expected ${code}`);
    return reply;
  }

  /** DATA, then the message (CRLF line ends, dot-stuffed here), then the terminator; returns the final reply. */
  async data(message: string): Promise<SmtpReply> {
    await this.expect('DATA', 354);
    this.write(`${dotStuff(toCrlf(message))}\r\n.\r\n`);
    return this.readReply();
  }

  async quit(): Promise<void> {
    if (this.ended) return;
    this.write('QUIT\r\n');
    await this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n').replace(/\r\n$/, '');
}

/** RFC 5321 4.5.2: a line that starts with a dot gets one more. */
export function dotStuff(text: string): string {
  return text.replace(/(^|\r\n)\./g, '$1..');
}

/** One complete SMTP session on a new connection: envelope, message, QUIT. Returns the final DATA reply. */
export async function sendRaw(port: number, from: string, recipients: readonly string[], message: string): Promise<SmtpReply> {
  const client = await RawSmtpClient.connect(port);
  try {
    const replies = await client.envelope(from, recipients);
    const refused = replies.find((reply) => reply.code !== 250);
    if (refused) throw new Error(`a recipient was refused: ${refused.raw}`);
    const reply = await client.data(message);
    await client.quit();
    return reply;
  } finally {
    client.destroy();
  }
}

/** A plain test message of roughly `bodyBytes` bytes of body. */
export function testMessage({ subject = 'Test message', body = 'Hello from the tests.', bodyBytes = 0 } = {}): string {
  const filler = bodyBytes > 0 ? `\n${'x'.repeat(Math.max(0, bodyBytes - 1))}` : '';
  return `From: sender@remote.test\nTo: someone@example.test\nSubject: ${subject}\n\n${body}${filler}\n`;
}

/** nodemailer's SMTP transport towards the listener, plain text, no STARTTLS (the incoming listener offers none unless given a certificate). */
export function nodemailerTransport(port: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    name: 'client.remote.test',
    connectionTimeout: WAIT_LIMIT_MS,
    greetingTimeout: WAIT_LIMIT_MS,
    socketTimeout: WAIT_LIMIT_MS,
  });
}

export interface MaildirFile {
  name: string;
  path: string;
  content: Buffer;
  text: string;
  size: number;
  mode: number;
}

/** The files in a Maildir subfolder (new, cur or tmp) of a mailbox folder given relative to the data folder. */
export function maildirFiles(dataDir: string, folder: string, sub: 'new' | 'cur' | 'tmp' = 'new'): MaildirFile[] {
  const dir = join(dataDir, folder, sub);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.map((name) => {
    const path = join(dir, name);
    const content = readFileSync(path);
    const stats = statSync(path);
    return { name, path, content, text: content.toString('utf8'), size: stats.size, mode: stats.mode & 0o777 };
  });
}

/** Every file in any new/, cur/ or tmp/ folder under homes/, relative to the data folder. */
export function allMailFiles(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    let entries;
    try {
      entries = readdirSync(join(dataDir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (/(^|\/)(new|cur|tmp)$/.test(relative)) found.push(child);
    }
  };
  walk('homes');
  return found.sort();
}

/** The header block of a stored message (LF line ends), unfolded lines kept as written. */
export function headerBlock(text: string): string {
  const end = text.indexOf('\n\n');
  return end < 0 ? text : text.slice(0, end);
}

/**
 * One hosting family with every kind of destination, built fresh for each test:
 * parent "acme" hosts example.test and other.test; "kid" is its child; alice@ and info@example.test are virtual
 * accounts; POP mailbox "popbox" has the default alias popbox@example.test; example.test has named rules of each
 * action; other.test has only a "*" rule.
 */
export async function buildMailScenario(services: TestRuntime['services']) {
  await services.accounts.create({ username: 'acme', password: PASSWORD });
  await services.accounts.create({ username: 'kid', parent: 'acme', password: PASSWORD });
  services.domains.add({ name: 'example.test', account: 'acme' });
  services.domains.add({ name: 'other.test', account: 'acme' });
  await services.mailboxes.createVirtualAccount({ address: 'alice@example.test', password: PASSWORD });
  await services.mailboxes.createVirtualAccount({ address: 'info@example.test', password: PASSWORD });
  await services.mailboxes.createPopMailbox({ username: 'popbox', account: 'acme', domain: 'example.test', password: PASSWORD });
  services.aliases.set('sales@example.test', 'kid');
  services.aliases.set('support@example.test', 'popbox');
  services.aliases.set('team@example.test', 'alice@example.test');
  services.aliases.set('void@example.test', 'discard');
  services.aliases.set('gone@example.test', 'fail: This person left the company');
  services.aliases.set('ext@example.test', 'friend@remote.test');
  services.aliases.set('*@other.test', 'kid');
  return {
    folders: {
      alice: 'homes/acme/.mailboxes/alice@example.test',
      info: 'homes/acme/.mailboxes/info@example.test',
      popbox: 'homes/acme/.mailboxes/popbox',
      kid: 'homes/kid/Maildir',
      acme: 'homes/acme/Maildir',
    },
  };
}
