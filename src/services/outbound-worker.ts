import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { BounceService } from './outbound-bounce.js';
import type { OutboundQueueService } from './outbound-queue.js';
import type { RelayClient } from './outbound-relay.js';

export interface OutboundWorkerOptions {
  queue: OutboundQueueService;
  bounces: BounceService;
  /** null when no relay host is configured: queued mail is held (and says why), bounces still go out. */
  relay: RelayClient | null;
  /** The retry period (POSTYARD_QUEUE_LIFETIME). */
  lifetimeMs: number;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  clock?: () => Date;
  /** Messages attempted at the same time. */
  concurrency?: number;
  /** How long a claim holds; longer than one attempt can take (the relay client's attemptMs), so no live claim ends. */
  leaseMs?: number;
  /** The longest sleep: changes by another process (`postyard queue retry`) are seen within this. */
  pollMs?: number;
}

export interface RunReport {
  delivered: number;
  retried: number;
  bounced: number;
  dropped: number;
  held: number;
}

const DEFAULTS = { concurrency: 4, leaseMs: 30 * 60_000, pollMs: 30_000 };

/**
 * Delivers due recipients of the outbound queue through the relay host. runDue() is the whole job, run once; start()
 * only schedules it with a timer for the next due time (or the poll limit), and new mail or a retry wakes it early.
 * State lives in SQLite: claims make two workers (two processes) safe, and leases make a crash safe.
 */
export function createOutboundWorker(options: OutboundWorkerOptions) {
  const { queue, bounces, relay, lifetimeMs, log } = options;
  const clock = options.clock ?? (() => new Date());
  const { concurrency, leaseMs, pollMs } = { ...DEFAULTS, ...stripUndefined(options) };
  const includeQueued = relay !== null;

  let started = false;
  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<RunReport> | null = null;
  let unsubscribe: (() => void) | null = null;

  /** Claims, attempts and settles one message; false when nothing is due. */
  async function processNext(token: string, now: Date, report: RunReport): Promise<boolean> {
    const rows = queue.claimNext(token, now, new Date(now.getTime() + leaseMs), includeQueued);
    const first = rows[0];
    if (!first) return false;
    const messageId = first.messageId;
    try {
      const message = queue.message(messageId);
      const pending = rows.filter((row) => row.state === 'queued');
      if (message && relay && pending.length > 0) {
        const outcomes = await relay.send({ from: message.sender, to: pending.map((row) => row.recipient), content: message.content });
        const result = queue.recordAttempt({ token, rows: pending, message, now, lifetimeMs, relayHost: relay.host }, outcomes);
        report.delivered += result.delivered.length;
        report.retried += result.retried.length;
        if (result.delivered.length > 0) log.info({ queueId: messageId, to: result.delivered, relay: relay.name }, 'relayed');
        for (const { recipient, at, error } of result.retried) {
          log.warn({ queueId: messageId, to: recipient, error, nextAttempt: at.toISOString() }, 'relay attempt failed; will retry');
        }
        for (const { recipient, status, error } of result.failed) log.warn({ queueId: messageId, to: recipient, status, error }, 'delivery failed; bouncing');
      }
      const bounce = await bounces.bounceFailures(messageId, token, now);
      if (bounce.kind === 'bounced') {
        report.bounced += bounce.recipients.length;
        log.info({ queueId: messageId, to: bounce.to, recipients: bounce.recipients }, bounce.toPostmaster ? 'sender refused the bounce; sent to the postmaster' : 'bounce sent');
      } else if (bounce.kind === 'dropped') {
        report.dropped += bounce.recipients.length;
        log.warn({ queueId: messageId, recipients: bounce.recipients }, 'a message with a null sender failed: dropped without a bounce');
      } else if (bounce.kind === 'postponed') {
        log.error({ queueId: messageId, err: bounce.error, retryAt: bounce.retryAt.toISOString() }, 'could not write a bounce; will try again');
      }
    } catch (error) {
      // Our own failure: the claim stays until its lease ends, so the message is tried again then, not in a tight loop.
      log.error({ err: error, queueId: messageId }, 'outbound delivery failed with an internal error; retrying after the claim runs out');
    }
    return true;
  }

  async function run(now: Date): Promise<RunReport> {
    const report: RunReport = { delivered: 0, retried: 0, bounced: 0, dropped: 0, held: 0 };
    if (!relay) report.held = queue.holdDue(now);
    const token = randomBytes(12).toString('hex');
    const lane = async () => {
      while (!stopping && (await processNext(token, now, report)));
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return report;
  }

  /** Runs every delivery due at `now` (default: the clock) once, and resolves when they are settled. Runs never overlap. */
  async function runDue(now: Date = clock()): Promise<RunReport> {
    while (running) await running.catch(() => undefined);
    const current = run(now);
    running = current;
    try {
      return await current;
    } finally {
      running = null;
      schedule();
    }
  }

  function schedule(delayMs?: number) {
    if (!started || stopping) return;
    if (timer) clearTimeout(timer);
    let delay = delayMs;
    if (delay === undefined) {
      try {
        const next = queue.nextDueAt(includeQueued);
        delay = next === null ? pollMs : Math.min(pollMs, Math.max(0, next.getTime() - clock().getTime()));
      } catch (error) {
        log.error({ err: error }, 'could not read the outbound queue; looking again later');
        delay = pollMs;
      }
    }
    timer = setTimeout(tick, delay);
    timer.unref(); // the listeners keep the process alive, not the queue
  }

  function tick() {
    timer = null;
    runDue().catch((error: unknown) => log.error({ err: error }, 'outbound queue run failed'));
  }

  return {
    runDue,
    /** Starts the timer; the first run is at once (mail may have waited while the server was stopped). */
    start() {
      if (started) return;
      started = true;
      if (!relay) log.warn('no relay host is configured (POSTYARD_RELAY_HOST): outbound mail is held in the queue');
      // New mail or a retry in this process: run at once, unless a run is going (it schedules the next when done).
      unsubscribe = queue.onDue(() => {
        if (!running) schedule(0);
      });
      schedule(0);
    },
    /** Stops the timer and waits for a run in progress: its current attempts finish, no new one starts. */
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      unsubscribe?.();
      await running?.catch(() => undefined);
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as Partial<T>;
}

export type OutboundWorker = ReturnType<typeof createOutboundWorker>;
