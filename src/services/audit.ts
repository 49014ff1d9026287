import type { AuditEntry } from '../db/repositories/audit-log.js';
import { currentActor } from './actor.js';
import type { ServiceContext } from './context.js';

/** Fields that never enter the audit log, whatever object is recorded. */
const SECRET_FIELDS = new Set(['password', 'passwordHash', 'encryptedPassword']);

function withoutSecrets(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value ?? null;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  return Object.fromEntries(Object.entries(value).filter(([key]) => !SECRET_FIELDS.has(key)).map(([key, v]) => [key, withoutSecrets(v)]));
}

/** Records every change a service makes, with its before and after, under the account it belongs to. */
export function createAuditService({ repos }: Pick<ServiceContext, 'repos'>) {
  return {
    record(action: string, object: string, accountUsername: string | null, before: unknown, after: unknown): void {
      const actor = currentActor();
      repos.auditLog.insert({
        actor: actor.name,
        source: actor.source,
        accountUsername,
        action,
        object,
        before: withoutSecrets(before),
        after: withoutSecrets(after),
      });
    },
    /** Newest first; `accounts` limits the log to those accounts (an owner's view), null shows all (the admin's). */
    list(accounts: string[] | null, { beforeId = Number.MAX_SAFE_INTEGER, limit = 50 } = {}): AuditEntry[] {
      return repos.auditLog.list(accounts, beforeId, limit);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
