import type { Db } from '../connection.js';

export function createRelayAllowRepository(db: Db) {
  const all = db.prepare<[], { cidr: string }>('SELECT cidr FROM relay_allow ORDER BY cidr').pluck();
  const insert = db.prepare('INSERT OR IGNORE INTO relay_allow (cidr) VALUES (?)');
  const remove = db.prepare('DELETE FROM relay_allow WHERE cidr = ?');
  return {
    list: () => all.all() as unknown as string[],
    add: (cidr: string) => insert.run(cidr).changes > 0,
    remove: (cidr: string) => remove.run(cidr).changes > 0,
  };
}

export type RelayAllowRepository = ReturnType<typeof createRelayAllowRepository>;
