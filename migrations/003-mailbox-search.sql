-- The Virtual Account Manager, the POP list and storage management show one page of an account's mailboxes at a time,
-- ordered by address (virtual accounts) or username (POP mailboxes). This index hands out that order directly, so a
-- page costs a short index walk instead of sorting all of an account's mailboxes (10,000 or more) for every request.
CREATE INDEX mailboxes_account_listing ON mailboxes (account_id, kind, address, username);
