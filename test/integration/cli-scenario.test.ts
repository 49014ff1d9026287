import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PASSWORD, createCliSandbox, type CliSandbox } from '../helpers/cli.js';

/** The README's walk-through, run through the real binary; each `route` case then reads the same hosting set-up. */
describe('postyard: the hosting walk-through', () => {
  let cli: CliSandbox;
  const home = (...parts: string[]) => join(cli.dataDir, 'homes', ...parts);

  beforeAll(async () => {
    cli = createCliSandbox();
    await cli.ok(['account', 'add', 'bill', '--password', CLI_PASSWORD, '--quota', '1G']);
    await cli.ok(['account', 'add', 'bob', '--parent', 'bill', '--password', CLI_PASSWORD]);
    await cli.ok(['domain', 'add', 'bill.test', '--account', 'bill']);
    await cli.ok(['vadduser', '-c', 'Info Desk', 'info@bill.test', CLI_PASSWORD]);
    await cli.ok(['alias', 'set', 'sales@bill.test', 'bob']);
    await cli.ok(['alias', 'set', 'team@bill.test', 'info@bill.test,someone@remote.example']);
    await cli.ok(['alias', 'set', 'gone@bill.test', 'fail: No such user']);
    await cli.ok(['alias', 'set', 'spam@bill.test', 'discard']);
    await cli.ok(['pop', 'add', 'carol', '--account', 'bill', '--domain', 'bill.test', '--name', 'Carol C', '--password', CLI_PASSWORD]);
  });
  afterAll(() => cli.dispose());

  it('lists the parent and its child account', async () => {
    const lines = (await cli.ok(['account', 'list'])).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^USERNAME\s+PARENT\s+DISK QUOTA/);
    expect(lines[1]).toMatch(/^bill\s+-\s+1\.0 GiB/);
    expect(lines[2]).toMatch(/^bob\s+bill\s+unlimited/);
  });

  it('lists every rule as a map-file line, with the POP default alias marked as locked', async () => {
    expect((await cli.ok(['alias', 'list', 'bill.test'])).split('\n')).toEqual([
      'sales: bob',
      'team: info@bill.test, someone@remote.example',
      'gone: fail: No such user',
      'spam: discard',
      'carol: carol  (locked: default alias of POP mailbox carol)',
      '',
    ]);
  });

  it('routes a virtual account into its own mailbox folder', async () => {
    const out = await cli.ok(['route', 'info@bill.test', '--from', 'someone@remote.example']);
    expect(out).toContain('sender: someone@remote.example');
    expect(out).toContain('  info@bill.test: virtual account');
    expect(out).toContain(`  ${home('bill', '.mailboxes', 'info@bill.test')}  (virtual account info@bill.test)`);
  });

  it('routes a named rule that delivers to a child account into the child account mailbox', async () => {
    const out = await cli.ok(['route', 'sales@bill.test']);
    expect(out).toContain('  sales@bill.test: named rule  [sales: bob]');
    expect(out).toContain(`  ${home('bob', 'Maildir')}  (mailbox of account bob)`);
  });

  it('follows a forward to a local virtual account and queues the remote address', async () => {
    const out = await cli.ok(['route', 'team@bill.test']);
    expect(out).toContain('  team@bill.test: named rule  [team: info@bill.test, someone@remote.example]');
    expect(out).toContain('    info@bill.test: virtual account');
    expect(out).toContain('    someone@remote.example: relay');
    expect(out).toContain(home('bill', '.mailboxes', 'info@bill.test'));
    expect(out).toContain('relay/queue to someone@remote.example');
  });

  it('refuses a failing rule with its own message and exit status 1', async () => {
    const result = await cli.run(['route', 'gone@bill.test']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  gone@bill.test: named rule  [gone: fail: No such user]');
    expect(result.stdout).toContain('refused: 550 5.1.1 <gone@bill.test>: No such user');
  });

  it('accepts and drops mail for a discarding rule', async () => {
    const out = await cli.ok(['route', 'spam@bill.test']);
    expect(out).toContain('  spam@bill.test: named rule  [spam: discard]');
    expect(out).toContain('discarded (accepted, not stored)');
  });

  it('delivers the POP default alias into the POP mailbox folder', async () => {
    const out = await cli.ok(['route', 'carol@bill.test']);
    expect(out).toContain('  carol@bill.test: named rule  [carol: carol]');
    expect(out).toContain(`  ${home('bill', '.mailboxes', 'carol')}  (POP mailbox carol)`);
  });

  it('sends any other local part to the mailbox of the account hosting the domain', async () => {
    const out = await cli.ok(['route', 'nobody@bill.test']);
    expect(out).toContain('  nobody@bill.test: parent mailbox');
    expect(out).toContain(`  ${home('bill', 'Maildir')}  (mailbox of account bill)`);
  });

  it('lets a * rule decide for every other local part once one is set', async () => {
    await cli.ok(['alias', 'set', '*@bill.test', 'fail:', 'Unknown', 'user']);
    const closed = await cli.run(['route', 'nobody@bill.test']);
    await cli.ok(['alias', 'rm', '*@bill.test']);
    expect(closed.code).toBe(1);
    expect(closed.stdout).toContain('  nobody@bill.test: * rule  [*: fail: Unknown user]');
    expect(closed.stdout).toContain('refused: 550 5.1.1 <nobody@bill.test>: Unknown user');
  });

  it('refuses a domain that is not hosted here with 5.7.1, never relaying for an unknown client', async () => {
    const result = await cli.run(['route', 'x@nothosted.test', '--ip', '203.0.113.9']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  x@nothosted.test: refused');
    expect(result.stdout).toContain('refused: 550 5.7.1 <x@nothosted.test>: relaying denied');
  });

  it('relays for a logged-in sender', async () => {
    const out = await cli.ok(['route', 'x@nothosted.test', '--auth', 'bob']);
    expect(out).toContain('  x@nothosted.test: relay');
    expect(out).toContain('relay/queue to x@nothosted.test');
  });
});
