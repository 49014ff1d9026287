import { isIP } from 'node:net';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Decision, Destination } from '../domain/resolution.js';
import { parseSize } from '../domain/size.js';
import { destinationFolder } from '../services/routing.js';
import { refusalReply } from '../smtp/replies.js';
import type { CliContext } from './context.js';

const DECISIONS: Record<Decision, string> = {
  'virtual-account': 'virtual account',
  'named-rule': 'named rule',
  'wildcard-rule': '* rule',
  'parent-mailbox': 'parent mailbox',
  relay: 'relay',
  postmaster: 'postmaster',
  refused: 'refused',
};

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
        const verdict = await services.delivery.checkRecipient(address, sender, options.size);
        cli.say(`recipient: ${address}`);
        cli.say(`sender: ${options.from ?? '(not given)'}`);
        if (options.auth) cli.say(`authenticated as: ${options.auth}`);
        if (options.ip) cli.say(`client address: ${options.ip}`);
        if (verdict.resolution.steps.length > 0) cli.say('steps:');
        for (const step of verdict.resolution.steps) {
          const rule = step.rule ? `  [${step.rule}]` : '';
          cli.say(`${'  '.repeat(step.depth + 1)}${step.address}: ${DECISIONS[step.decision]}${rule}`);
        }
        if (!verdict.accepted) {
          const reply = refusalReply(verdict.reason, address, verdict.message);
          cli.say(`refused: ${reply.code} ${reply.text}`);
          if (!verdict.resolution.accepted && verdict.resolution.refusal.message && verdict.reason !== 'RULE_FAILED') {
            cli.say(`  why: ${verdict.resolution.refusal.message}`);
          }
          return 1;
        }
        cli.say('accepted:');
        if (verdict.destinations.length === 0) cli.say('  discarded (accepted, not stored)');
        for (const destination of verdict.destinations) cli.say(`  ${describe(destination, dataDir)}`);
        return 0;
      }),
    );
}

function describe(destination: Destination, dataDir: string): string {
  if (destination.kind === 'remote') return `relay/queue to ${destination.address}`;
  const folder = join(dataDir, destinationFolder(destination));
  if (destination.kind === 'account') return `${folder}  (mailbox of account ${destination.account.username})`;
  if (destination.kind === 'postmaster') return `${folder}  (the server's postmaster mailbox)`;
  const { mailbox } = destination;
  return `${folder}  (${mailbox.kind === 'virtual' ? 'virtual account' : 'POP mailbox'} ${mailbox.name})`;
}

function ipAddress(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('must be an IP address like 192.0.2.7 or 2001:db8::7');
  return value;
}

function size(value: string): number {
  const bytes = parseSize(value);
  if (bytes === null) throw new InvalidArgumentError('must be a size in bytes, optionally with K, M or G');
  return bytes;
}
