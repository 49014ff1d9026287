import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parseSize } from '../domain/size.js';
import { clientAddressSchema, type ExplainedDestination } from '../services/route-explanation.js';
import type { CliContext } from './context.js';

interface RouteOptions {
  from?: string;
  auth?: string;
  ip?: string;
  size: number;
}

/**
 * `postyard route <address>`: where mail for an address would go, step by step, decided by the very resolution and
 * quota check that the SMTP listener runs at RCPT. Nothing is delivered.
 */
export function registerRouteCommand(program: Command, cli: CliContext): void {
  program
    .command('route')
    .description('explain where mail for an address goes, or why it is refused')
    .argument('<address>', 'the recipient, as given to RCPT TO')
    .option('--from <sender>', 'the envelope sender (MAIL FROM), shown in the output')
    .option('--auth <username>', 'route as for a client logged in as this user (may relay)')
    .option('--ip <client address>', 'route as for a client at this address (relay allow list)', ipAddress)
    .option('--size <size>', 'the declared message size for the quota check: bytes, or with K, M or G', size, 0)
    .addHelpText('after', '\nExit status: 0 when the recipient is accepted, 1 when it is refused (the SMTP reply is printed).')
    .action((address: string, options: RouteOptions) =>
      cli.run(async ({ services, dataDir }) => {
        const sender = { clientAddress: options.ip, authenticatedAs: options.auth ?? null };
        const explanation = await services.routeExplanation.explain(address, sender, { size: options.size });
        cli.say(`recipient: ${address}`);
        cli.say(`sender: ${options.from ?? '(not given)'}`);
        if (options.auth) cli.say(`authenticated as: ${options.auth}`);
        if (options.ip) cli.say(`client address: ${options.ip}`);
        if (explanation.steps.length > 0) cli.say('steps:');
        for (const step of explanation.steps) {
          const rule = step.rule ? `  [${step.rule}]` : '';
          cli.say(`${'  '.repeat(step.depth + 1)}${step.address}: ${step.label}${rule}`);
        }
        if (explanation.reply) {
          cli.say(`refused: ${explanation.reply.code} ${explanation.reply.text}`);
          if (explanation.detail) cli.say(`  why: ${explanation.detail}`);
          return 1;
        }
        cli.say('accepted:');
        if (explanation.destinations.length === 0) cli.say('  discarded (accepted, not stored)');
        for (const destination of explanation.destinations) cli.say(`  ${describe(destination, dataDir)}`);
        return 0;
      }),
    );
}

function describe(destination: ExplainedDestination, dataDir: string): string {
  if (destination.kind === 'remote') return `relay/queue to ${destination.address}`;
  if (destination.kind === 'other-account') return 'a mailbox of another account';
  return `${join(dataDir, destination.folder)}  (${destination.description})`;
}

function ipAddress(value: string): string {
  const parsed = clientAddressSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'must be an IP address');
  return parsed.data;
}

function size(value: string): number {
  const bytes = parseSize(value);
  if (bytes === null) throw new InvalidArgumentError('must be a size in bytes, optionally with K, M or G');
  return bytes;
}
