import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('postyard: usage and help', () => {
  let cli: CliSandbox;
  beforeEach(() => {
    cli = createCliSandbox();
  });
  afterEach(() => cli.dispose());

  it('refuses an unknown verb with exit 64 and the usage on stderr', async () => {
    const result = await cli.run(['frobnicate']);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr).toMatch(/^postyard: unknown command 'frobnicate'\n/);
    expect(result.stderr).toContain('Usage: postyard');
  });

  it.each([
    [['vdeluser'], "missing required argument 'email'", 'Usage: postyard vdeluser'],
    [['domain', 'add', 'bill.test'], "required option '--account <username>' not specified", 'Usage: postyard domain add'],
    [['route', 'a@b.test', '--ip', 'nonsense'], "argument 'nonsense' is invalid", 'Usage: postyard route'],
    [['alias'], '', 'Usage: postyard alias'],
  ])('refuses %j with exit 64 and the verb usage on stderr', async (args, message, usage) => {
    const result = await cli.run(args);
    expect(result).toMatchObject({ code: 64, stdout: '' });
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(usage);
  });

  it('lists every verb in --help, on stdout, with exit 0', async () => {
    const result = await cli.run(['--help']);
    expect(result.code).toBe(0);
    for (const form of [
      'postyard serve',
      'postyard account add <username> [options]',
      'postyard domain add <domain> --account <username>',
      'postyard vmoduser <email> [options]',
      'postyard alias set <address> <action...>',
      'postyard mapfile set <domain> [file]',
      'postyard pop add <username> --account <owner> [options]',
      'postyard relay deny <ip-or-cidr>',
      'postyard route <address> [options]',
    ]) {
      expect(result.stdout).toContain(form);
    }
  });

  it('documents the exit status of route in its help', async () => {
    const out = await cli.ok(['route', '--help']);
    expect(out).toContain('0 when the recipient is accepted, 1 when it is refused');
    expect(out).toContain('--ip <client address>');
  });

  it('reports a bad configuration with exit 2, naming the variable', async () => {
    const result = await cli.run(['relay', 'list'], undefined, { POSTYARD_SMTP_PORT: 'ninety' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('POSTYARD_SMTP_PORT');
  });
});
