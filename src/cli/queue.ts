import { InvalidArgumentError, type Command } from 'commander';
import { describeNextAttempt } from '../domain/retry-schedule.js';
import { formatBytes } from '../domain/size.js';
import type { CliContext } from './context.js';
import { formatTable } from './table.js';

/** A queue id as `postyard queue list` prints it. */
function queueId(value: string): number {
  const id = Number(value.replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError('must be a queue id, a number from "postyard queue list"');
  return id;
}

/** `postyard queue list|retry|rm`: mail waiting for the relay host, one line per recipient. */
export function registerQueueCommands(program: Command, cli: CliContext): void {
  const queue = program.command('queue').description('the outbound queue: mail waiting to leave through the relay host');

  queue
    .command('list')
    .description('list queued recipients: id, sender, recipient, attempts, next attempt, size, last error')
    .action(() =>
      cli.run(async ({ services }) => {
        if (!cli.io.loadConfig().POSTYARD_RELAY_HOST) cli.warn('no relay host is configured (POSTYARD_RELAY_HOST): outbound mail is held');
        const rows = services.queue.list();
        if (rows.length === 0) {
          cli.warn('the queue is empty');
          return;
        }
        const now = new Date();
        const lines = rows.map((row) => [
          String(row.id),
          row.sender === '' ? '<>' : row.sender,
          row.recipient,
          String(row.attempts),
          describeNextAttempt(row, now),
          formatBytes(row.size),
          row.lastError ?? '-',
        ]);
        formatTable(['ID', 'SENDER', 'RECIPIENT', 'ATTEMPTS', 'NEXT ATTEMPT', 'SIZE', 'LAST ERROR'], lines).forEach(cli.say);
      }),
    );

  queue
    .command('retry')
    .description('make one queued recipient, or every one, due now; the running server tries it within 30 seconds')
    .argument('[id]', 'a queue id from "postyard queue list"; all when left out', queueId)
    .action((id: number | undefined) =>
      cli.run(async ({ services }) => {
        const count = services.queue.retry(id ?? null);
        if (id !== undefined) cli.say(`#${id} is due now`);
        else cli.say(count === 0 ? 'nothing to retry: every queued recipient is already due' : `${count} recipient${count === 1 ? ' is' : 's are'} due now`);
      }),
    );

  queue
    .command('rm')
    .description('drop one queued recipient without a bounce; the message goes with its last recipient')
    .argument('<id>', 'a queue id from "postyard queue list"', queueId)
    .action((id: number) =>
      cli.run(async ({ services }) => {
        const removed = services.queue.remove(id);
        const sender = removed.sender === '' ? '<>' : removed.sender;
        cli.say(`removed #${id}: ${sender} -> ${removed.recipient}`);
      }),
    );
}
