import { flagNames } from '../../domain/mailbox-flags.js';
import { formatBytes } from '../../domain/size.js';
import type { AuditEntry } from '../../db/repositories/audit-log.js';

/** One line of a change as the audit page shows it: a field, and its text before and after (null: absent). */
export interface ChangeRow {
  field: string;
  before: string | null;
  after: string | null;
}

// Database ids and creation times say nothing to a reader; names are recorded beside them.
const hidden = (key: string) => key === 'id' || key.endsWith('Id') || key === 'createdAt';

const label = (key: string) =>
  key
    .replace(/Bytes$/, '')
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .toLowerCase();

function showValue(key: string, value: unknown): string {
  if (key.endsWith('Bytes') && (value === null || typeof value === 'number')) return value === null ? 'no limit' : formatBytes(value);
  if (key === 'flags' && typeof value === 'number') return flagNames(value).join(', ') || 'none';
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map((item) => showValue('', item)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The readable difference between an entry's before and after: rule text as it is (alias rules, map files), objects as
 * field lists, and for a change of an object only the fields that changed.
 */
export function changeRows(before: unknown, after: unknown): ChangeRow[] {
  if (isRecord(before) || isRecord(after)) {
    const old = isRecord(before) ? before : null;
    const now = isRecord(after) ? after : null;
    const keys = [...new Set([...Object.keys(old ?? {}), ...Object.keys(now ?? {})])].filter((key) => !hidden(key));
    // A change lists the fields that changed; a creation or removal the fields that hold something.
    const shown = old && now ? (key: string) => JSON.stringify(old[key]) !== JSON.stringify(now[key]) : (key: string) => showValue(key, (old ?? now)![key]) !== '—';
    return keys.filter(shown).map((key) => ({ field: label(key), before: old && showValue(key, old[key]), after: now && showValue(key, now[key]) }));
  }
  if (before === null && after === null) return [];
  const text = (value: unknown) => (value === null ? null : Array.isArray(value) ? value.map(String).join('\n') : String(value));
  return [{ field: Array.isArray(before) || Array.isArray(after) ? 'rules' : 'rule', before: text(before), after: text(after) }];
}

/** An audit entry as the page shows it. */
export function auditEntryView(entry: AuditEntry) {
  return {
    id: entry.id,
    at: entry.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    actor: entry.actor,
    source: entry.source === 'cli' ? 'command line' : entry.source,
    account: entry.accountUsername,
    action: entry.action,
    object: entry.object,
    changes: changeRows(entry.before, entry.after),
  };
}
