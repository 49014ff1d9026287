import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PostyardError } from '../../domain/errors.js';
import { requireLogin } from '../sessions.js';
import { redirectWithFlash, renderPage } from '../render.js';
import { domainScope } from './aliases.js';
import type { RouteOptions } from './index.js';

const mapFileForm = z.object({ mapfile: z.string().default('') });

/** One reason the file was refused, with the line it names and that line's text, so the list can be read on its own. */
interface Problem {
  line: number | null;
  content: string | null;
  message: string;
}

/** The map file editor: the domain's rules as text; saving replaces them all, or changes nothing and lists each bad line. */
export const mapFileRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies }) => {
  const guard = { preHandler: requireLogin('admin', 'account') };
  const path = '/accounts/:username/domains/:domain/mapfile';

  const render = (request: FastifyRequest, reply: FastifyReply, scope: ReturnType<typeof domainScope>, text: string, problems: Problem[] = [], status = 200) =>
    renderPage(request, reply, 'mapfile/edit.eta', { title: `Map file of ${scope.domain.name}`, scope, text, problems }, status);

  app.get(path, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    return render(request, reply, scope, services.aliases.getMapFile(scope.domain.name));
  });

  app.post(path, guard, async (request, reply) => {
    const scope = domainScope(services, request);
    const { mapfile: text } = mapFileForm.parse(request.body ?? {});
    try {
      const rules = services.aliases.setMapFile(scope.domain.name, text);
      return redirectWithFlash(reply, `${scope.base}/mapfile`, `Saved the map file of ${scope.domain.name}: ${rules.length} rule(s).`, secureCookies);
    } catch (error) {
      if (!(error instanceof PostyardError) || error.code === 'NOT_FOUND') throw error;
      const lines = text.split(/\r?\n/);
      const problems = error.issues.map((issue) => ({
        line: issue.line ?? null,
        content: issue.line === undefined ? null : (lines[issue.line - 1] ?? '').trim(),
        message: issue.message,
      }));
      return render(request, reply, scope, text, problems.length > 0 ? problems : [{ line: null, content: null, message: error.message }], 400);
    }
  });
};
