-- The outbound queue's delivery state. A recipient row is 'queued' until the relay host accepts it (the row goes) or
-- it fails for good; then it is 'failed', keeping what its bounce reports, until that bounce is durably delivered or
-- queued (then the row goes). The message row goes with its last recipient. next_attempt_at is when a queued row is
-- tried again, or when a failed row's bounce is (re)tried: one index answers "what is due now?" for both.
ALTER TABLE outbound_recipients ADD COLUMN state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'failed'));
-- A worker claims rows by writing its token and a lease end (UPDATE ... WHERE unclaimed, in one statement), so two
-- workers never attempt the same row; a crashed worker's lease runs out and the rows are due again.
ALTER TABLE outbound_recipients ADD COLUMN claim_token TEXT;
ALTER TABLE outbound_recipients ADD COLUMN claimed_until TEXT;
ALTER TABLE outbound_recipients ADD COLUMN last_attempt_at TEXT;
-- RFC 3464 fields of a failed recipient: Status (an RFC 3463 code), Diagnostic-Code (type and text) and Remote-MTA.
ALTER TABLE outbound_recipients ADD COLUMN status TEXT CHECK (status IS NULL OR status GLOB '[245].[0-9]*.[0-9]*');
ALTER TABLE outbound_recipients ADD COLUMN diagnostic_type TEXT;
ALTER TABLE outbound_recipients ADD COLUMN diagnostic TEXT;
ALTER TABLE outbound_recipients ADD COLUMN remote_mta TEXT;
