import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { DATABASE_FILE } from './domain/layout.js';
import { createMailStore, type MailOwner } from './maildir/mail-store.js';
import { MIGRATIONS_DIR } from './paths.js';
import { createServices, type Services } from './services/index.js';
import type { FailureLog } from './services/autoreply-responder.js';

export interface RuntimeOptions {
  dataDir: string;
  hostname: string;
  mailOwner?: MailOwner | null;
  /** Where services log failures they handle themselves (autoreplies); the server passes its pino logger. */
  log?: FailureLog;
}

export interface Runtime {
  db: Db;
  services: Services;
  dataDir: string;
  close(): void;
}

/** Data folder, database with its migrations, mail store and services: what the server and every command share. */
export function openRuntime(options: RuntimeOptions): Runtime {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  const databaseFile = join(options.dataDir, DATABASE_FILE);
  const db = openDatabase(databaseFile);
  migrate(db, MIGRATIONS_DIR);
  if (options.mailOwner) giveToMailOwner(options.mailOwner, [options.dataDir, databaseFile, `${databaseFile}-wal`, `${databaseFile}-shm`]);
  const store = createMailStore(options.dataDir, options.mailOwner ?? null);
  const services = createServices(db, store, options.hostname, options.log);
  return { db, services, dataDir: options.dataDir, close: () => db.close() };
}

/**
 * Running as root with POSTYARD_MAIL_USER: the data folder and the database belong to the mail user too (still owner
 * only), so that Dovecot, running as that user, can reach the mail folders and read logins from the database (WAL
 * mode needs write access to the -shm file even for readers).
 */
function giveToMailOwner(owner: MailOwner, paths: string[]) {
  for (const path of paths) if (existsSync(path)) chownSync(path, owner.uid, owner.gid);
}
