import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatBytes } from '../../domain/size.js';
import type { Usage } from '../../services/quotas.js';

/** A usage figure as the usage-bar partial shows it. */
export function usageView(usage: Usage) {
  return {
    used: formatBytes(usage.usage),
    limit: usage.limit === null ? 'no limit' : formatBytes(usage.limit),
    percent: usage.percent,
    warn: usage.percent !== null && usage.percent >= 90,
  };
}

/** A limit as a form field shows it: exact, in the largest unit that divides it, so saving the form unchanged keeps it. */
export function sizeInputValue(bytes: number | null): string {
  if (bytes === null) return '';
  for (const [unit, size] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

export const showLimit = (bytes: number | null) => (bytes === null ? 'no limit' : formatBytes(bytes));

/** Names for a confirmation, cut short so that removing a big account still gives a readable page. */
export function nameList(names: readonly string[], shown = 20): string {
  const more = names.length - shown;
  return names.slice(0, shown).join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** The "not allowed" page, for a principal that may see an object but not do this to it. */
export function renderForbidden(request: FastifyRequest, reply: FastifyReply, message: string) {
  return reply.status(403).view('error.eta', { title: 'Not allowed', status: 403, message, principal: request.principal, csrfToken: request.csrfToken });
}
