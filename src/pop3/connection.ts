import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { MAX_LINE_OCTETS } from '../domain/pop3-commands.js';

export type Input = { kind: 'line'; text: string } | { kind: 'too-long' } | { kind: 'closed' };

const LF = 0x0a;

/**
 * One client connection as lines in and bytes out: commands are read one at a time (so pipelined commands run in
 * order), writes wait for the socket to drain (a large RETR never piles up in memory), and STLS swaps the plain
 * socket for a TLS one in place.
 */
export class Pop3Connection {
  private stream: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly lines: Input[] = [];
  private waiting: ((input: Input) => void) | null = null;
  private closeWaiters: Array<() => void> = [];
  private idleLimit: { ms: number; onIdle: () => void } | null = null;
  private ending = false;
  closed = false;

  constructor(
    /** The TCP socket (for an implicit-TLS listener, the TLS socket itself). */
    readonly socket: Socket,
    public secure: boolean,
  ) {
    this.stream = socket;
    this.attach(socket);
    socket.once('close', () => this.markClosed());
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  /** Waiting for the client's next command with nothing unread: the session is idle. */
  get idle(): boolean {
    return this.waiting !== null;
  }

  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let newline = this.buffer.indexOf(LF);
    while (newline >= 0) {
      const end = newline > 0 && this.buffer[newline - 1] === 0x0d ? newline - 1 : newline;
      this.push(newline > MAX_LINE_OCTETS ? { kind: 'too-long' } : { kind: 'line', text: this.buffer.subarray(0, end).toString('utf8') });
      this.buffer = this.buffer.subarray(newline + 1);
      newline = this.buffer.indexOf(LF);
    }
    if (this.buffer.length > MAX_LINE_OCTETS) {
      this.buffer = Buffer.alloc(0);
      this.push({ kind: 'too-long' });
    }
  };

  private attach(stream: Socket) {
    stream.on('data', this.onData);
    stream.on('error', () => stream.destroy()); // a reset or a failed handshake ends the session; 'close' follows
  }

  /** Calls onIdle when nothing was read or written for `ms` (RFC 1939 section 3's autologout timer). */
  setIdleTimeout(ms: number, onIdle: () => void): void {
    this.idleLimit = { ms, onIdle };
    this.stream.setTimeout(ms);
    this.stream.on('timeout', onIdle);
  }

  private push(input: Input) {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting(input);
    } else {
      this.lines.push(input);
    }
  }

  private markClosed() {
    if (this.closed) return;
    this.closed = true;
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const wake of waiters) wake();
    this.push({ kind: 'closed' });
  }

  /** The next command line; `closed` once the client is gone. */
  nextInput(): Promise<Input> {
    const queued = this.lines.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Writes bytes; resolves when the socket can take more (or is closed, when nothing more will be sent). */
  async write(data: string | Buffer): Promise<void> {
    if (this.closed || this.ending) return;
    if (this.stream.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.closeWaiters = this.closeWaiters.filter((each) => each !== done);
        resolve();
      };
      this.stream.once('drain', done);
      this.closeWaiters.push(done);
    });
  }

  writeLine(line: string): Promise<void> {
    return this.write(`${line}\r\n`);
  }

  /**
   * RFC 2595 section 4: after "+OK" to STLS, the TLS handshake starts. Anything the client sent after STLS and before
   * the handshake is discarded, so that no plain-text command can be injected into the secure session. Without a
   * confirmation line, the handshake starts at once (implicit TLS, port 995).
   */
  async startTls(context: SecureContext, confirmation: string | null): Promise<boolean> {
    this.socket.off('data', this.onData);
    this.socket.setTimeout(0);
    if (this.idleLimit) this.socket.off('timeout', this.idleLimit.onIdle);
    this.socket.pause();
    this.buffer = Buffer.alloc(0);
    this.lines.length = 0;
    if (confirmation !== null) await new Promise<void>((resolve) => this.socket.write(`${confirmation}\r\n`, () => resolve()));
    if (this.closed) return false;
    const secured = new TLSSocket(this.socket, { isServer: true, secureContext: context });
    if (this.idleLimit) {
      // The timer moves to the TLS socket at once, so that a client that never finishes the handshake is closed too.
      secured.setTimeout(this.idleLimit.ms);
      secured.on('timeout', this.idleLimit.onIdle);
    }
    const ok = await new Promise<boolean>((resolve) => {
      secured.once('secure', () => resolve(true));
      secured.on('error', () => resolve(false)); // stays: a second error must not go unhandled
      secured.once('close', () => resolve(false));
    });
    if (!ok) {
      secured.destroy();
      this.socket.destroy();
      return false;
    }
    this.stream = secured;
    this.attach(secured);
    secured.once('close', () => this.markClosed());
    this.secure = true;
    return true;
  }

  /** Ends the session: flushes what was written, then closes without waiting for the client. */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    const stream = this.stream;
    stream.end(() => stream.destroy());
  }

  destroy(): void {
    this.stream.destroy();
    this.socket.destroy();
  }
}
