import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { runAs } from '../../src/services/actor.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const ADMIN_PASSWORD = 'admin-pass1';

describe('audit log page', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await runtime.services.admins.ensureAdmin(ADMIN_PASSWORD);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    await makeHostedDomain(runtime.services, 'carol', 'carol.test');
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  const loggedIn = async (username: string, password = PASSWORD) => {
    const client = panelClient(app);
    await client.login(username, password);
    return client;
  };

  it('shows the admin every change, newest first, with who made it and from where', async () => {
    await runAs({ name: 'root', source: 'cli' }, () => runtime.services.relay.allow('192.0.2.0/24'));
    const page = await (await loggedIn('admin', ADMIN_PASSWORD)).get('/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/relay\.allow[\s\S]*by root \(command line\)[\s\S]*domain\.add<\/strong> <code>carol\.test/);
    expect(page.body).toContain('account.create</strong> <code>bill</code>');
  });

  it('shows a change of plan as the fields that changed, before and after', async () => {
    await runtime.services.accounts.setPlan('bcsales1', { diskQuota: '1G' });
    const page = await (await loggedIn('bill')).get('/audit');
    const entry = /account\.plan<\/strong>[\s\S]*?<\/dl>/.exec(page.body)![0];
    expect(entry).toMatch(/<dt>disk quota<\/dt>\s*<dd><span class="before">no limit<\/span> → <span class="after">1.0 GiB<\/span>/);
    expect(entry).not.toContain('<dt>max children</dt>');
  });

  it('shows an alias rule as its rule text', async () => {
    runtime.services.aliases.set('info@bill.test', 'bcsales1');
    const page = await (await loggedIn('bill')).get('/audit');
    expect(page.body).toMatch(/<dt>rule<\/dt>\s*<dd><span class="after">info: bcsales1<\/span>/);
  });

  it("shows a parent its own and its children's changes, and nothing of another account", async () => {
    await runtime.services.accounts.setPlan('bcsales1', { diskQuota: '1G' });
    const page = await (await loggedIn('bill')).get('/audit');
    expect(page.body).toContain('account.plan</strong> <code>bcsales1</code>');
    expect(page.body).toContain('domain.add</strong> <code>bill.test</code>');
    expect(page.body).not.toContain('carol');
  });

  it('shows a child only its own changes', async () => {
    await runtime.services.accounts.setPlan('bcsales1', { diskQuota: '1G' });
    const page = await (await loggedIn('bcsales1')).get('/audit');
    expect(page.body).toContain('account.plan</strong> <code>bcsales1</code>');
    expect(page.body).not.toContain('bill.test');
  });

  it('refuses the audit log to a mailbox user', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    expect((await (await loggedIn('info@bill.test')).get('/audit')).statusCode).toBe(403);
  });

  it('records a password reset as an entry that shows neither the password nor any hash', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bcsales1/password');
    expect((await client.post('/accounts/bcsales1/password', { password: 'fresh-pass1', confirm: 'fresh-pass1' })).statusCode).toBe(303);
    const page = await client.get('/audit');
    expect(page.body).toMatch(/account\.password<\/strong> <code>bcsales1<\/code>\s*<span class="hint">by bill \(panel\)/);
    expect(page.body).not.toContain('fresh-pass1');
    expect(page.body).not.toMatch(/\$2[aby]\$/);
    expect(page.body).not.toContain('password hash');
  });

  it('shows a display name holding markup as text', async () => {
    await runtime.services.mailboxes.createVirtualAccount({ address: 'x@bill.test', password: PASSWORD, displayName: '<script>alert(1)</script>' });
    const page = await (await loggedIn('bill')).get('/audit');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)</script>');
  });

  it('pages through older entries with an "older" link', async () => {
    for (let host = 1; host <= 60; host++) runtime.services.relay.allow(`198.51.100.${host}`);
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    const first = await client.get('/audit');
    expect(first.body.match(/<li>/g)).toHaveLength(50);
    expect(first.body).toContain('<code>198.51.100.60/32</code>');
    const older = /href="(\/audit\?before=\d+)" rel="next"/.exec(first.body)![1]!;
    const second = await client.get(older);
    expect(second.body).toContain('<code>198.51.100.10/32</code>');
    expect(second.body).not.toContain('<code>198.51.100.11/32</code>');
    expect(second.body).toContain('account.create</strong> <code>bill</code>');
    expect(second.body).toContain('href="/audit">Newest');
    expect(second.body).not.toContain('rel="next"');
  });
});
