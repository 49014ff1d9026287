import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliSandbox, type CliSandbox } from '../helpers/cli.js';

describe('postyard: the relay allow list', () => {
  let cli: CliSandbox;
  beforeEach(() => {
    cli = createCliSandbox();
  });
  afterEach(() => cli.dispose());

  it('allows a range in canonical form, lets its clients relay, and denies it again', async () => {
    expect(await cli.ok(['relay', 'allow', '192.0.2.77/24'])).toBe('allowed 192.0.2.0/24\n');
    expect(await cli.ok(['relay', 'allow', '2001:db8::1'])).toBe('allowed 2001:db8::1/128\n');
    expect(await cli.ok(['relay', 'list'])).toBe('192.0.2.0/24\n2001:db8::1/128\n');
    const relayed = await cli.ok(['route', 'x@remote.example', '--ip', '192.0.2.9']);
    expect(relayed).toContain('relay/queue to x@remote.example');

    expect(await cli.ok(['relay', 'deny', '192.0.2.0/24'])).toBe('removed 192.0.2.0/24\n');
    expect(await cli.ok(['relay', 'list'])).toBe('2001:db8::1/128\n');
    const refused = await cli.run(['route', 'x@remote.example', '--ip', '192.0.2.9']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('550 5.7.1 <x@remote.example>');
  });

  it.each(['192.0.2.0/33', '300.1.2.3', 'example.com'])('refuses %s as a bad address and changes nothing', async (bad) => {
    await cli.ok(['relay', 'allow', '198.51.100.0/24']);
    for (const verb of ['allow', 'deny']) {
      const result = await cli.run(['relay', verb, bad]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`postyard: address: "${bad}" is not an IP address or CIDR range like 192.0.2.0/24\n`);
    }
    expect(await cli.ok(['relay', 'list'])).toBe('198.51.100.0/24\n');
  });

  it('says so on stderr when the list is empty, keeping stdout empty for scripts', async () => {
    const result = await cli.run(['relay', 'list']);
    expect(result).toMatchObject({ code: 0, stdout: '' });
    expect(result.stderr).toContain('empty');
  });
});
