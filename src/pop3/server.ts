import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { AuthService } from '../services/auth.js';
import { createLoginThrottle, type LoginThrottle } from '../services/login-throttle.js';
import type { MaildropService } from '../services/maildrops.js';
import { Pop3Connection } from './connection.js';
import { Pop3Session, type Pop3Logger } from './session.js';

/** A certificate as PEM text, or a context already made from one (the SMTP listeners' own, shared). */
export type Pop3Tls = SecureContext | { key: string | Buffer; cert: string | Buffer };

export interface Pop3ServerOptions {
  auth: AuthService;
  maildrops: MaildropService;
  log: Pop3Logger;
  /** Offers STLS when given; without it, logins are accepted from loopback clients only. */
  tls?: Pop3Tls | null;
  /** POP3S (port 995): TLS from the first byte instead of STLS. Needs `tls`. */
  implicitTls?: boolean;
  /** Shared with the panel's login, so that guessing cannot switch between them to get more tries. */
  throttle?: LoginThrottle;
  /** Accept USER/PASS without TLS from loopback clients (default true): for local testing and tools on the server. */
  loopbackPlaintext?: boolean;
  /** RFC 1939 section 3: an inactivity autologout timer of at least 10 minutes. */
  idleTimeoutMs?: number;
  /** How long close() lets a command in progress (a long RETR) finish before cutting the connection. */
  shutdownGraceMs?: number;
}

export interface Pop3Server {
  server: Server;
  /** Resolves with "address:port" once listening. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, tells each session goodbye after its current command (nothing is deleted), then resolves. */
  close(): Promise<void>;
}

const TEN_MINUTES = 10 * 60 * 1000;

function secureContextOf(tls: Pop3Tls): SecureContext {
  return 'context' in tls ? tls : createSecureContext({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' });
}

/** The POP3 listener over the same services as the panel and SMTP; returned not yet listening, so tests use port 0. */
export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  const tlsContext = options.tls ? secureContextOf(options.tls) : null;
  if (options.implicitTls && !tlsContext) throw new Error('POP3 with implicit TLS needs a certificate');
  const deps = {
    auth: options.auth,
    maildrops: options.maildrops,
    throttle: options.throttle ?? createLoginThrottle(),
    log: options.log,
    tlsContext,
    loopbackPlaintext: options.loopbackPlaintext ?? true,
  };
  const idleTimeoutMs = options.idleTimeoutMs ?? TEN_MINUTES;
  const sessions = new Map<Pop3Session, Pop3Connection>();
  const running = new Set<Promise<void>>();

  const accept = (socket: Socket) => {
    const connection = new Pop3Connection(socket, false);
    const session = new Pop3Session(connection, deps, randomBytes(6).toString('hex'));
    // RFC 1939: on the timer the session does not enter UPDATE; it is closed without a reply.
    connection.setIdleTimeout(idleTimeoutMs, () => connection.destroy());
    sessions.set(session, connection);
    const run = (async () => {
      if (options.implicitTls && !(await connection.startTls(tlsContext!, null))) return;
      await session.run();
    })().finally(() => {
      sessions.delete(session);
      running.delete(run);
    });
    running.add(run);
  };

  const server = createServer(accept);
  server.on('error', (error) => options.log.warn({ err: error }, 'POP3 listener error'));

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address));
        });
      });
    },
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions.keys()) session.shutdown();
      const grace = setTimeout(() => {
        for (const connection of sessions.values()) connection.destroy();
      }, options.shutdownGraceMs ?? 10_000);
      await Promise.all(running);
      clearTimeout(grace);
      await stopped;
    },
  };
}
