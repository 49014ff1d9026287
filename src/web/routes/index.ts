import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../services/index.js';
import type { LoginThrottle } from '../../services/login-throttle.js';
import { authRoutes } from './auth.js';
import { dashboardRoutes } from './dashboard.js';

/** What every routes file receives. */
export interface RouteOptions {
  services: Services;
  throttle: LoginThrottle;
  secureCookies: boolean;
  dataDir: string;
}

/** The panel's routes files, one per area, in the order they are registered. */
export const panelRoutes: FastifyPluginAsync<RouteOptions>[] = [authRoutes, dashboardRoutes];
