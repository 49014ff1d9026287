import { existsSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI_PASSWORD, createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('postyard: the vpopmail verbs', () => {
  let hosting: CliSandbox;
  let cli: CliSandbox;
  const folder = (address: string) => join(cli.dataDir, 'homes', 'bill', '.mailboxes', address);

  beforeAll(async () => {
    hosting = createCliSandbox();
    await hosting.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD]);
    await hosting.ok(['domain', 'add', 'bill.test', '--account', 'bill']);
  });
  beforeEach(() => {
    cli = hosting.clone();
  });
  afterEach(() => cli.dispose());
  afterAll(() => hosting.dispose());

  it('adds a virtual account with a comment and quota, and shows every field aligned', async () => {
    expect(await cli.ok(['vadduser', '-q', '10M', '-c', 'Info Desk', '-s', 'info@bill.test', CLI_PASSWORD])).toBe('');
    const lines = (await cli.ok(['vuserinfo', 'info@bill.test'])).trimEnd().split('\n');
    expect(lines).toContain('name:     info@bill.test');
    expect(lines).toContain('gecos:    Info Desk');
    expect(lines).toContain('quota:    10485760');
    expect(lines).toContain(`dir:      ${folder('info@bill.test')}`);
    expect(lines).toContain('usage:    0 bytes (0%)');
    expect(existsSync(join(folder('info@bill.test'), 'new'))).toBe(true);
  });

  it('never prints the password hash without -p, and prints only the hash with -p', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    const all = await cli.ok(['vuserinfo', 'info@bill.test']);
    const allWithA = await cli.ok(['vuserinfo', '-a', 'info@bill.test']);
    expect(all).toContain('passwd:   (bcrypt hash, shown only with -p)');
    expect(`${all}${allWithA}`).not.toContain('$2');
    const hash = (await cli.ok(['vuserinfo', '-p', 'info@bill.test'])).trim();
    expect(await bcrypt.compare(CLI_PASSWORD, hash)).toBe(true);
  });

  it('reads a missing password from standard input', async () => {
    await cli.ok(['vadduser', 'piped@bill.test'], 'from-stdin-1\n');
    const hash = (await cli.ok(['vuserinfo', '-p', 'piped@bill.test'])).trim();
    expect(await bcrypt.compare('from-stdin-1', hash)).toBe(true);
  });

  it('sets vmoduser flags as bits of the gid field, and -x clears them before setting new ones', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    await cli.ok(['vmoduser', '-p', '-b', '-0', 'info@bill.test']);
    expect(await cli.ok(['vuserinfo', '-g', 'info@bill.test'])).toBe(`${0x02 | 0x10 | 0x80}\n`);
    expect(await cli.ok(['vuserinfo', 'info@bill.test'])).toContain('flags:    noPop,bounceMail,user0');
    await cli.ok(['vmoduser', '-x', '-w', 'info@bill.test']);
    expect(await cli.ok(['vuserinfo', '-g', 'info@bill.test'])).toBe(`${0x04}\n`);
  });

  it('prints field options without labels in vpopmail order', async () => {
    await cli.ok(['vadduser', '-c', 'Desk', '-q', '2048', 'info@bill.test', CLI_PASSWORD]);
    const out = await cli.ok(['vuserinfo', '-q', '-d', '-c', '-g', 'info@bill.test']);
    expect(out).toBe(`0\nDesk\n${folder('info@bill.test')}\n2048\n`);
  });

  it('changes quota, comment and password hash, and refuses a hash that is not bcrypt without changing anything', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    const refused = await cli.run(['vmoduser', '-q', '5M', '-e', 'plain-text', 'info@bill.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('postyard: encryptedPassword: must be a bcrypt hash');
    expect(await cli.ok(['vuserinfo', '-q', 'info@bill.test'])).toBe('NOQUOTA\n');

    const hash = await bcrypt.hash('other-pass2', 4);
    await cli.ok(['vmoduser', '-q', '5M', '-c', 'New name', '-e', hash, 'info@bill.test']);
    expect(await cli.ok(['vuserinfo', '-p', '-c', '-q', 'info@bill.test'])).toBe(`${hash}\nNew name\n5242880\n`);
  });

  it('sets a password with vpasswd and a quota with vsetuserquota, NOQUOTA lifting it again', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    await cli.ok(['vpasswd', 'info@bill.test'], 'changed-pass3\n');
    expect(await bcrypt.compare('changed-pass3', (await cli.ok(['vuserinfo', '-p', 'info@bill.test'])).trim())).toBe(true);
    await cli.ok(['vsetuserquota', 'info@bill.test', '1M']);
    expect(await cli.ok(['vuserinfo', '-q', 'info@bill.test'])).toBe('1048576\n');
    await cli.ok(['vsetuserquota', 'info@bill.test', 'NOQUOTA']);
    expect(await cli.ok(['vuserinfo', '-q', 'info@bill.test'])).toBe('NOQUOTA\n');
  });

  it('routes to a full mailbox as the SMTP listener answers it: refused with 552 5.2.2', async () => {
    await cli.ok(['vadduser', '-q', '0', 'info@bill.test', CLI_PASSWORD]);
    const result = await cli.run(['route', 'info@bill.test']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  info@bill.test: virtual account');
    expect(result.stdout).toContain('refused: 552 5.2.2 <info@bill.test>: mailbox full');
  });

  it('warns that APOP is not offered for -a but still adds the account', async () => {
    const result = await cli.run(['vadduser', '-a', 'apop@bill.test', CLI_PASSWORD]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/APOP is not offered.*bcrypt/);
    expect(await cli.ok(['vuserinfo', '-u', 'apop@bill.test'])).toMatch(/^\d+\n$/);
  });

  it('removes a virtual account and its mail folder with vdeluser', async () => {
    await cli.ok(['vadduser', 'info@bill.test', CLI_PASSWORD]);
    await cli.ok(['vdeluser', 'info@bill.test']);
    expect(existsSync(folder('info@bill.test'))).toBe(false);
    const gone = await cli.run(['vuserinfo', 'info@bill.test']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('postyard: virtual account info@bill.test does not exist\n');
  });

  it('shows a POP mailbox given by its username', async () => {
    await cli.ok(['pop', 'add', 'carol', '--account', 'bill', '--name', 'Carol C', '--password', CLI_PASSWORD]);
    const out = await cli.ok(['vuserinfo', 'carol']);
    expect(out).toContain('name:     carol');
    expect(out).toContain('kind:     POP mailbox');
    expect(out).toContain(`dir:      ${folder('carol')}`);
  });

  it.each([
    ['two dots', 'a..b@bill.test'],
    ['a slash', 'a/b@bill.test'],
  ])('refuses a local part with %s and creates nothing', async (_, address) => {
    const result = await cli.run(['vadduser', address, CLI_PASSWORD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^postyard: address: .* is not a valid local part\n$/);
    expect(await cli.ok(['domain', 'list'])).toMatch(/bill\.test\s+bill\s+0\s+0/);
  });
});
