import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliExit, type CliContext } from './context.js';
import { readAll } from './password-input.js';

/** `postyard mapfile get|set`: a domain's alias rules as one text file, replaced all at once or not at all. */
export function registerMapFileCommands(program: Command, cli: CliContext): void {
  const mapfile = program.command('mapfile').description("a domain's alias rules as a whole map file");

  mapfile
    .command('get')
    .description('print the map file: one "local-part: action" a line')
    .argument('<domain>')
    .action((domain: string) =>
      cli.run(async ({ services }) => {
        cli.io.stdout.write(services.aliases.getMapFile(domain));
      }),
    );

  mapfile
    .command('set')
    .description('replace every rule of the domain (except locked default aliases) with a map file')
    .argument('<domain>')
    .argument('[file]', 'the map file; standard input when left out')
    .addHelpText('after', '\nEvery bad line is reported with its number, and then nothing is changed.')
    .action((domain: string, file: string | undefined) =>
      cli.run(async ({ services }) => {
        if (file === undefined && cli.io.stdin.isTTY) cli.warn('Reading the map file from standard input; end it with Ctrl-D.');
        const text = file === undefined ? await readAll(cli.io.stdin) : await readMapFile(file);
        const rules = services.aliases.setMapFile(domain, text);
        cli.say(`saved the map file of ${domain.toLowerCase()}: ${rules.length} rule(s)`);
      }),
    );
}

async function readMapFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliExit(`postyard: cannot read the map file ${file}: ${reason}`, 1);
  }
}
