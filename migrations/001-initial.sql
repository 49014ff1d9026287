-- The model of DESIGN.md. Invariants live here too: one username namespace, foreign keys, UNIQUE and CHECK.

-- Account usernames, POP mailbox names, list names and the admin share one server-wide namespace (seed 003).
CREATE TABLE usernames (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('admin', 'account', 'pop', 'list'))
) WITHOUT ROWID;

CREATE TABLE admins (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE REFERENCES usernames (name),
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE REFERENCES usernames (name),
  parent_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  disk_quota_bytes INTEGER CHECK (disk_quota_bytes >= 0),
  mailbox_quota_bytes INTEGER CHECK (mailbox_quota_bytes >= 0),
  max_children INTEGER NOT NULL DEFAULT 10 CHECK (max_children >= 0),
  pop_packs INTEGER NOT NULL DEFAULT 1 CHECK (pop_packs >= 0),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX accounts_parent ON accounts (parent_id);

-- Accounts are two levels deep: a child's parent must itself be a parent.
CREATE TRIGGER accounts_two_levels BEFORE INSERT ON accounts
WHEN NEW.parent_id IS NOT NULL AND (SELECT parent_id FROM accounts WHERE id = NEW.parent_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a child account cannot have children');
END;

CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE CHECK (name = lower(name)),
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX domains_account ON domains (account_id);

-- Virtual accounts (kind 'virtual', addressed by `address`) and POP mailboxes (kind 'pop', by `username`) share
-- every mailbox setting of DESIGN.md, so they share one table and one set of rules.
CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('virtual', 'pop')),
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  address TEXT UNIQUE CHECK (address = lower(address)),
  username TEXT UNIQUE REFERENCES usernames (name),
  domain_id INTEGER REFERENCES domains (id) ON DELETE RESTRICT,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  quota_bytes INTEGER CHECK (quota_bytes >= 0),
  notify_at_90 INTEGER NOT NULL DEFAULT 1 CHECK (notify_at_90 IN (0, 1)),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  flags INTEGER NOT NULL DEFAULT 0 CHECK (flags >= 0),
  hidden_from_address_book INTEGER NOT NULL DEFAULT 0 CHECK (hidden_from_address_book IN (0, 1)),
  ftp_enabled INTEGER NOT NULL DEFAULT 0 CHECK (ftp_enabled IN (0, 1)),
  ftp_home TEXT,
  forward_to TEXT,
  forward_keep_copy INTEGER NOT NULL DEFAULT 1 CHECK (forward_keep_copy IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (
    (kind = 'virtual' AND address IS NOT NULL AND username IS NULL AND domain_id IS NOT NULL)
    OR (kind = 'pop' AND username IS NOT NULL AND address IS NULL)
  )
);
CREATE INDEX mailboxes_account ON mailboxes (account_id, kind);
CREATE INDEX mailboxes_domain ON mailboxes (domain_id);

-- Further addresses a mailbox answers to (DESIGN.md mailbox settings).
CREATE TABLE mailbox_addresses (
  address TEXT PRIMARY KEY CHECK (address = lower(address)),
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE
);
CREATE INDEX mailbox_addresses_mailbox ON mailbox_addresses (mailbox_id);

-- A domain's alias rules: the Email Alias Manager and the map file are two views of these rows.
-- A rule that delivers to a username goes when that username goes (seed 003: deleting a POP removes its aliases).
CREATE TABLE alias_rules (
  id INTEGER PRIMARY KEY,
  domain_id INTEGER NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
  local_part TEXT NOT NULL CHECK (local_part = lower(local_part)),
  action TEXT NOT NULL CHECK (action IN ('deliver', 'forward', 'fail', 'discard')),
  target_username TEXT REFERENCES usernames (name) ON DELETE CASCADE,
  forward_addresses TEXT,
  fail_message TEXT,
  position INTEGER NOT NULL,
  -- Set on a POP mailbox's default alias, which only removing that mailbox may change.
  locked_by_mailbox_id INTEGER REFERENCES mailboxes (id) ON DELETE CASCADE,
  UNIQUE (domain_id, local_part),
  CHECK ((action = 'deliver') = (target_username IS NOT NULL)),
  CHECK ((action = 'forward') = (forward_addresses IS NOT NULL))
);

CREATE TABLE relay_allow (
  cidr TEXT PRIMARY KEY,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

-- Mail waiting to leave the server (remote forwards now, submission later). The message is stored once.
CREATE TABLE outbound_messages (
  id INTEGER PRIMARY KEY,
  sender TEXT NOT NULL,
  content BLOB NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE outbound_recipients (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES outbound_messages (id) ON DELETE CASCADE,
  recipient TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  last_error TEXT
);
CREATE INDEX outbound_recipients_due ON outbound_recipients (next_attempt_at);
CREATE INDEX outbound_recipients_message ON outbound_recipients (message_id);

-- Signed-cookie sessions of the panel, with their CSRF token.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  principal_kind TEXT NOT NULL CHECK (principal_kind IN ('admin', 'account', 'mailbox')),
  principal_id INTEGER NOT NULL,
  csrf_token TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
