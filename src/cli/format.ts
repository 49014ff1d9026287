import { formatBytes } from '../domain/size.js';
import type { Usage } from '../services/quotas.js';

/** A limit for people: "500 MiB", or "unlimited" for no limit. */
export function showLimit(bytes: number | null): string {
  return bytes === null ? 'unlimited' : formatBytes(bytes);
}

/** Usage for people: "1.2 MiB (12%)", or just the amount when there is no limit. */
export function showUsage(usage: Usage): string {
  return usage.percent === null ? formatBytes(usage.usage) : `${formatBytes(usage.usage)} (${usage.percent}%)`;
}

/** vpopmail prints an unlimited quota as NOQUOTA; Postyard accepts that word back as input. */
export function showQuotaBytes(bytes: number | null): string {
  return bytes === null ? 'NOQUOTA' : String(bytes);
}
