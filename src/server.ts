import type { FastifyBaseLogger } from 'fastify';
import type { SMTPServer } from 'smtp-server';
import type { Config } from './config.js';
import type { Runtime } from './runtime.js';
import { createSmtpListener } from './smtp/listener.js';
import { buildApp } from './web/app.js';

export interface RunningServer {
  addresses: { panel: string; smtp: string; submission: string };
  close(): Promise<void>;
}

/** Starts the panel and both SMTP listeners on one runtime; close() stops accepting and lets deliveries finish. */
export async function startServer(runtime: Runtime, config: Config, log: FastifyBaseLogger): Promise<RunningServer> {
  const { services } = runtime;
  const app = await buildApp({ services, log, dataDir: runtime.dataDir, hostname: config.POSTYARD_HOSTNAME });
  const listenerOptions = {
    hostname: config.POSTYARD_HOSTNAME,
    maxMessageSize: config.POSTYARD_MAX_MESSAGE_SIZE,
    maxRecipients: config.POSTYARD_MAX_RECIPIENTS,
    delivery: services.delivery,
    auth: services.auth,
    log,
  };
  const incoming = createSmtpListener({ ...listenerOptions, mode: 'incoming' });
  const submission = createSmtpListener({ ...listenerOptions, mode: 'submission' });

  const panel = await app.listen({ host: config.POSTYARD_HTTP_HOST, port: config.POSTYARD_HTTP_PORT });
  const smtp = await listen(incoming, config.POSTYARD_SMTP_HOST, config.POSTYARD_SMTP_PORT);
  const submit = await listen(submission, config.POSTYARD_SMTP_HOST, config.POSTYARD_SUBMISSION_PORT);

  return {
    addresses: { panel, smtp, submission: submit },
    async close() {
      // smtp-server's close stops accepting and waits for open sessions, so a DATA in progress completes.
      await Promise.all([closeSmtp(incoming), closeSmtp(submission), app.close()]);
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
