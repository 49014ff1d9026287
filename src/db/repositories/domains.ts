import type { Db } from '../connection.js';

export interface Domain {
  id: number;
  name: string;
  accountId: number;
  accountUsername: string;
  createdAt: string;
}

interface DomainRow {
  id: number;
  name: string;
  account_id: number;
  account_username: string;
  created_at: string;
}

const SELECT = 'SELECT d.*, a.username AS account_username FROM domains d JOIN accounts a ON a.id = d.account_id';

const toDomain = (row: DomainRow): Domain => ({
  id: row.id,
  name: row.name,
  accountId: row.account_id,
  accountUsername: row.account_username,
  createdAt: row.created_at,
});

export function createDomainRepository(db: Db) {
  const byName = db.prepare<[string], DomainRow>(`${SELECT} WHERE d.name = ?`);
  const all = db.prepare<[], DomainRow>(`${SELECT} ORDER BY d.name`);
  const byAccount = db.prepare<[number], DomainRow>(`${SELECT} WHERE d.account_id = ? ORDER BY d.name`);
  const insert = db.prepare('INSERT INTO domains (name, account_id) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM domains WHERE id = ?');
  return {
    findByName: (name: string) => {
      const row = byName.get(name);
      return row ? toDomain(row) : null;
    },
    list: () => all.all().map(toDomain),
    listByAccount: (accountId: number) => byAccount.all(accountId).map(toDomain),
    insert: (name: string, accountId: number) => Number(insert.run(name, accountId).lastInsertRowid),
    remove: (id: number) => remove.run(id),
  };
}

export type DomainRepository = ReturnType<typeof createDomainRepository>;
