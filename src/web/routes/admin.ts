import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { z } from 'zod';
import type { Account } from '../../db/repositories/accounts.js';
import { notFound } from '../../domain/errors.js';
import { formatBytes } from '../../domain/size.js';
import type { Services } from '../../services/index.js';
import { parseForm, redirectWithFlash, renderPage } from '../render.js';
import { requireLogin } from '../sessions.js';
import { attempt } from './account-area.js';
import type { RouteOptions } from './index.js';

// Three folders up from src/web/routes (tests) or dist/web/routes (the binary) is the project, where package.json is.
const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const NOT_LISTENING = [
  { name: 'panel', purpose: 'web panel', address: 'not listening' },
  { name: 'smtp', purpose: 'incoming mail', address: 'not listening' },
  { name: 'submission', purpose: 'authenticated sending', address: 'not listening' },
];

const relayForm = z.object({ address: z.string().default('') });
const relayQuery = z.object({ cidr: z.string().default('') });

/** The administrator's pages: the relay allow list and the server's status. */
export const adminRoutes: FastifyPluginAsync<RouteOptions> = async (app, { services, secureCookies, dataDir, serverInfo }) => {
  const adminOnly = requireLogin('admin');

  const renderRelay = (request: FastifyRequest, reply: FastifyReply, values: { address: string }, errors: Record<string, string>, status = 200) =>
    renderPage(request, reply, 'admin/relay.eta', { title: 'Relay allow list', entries: services.relay.list().map(relayEntry), values, errors }, status);

  app.get('/relay', { preHandler: adminOnly }, async (request, reply) => renderRelay(request, reply, { address: '' }, {}));

  app.post('/relay', { preHandler: adminOnly }, async (request, reply) => {
    const parsed = parseForm(relayForm, request.body);
    if ('errors' in parsed) return renderRelay(request, reply, { address: '' }, parsed.errors, 400);
    const result = await attempt(() => services.relay.allow(parsed.data.address));
    if ('refusal' in result) return renderRelay(request, reply, parsed.data, result.refusal.errors, result.refusal.status);
    const { cidr, added } = result.value;
    return redirectWithFlash(reply, '/relay', added ? `Allowed ${cidr} to relay. This counts at once.` : `${cidr} was already allowed.`, secureCookies);
  });

  /** The entry named in the query, exactly as the list holds it; anything else is not on the list. */
  const listedEntry = (request: FastifyRequest) => {
    const query = relayQuery.safeParse(request.query ?? {});
    const cidr = query.success ? query.data.cidr : '';
    if (!services.relay.list().includes(cidr)) throw notFound('relay entry', cidr);
    return cidr;
  };

  app.get('/relay/remove', { preHandler: adminOnly }, async (request, reply) => {
    const cidr = listedEntry(request);
    return renderPage(request, reply, 'admin/relay-remove.eta', {
      title: `Remove ${cidr}`,
      confirm: {
        heading: `Stop allowing ${cidr} to relay?`,
        message: 'Clients from these addresses will have to log in to send mail to other servers. This counts at once.',
        consequences: [],
        action: relayEntry(cidr).removeHref,
        submitLabel: `Remove ${cidr}`,
        cancelHref: '/relay',
        csrfToken: request.csrfToken,
      },
    });
  });

  app.post('/relay/remove', { preHandler: adminOnly }, async (request, reply) => {
    const { cidr } = services.relay.deny(listedEntry(request));
    return redirectWithFlash(reply, '/relay', `Removed ${cidr} from the relay allow list.`, secureCookies);
  });

  app.get('/server', { preHandler: adminOnly }, async (request, reply) => {
    const accounts = services.accounts.list();
    return renderPage(request, reply, 'admin/server.eta', {
      title: 'Server status',
      version: VERSION,
      node: process.version,
      listeners: serverInfo?.().listeners ?? NOT_LISTENING,
      queued: services.queue.count(),
      disk: await diskStatus(services, accounts, dataDir),
      counts: {
        parents: accounts.filter((account) => account.parentId === null).length,
        children: accounts.filter((account) => account.parentId !== null).length,
        domains: services.domains.list().length,
        virtualAccounts: services.mailboxes.listVirtualAccounts().length,
        popMailboxes: services.mailboxes.listPopMailboxes().length,
        relayAllowed: services.relay.list().length,
      },
    });
  });
};

const relayEntry = (cidr: string) => ({ cidr, removeHref: `/relay/remove?cidr=${encodeURIComponent(cidr)}` });

/** Mail stored by all accounts, and the free space left on the file system that holds the data folder. */
async function diskStatus(services: Services, accounts: readonly Account[], dataDir: string) {
  let mail = 0;
  for (const account of accounts) mail += (await services.quotas.accountDiskUsage(account)).usage;
  const fs = await statfs(dataDir);
  const total = fs.blocks * fs.bsize;
  const free = fs.bavail * fs.bsize;
  return {
    dataDir,
    mail: formatBytes(mail),
    free: formatBytes(free),
    total: formatBytes(total),
    usedPercent: total > 0 ? Math.round(((total - free) / total) * 100) : null,
  };
}
