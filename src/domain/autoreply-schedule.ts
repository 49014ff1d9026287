/** When an autoreply answers: its date window, and at most once per sender per period (the vacation database). */

export const DEFAULT_PERIOD_DAYS = 7;
export const MAX_PERIOD_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar date "YYYY-MM-DD" that exists (no 2025-02-30); the reason when it is not one. */
export function calendarDateProblem(text: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return 'must be a date written YYYY-MM-DD';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `${text} is not a date in the calendar`;
  }
  return null;
}

/** The server's own calendar day of an instant, "YYYY-MM-DD": an autoreply "until 2025-08-31" runs to that day's end there. */
export function localDateOf(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${instant.getFullYear()}-${pad(instant.getMonth() + 1)}-${pad(instant.getDate())}`;
}

export interface AutoreplyWindow {
  enabled: boolean;
  /** First day it answers, inclusive; null for "from now". */
  startsOn: string | null;
  /** Last day it answers, inclusive; null for "until turned off". */
  endsOn: string | null;
}

/** On, and today within its dates (both ends inclusive). Dates compare as text because they are all YYYY-MM-DD. */
export function isAutoreplyActive(window: AutoreplyWindow, today: string): boolean {
  if (!window.enabled) return false;
  if (window.startsOn !== null && today < window.startsOn) return false;
  if (window.endsOn !== null && today > window.endsOn) return false;
  return true;
}

/**
 * Whether this sender is due a reply: never answered, or answered at least `periodDays` ago (RFC 3834 2: "not more
 * than once per sender per period"). A last reply in the future (a clock set back) counts as just now, not as never.
 */
export function isReplyDue(lastRepliedAt: Date | null, now: Date, periodDays: number): boolean {
  if (lastRepliedAt === null) return true;
  return now.getTime() - lastRepliedAt.getTime() >= periodDays * DAY_MS;
}
