import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './connection.js';

const MIGRATION_NAME = /^(\d{3})-[a-z0-9-]+\.sql$/;

/**
 * Applies migrations/NNN-name.sql in order, each in its own transaction, recording it in schema_migrations. Applied
 * files are never edited: a change is a new file.
 */
export function migrate(db: Db, folder: string): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT name FROM schema_migrations').pluck().all() as string[]);
  const pending = readdirSync(folder)
    .filter((name) => MIGRATION_NAME.test(name))
    .sort()
    .filter((name) => !applied.has(name));
  const record = db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
  for (const name of pending) {
    const sql = readFileSync(join(folder, name), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      record.run(name);
    })();
  }
  return pending;
}
