/**
 * What happens to an outbound recipient after an attempt that did not deliver it: try again later (and when), or give
 * up and bounce. Pure: the caller passes the reply, the attempt count, the arrival time and `now`.
 */

const MINUTE = 60_000;

/** Waits after the 1st, 2nd, ... failed attempt; then every STEADY_RETRY_MS. RFC 5321 4.5.4.1 asks for at least 30 min once the first tries failed. */
export const RETRY_DELAYS_MS: readonly number[] = [5, 15, 30, 60, 120].map((minutes) => minutes * MINUTE);
export const STEADY_RETRY_MS = 240 * MINUTE;

/** The default retry period (POSTYARD_QUEUE_LIFETIME): RFC 5321 4.5.4.1 suggests giving up after 4-5 days. */
export const DEFAULT_QUEUE_LIFETIME_MS = 5 * 24 * 60 * MINUTE;

/** How long to wait after `attempts` failed attempts (1 for the first failure). */
export function retryDelay(attempts: number): number {
  return RETRY_DELAYS_MS[Math.max(0, attempts - 1)] ?? STEADY_RETRY_MS;
}

/**
 * A reply to one attempt for one recipient. `code` is the SMTP reply code, null when no reply came (connection
 * refused, timeout, dropped). `stage` says which command it answered: a 5xx to the greeting, EHLO, STARTTLS or AUTH is
 * about our relay session, not the recipient, so only 'envelope' (MAIL, RCPT) and 'data' replies can be permanent.
 */
export interface AttemptReply {
  code: number | null;
  /** The reply as the relay sent it ("550 5.1.1 <bob@x> unknown"), or what went wrong when there was none. */
  text: string;
  stage: 'session' | 'envelope' | 'data';
}

/** Is this reply a permanent failure (bounce now) or a temporary one (retry)? 5xx to MAIL, RCPT or DATA is permanent. */
export function isPermanentFailure(reply: AttemptReply): boolean {
  return reply.stage !== 'session' && reply.code !== null && reply.code >= 500 && reply.code < 600;
}

/** The RFC 3463 status of a reply: the enhanced code it carries when its class matches the reply code's, else X.0.0. */
export function replyStatus(reply: AttemptReply): string {
  if (reply.code === null) return '4.4.1'; // RFC 3463: no answer from host
  const codeClass = Math.floor(reply.code / 100);
  const match = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})(?!\S)/.exec(reply.text);
  if (match && Number(match[1]) === codeClass) return `${match[1]}.${match[2]}.${match[3]}`;
  return `${codeClass === 5 ? 5 : 4}.0.0`;
}

/** RFC 3463 X.4.7, "delivery time expired": reported for a recipient still failing temporarily when its period ends. */
export const EXPIRED_STATUS = '4.4.7';

export type AfterFailure =
  | { action: 'retry'; at: Date }
  | { action: 'bounce'; status: string; expired: boolean };

export interface FailureContext {
  /** Attempts made so far, this one included. */
  attempts: number;
  arrivedAt: Date;
  now: Date;
  lifetimeMs: number;
}

/**
 * A permanent failure bounces now. A temporary one is retried on the schedule, never later than the end of the retry
 * period (so the last attempt falls on it), and bounces once the period is over.
 */
export function decideAfterFailure(reply: AttemptReply, { attempts, arrivedAt, now, lifetimeMs }: FailureContext): AfterFailure {
  if (isPermanentFailure(reply)) return { action: 'bounce', status: replyStatus(reply), expired: false };
  const deadline = arrivedAt.getTime() + lifetimeMs;
  if (now.getTime() >= deadline) return { action: 'bounce', status: EXPIRED_STATUS, expired: true };
  return { action: 'retry', at: new Date(Math.min(now.getTime() + retryDelay(attempts), deadline)) };
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: MINUTE, h: 60 * MINUTE, d: 24 * 60 * MINUTE, w: 7 * 24 * 60 * MINUTE };

/** Parses "5d", "36h", "90m", "600s" or "2w" into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+)\s*([smhdw])\s*$/i.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!;
  return Number.isSafeInteger(ms) ? ms : null;
}

/** When a queue row is attempted next, for people: "now", a UTC minute, or that its bounce is on the way. */
export function describeNextAttempt(row: { state: 'queued' | 'failed'; nextAttemptAt: string }, now: Date): string {
  if (row.state === 'failed') return 'bouncing';
  const at = new Date(row.nextAttemptAt);
  if (at.getTime() <= now.getTime()) return 'now';
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
