import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { DEFAULT_QUEUE_LIFETIME_MS } from '../../src/domain/retry-schedule.js';
import type { Runtime } from '../../src/runtime.js';
import { createRelayClient, type RelayClient, type RelaySettings, type RelayTimeouts } from '../../src/services/outbound-relay.js';
import { createOutboundWorker, type OutboundWorker, type OutboundWorkerOptions } from '../../src/services/outbound-worker.js';
import { TEST_HOSTNAME } from './runtime.js';

/** What the sink received in one accepted transaction: the envelope and the message exactly as it came off the wire. */
export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** True when the session was encrypted (STARTTLS) when the message came. */
  secure: boolean;
  user: string | null;
}

export type SinkStage = 'mail' | 'rcpt' | 'data';

/** How the sink answers: a reply at a stage (for every recipient, or only for some at RCPT), or a dropped connection. */
export type SinkBehaviour =
  | { stage: SinkStage; code: number; text: string; recipients?: string[] }
  | { stage: SinkStage; drop: true };

export interface RelaySinkOptions {
  /** Offer STARTTLS (with smtp-server's built-in self-signed certificate). Off by default. */
  starttls?: boolean;
  /** Require AUTH with these credentials (allowed without TLS, for the test). */
  auth?: { user: string; pass: string };
}

export interface RelaySink {
  port: number;
  messages: SinkMessage[];
  /** Every RCPT TO the sink saw, accepted or not, in order. */
  rcptSeen: string[];
  /** Replaces how the sink answers from the next command on; `accept()` goes back to accepting everything. */
  behave(...behaviours: SinkBehaviour[]): void;
  accept(): void;
  /**
   * Holds the reply to the next message's DATA until release(): `reached` resolves when the message has arrived and
   * waits for its reply, so a test can act while an attempt is in progress.
   */
  holdNextData(): { reached: Promise<void>; release(): void };
  /** Resolves once `count` messages were accepted in all (at once when they already were). */
  waitForMessages(count: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/** A test relay host: an smtp-server on 127.0.0.1, port 0, that records what it gets and answers as it is told. */
export async function startRelaySink(options: RelaySinkOptions = {}): Promise<RelaySink> {
  let behaviours: SinkBehaviour[] = [];
  const messages: SinkMessage[] = [];
  const rcptSeen: string[] = [];
  const sockets = new Set<Socket>();
  const waiters: Array<() => void> = [];
  let hold: { arrived(): void; released: Promise<void> } | null = null;

  const rule = (stage: SinkStage, recipient?: string) =>
    behaviours.find((each) => each.stage === stage && (!('recipients' in each) || !each.recipients || (recipient !== undefined && each.recipients.includes(recipient))));
  /** Applies the rule for a stage: drops every connection, or calls back with its reply; false when there is none. */
  const apply = (stage: SinkStage, callback: (error?: Error | null) => void, recipient?: string) => {
    const found = rule(stage, recipient);
    if (!found) return false;
    if ('drop' in found) for (const socket of sockets) socket.destroy();
    else callback(smtpError(found.code, found.text));
    return true;
  };

  const server = new SMTPServer({
    name: 'relay.sink.test',
    banner: 'relay sink',
    disabledCommands: [...(options.starttls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      const ok = options.auth && credentials.username === options.auth.user && credentials.password === options.auth.pass;
      if (!ok) return callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
      callback(null, { user: credentials.username });
    },
    onMailFrom(_address, _session, callback) {
      if (!apply('mail', callback)) callback();
    },
    onRcptTo(address, _session, callback) {
      rcptSeen.push(address.address);
      if (!apply('rcpt', callback, address.address)) callback();
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const held = hold;
        hold = null;
        if (held) {
          held.arrived();
          await held.released;
        }
        if (apply('data', callback)) return;
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((each) => each.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        waiters.splice(0).forEach((wake) => wake());
        callback(null, '2.0.0 Ok: queued by the sink');
      });
    },
  });
  server.on('error', () => undefined); // a dropped connection is what some tests ask for
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    messages,
    rcptSeen,
    behave: (...next) => {
      behaviours = next;
    },
    accept: () => {
      behaviours = [];
    },
    holdNextData() {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { arrived, released };
      return { reached, release };
    },
    async waitForMessages(count) {
      while (messages.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return messages;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Short network waits, so that a failing test fails fast. */
export const TEST_RELAY_TIMEOUTS: RelayTimeouts = { connectionMs: 5_000, greetingMs: 5_000, socketMs: 5_000, attemptMs: 10_000 };

/** A relay client for the sink: plain SMTP unless told otherwise. */
export function sinkRelayClient(sink: RelaySink, settings: Partial<RelaySettings> = {}): RelayClient {
  return createRelayClient({ host: '127.0.0.1', port: sink.port, tls: 'none', heloName: TEST_HOSTNAME, ...settings }, TEST_RELAY_TIMEOUTS);
}

/** A queue worker over a runtime's services, relaying to the sink (or holding mail with `relay: null`). */
export function sinkWorker(runtime: Runtime, relay: RelayClient | null, options: Partial<OutboundWorkerOptions> = {}): OutboundWorker {
  return createOutboundWorker({
    queue: runtime.services.queue,
    bounces: runtime.services.bounces,
    relay,
    lifetimeMs: DEFAULT_QUEUE_LIFETIME_MS,
    log: pino({ level: 'silent' }),
    ...options,
  });
}

/**
 * Puts a message into the outbound queue the way the core does: each recipient checked for an authenticated sender
 * (so remote ones may be relayed), then delivered. Returns the queued rows' ids.
 */
export async function enqueueThroughCore(runtime: Runtime, sender: string, recipients: string[], message: string): Promise<number[]> {
  const { delivery, queue } = runtime.services;
  const before = new Set(queue.list().map((row) => row.id));
  const verdicts = await Promise.all(recipients.map((recipient) => delivery.checkRecipient(recipient, { authenticatedAs: 'tester' })));
  const accepted = verdicts.map((verdict) => {
    if (!verdict.accepted) throw new Error(`${verdict.recipient} was refused: ${verdict.reason}`);
    return verdict;
  });
  const envelope = { sender, helo: 'client.test', clientHostname: 'client.test', clientAddress: '192.0.2.10', protocol: 'ESMTPA', id: 'test' };
  await delivery.deliver(envelope, accepted, Buffer.from(message, 'utf8'));
  return queue.list().filter((row) => !before.has(row.id)).map((row) => row.id);
}
