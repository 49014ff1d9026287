-- Who changed what and when, from the panel or the command line. Rows outlive the objects they describe, so they
-- hold names rather than foreign keys; account_username says whose log the row belongs to.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  actor TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('panel', 'cli', 'system')),
  account_username TEXT,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT
);
CREATE INDEX audit_log_account ON audit_log (account_username, id);
