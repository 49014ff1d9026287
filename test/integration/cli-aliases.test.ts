import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PASSWORD, createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('postyard: alias rules, map files and POP default aliases', () => {
  let hosting: CliSandbox;
  let cli: CliSandbox;

  beforeAll(async () => {
    hosting = createCliSandbox();
    await hosting.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await hosting.ok(['domain', 'add', 'bill.test', '--account', 'bill']);
    await hosting.ok(['alias', 'set', 'info@bill.test', 'bill']);
  });
  beforeEach(() => {
    cli = hosting.clone();
  });
  afterEach(() => cli.dispose());
  afterAll(() => hosting.dispose());

  it('takes a fail message given as several words the same as one quoted argument', async () => {
    expect(await cli.ok(['alias', 'set', '*@bill.test', 'fail:', 'No', 'such', 'user'])).toBe('*@bill.test: fail: No such user\n');
    expect(await cli.ok(['alias', 'set', 'old@bill.test', 'fail: No such user'])).toBe('old@bill.test: fail: No such user\n');
    expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe('info: bill\n*: fail: No such user\nold: fail: No such user\n');
  });

  it('reports both bad lines of a map file by number, exits 1 and changes nothing', async () => {
    const file = join(cli.dataDir, 'bill.test.map');
    writeFileSync(file, 'sales: bill\nthis line has no colon\nteam: a@remote.example\nbad..part: bill\n');
    const result = await cli.run(['mapfile', 'set', 'bill.test', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'postyard: the map file was not saved\nline 2: expected "local-part: action"\nline 4: "bad..part" is not a valid local part\n',
    );
    expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe('info: bill\n');
  });

  it('replaces the rules with a map file read from standard input', async () => {
    const out = await cli.ok(['mapfile', 'set', 'bill.test'], '# sales team\nsales: bill\n\n*: discard\n');
    expect(out).toBe('saved the map file of bill.test: 2 rule(s)\n');
    expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe('sales: bill\n*: discard\n');
    expect(await cli.ok(['alias', 'list', 'bill.test'])).toBe('sales: bill\n*: discard\n');
  });

  it('refuses a rule that delivers to a username nobody has, and keeps the rules as they were', async () => {
    const result = await cli.run(['alias', 'set', 'info@bill.test', 'nosuchuser']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('postyard: action: no account or POP mailbox is named nosuchuser\n');
    expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe('info: bill\n');
  });

  it('keeps a POP default alias locked until the POP mailbox is removed', async () => {
    await cli.ok(['pop', 'add', 'carol', '--account', 'bill', '--domain', 'bill.test', '--password', CLI_PASSWORD]);
    const locked = '# locked: default alias of POP mailbox carol\ncarol: carol\n';
    expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe(`info: bill\n${locked}`);

    const refused = await cli.run(['alias', 'rm', 'carol@bill.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('postyard: carol is the default alias of POP mailbox carol; remove the mailbox to remove it\n');
    const changed = await cli.run(['alias', 'set', 'carol@bill.test', 'bill']);
    expect(changed.code).toBe(1);
    expect(await cli.ok(['mapfile', 'get', 'bill.test'])).toBe(`info: bill\n${locked}`);

    expect(await cli.ok(['pop', 'rm', 'carol'])).toContain('removed POP mailbox carol');
    expect(await cli.ok(['alias', 'list', 'bill.test'])).toBe('info: bill\n');
    expect((await cli.run(['pop', 'list'])).stdout).toBe('');
  });

  it('lists POP mailboxes with owner, default domain and real name', async () => {
    await cli.ok(['pop', 'add', 'carol', '--account', 'bill', '--domain', 'bill.test', '--name', 'Carol Cole'], `${CLI_PASSWORD}\n`);
    await cli.ok(['pop', 'add', 'dave', '--account', 'bill', '--password', CLI_PASSWORD]);
    expect((await cli.ok(['pop', 'list', '--account', 'bill'])).split('\n')).toEqual([
      'USERNAME  ACCOUNT  DOMAIN     NAME',
      'carol     bill     bill.test  Carol Cole',
      'dave      bill     -',
      '',
    ]);
  });

  it('removes an alias rule and says which', async () => {
    expect(await cli.ok(['alias', 'rm', 'info@bill.test'])).toBe('removed info@bill.test: bill\n');
    const again = await cli.run(['alias', 'rm', 'info@bill.test']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('postyard: alias info@bill.test does not exist\n');
  });
});
