import type { Db } from '../connection.js';

/** A virtual account (kind 'virtual', named by its address) or a POP mailbox (kind 'pop', named by its username). */
export interface Mailbox {
  id: number;
  kind: 'virtual' | 'pop';
  name: string;
  accountId: number;
  accountUsername: string;
  domainId: number | null;
  domainName: string | null;
  passwordHash: string;
  displayName: string;
  quotaBytes: number | null;
  notifyAt90: boolean;
  disabled: boolean;
  flags: number;
  hiddenFromAddressBook: boolean;
  ftpEnabled: boolean;
  ftpHome: string | null;
  forwardTo: string | null;
  forwardKeepCopy: boolean;
  createdAt: string;
}

export interface NewMailbox {
  kind: 'virtual' | 'pop';
  accountId: number;
  address: string | null;
  username: string | null;
  domainId: number | null;
  passwordHash: string;
  displayName: string;
  quotaBytes: number | null;
  flags: number;
  ftpEnabled: boolean;
  ftpHome: string | null;
}

/** The fields an owner may change after creation. */
export type MailboxSettings = Pick<
  Mailbox,
  'displayName' | 'quotaBytes' | 'notifyAt90' | 'disabled' | 'flags' | 'hiddenFromAddressBook' | 'ftpEnabled' | 'ftpHome'
>;

interface MailboxRow {
  id: number;
  kind: 'virtual' | 'pop';
  account_id: number;
  account_username: string;
  address: string | null;
  username: string | null;
  domain_id: number | null;
  domain_name: string | null;
  password_hash: string;
  display_name: string;
  quota_bytes: number | null;
  notify_at_90: number;
  disabled: number;
  flags: number;
  hidden_from_address_book: number;
  ftp_enabled: number;
  ftp_home: string | null;
  forward_to: string | null;
  forward_keep_copy: number;
  created_at: string;
}

const SELECT = `SELECT m.*, a.username AS account_username, d.name AS domain_name
  FROM mailboxes m JOIN accounts a ON a.id = m.account_id LEFT JOIN domains d ON d.id = m.domain_id`;

const toMailbox = (row: MailboxRow): Mailbox => ({
  id: row.id,
  kind: row.kind,
  name: (row.kind === 'virtual' ? row.address : row.username)!,
  accountId: row.account_id,
  accountUsername: row.account_username,
  domainId: row.domain_id,
  domainName: row.domain_name,
  passwordHash: row.password_hash,
  displayName: row.display_name,
  quotaBytes: row.quota_bytes,
  notifyAt90: row.notify_at_90 === 1,
  disabled: row.disabled === 1,
  flags: row.flags,
  hiddenFromAddressBook: row.hidden_from_address_book === 1,
  ftpEnabled: row.ftp_enabled === 1,
  ftpHome: row.ftp_home,
  forwardTo: row.forward_to,
  forwardKeepCopy: row.forward_keep_copy === 1,
  createdAt: row.created_at,
});

const bit = (value: boolean) => (value ? 1 : 0);

/** Which of an account's mailboxes a listing page shows: one kind or both, and a text to find. */
export interface MailboxListing {
  accountId: number;
  kind: Mailbox['kind'] | null;
  /** Matched anywhere in the address, POP username or display name; "" matches all. */
  query: string;
}

// The order of the mailboxes_account_listing index (migration 003), so a page is an index walk, not a sort.
const LISTING_ORDER = 'ORDER BY m.kind, m.address, m.username';
const MATCHES = `(@pattern IS NULL OR m.address LIKE @pattern ESCAPE '\\' OR m.username LIKE @pattern ESCAPE '\\'
  OR m.display_name LIKE @pattern ESCAPE '\\')`;

/** A LIKE pattern finding `query` as typed: its own %, _ and \ match themselves. */
const containing = (query: string) => (query === '' ? null : `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);

export function createMailboxRepository(db: Db) {
  const byAddress = db.prepare<[string, string], MailboxRow>(
    `${SELECT} WHERE m.address = ? OR m.id = (SELECT mailbox_id FROM mailbox_addresses WHERE address = ?)`,
  );
  const byUsername = db.prepare<[string], MailboxRow>(`${SELECT} WHERE m.username = ?`);
  const byId = db.prepare<[number], MailboxRow>(`${SELECT} WHERE m.id = ?`);
  const all = db.prepare<[string], MailboxRow>(`${SELECT} WHERE m.kind = ? ORDER BY a.username, m.address, m.username`);
  const byAccount = db.prepare<[number, string], MailboxRow>(
    `${SELECT} WHERE m.account_id = ? AND m.kind = ? ORDER BY m.address, m.username`,
  );
  const byDomain = db.prepare<[number], MailboxRow>(`${SELECT} WHERE m.domain_id = ? ORDER BY m.kind, m.address, m.username`);
  const pageOfKind = db.prepare<{ accountId: number; kind: string; pattern: string | null; limit: number; offset: number }, MailboxRow>(
    `${SELECT} WHERE m.account_id = @accountId AND m.kind = @kind AND ${MATCHES} ${LISTING_ORDER} LIMIT @limit OFFSET @offset`,
  );
  const pageOfAll = db.prepare<{ accountId: number; pattern: string | null; limit: number; offset: number }, MailboxRow>(
    `${SELECT} WHERE m.account_id = @accountId AND ${MATCHES} ${LISTING_ORDER} LIMIT @limit OFFSET @offset`,
  );
  const countOfKind = db.prepare<{ accountId: number; kind: string; pattern: string | null }, { n: number }>(
    `SELECT count(*) AS n FROM mailboxes m WHERE m.account_id = @accountId AND m.kind = @kind AND ${MATCHES}`,
  );
  const countOfAll = db.prepare<{ accountId: number; pattern: string | null }, { n: number }>(
    `SELECT count(*) AS n FROM mailboxes m WHERE m.account_id = @accountId AND ${MATCHES}`,
  );
  const countPop = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM mailboxes WHERE account_id = ? AND kind = 'pop'");
  const insert = db.prepare(
    `INSERT INTO mailboxes (kind, account_id, address, username, domain_id, password_hash, display_name, quota_bytes, flags,
       ftp_enabled, ftp_home)
     VALUES (@kind, @accountId, @address, @username, @domainId, @passwordHash, @displayName, @quotaBytes, @flags,
       @ftpEnabled, @ftpHome)`,
  );
  const updateSettings = db.prepare(
    `UPDATE mailboxes SET display_name = @displayName, quota_bytes = @quotaBytes, notify_at_90 = @notifyAt90,
       disabled = @disabled, flags = @flags, hidden_from_address_book = @hiddenFromAddressBook,
       ftp_enabled = @ftpEnabled, ftp_home = @ftpHome WHERE id = @id`,
  );
  const updatePassword = db.prepare('UPDATE mailboxes SET password_hash = ? WHERE id = ?');
  const updateForwarding = db.prepare('UPDATE mailboxes SET forward_to = ?, forward_keep_copy = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM mailboxes WHERE id = ?');
  const detachDomain = db.prepare("UPDATE mailboxes SET domain_id = NULL WHERE domain_id = ? AND kind = 'pop'");

  return {
    /** A virtual account by its address or one of its extra addresses. */
    findByAddress: (address: string) => {
      const row = byAddress.get(address, address);
      return row ? toMailbox(row) : null;
    },
    findPopByUsername: (username: string) => {
      const row = byUsername.get(username);
      return row ? toMailbox(row) : null;
    },
    findById: (id: number) => {
      const row = byId.get(id);
      return row ? toMailbox(row) : null;
    },
    list: (kind: Mailbox['kind']) => all.all(kind).map(toMailbox),
    listByAccount: (accountId: number, kind: Mailbox['kind']) => byAccount.all(accountId, kind).map(toMailbox),
    listByDomain: (domainId: number) => byDomain.all(domainId).map(toMailbox),
    countPop: (accountId: number) => countPop.get(accountId)!.n,
    /** One page of a listing, read with LIMIT/OFFSET: the other rows are never loaded. */
    listPage: ({ accountId, kind, query }: MailboxListing, limit: number, offset: number) => {
      const pattern = containing(query);
      const rows = kind === null ? pageOfAll.all({ accountId, pattern, limit, offset }) : pageOfKind.all({ accountId, kind, pattern, limit, offset });
      return rows.map(toMailbox);
    },
    countListing: ({ accountId, kind, query }: MailboxListing) => {
      const pattern = containing(query);
      return (kind === null ? countOfAll.get({ accountId, pattern }) : countOfKind.get({ accountId, kind, pattern }))!.n;
    },
    insert: (mailbox: NewMailbox) =>
      Number(insert.run({ ...mailbox, ftpEnabled: bit(mailbox.ftpEnabled) }).lastInsertRowid),
    updateSettings: (id: number, settings: MailboxSettings) =>
      updateSettings.run({
        ...settings,
        notifyAt90: bit(settings.notifyAt90),
        disabled: bit(settings.disabled),
        hiddenFromAddressBook: bit(settings.hiddenFromAddressBook),
        ftpEnabled: bit(settings.ftpEnabled),
        id,
      }),
    updatePassword: (id: number, passwordHash: string) => updatePassword.run(passwordHash, id),
    /** A mailbox's own forwarding: null addresses means none (keep-copy then goes back to its default, on). */
    setForwarding: (id: number, addresses: readonly string[] | null, keepCopy: boolean) =>
      updateForwarding.run(addresses && addresses.length > 0 ? addresses.join(',') : null, bit(keepCopy || !addresses?.length), id),
    remove: (id: number) => remove.run(id),
    /** POP mailboxes keep living when the domain of their default alias goes. */
    detachPopsFromDomain: (domainId: number) => detachDomain.run(domainId),
  };
}

export type MailboxRepository = ReturnType<typeof createMailboxRepository>;
