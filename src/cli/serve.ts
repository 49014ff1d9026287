import { pino } from 'pino';
import { openRuntime } from '../runtime.js';
import { startServer, type RunningServer } from '../server.js';
import { mailOwnerFor } from '../system-user.js';
import type { CliIo } from './io.js';
import { CliExit } from './context.js';

/**
 * `postyard serve`: the panel and both SMTP listeners on one database. On the first start it creates the admin and
 * prints the generated password once. SIGTERM or SIGINT closes the listeners and lets deliveries in progress finish.
 */
export async function serve(io: CliIo): Promise<number> {
  const config = io.loadConfig();
  const log = pino({ level: config.POSTYARD_LOG_LEVEL });
  const mailOwner = mailOwnerFor(config.POSTYARD_MAIL_USER);
  const runtime = openRuntime({ dataDir: config.POSTYARD_DATA_DIR, hostname: config.POSTYARD_HOSTNAME, mailOwner, log });
  const admin = await runtime.services.admins.ensureAdmin(config.POSTYARD_ADMIN_PASSWORD);
  const server = await startServer(runtime, config, log).catch((error: unknown) => {
    runtime.close();
    throw listenRefusal(error) ?? error;
  });

  const say = (line: string) => io.stdout.write(`${line}\n`);
  say(`Postyard is running. Data folder: ${runtime.dataDir}`);
  say(`  panel       http://${server.addresses.panel.replace(/^http:\/\//, '')}`);
  say(`  smtp        ${server.addresses.smtp} (incoming mail)`);
  say(`  submission  ${server.addresses.submission} (authenticated sending)`);
  say(`  pop3        ${server.addresses.pop3} (mail clients, STLS)`);
  if (server.addresses.pop3s) say(`  pop3s       ${server.addresses.pop3s} (mail clients, TLS)`);
  say(`  tls         ${describeTls(server.tls)}`);
  say(`              SHA-256 fingerprint ${server.tls.fingerprint}`);
  if (admin?.generatedPassword) {
    say(`First start: created the admin. Log in as "${admin.username}" with this password, shown only this once:`);
    say(`  ${admin.generatedPassword}`);
  } else if (admin) {
    say(`First start: created the admin "${admin.username}" with the password from POSTYARD_ADMIN_PASSWORD.`);
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'stopping: closing listeners, letting deliveries finish');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await server.close();
  await runtime.services.autoreply.settled(); // replies to mail acknowledged before the stop still go out
  runtime.close();
  say('Postyard stopped.');
  return 0;
}

/** Where the STARTTLS certificate comes from, so an administrator knows which file to replace. */
function describeTls(tls: RunningServer['tls']): string {
  if (tls.source === 'configured') return `certificate ${tls.certFile} (POSTYARD_TLS_CERT), valid until ${tls.validTo.toISOString().slice(0, 10)}`;
  const made = tls.created ? 'created now' : 'from an earlier start';
  return `self-signed certificate for ${tls.subject.replace(/^CN=/, '')}, ${made}: ${tls.certFile} (set POSTYARD_TLS_CERT/POSTYARD_TLS_KEY to use your own)`;
}

/** A port in use or not ours to open is the operator's to fix: say which address, and which setting moves it. */
function listenRefusal(error: unknown): CliExit | null {
  const { code, syscall, address, port } = error as { code?: string; syscall?: string; address?: string; port?: number };
  if (syscall !== 'listen' || (code !== 'EADDRINUSE' && code !== 'EACCES')) return null;
  const why = code === 'EADDRINUSE' ? 'is already in use' : 'needs root or the cap_net_bind_service capability';
  return new CliExit(`postyard: cannot listen on ${address}:${port}: the port ${why} (see the POSTYARD_*_PORT settings)`, 2);
}
