import type { Db } from '../connection.js';

export interface Account {
  id: number;
  username: string;
  parentId: number | null;
  parentUsername: string | null;
  passwordHash: string;
  diskQuotaBytes: number | null;
  mailboxQuotaBytes: number | null;
  maxChildren: number;
  popPacks: number;
  disabled: boolean;
  createdAt: string;
}

export interface NewAccount {
  username: string;
  parentId: number | null;
  passwordHash: string;
  diskQuotaBytes: number | null;
  mailboxQuotaBytes: number | null;
  maxChildren: number;
  popPacks: number;
}

export type AccountPlan = Pick<Account, 'diskQuotaBytes' | 'mailboxQuotaBytes' | 'maxChildren' | 'popPacks' | 'disabled'>;

interface AccountRow {
  id: number;
  username: string;
  parent_id: number | null;
  parent_username: string | null;
  password_hash: string;
  disk_quota_bytes: number | null;
  mailbox_quota_bytes: number | null;
  max_children: number;
  pop_packs: number;
  disabled: number;
  created_at: string;
}

const SELECT = `SELECT a.*, p.username AS parent_username FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id`;

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  username: row.username,
  parentId: row.parent_id,
  parentUsername: row.parent_username,
  passwordHash: row.password_hash,
  diskQuotaBytes: row.disk_quota_bytes,
  mailboxQuotaBytes: row.mailbox_quota_bytes,
  maxChildren: row.max_children,
  popPacks: row.pop_packs,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
});

export function createAccountRepository(db: Db) {
  const byUsername = db.prepare<[string], AccountRow>(`${SELECT} WHERE a.username = ?`);
  const byId = db.prepare<[number], AccountRow>(`${SELECT} WHERE a.id = ?`);
  const all = db.prepare<[], AccountRow>(`${SELECT} ORDER BY coalesce(p.username, a.username), a.parent_id IS NOT NULL, a.username`);
  const children = db.prepare<[number], AccountRow>(`${SELECT} WHERE a.parent_id = ? ORDER BY a.username`);
  const countChildren = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM accounts WHERE parent_id = ?');
  const insert = db.prepare(
    `INSERT INTO accounts (username, parent_id, password_hash, disk_quota_bytes, mailbox_quota_bytes, max_children, pop_packs)
     VALUES (@username, @parentId, @passwordHash, @diskQuotaBytes, @mailboxQuotaBytes, @maxChildren, @popPacks)`,
  );
  const updatePlan = db.prepare(
    `UPDATE accounts SET disk_quota_bytes = @diskQuotaBytes, mailbox_quota_bytes = @mailboxQuotaBytes,
       max_children = @maxChildren, pop_packs = @popPacks, disabled = @disabled WHERE id = @id`,
  );
  const updatePassword = db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM accounts WHERE id = ?');

  return {
    findByUsername: (username: string) => {
      const row = byUsername.get(username);
      return row ? toAccount(row) : null;
    },
    findById: (id: number) => {
      const row = byId.get(id);
      return row ? toAccount(row) : null;
    },
    list: () => all.all().map(toAccount),
    listChildren: (parentId: number) => children.all(parentId).map(toAccount),
    countChildren: (parentId: number) => countChildren.get(parentId)!.n,
    insert: (account: NewAccount) => Number(insert.run(account).lastInsertRowid),
    updatePlan: (id: number, plan: AccountPlan) => updatePlan.run({ ...plan, disabled: plan.disabled ? 1 : 0, id }),
    updatePassword: (id: number, passwordHash: string) => updatePassword.run(passwordHash, id),
    remove: (id: number) => remove.run(id),
  };
}

export type AccountRepository = ReturnType<typeof createAccountRepository>;
