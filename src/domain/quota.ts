import { parseSize } from './size.js';

/** Quota arithmetic, in bytes, in one place. A null limit means "no limit". */

export const WARNING_RATIO = 0.9;

/** The limit that applies to a mailbox: its `.quota` file, else its own limit, else its account's default. */
export function effectiveMailboxLimit(limits: {
  quotaFile: number | null;
  individual: number | null;
  accountDefault: number | null;
}): number | null {
  return limits.quotaFile ?? limits.individual ?? limits.accountDefault;
}

/** Whether a message of `incoming` bytes still fits: a full mailbox takes nothing more. */
export function fitsWithin(usage: number, incoming: number, limit: number | null): boolean {
  return limit === null || usage + incoming <= limit;
}

/** True when this delivery takes usage from under the warning line to at or over it: one warning per crossing. */
export function crossesWarningLine(before: number, after: number, limit: number | null): boolean {
  if (limit === null || limit === 0) return false;
  const line = limit * WARNING_RATIO;
  return before < line && after >= line;
}

export function usagePercent(usage: number, limit: number | null): number | null {
  if (limit === null) return null;
  if (limit === 0) return usage > 0 ? 100 : 0;
  return Math.min(100, Math.round((usage / limit) * 100));
}

/**
 * Reads a `.quota` file: a size in bytes (K, M, G allowed) or the Maildir++ form "10000000S,1000C". Null when the file
 * says nothing we understand, so that a stray file never blocks mail.
 */
export function parseQuotaFile(text: string): number | null {
  const first = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  const maildirPlusPlus = /^(\d+)S(,\d+C)?$/i.exec(first);
  if (maildirPlusPlus) return Number(maildirPlusPlus[1]);
  return first === '' ? null : parseSize(first);
}
