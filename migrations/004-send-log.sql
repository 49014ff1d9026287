-- Messages accepted on the submission port, one row each, for the hourly sending limit (seed 001: 500 messages an
-- hour). In the database, not in memory, so that restarting the server does not hand every user a fresh hour.
-- Rows older than the window are pruned when a new one is written.
CREATE TABLE send_log (
  id INTEGER PRIMARY KEY,
  -- who sent: 'mailbox:<address or POP username>' or 'account:<username>'
  sender_key TEXT NOT NULL,
  -- milliseconds since the epoch
  sent_at INTEGER NOT NULL CHECK (sent_at >= 0)
);
CREATE INDEX send_log_sender ON send_log (sender_key, sent_at);
CREATE INDEX send_log_time ON send_log (sent_at);
