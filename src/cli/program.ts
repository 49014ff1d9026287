import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { PostyardError } from '../domain/errors.js';
import { registerAccountCommands } from './accounts.js';
import { registerAliasCommands } from './aliases.js';
import { registerAutoreplyCommands } from './autoreply.js';
import { CliExit, createCliContext } from './context.js';
import { registerDomainCommands } from './domains.js';
import { registerDovecotCommand } from './dovecot.js';
import { registerForwardCommands } from './forward.js';
import type { CliIo } from './io.js';
import { registerMapFileCommands } from './mapfile.js';
import { registerPopCommands } from './pop.js';
import { registerQmailCommands } from './qmail.js';
import { registerQueueCommands } from './queue.js';
import { registerRelayCommands } from './relay.js';
import { registerRouteCommand } from './route.js';
import { registerVpopmailCommands } from './vpopmail.js';
import { registerVuserinfoCommand } from './vuserinfo.js';

/** Exit codes: 0 done, 1 refused (the services said no), 2 bad configuration, 64 bad usage, 70 a bug (sysexits.h). */
export const EXIT = { refused: 1, config: 2, usage: 64, internal: 70 } as const;

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** `postyard <verb>`: parses the command line, runs one verb and returns its exit code; never exits the process. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const cli = createCliContext(io);
  const program: Command = new Command('postyard')
    .description('Postyard: mail hosting control panel (web panel, SMTP listeners and these commands).')
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`postyard: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError()
    .addHelpText('after', (): string => `\nEvery verb:\n${listVerbs(program).join('\n')}`)
    .addHelpText(
      'after',
      `
The data folder is POSTYARD_DATA_DIR (default ./data). Run "postyard <verb> --help" for a verb's options.
Exit status: 0 done, 1 refused (the message says why), 2 bad configuration, 64 bad usage, 70 internal error.`,
    );

  // Verbs are added after the settings above: commander copies them into each subcommand when it is created.
  program
    .command('serve')
    .description('run the web panel and SMTP listeners until SIGTERM or SIGINT')
    .action(async () => {
      // Loaded only here: the other verbs start without Fastify and smtp-server.
      const { serve } = await import('./serve.js');
      cli.exitCode = await serve(io);
    });
  registerAccountCommands(program, cli);
  registerDomainCommands(program, cli);
  registerVpopmailCommands(program, cli);
  registerVuserinfoCommand(program, cli);
  registerAliasCommands(program, cli);
  registerMapFileCommands(program, cli);
  registerPopCommands(program, cli);
  registerForwardCommands(program, cli);
  registerAutoreplyCommands(program, cli);
  registerQmailCommands(program, cli);
  registerRelayCommands(program, cli);
  registerQueueCommands(program, cli);
  registerRouteCommand(program, cli);
  registerDovecotCommand(program, cli);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return cli.exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** Every runnable verb with its arguments, so that `postyard --help` shows all of them, not just the groups. */
function listVerbs(command: Command, prefix = 'postyard'): string[] {
  return command.commands
    .filter((sub) => sub.name() !== 'help')
    .flatMap((sub) => {
      const path = `${prefix} ${sub.name()}`;
      if (sub.commands.length > 0) return listVerbs(sub, path);
      const required = sub.options.filter((option) => option.mandatory).map((option) => option.flags);
      const optional = sub.options.some((option) => !option.mandatory) ? ['[options]'] : [];
      const args = sub.registeredArguments.map((arg) => {
        const name = `${arg.name()}${arg.variadic ? '...' : ''}`;
        return arg.required ? `<${name}>` : `[${name}]`;
      });
      return [['  ' + path, ...args, ...required, ...optional].join(' ')];
    });
}

/** The one place where an error becomes a message on stderr and an exit code. */
function reportError(error: unknown, io: CliIo): number {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage; // commander already printed it
  if (error instanceof PostyardError) {
    if (error.code === 'MAP_FILE_INVALID') {
      say(`postyard: ${error.message.split('\n', 1)[0]?.replace(/:$/, '')}`);
      for (const issue of error.issues) say(issue.line === undefined ? issue.message : `line ${issue.line}: ${issue.message}`);
    } else {
      say(`postyard: ${error.message}`);
    }
    return EXIT.refused;
  }
  if (error instanceof ConfigError) {
    say(`postyard: ${error.message}`);
    return EXIT.config;
  }
  if (error instanceof CliExit) {
    say(error.message);
    return error.exitCode;
  }
  say(`postyard: internal error: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT.internal;
}
