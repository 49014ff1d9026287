import type { Db } from '../db/connection.js';
import type { MailStore } from '../maildir/mail-store.js';
import { createAccessService } from './access.js';
import { createAccountService } from './accounts.js';
import { createAdminService } from './admins.js';
import { createAliasService } from './aliases.js';
import { createAuthService } from './auth.js';
import { createAuditService } from './audit.js';
import { createRepositories, type ServiceContext } from './context.js';
import { createDeliveryService } from './delivery.js';
import { createDomainService } from './domains.js';
import { createMailboxService } from './mailboxes.js';
import { createQuotaService } from './quotas.js';
import { createRelayService } from './relay.js';
import { createRoutingService } from './routing.js';
import { createSessionService } from './sessions.js';

/** The one set of services that the panel, the SMTP listeners and the command line all call. */
export function createServices(db: Db, store: MailStore, hostname: string) {
  const repos = createRepositories(db);
  const context: ServiceContext = { db, store, hostname, repos, audit: createAuditService({ repos }) };
  const relay = createRelayService(context);
  const routing = createRoutingService(context, relay);
  const quotas = createQuotaService(context);
  return {
    access: createAccessService(context),
    accounts: createAccountService(context),
    admins: createAdminService(context),
    aliases: createAliasService(context),
    audit: context.audit,
    auth: createAuthService(context),
    domains: createDomainService(context),
    mailboxes: createMailboxService(context),
    relay,
    routing,
    quotas,
    sessions: createSessionService(context),
    delivery: createDeliveryService(context, routing, quotas),
    queue: { list: () => context.repos.outboundQueue.list(), count: () => context.repos.outboundQueue.count() },
  };
}

export type Services = ReturnType<typeof createServices>;
