import type { Db } from '../db/connection.js';
import type { MailStore } from '../maildir/mail-store.js';
import { createAccessService } from './access.js';
import { createAccountManagementService } from './account-management.js';
import { createAccountService } from './accounts.js';
import { createAdminService } from './admins.js';
import { createAliasService } from './aliases.js';
import { createAuthService } from './auth.js';
import { createAuditService } from './audit.js';
import type { FailureLog } from './autoreply-responder.js';
import { createAutoreplyService } from './autoreply.js';
import { createRepositories, type ServiceContext } from './context.js';
import { createDeliveryService } from './delivery.js';
import { createDomainService } from './domains.js';
import { createForwardingService } from './forwarding.js';
import { createMailboxService } from './mailboxes.js';
import { createMaildropService } from './maildrops.js';
import { createBounceService } from './outbound-bounce.js';
import { createOutboundQueueService } from './outbound-queue.js';
import { createQmailImportService } from './qmail-import.js';
import { createQuotaService } from './quotas.js';
import { createRelayService } from './relay.js';
import { createRouteExplanationService } from './route-explanation.js';
import { createRoutingService } from './routing.js';
import { createSendingService } from './sending.js';
import { createSessionService } from './sessions.js';
import { createWebmailService } from './webmail.js';

/**
 * The one set of services that the panel, the SMTP listeners and the command line all call. `log` receives failures
 * of work done after a reply was sent (autoreplies); without it they go to stderr.
 */
export function createServices(db: Db, store: MailStore, hostname: string, log?: FailureLog) {
  const repos = createRepositories(db);
  const context: ServiceContext = { db, store, hostname, repos, audit: createAuditService({ repos }) };
  const relay = createRelayService(context);
  const routing = createRoutingService(context, relay);
  const quotas = createQuotaService(context);
  const access = createAccessService(context);
  const accounts = createAccountService(context);
  const delivery = createDeliveryService(context, routing, quotas);
  const auth = createAuthService(context);
  const mailboxes = createMailboxService(context);
  const aliases = createAliasService(context);
  const forwarding = createForwardingService(context, mailboxes, routing);
  const autoreply = createAutoreplyService(context, mailboxes, delivery, log);
  const maildrops = createMaildropService(context);
  delivery.onDelivered(autoreply.respond);
  return {
    access,
    accounts,
    accountManagement: createAccountManagementService(accounts, access),
    admins: createAdminService(context),
    aliases,
    audit: context.audit,
    auth,
    domains: createDomainService(context),
    mailboxes,
    maildrops,
    webmail: createWebmailService(context, maildrops),
    forwarding,
    autoreply,
    qmail: createQmailImportService(context, forwarding, aliases),
    relay,
    routing,
    quotas,
    sessions: createSessionService(context),
    delivery,
    sending: createSendingService(context, { auth, delivery }),
    routeExplanation: createRouteExplanationService(context, delivery, access),
    queue: createOutboundQueueService(context),
    bounces: createBounceService(context, delivery),
  };
}

export type Services = ReturnType<typeof createServices>;
