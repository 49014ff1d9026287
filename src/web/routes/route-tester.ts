import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { clientAddressSchema } from '../../services/route-explanation.js';
import { requireLogin } from '../sessions.js';
import { isChecked, parseForm, renderPage } from '../render.js';
import { domainScope } from './aliases.js';
import type { RouteOptions } from './index.js';

/** A check changes nothing, so the form is a GET: the result can be bookmarked and linked to from each rule. */
const routeQuery = z.object({
  address: z.string().trim().min(1, 'enter an address, like name@example.com').max(320, 'must be at most 320 characters'),
  ip: z
    .string()
    .default('')
    .transform((value) => value.trim() || undefined)
    .pipe(clientAddressSchema.optional()),
  authenticated: z.unknown().optional().transform(isChecked),
});

/** Indents deeper forwarding steps; capped so that a long chain still fits a phone. */
const MAX_INDENT = 5;

/**
 * The route tester: where mail for an address would go and why, from the same resolution and quota check the SMTP
 * listener runs (services.routeExplanation, which `postyard route` prints too). Nothing is delivered.
 */
export const routeTesterRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.get('/accounts/:username/domains/:domain/route', { preHandler: requireLogin('admin', 'account') }, async (request, reply) => {
    const scope = domainScope(services, request);
    const query = request.query as Record<string, unknown>;
    const values = { address: String(query.address ?? ''), ip: String(query.ip ?? ''), authenticated: isChecked(query.authenticated) };
    const page = (model: Record<string, unknown>, status = 200) =>
      renderPage(request, reply, 'route/tester.eta', { title: `Route tester for ${scope.domain.name}`, scope, values, errors: {}, explanation: null, ...model }, status);
    if (query.address === undefined) return page({});

    const parsed = parseForm(routeQuery, query);
    if ('errors' in parsed) return page({ errors: parsed.errors }, 400);
    const principal = request.principal!;
    const sender = { clientAddress: parsed.data.ip, authenticatedAs: parsed.data.authenticated ? principal.name : null };
    const explanation = await services.routeExplanation.explain(parsed.data.address, sender, { viewer: principal });
    const steps = explanation.steps.map((step) => ({ ...step, indent: Math.min(step.depth, MAX_INDENT) }));
    return page({ explanation: { ...explanation, steps } });
  });
};
