import type { Db } from '../connection.js';

export type RecipientState = 'queued' | 'failed';

export interface QueuedRecipient {
  id: number;
  messageId: number;
  sender: string;
  recipient: string;
  state: RecipientState;
  attempts: number;
  nextAttemptAt: string;
  lastAttemptAt: string | null;
  lastError: string | null;
  size: number;
}

/** A row a worker claimed: it alone decides the row's outcome until its lease ends. */
export interface ClaimedRecipient {
  id: number;
  messageId: number;
  recipient: string;
  state: RecipientState;
  attempts: number;
  lastError: string | null;
}

export interface FailedRow {
  id: number;
  recipient: string;
  status: string;
  diagnosticType: string;
  diagnostic: string;
  remoteMta: string | null;
  lastAttemptAt: string | null;
}

export interface QueuedMessage {
  id: number;
  sender: string;
  content: Buffer;
  createdAt: string;
}

export interface FailureRecord {
  attempts: number;
  status: string;
  diagnosticType: string;
  diagnostic: string;
  remoteMta: string | null;
  lastError: string;
  at: string;
}

interface QueuedRow {
  id: number;
  message_id: number;
  sender: string;
  recipient: string;
  state: RecipientState;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_error: string | null;
  size: number;
}

const toQueued = (row: QueuedRow): QueuedRecipient => ({
  id: row.id,
  messageId: row.message_id,
  sender: row.sender,
  recipient: row.recipient,
  state: row.state,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  lastAttemptAt: row.last_attempt_at,
  lastError: row.last_error,
  size: row.size,
});

// A row is free to claim when it is due and no live lease holds it. Times are ISO-8601 UTC strings, which sort as text.
const DUE = 'next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until <= @now)';

/**
 * Mail waiting to leave the server: the message once, a row for each remote recipient. Rows are claimed by a worker
 * before an attempt (one UPDATE, so two workers never claim the same row) and every outcome is written only by the
 * claim's holder. Listeners hear when rows become due at once (new mail, a retry), so a sleeping worker wakes.
 */
export function createOutboundQueueRepository(db: Db) {
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());

  const insertMessage = db.prepare('INSERT INTO outbound_messages (sender, content) VALUES (?, ?)');
  const insertRecipient = db.prepare('INSERT INTO outbound_recipients (message_id, recipient) VALUES (?, ?)');
  const selectQueued = `SELECT r.id, r.message_id, m.sender, r.recipient, r.state, r.attempts, r.next_attempt_at, r.last_attempt_at,
      r.last_error, length(m.content) AS size FROM outbound_recipients r JOIN outbound_messages m ON m.id = r.message_id`;
  const all = db.prepare<[], QueuedRow>(`${selectQueued} ORDER BY r.id`);
  const byId = db.prepare<[number], QueuedRow>(`${selectQueued} WHERE r.id = ?`);
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbound_recipients');
  const message = db.prepare<[number], { id: number; sender: string; content: Buffer; created_at: string }>(
    'SELECT id, sender, content, created_at FROM outbound_messages WHERE id = ?',
  );
  // The rows of one message, the one due longest: a message goes to the relay in one transaction for all of them.
  const claim = db.prepare<{ token: string; now: string; until: string; queued: number }, ClaimedRow>(
    `UPDATE outbound_recipients SET claim_token = @token, claimed_until = @until
     WHERE message_id = (SELECT message_id FROM outbound_recipients WHERE ${DUE} AND (state = 'failed' OR @queued)
                         ORDER BY next_attempt_at, id LIMIT 1)
       AND ${DUE} AND (state = 'failed' OR @queued)
     RETURNING id, message_id, recipient, state, attempts, last_error`,
  );
  const nextDue = db.prepare<{ queued: number }, { at: string | null }>(
    `SELECT min(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END) AS at
     FROM outbound_recipients WHERE state = 'failed' OR @queued`,
  );
  const deleteClaimed = db.prepare('DELETE FROM outbound_recipients WHERE id = ? AND claim_token = ? RETURNING message_id');
  const deleteRow = db.prepare<[number], { message_id: number }>('DELETE FROM outbound_recipients WHERE id = ? RETURNING message_id');
  const deleteOrphan = db.prepare(
    'DELETE FROM outbound_messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM outbound_recipients WHERE message_id = ?)',
  );
  const retryLater = db.prepare(
    `UPDATE outbound_recipients SET attempts = @attempts, next_attempt_at = @next, last_attempt_at = @at, last_error = @error,
       claim_token = NULL, claimed_until = NULL WHERE id = @id AND claim_token = @token`,
  );
  const fail = db.prepare(
    `UPDATE outbound_recipients SET state = 'failed', attempts = @attempts, next_attempt_at = @at, last_attempt_at = @at,
       last_error = @lastError, status = @status, diagnostic_type = @diagnosticType, diagnostic = @diagnostic, remote_mta = @remoteMta
     WHERE id = @id AND claim_token = @token`,
  );
  const failedClaimed = db.prepare<[number, string], FailedDbRow>(
    `SELECT id, recipient, status, diagnostic_type, diagnostic, remote_mta, last_attempt_at FROM outbound_recipients
     WHERE message_id = ? AND claim_token = ? AND state = 'failed' ORDER BY id`,
  );
  const postpone = db.prepare(
    'UPDATE outbound_recipients SET next_attempt_at = ?, last_error = ?, claim_token = NULL, claimed_until = NULL WHERE id = ? AND claim_token = ?',
  );
  const release = db.prepare('UPDATE outbound_recipients SET claim_token = NULL, claimed_until = NULL WHERE claim_token = ?');
  const retryOne = db.prepare("UPDATE outbound_recipients SET next_attempt_at = ? WHERE id = ? AND state = 'queued'");
  const retryAll = db.prepare("UPDATE outbound_recipients SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?");
  const hold = db.prepare(
    "UPDATE outbound_recipients SET last_error = @reason WHERE state = 'queued' AND next_attempt_at <= @now AND last_error IS NOT @reason",
  );

  const removeOrphan = (messageId: number) => deleteOrphan.run(messageId, messageId);

  const enqueue = db.transaction((sender: string, content: Buffer, recipients: readonly string[]) => {
    const messageId = Number(insertMessage.run(sender, content).lastInsertRowid);
    for (const recipient of recipients) insertRecipient.run(messageId, recipient);
    return messageId;
  });

  /** Deletes claimed rows (delivered, or bounced) and their message once no recipient is left. */
  const removeClaimed = db.transaction((ids: readonly number[], token: string) => {
    const messages = new Set<number>();
    for (const id of ids) {
      const row = deleteClaimed.get(id, token) as { message_id: number } | undefined;
      if (row) messages.add(row.message_id);
    }
    messages.forEach(removeOrphan);
    return messages.size > 0;
  });

  const remove = db.transaction((id: number) => {
    const before = byId.get(id);
    if (!before) return null;
    deleteRow.get(id);
    removeOrphan(before.message_id);
    return toQueued(before);
  });

  return {
    enqueue(sender: string, content: Buffer, recipients: readonly string[]): number {
      const messageId = enqueue(sender, content, recipients);
      notify();
      return messageId;
    },
    list: (): QueuedRecipient[] => all.all().map(toQueued),
    find: (id: number): QueuedRecipient | null => {
      const row = byId.get(id);
      return row ? toQueued(row) : null;
    },
    count: () => count.get()!.n,
    message(id: number): QueuedMessage | null {
      const row = message.get(id);
      return row ? { id: row.id, sender: row.sender, content: row.content, createdAt: row.created_at } : null;
    },
    /** Claims the due rows of one message until `until`; failed rows only (bounces) unless `includeQueued`. */
    claimNext(token: string, now: string, until: string, includeQueued: boolean): ClaimedRecipient[] {
      return claim.all({ token, now, until, queued: includeQueued ? 1 : 0 }).map((row) => ({
        id: row.id,
        messageId: row.message_id,
        recipient: row.recipient,
        state: row.state,
        attempts: row.attempts,
        lastError: row.last_error,
      }));
    },
    /** When the next row falls due (or a claim on one runs out); null for an empty queue. */
    nextDueAt: (includeQueued: boolean): string | null => nextDue.get({ queued: includeQueued ? 1 : 0 })?.at ?? null,
    removeClaimed: (ids: readonly number[], token: string): boolean => removeClaimed(ids, token),
    retryLater(id: number, token: string, update: { attempts: number; next: string; at: string; error: string }): void {
      retryLater.run({ id, token, ...update });
    },
    /** Marks a claimed row failed for good; it stays claimed, so the same worker bounces it next. */
    fail(id: number, token: string, record: FailureRecord): void {
      fail.run({ id, token, ...record });
    },
    claimedFailures: (messageId: number, token: string): FailedRow[] =>
      failedClaimed.all(messageId, token).map((row) => ({
        id: row.id,
        recipient: row.recipient,
        status: row.status,
        diagnosticType: row.diagnostic_type,
        diagnostic: row.diagnostic,
        remoteMta: row.remote_mta,
        lastAttemptAt: row.last_attempt_at,
      })),
    /** A bounce that could not be delivered yet: its rows wait until `next` and are claimed again then. */
    postpone: db.transaction((ids: readonly number[], token: string, next: string, error: string) => {
      for (const id of ids) postpone.run(next, error, id, token);
    }),
    releaseClaims: (token: string) => release.run(token).changes,
    /** Makes one queued row, or all of them, due at `now`; returns how many changed. */
    retry(id: number | null, now: string): number {
      const changes = id === null ? retryAll.run(now, now).changes : retryOne.run(now, id).changes;
      if (changes > 0) notify();
      return changes;
    },
    /** Deletes one recipient row, and its message when it was the last; returns the row as it was. */
    remove: (id: number): QueuedRecipient | null => remove(id),
    /** Notes on every due queued row why it is not attempted (no relay host); returns how many rows it changed. */
    holdDue: (now: string, reason: string) => hold.run({ now, reason }).changes,
    /** Calls `listener` whenever rows become due at once; returns the unsubscribe function. */
    onDue(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface ClaimedRow {
  id: number;
  message_id: number;
  recipient: string;
  state: RecipientState;
  attempts: number;
  last_error: string | null;
}

interface FailedDbRow {
  id: number;
  recipient: string;
  status: string;
  diagnostic_type: string;
  diagnostic: string;
  remote_mta: string | null;
  last_attempt_at: string | null;
}

export type OutboundQueueRepository = ReturnType<typeof createOutboundQueueRepository>;
