import type { FastifyBaseLogger } from 'fastify';
import type { SMTPServer } from 'smtp-server';
import type { Config } from './config.js';
import { createPop3Server } from './pop3/server.js';
import type { Runtime } from './runtime.js';
import { createSmtpListener } from './smtp/listener.js';
import { createLoginThrottle } from './services/login-throttle.js';
import { startOutboundWorker } from './services/outbound-setup.js';
import { loadTlsCertificate, type TlsCertificate } from './tls/certificate.js';
import { buildApp } from './web/app.js';

export interface RunningServer {
  addresses: { panel: string; smtp: string; submission: string; pop3: string; pop3s: string | null };
  /** The certificate both SMTP listeners offer after STARTTLS, and where it comes from. */
  tls: Omit<TlsCertificate, 'key'>;
  close(): Promise<void>;
}

/** Starts the panel, both SMTP listeners and POP3 on one runtime; close() stops accepting and lets deliveries finish. */
export async function startServer(runtime: Runtime, config: Config, log: FastifyBaseLogger): Promise<RunningServer> {
  const { services } = runtime;
  // First: a bad certificate stops the start before anything listens.
  const tls = await loadTlsCertificate({
    certFile: config.POSTYARD_TLS_CERT,
    keyFile: config.POSTYARD_TLS_KEY,
    dataDir: runtime.dataDir,
    hostname: config.POSTYARD_HOSTNAME,
  });
  let addresses: RunningServer['addresses'] | null = null;
  const serverInfo = () => ({
    listeners: [
      { name: 'panel', purpose: 'web panel', address: addresses?.panel ?? 'starting' },
      { name: 'smtp', purpose: 'incoming mail', address: addresses?.smtp ?? 'starting' },
      { name: 'submission', purpose: 'authenticated sending', address: addresses?.submission ?? 'starting' },
      { name: 'pop3', purpose: 'mail clients (POP3, STLS)', address: addresses?.pop3 ?? 'starting' },
      ...(config.POSTYARD_POP3S_PORT === undefined ? [] : [{ name: 'pop3s', purpose: 'mail clients (POP3 over TLS)', address: addresses?.pop3s ?? 'starting' }]),
    ],
  });
  const app = await buildApp({ services, log, dataDir: runtime.dataDir, hostname: config.POSTYARD_HOSTNAME, serverInfo });
  const listenerOptions = {
    hostname: config.POSTYARD_HOSTNAME,
    maxMessageSize: config.POSTYARD_MAX_MESSAGE_SIZE,
    tls: { key: tls.key, cert: tls.cert },
    log,
  };
  const incoming = createSmtpListener({
    ...listenerOptions,
    mode: 'incoming',
    maxRecipients: config.POSTYARD_MAX_RECIPIENTS,
    delivery: services.delivery,
    greetingDelay: config.POSTYARD_SMTP_GREETING_DELAY,
  });
  const submission = createSmtpListener({
    ...listenerOptions,
    mode: 'submission',
    maxRecipients: config.POSTYARD_SEND_MAX_RECIPIENTS,
    maxPerHour: config.POSTYARD_SEND_MAX_PER_HOUR,
    sending: services.sending,
  });
  // POP3 offers the same certificate after STLS; both POP3 listeners count failed logins together.
  const pop3Options = { auth: services.auth, maildrops: services.maildrops, log, tls: listenerOptions.tls, throttle: createLoginThrottle() };
  const pop3 = createPop3Server(pop3Options);
  const pop3s = config.POSTYARD_POP3S_PORT === undefined ? null : createPop3Server({ ...pop3Options, implicitTls: true });

  // A listener that cannot open (a port in use) closes the ones opened before it, so the process can exit.
  const opened: Array<() => Promise<unknown>> = [];
  const open = async <T>(start: () => Promise<T>, close: () => Promise<unknown>): Promise<T> => {
    const result = await start();
    opened.push(close);
    return result;
  };
  try {
    const panel = await open(() => app.listen({ host: config.POSTYARD_HTTP_HOST, port: config.POSTYARD_HTTP_PORT }), () => app.close());
    const smtp = await open(() => listen(incoming, config.POSTYARD_SMTP_HOST, config.POSTYARD_SMTP_PORT), () => closeSmtp(incoming));
    const submit = await open(() => listen(submission, config.POSTYARD_SMTP_HOST, config.POSTYARD_SUBMISSION_PORT), () => closeSmtp(submission));
    const pop3Address = await open(() => pop3.listen(config.POSTYARD_POP3_PORT, config.POSTYARD_POP3_HOST), () => pop3.close());
    const pop3sAddress = pop3s ? await pop3s.listen(config.POSTYARD_POP3S_PORT!, config.POSTYARD_POP3_HOST) : null;
    addresses = { panel, smtp, submission: submit, pop3: pop3Address, pop3s: pop3sAddress };
  } catch (error) {
    await Promise.all(opened.map((close) => close()));
    throw error;
  }
  // The queue worker starts once everything listens, so a port in use stops the start before any mail leaves.
  const outbound = startOutboundWorker(services, config, log);
  const { key: _privateKey, ...tlsInfo } = tls;
  return {
    addresses,
    tls: tlsInfo,
    async close() {
      // smtp-server's close stops accepting and waits for open sessions, so a DATA in progress completes.
      // POP3 sessions end after their current command, deleting nothing: only a client's QUIT removes messages.
      // The queue worker finishes the relay attempt in progress and starts no other.
      await Promise.all([closeSmtp(incoming), closeSmtp(submission), pop3.close(), pop3s?.close(), app.close(), outbound.stop()]);
    },
  };
}

function listen(server: SMTPServer, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address));
    });
  });
}

function closeSmtp(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
