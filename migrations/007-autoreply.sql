-- A mailbox's autoreply (RFC 3834): one per mailbox, kept when turned off so its text is there next time.
CREATE TABLE autoreplies (
  mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes (id) ON DELETE CASCADE,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- NULL: "Auto: " and the original subject.
  subject TEXT,
  body TEXT NOT NULL,
  -- Calendar days, YYYY-MM-DD, both inclusive; NULL for an open end.
  starts_on TEXT CHECK (starts_on IS NULL OR starts_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  ends_on TEXT CHECK (ends_on IS NULL OR ends_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  -- A sender gets at most one reply in this many days.
  period_days INTEGER NOT NULL DEFAULT 7 CHECK (period_days BETWEEN 1 AND 365),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on)
);

-- The vacation database: when each sender last got this mailbox's autoreply.
CREATE TABLE vacation (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  sender TEXT NOT NULL CHECK (sender = lower(sender)),
  last_replied_at TEXT NOT NULL,
  PRIMARY KEY (mailbox_id, sender)
) WITHOUT ROWID;
