import type { Db } from '../connection.js';

/** The extra addresses a mailbox answers to and may send as (DESIGN.md mailbox settings). */
export function createMailboxAddressRepository(db: Db) {
  const byMailbox = db.prepare<[number], { address: string }>('SELECT address FROM mailbox_addresses WHERE mailbox_id = ? ORDER BY address');
  return {
    listByMailbox: (mailboxId: number): string[] => byMailbox.all(mailboxId).map((row) => row.address),
  };
}

export type MailboxAddressRepository = ReturnType<typeof createMailboxAddressRepository>;
