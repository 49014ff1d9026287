import type { Db } from '../connection.js';

export type UsernameKind = 'admin' | 'account' | 'pop' | 'list';

/** The one server-wide namespace of account, POP mailbox and list names (seed 003). */
export function createUsernameRepository(db: Db) {
  const kindOf = db.prepare<[string], { kind: UsernameKind }>('SELECT kind FROM usernames WHERE name = ?');
  const insert = db.prepare('INSERT INTO usernames (name, kind) VALUES (?, ?)');
  const remove = db.prepare('DELETE FROM usernames WHERE name = ?');
  return {
    kindOf: (name: string) => kindOf.get(name)?.kind ?? null,
    claim: (name: string, kind: UsernameKind) => insert.run(name, kind),
    release: (name: string) => remove.run(name),
  };
}

export type UsernameRepository = ReturnType<typeof createUsernameRepository>;
