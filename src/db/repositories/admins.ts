import type { Db } from '../connection.js';

export interface Admin {
  id: number;
  username: string;
  passwordHash: string;
  mustChangePassword: boolean;
}

interface AdminRow {
  id: number;
  username: string;
  password_hash: string;
  must_change_password: number;
}

const toAdmin = (row: AdminRow): Admin => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  mustChangePassword: row.must_change_password === 1,
});

export function createAdminRepository(db: Db) {
  const byUsername = db.prepare<[string], AdminRow>('SELECT * FROM admins WHERE username = ?');
  const byId = db.prepare<[number], AdminRow>('SELECT * FROM admins WHERE id = ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM admins');
  const insert = db.prepare('INSERT INTO admins (username, password_hash, must_change_password) VALUES (?, ?, ?)');
  const updatePassword = db.prepare('UPDATE admins SET password_hash = ?, must_change_password = 0 WHERE id = ?');
  return {
    findByUsername: (username: string) => {
      const row = byUsername.get(username);
      return row ? toAdmin(row) : null;
    },
    findById: (id: number) => {
      const row = byId.get(id);
      return row ? toAdmin(row) : null;
    },
    count: () => count.get()!.n,
    insert: (username: string, passwordHash: string, mustChangePassword: boolean) =>
      Number(insert.run(username, passwordHash, mustChangePassword ? 1 : 0).lastInsertRowid),
    updatePassword: (id: number, passwordHash: string) => updatePassword.run(passwordHash, id),
  };
}

export type AdminRepository = ReturnType<typeof createAdminRepository>;
