import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import view from '@fastify/view';
import { Eta } from 'eta';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR, PUBLIC_DIR } from '../paths.js';
import type { Services } from '../services/index.js';
import { createLoginThrottle, type LoginThrottle } from '../services/login-throttle.js';
import { registerSessions } from './sessions.js';
import { PostyardError } from '../domain/errors.js';
import { panelRoutes } from './routes/index.js';

export interface AppDeps {
  services: Services;
  log: FastifyBaseLogger;
  hostname: string;
  dataDir: string;
  /** Cookies marked Secure: on behind HTTPS in production, off for plain-HTTP development. */
  secureCookies?: boolean;
  throttle?: LoginThrottle;
  /** Where the running server listens, for the status page; read on each visit, since the listeners start after the app. */
  serverInfo?: () => ServerInfo;
}

export interface ServerInfo {
  listeners: { name: string; purpose: string; address: string }[];
}

/** The panel: one Fastify app, server-rendered Eta pages, returned not yet listening (tests use inject). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Routes validate their own parameters (ids, addresses up to 254 characters) and answer 404 for what does not
  // exist, so the router's 100-character limit, which answers 414 before any route runs, is raised.
  const app = Fastify({ loggerInstance: deps.log, trustProxy: false, routerOptions: { maxParamLength: 1000 } });
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
  });
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(cookie, { secret: deps.services.sessions.cookieSecret() });
  await app.register(view, {
    engine: { eta: new Eta({ views: VIEWS_DIR, cache: true }) },
    root: VIEWS_DIR,
    layout: 'layout.eta',
    defaultContext: { hostname: deps.hostname },
  });

  const stylesheet = readFileSync(join(PUBLIC_DIR, 'style.css'));
  app.get('/static/style.css', (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet),
  );

  registerSessions(app, deps.services, { secureCookies: deps.secureCookies ?? false });

  // Our own faults are logged with context and shown as a plain page, never as a stack trace.
  app.setErrorHandler((error: FastifyError | PostyardError, request, reply) => {
    // An object out of the user's reach is refused as "not found" by services.access; show the 404 page.
    if (error instanceof PostyardError && error.code === 'NOT_FOUND') {
      return reply.status(404).view('error.eta', { title: 'Not found', status: 404, principal: request.principal, csrfToken: request.csrfToken });
    }
    if (error instanceof PostyardError && error.code === 'FORBIDDEN') {
      return reply.status(403).view('error.eta', { title: 'Not allowed', status: 403, message: error.message, principal: request.principal, csrfToken: request.csrfToken });
    }
    const status = 'statusCode' in error && error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return reply.status(status).view('error.eta', { title: status === 404 ? 'Not found' : 'Something went wrong', status, principal: request.principal ?? null, csrfToken: request.session?.csrfToken ?? '' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).view('error.eta', { title: 'Not found', status: 404, principal: request.principal ?? null, csrfToken: request.session?.csrfToken ?? '' }),
  );

  // Registered after the handlers above: a routes plugin keeps the error handler that was in place when it loaded,
  // and without it a NOT_FOUND from services.access would be a 500 instead of the 404 page.
  const routeOptions = { services: deps.services, throttle: deps.throttle ?? createLoginThrottle(), secureCookies: deps.secureCookies ?? false, dataDir: deps.dataDir, serverInfo: deps.serverInfo };
  for (const routes of panelRoutes) await app.register(routes, routeOptions);
  return app;
}
