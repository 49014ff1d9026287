import type { Db } from '../db/connection.js';
import { createAccountRepository } from '../db/repositories/accounts.js';
import { createAdminRepository } from '../db/repositories/admins.js';
import { createAliasRuleRepository } from '../db/repositories/alias-rules.js';
import { createAuditLogRepository } from '../db/repositories/audit-log.js';
import { createAutoreplyRepository } from '../db/repositories/autoreplies.js';
import { createDomainRepository } from '../db/repositories/domains.js';
import { createMailboxAddressRepository } from '../db/repositories/mailbox-addresses.js';
import { createMailboxRepository } from '../db/repositories/mailboxes.js';
import { createOutboundQueueRepository } from '../db/repositories/outbound-queue.js';
import { createRelayAllowRepository } from '../db/repositories/relay-allow.js';
import { createSendLogRepository } from '../db/repositories/send-log.js';
import { createSessionRepository } from '../db/repositories/sessions.js';
import { createUsernameRepository } from '../db/repositories/usernames.js';
import type { MailStore } from '../maildir/mail-store.js';
import type { AuditService } from './audit.js';

/** What every service is built from: the repositories over one database, the mail store and a few settings. */
export interface ServiceContext {
  db: Db;
  store: MailStore;
  hostname: string;
  repos: Repositories;
  audit: AuditService;
}

export function createRepositories(db: Db) {
  return {
    accounts: createAccountRepository(db),
    admins: createAdminRepository(db),
    aliasRules: createAliasRuleRepository(db),
    auditLog: createAuditLogRepository(db),
    autoreplies: createAutoreplyRepository(db),
    domains: createDomainRepository(db),
    mailboxes: createMailboxRepository(db),
    mailboxAddresses: createMailboxAddressRepository(db),
    outboundQueue: createOutboundQueueRepository(db),
    relayAllow: createRelayAllowRepository(db),
    sendLog: createSendLogRepository(db),
    sessions: createSessionRepository(db),
    usernames: createUsernameRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
