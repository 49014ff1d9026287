import type { Db } from '../connection.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  source: 'panel' | 'cli' | 'system';
  accountUsername: string | null;
  action: string;
  object: string;
  before: unknown;
  after: unknown;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  source: AuditEntry['source'];
  account_username: string | null;
  action: string;
  object: string;
  before_json: string | null;
  after_json: string | null;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  actor: row.actor,
  source: row.source,
  accountUsername: row.account_username,
  action: row.action,
  object: row.object,
  before: row.before_json === null ? null : JSON.parse(row.before_json),
  after: row.after_json === null ? null : JSON.parse(row.after_json),
});

export function createAuditLogRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO audit_log (actor, source, account_username, action, object, before_json, after_json)
     VALUES (@actor, @source, @accountUsername, @action, @object, @before, @after)`,
  );
  const recent = db.prepare<[number, number], AuditRow>('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
  const byAccounts = db.prepare<[string, number, number], AuditRow>(
    'SELECT * FROM audit_log WHERE account_username IN (SELECT value FROM json_each(?)) AND id < ? ORDER BY id DESC LIMIT ?',
  );
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  return {
    insert: (entry: NewAuditEntry) => insert.run({ ...entry, before: json(entry.before), after: json(entry.after) }),
    /** Newest first, `limit` rows older than `beforeId`; all accounts when `accounts` is null. */
    list: (accounts: string[] | null, beforeId: number, limit: number) =>
      (accounts === null ? recent.all(beforeId, limit) : byAccounts.all(JSON.stringify(accounts), beforeId, limit)).map(toEntry),
  };
}

export type AuditLogRepository = ReturnType<typeof createAuditLogRepository>;
