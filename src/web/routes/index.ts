import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../services/index.js';
import type { LoginThrottle } from '../../services/login-throttle.js';
import type { ServerInfo } from '../app.js';
import { authRoutes } from './auth.js';
import { dashboardRoutes } from './dashboard.js';
import { accountRoutes } from './accounts.js';
import { accountEditRoutes } from './accounts-edit.js';
import { adminRoutes } from './admin.js';
import { auditRoutes } from './audit.js';
import { domainRoutes } from './domains.js';
import { virtualAccountRoutes } from './virtual-accounts.js';
import { virtualAccountEditRoutes } from './virtual-accounts-edit.js';
import { popMailboxRoutes } from './pop-mailboxes.js';
import { popMailboxEditRoutes } from './pop-mailboxes-edit.js';
import { storageRoutes } from './storage.js';
import { aliasRoutes } from './aliases.js';
import { mapFileRoutes } from './mapfile.js';
import { routeTesterRoutes } from './route-tester.js';
import { mailSettingsRoutes } from './mail-settings.js';
import { queueRoutes } from './queue.js';
import { webmailRoutes } from './webmail.js';

/** What every routes file receives. */
export interface RouteOptions {
  services: Services;
  throttle: LoginThrottle;
  secureCookies: boolean;
  dataDir: string;
  serverInfo?: () => ServerInfo;
}

/** The panel's routes files, one per area, in the order they are registered. */
export const panelRoutes: FastifyPluginAsync<RouteOptions>[] = [authRoutes, dashboardRoutes, domainRoutes, virtualAccountRoutes, virtualAccountEditRoutes, popMailboxRoutes, popMailboxEditRoutes, storageRoutes, accountRoutes, accountEditRoutes, adminRoutes, auditRoutes, aliasRoutes, mapFileRoutes, routeTesterRoutes, mailSettingsRoutes, queueRoutes, webmailRoutes];
