import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { createPop3Server, type Pop3Server, type Pop3ServerOptions } from '../../src/pop3/server.js';
import { createLoginThrottle } from '../../src/services/login-throttle.js';
import { buildMailScenario, sendRaw, startSmtpFixture, testMessage } from './smtp.js';

/** How long any single wait on the network may take before the test fails with what was seen so far. */
const WAIT_LIMIT_MS = 10_000;

let certificate: Promise<{ key: string; cert: string }> | null = null;

/** A throwaway self-signed certificate for 127.0.0.1, made once per test file. */
export function testCertificate(): Promise<{ key: string; cert: string }> {
  certificate ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 24 * 60 * 60 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

export type Pop3Overrides = Partial<Omit<Pop3ServerOptions, 'auth' | 'maildrops' | 'log'>>;

/**
 * A fresh runtime with the mail scenario of test/helpers/smtp.ts, its real incoming SMTP listener (mail is delivered
 * through it, so the files are exactly what the core writes), and a POP3 listener with STLS on a free port.
 */
export async function startPop3Fixture(overrides: Pop3Overrides = {}) {
  const smtp = await startSmtpFixture();
  let pop3: Pop3Server | null = null;
  try {
    const scenario = await buildMailScenario(smtp.services);
    const second = createPop3Server({
      auth: smtp.services.auth,
      maildrops: smtp.services.maildrops,
      log: pino({ level: 'silent' }),
      tls: await testCertificate(),
      throttle: createLoginThrottle(),
      ...overrides,
    });
    pop3 = second;
    const address = await second.listen(0, '127.0.0.1');
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    return {
      ...smtp,
      scenario,
      pop3: second,
      pop3Port: port,
      /** Delivers a message through the SMTP listener; resolves when it is on disk. */
      async deliver(to: string, message: string = testMessage()) {
        const reply = await sendRaw(smtp.port, 'sender@remote.test', [to], message);
        if (reply.code !== 250) throw new Error(`delivery to ${to} failed: ${reply.raw}`);
      },
      connect: () => RawPop3Client.connect(port),
      async close() {
        try {
          await second.close();
        } finally {
          await smtp.close();
        }
      },
    };
  } catch (error) {
    await pop3?.close();
    await smtp.close();
    throw error;
  }
}

export type Pop3Fixture = Awaited<ReturnType<typeof startPop3Fixture>>;

export interface MultiLine {
  status: string;
  /** The lines between the status line and ".", byte-stuffing removed, without line ends. */
  lines: string[];
  /** The raw bytes after the status line, up to and including the terminating ".\r\n". */
  raw: string;
}

/**
 * A deliberately small POP3 client over a raw socket: it sends exactly the bytes it is given and returns exactly the
 * lines it receives, so tests see response codes, byte-stuffing and line ends as the server wrote them.
 */
export class RawPop3Client {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private ended = false;
  closed!: Promise<void>;

  private constructor(public socket: Socket) {
    this.watch(socket);
  }

  private watch(socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      });
    });
  }

  static async connect(port: number): Promise<RawPop3Client> {
    const socket = connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const client = new RawPop3Client(socket);
    const greeting = await client.readLine();
    if (!greeting.startsWith('+OK')) throw new Error(`expected a +OK greeting, got ${greeting}`);
    return client;
  }

  /** What arrived and was not read yet. */
  unread(): string {
    return this.buffer;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async waitFor<T>(take: () => T | null): Promise<T> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      const taken = take();
      if (taken !== null) return taken;
      if (this.ended) throw new Error(`the connection closed; unread: ${JSON.stringify(this.buffer)}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`nothing complete within ${WAIT_LIMIT_MS} ms; unread: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  write(data: string): void {
    this.socket.write(Buffer.from(data, 'latin1'));
  }

  /** The next line without its CRLF; fails if a line ends with a bare LF. */
  readLine(): Promise<string> {
    return this.waitFor(() => {
      const end = this.buffer.indexOf('\r\n');
      const bareLf = this.buffer.indexOf('\n');
      if (bareLf >= 0 && (end < 0 || bareLf < end + 1)) throw new Error(`a line ended with a bare LF: ${JSON.stringify(this.buffer)}`);
      if (end < 0) return null;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      return line;
    });
  }

  /** Sends one command and reads its one-line reply. */
  async command(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.readLine();
  }

  /** Sends a command whose positive reply is multi-line; a negative reply comes back with no lines. */
  async multiLine(line: string): Promise<MultiLine> {
    const status = await this.command(line);
    if (!status.startsWith('+OK')) return { status, lines: [], raw: '' };
    const raw = await this.waitFor(() => {
      const end = this.buffer.startsWith('.\r\n') ? 0 : this.buffer.indexOf('\r\n.\r\n');
      if (end < 0) return null;
      const length = end === 0 ? 3 : end + 5;
      const taken = this.buffer.slice(0, length);
      this.buffer = this.buffer.slice(length);
      return taken;
    });
    const body = raw.slice(0, raw.length - 3);
    const lines = body === '' ? [] : body.slice(0, -2).split('\r\n').map((each) => (each.startsWith('.') ? each.slice(1) : each));
    return { status, lines, raw };
  }

  /** USER and PASS; returns PASS's reply. */
  async login(user: string, password: string): Promise<string> {
    const userReply = await this.command(`USER ${user}`);
    if (!userReply.startsWith('+OK')) return userReply;
    return this.command(`PASS ${password}`);
  }

  /** STLS, then the TLS handshake (not verifying the throwaway certificate). */
  async startTls(): Promise<string> {
    const reply = await this.command('STLS');
    if (!reply.startsWith('+OK')) return reply;
    this.socket.removeAllListeners('data');
    const secured = connectTls({ socket: this.socket, rejectUnauthorized: false });
    await once(secured, 'secureConnect');
    this.buffer = '';
    this.socket = secured;
    this.watch(secured);
    return reply;
  }

  async quit(): Promise<string> {
    const reply = await this.command('QUIT');
    await this.closed;
    return reply;
  }

  /** Drops the connection without QUIT, as a client that crashed or lost its network would. */
  async drop(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }
}

export interface PoplibResult {
  [key: string]: unknown;
}

/** Runs a Python script (poplib, the standard library's POP3 client) and returns the JSON it prints last. */
export async function runPython(script: string, env: Record<string, string>): Promise<PoplibResult> {
  const child = spawn('python3', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`python3 exited with ${code}:\n${stderr}\n${stdout}`);
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as PoplibResult;
}
