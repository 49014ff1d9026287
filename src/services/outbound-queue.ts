import type { ClaimedRecipient, QueuedMessage, QueuedRecipient } from '../db/repositories/outbound-queue.js';
import { PostyardError, notFound } from '../domain/errors.js';
import { decideAfterFailure } from '../domain/retry-schedule.js';
import type { ServiceContext } from './context.js';
import type { RecipientOutcome } from './outbound-relay.js';

/** Why queued mail is not attempted when the server has no relay host; shown as the rows' last error. */
export const NO_RELAY_REASON = 'held: no relay host is configured (set POSTYARD_RELAY_HOST)';

/** What one attempt did to the claimed rows, for the worker's log. */
export interface AttemptReport {
  delivered: string[];
  retried: { recipient: string; at: Date; error: string }[];
  failed: { recipient: string; status: string; error: string }[];
}

export interface AttemptContext {
  token: string;
  rows: readonly ClaimedRecipient[];
  message: QueuedMessage;
  now: Date;
  lifetimeMs: number;
  /** The relay host that answered, for the report's Remote-MTA. */
  relayHost: string;
}

const iso = (date: Date) => date.toISOString();

/**
 * The outbound queue: what the admin sees and changes (list, retry now, remove), and the state changes a worker makes
 * on the rows it claimed. Every decision about a failed attempt comes from domain/retry-schedule.ts.
 */
export function createOutboundQueueService({ db, repos, audit }: ServiceContext) {
  const queue = repos.outboundQueue;

  const find = (id: number): QueuedRecipient => {
    const row = queue.find(id);
    if (!row) throw notFound('queued recipient', `#${id}`);
    return row;
  };

  /** Writes the outcome of one attempt for every claimed row, in one transaction. */
  const recordAttempt = db.transaction((context: AttemptContext, outcomes: readonly RecipientOutcome[]): AttemptReport => {
    const { token, rows, message, now, lifetimeMs } = context;
    const report: AttemptReport = { delivered: [], retried: [], failed: [] };
    const byRecipient = new Map(rows.map((row) => [row.recipient, row]));
    const arrivedAt = new Date(message.createdAt);
    for (const { recipient, delivered, reply, command } of outcomes) {
      const row = byRecipient.get(recipient);
      if (!row) continue;
      if (delivered) {
        queue.removeClaimed([row.id], token);
        report.delivered.push(recipient);
        continue;
      }
      const attempts = row.attempts + 1;
      // As Postfix words it, so the admin sees which step failed: "... (in reply to RCPT TO)".
      const error = command && command !== 'CONN' ? `${reply.text} (in reply to ${command})` : reply.text;
      const decision = decideAfterFailure(reply, { attempts, arrivedAt, now, lifetimeMs });
      if (decision.action === 'retry') {
        queue.retryLater(row.id, token, { attempts, next: iso(decision.at), at: iso(now), error });
        report.retried.push({ recipient, at: decision.at, error });
      } else {
        queue.fail(row.id, token, {
          attempts,
          status: decision.status,
          diagnosticType: reply.code === null ? 'X-Postyard' : 'smtp',
          diagnostic: reply.text,
          remoteMta: reply.code === null ? null : context.relayHost,
          lastError: error,
          at: iso(now),
        });
        report.failed.push({ recipient, status: decision.status, error });
      }
    }
    return report;
  });

  return {
    list: (): QueuedRecipient[] => queue.list(),
    count: (): number => queue.count(),
    find,

    /** "Retry now": one queued recipient, or (id null) every one, becomes due at once; returns how many. */
    retry(id: number | null, now = new Date()): number {
      if (id !== null) {
        const row = find(id);
        if (row.state === 'failed') {
          throw new PostyardError('INVALID_INPUT', `queued recipient #${id} failed for good; its bounce is on its way to the sender`);
        }
      }
      const changed = queue.retry(id, iso(now));
      if (changed > 0) audit.record('queue.retry', id === null ? 'all' : `#${id}`, null, null, { recipients: changed });
      return changed;
    },

    /** Drops one recipient without a bounce; the message goes with its last recipient. */
    remove(id: number): QueuedRecipient {
      const removed = queue.remove(id);
      if (!removed) throw notFound('queued recipient', `#${id}`);
      audit.record('queue.remove', `#${id} ${removed.recipient}`, null, removed, null);
      return removed;
    },

    /** Calls `listener` when rows become due at once (new mail, a retry), so a sleeping worker can wake. */
    onDue: (listener: () => void) => queue.onDue(listener),

    // What a worker does with the rows it claims.
    claimNext: (token: string, now: Date, leaseUntil: Date, includeQueued: boolean) =>
      queue.claimNext(token, iso(now), iso(leaseUntil), includeQueued),
    nextDueAt(includeQueued: boolean): Date | null {
      const at = queue.nextDueAt(includeQueued);
      return at === null ? null : new Date(at);
    },
    message: (id: number) => queue.message(id),
    recordAttempt: (context: AttemptContext, outcomes: readonly RecipientOutcome[]) => recordAttempt(context, outcomes),
    releaseClaims: (token: string) => queue.releaseClaims(token),
    /** With no relay host, says so on every due queued row instead of attempting it. */
    holdDue: (now: Date) => queue.holdDue(iso(now), NO_RELAY_REASON),
  };
}

export type OutboundQueueService = ReturnType<typeof createOutboundQueueService>;
