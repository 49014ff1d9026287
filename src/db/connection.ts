import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';

export type Db = Database.Database;

/**
 * Opens the database the way every entry point needs it: WAL so that the command line and the server share it,
 * foreign keys on, a busy timeout so a writer waits instead of failing, and synchronous=FULL because an acknowledged
 * message may sit in the outbound queue table and must survive a power cut.
 */
export function openDatabase(file: string): Db {
  const created = !existsSync(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (created) chmodSync(file, 0o600);
  return db;
}
