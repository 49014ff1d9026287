import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { DATABASE_FILE } from './domain/layout.js';
import { createMailStore, type MailOwner } from './maildir/mail-store.js';
import { MIGRATIONS_DIR } from './paths.js';
import { createServices, type Services } from './services/index.js';

export interface RuntimeOptions {
  dataDir: string;
  hostname: string;
  mailOwner?: MailOwner | null;
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
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  migrate(db, MIGRATIONS_DIR);
  const store = createMailStore(options.dataDir, options.mailOwner ?? null);
  const services = createServices(db, store, options.hostname);
  return { db, services, dataDir: options.dataDir, close: () => db.close() };
}
