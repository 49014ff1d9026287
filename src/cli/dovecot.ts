import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DATABASE_FILE } from '../domain/layout.js';
import { dovecotConfig, dovecotSqlConfig, type DovecotSettings } from '../domain/dovecot-config.js';
import { lookupSystemUser } from '../system-user.js';
import { loadTlsCertificate } from '../tls/certificate.js';
import type { Config } from '../config.js';
import { CliExit, type CliContext } from './context.js';

interface DovecotOptions {
  dir?: string;
  listen: string;
  imapPort: number;
  baseDir: string;
  tlsCert?: string;
  tlsKey?: string;
}

/**
 * `postyard dovecot-config`: IMAP for Postyard's mailboxes through Dovecot, reading logins and folders straight from
 * Postyard's database. Writes dovecot.conf and dovecot-sql.conf.ext into a folder and prints dovecot.conf.
 */
export function registerDovecotCommand(program: Command, cli: CliContext): void {
  program
    .command('dovecot-config')
    .description("write and print a Dovecot configuration that serves Postyard's mailboxes over IMAP")
    .option('--dir <folder>', 'where to write dovecot.conf and dovecot-sql.conf.ext (default: <data>/dovecot)')
    .option('--listen <address>', 'the address Dovecot listens on', '*')
    .option('--imap-port <port>', 'the IMAP port', port, 143)
    .option('--base-dir <folder>', "Dovecot's runtime folder", '/run/dovecot')
    .option('--tls-cert <file>', 'PEM certificate for IMAP over TLS (default: the SMTP listeners\' one: POSTYARD_TLS_CERT, else the self-signed one in <data>/tls)')
    .option('--tls-key <file>', 'PEM private key for that certificate')
    .action((options: DovecotOptions) =>
      cli.run(async () => {
        const config = cli.io.loadConfig();
        const dir = options.dir ?? join(config.POSTYARD_DATA_DIR, 'dovecot');
        const settings: DovecotSettings = {
          dataDir: config.POSTYARD_DATA_DIR,
          databaseFile: join(config.POSTYARD_DATA_DIR, DATABASE_FILE),
          sqlConfigFile: join(dir, 'dovecot-sql.conf.ext'),
          mailUser: mailUser(config.POSTYARD_MAIL_USER),
          listen: options.listen,
          imapPort: options.imapPort,
          baseDir: options.baseDir,
          tls: await tlsFiles(options, config),
        };
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const main = dovecotConfig(settings);
        writeFileSync(settings.sqlConfigFile, dovecotSqlConfig(settings), { mode: 0o600 });
        writeFileSync(join(dir, 'dovecot.conf'), main, { mode: 0o600 });
        cli.io.stdout.write(main);
        cli.warn(`wrote ${join(dir, 'dovecot.conf')} and ${settings.sqlConfigFile}`);
      }),
    );
}

/** Dovecot refuses uid 0 for mail: the mail files' owner must be a dedicated user (POSTYARD_MAIL_USER). */
function mailUser(name: string | undefined): DovecotSettings['mailUser'] {
  if (name) {
    const user = lookupSystemUser(name);
    if (!user) throw new CliExit(`postyard: POSTYARD_MAIL_USER: there is no system user named ${name}`, 2);
    return { name, ...user };
  }
  const me = userInfo();
  if (me.uid === 0) {
    throw new CliExit('postyard: Dovecot refuses to read mail as root: set POSTYARD_MAIL_USER (e.g. vmail) and restart Postyard so mail files belong to it', 2);
  }
  return { name: me.username, uid: me.uid, gid: me.gid };
}

/**
 * The certificate Dovecot offers: the options, else the one the SMTP and POP3 listeners offer (POSTYARD_TLS_CERT/KEY,
 * or the self-signed one in the data folder, made now if Postyard has not started yet).
 */
async function tlsFiles(options: DovecotOptions, config: Config): Promise<DovecotSettings['tls']> {
  if (options.tlsCert && options.tlsKey) return { certFile: options.tlsCert, keyFile: options.tlsKey };
  const { certFile, keyFile } = await loadTlsCertificate({
    certFile: config.POSTYARD_TLS_CERT,
    keyFile: config.POSTYARD_TLS_KEY,
    dataDir: config.POSTYARD_DATA_DIR,
    hostname: config.POSTYARD_HOSTNAME,
  });
  return { certFile, keyFile };
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new InvalidArgumentError('must be a port number 1-65535');
  return number;
}
