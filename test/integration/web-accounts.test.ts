import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const ADMIN_PASSWORD = 'admin-pass1';

describe('accounts pages: the hierarchy, creating accounts and the overview', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const usernames = () => runtime.services.accounts.list().map((account) => account.username);

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await runtime.services.admins.ensureAdmin(ADMIN_PASSWORD);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill', diskQuota: '1G' });
    await makeAccount(runtime.services, 'carol');
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

  it('shows the admin every parent with its children indented beneath it, with disk usage', async () => {
    const page = await (await loggedIn('admin', ADMIN_PASSWORD)).get('/accounts');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/href="\/accounts\/bill">bill<\/a>[\s\S]*<ul>[\s\S]*href="\/accounts\/bcsales1">bcsales1/);
    expect(page.body).toContain('href="/accounts/carol"');
    expect(page.body).toContain('0 B of 1.0 GiB');
    expect(page.body).toContain('New parent account');
  });

  it('shows a parent itself and its children, and no other parent', async () => {
    const page = await (await loggedIn('bill')).get('/accounts');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/accounts/bcsales1"');
    expect(page.body).not.toContain('carol');
    expect(page.body).toContain('New child account');
  });

  it('refuses the accounts page to a child account and to a mailbox user', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    expect((await (await loggedIn('bcsales1')).get('/accounts')).statusCode).toBe(403);
    expect((await (await loggedIn('info@bill.test')).get('/accounts')).statusCode).toBe(403);
    const post = await (await loggedIn('bcsales1')).post('/accounts', { username: 'grandchild', password: PASSWORD });
    expect(post.statusCode).toBe(403);
    expect(usernames()).not.toContain('grandchild');
  });

  it('lets the admin create a parent account with its plan', async () => {
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    await client.get('/accounts');
    const response = await client.post('/accounts', { username: 'dave', password: PASSWORD, diskQuota: '2G', mailboxQuota: '100M', maxChildren: '3', popPacks: '2' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/accounts/dave');
    const dave = runtime.services.accounts.get('dave');
    expect(dave).toMatchObject({ parentId: null, diskQuotaBytes: 2 * 1024 ** 3, mailboxQuotaBytes: 100 * 1024 ** 2, maxChildren: 3, popPacks: 2 });
    expect(await runtime.services.auth.authenticate('dave', PASSWORD, 'panel')).not.toBeNull();
  });

  it('makes a parent the parent of the child it creates, whatever the form says', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts');
    const response = await client.post('/accounts', { username: 'bcsales2', password: PASSWORD, diskQuota: '500M', parent: 'carol' });
    expect(response.statusCode).toBe(303);
    expect(runtime.services.accounts.get('bcsales2').parentUsername).toBe('bill');
  });

  it('shows a name already used by a POP mailbox beside the username field and keeps the entered values', async () => {
    await runtime.services.mailboxes.createPopMailbox({ username: 'sales', account: 'bill', password: PASSWORD });
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    await client.get('/accounts');
    const response = await client.post('/accounts', { username: 'sales', password: PASSWORD, diskQuota: '3G', mailboxQuota: '', maxChildren: '4', popPacks: '1' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatch(/name="username"[^>]*value="sales"[\s\S]*is already in use on this server/);
    expect(response.body).toContain('value="3G"');
    expect(runtime.services.accounts.list()).toHaveLength(3);
  });

  it("shows the plan's child limit beside the form and creates nothing past it", async () => {
    await runtime.services.accounts.setPlan('bill', { maxChildren: 1 });
    const client = await loggedIn('bill');
    await client.get('/accounts');
    const response = await client.post('/accounts', { username: 'bcsales2', password: PASSWORD, diskQuota: '100M' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('bill&#39;s plan allows 1 child accounts');
    expect(usernames()).not.toContain('bcsales2');
  });

  it('refuses a child with more disk than its parent has, beside the quota field', async () => {
    await runtime.services.accounts.setPlan('bill', { diskQuota: '1G' });
    const client = await loggedIn('bill');
    await client.get('/accounts');
    const response = await client.post('/accounts', { username: 'bcsales2', password: PASSWORD, diskQuota: '5G' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatch(/name="diskQuota"[\s\S]*at most 1.0 GiB \(your own disk quota\)/);
    expect(usernames()).not.toContain('bcsales2');
  });

  it('shows a username holding markup as text', async () => {
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    await client.get('/accounts');
    const response = await client.post('/accounts', { username: '<script>alert(1)</script>', password: PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(runtime.services.accounts.list()).toHaveLength(3);
  });

  it("gives an account's overview: plan, usage, counts linking to its pages, and its children", async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    const page = await (await loggedIn('bill')).get('/accounts/bill');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('POP mailboxes allowed</dt><dd>10 (1 pack(s) of 10)');
    expect(page.body).toMatch(/href="\/accounts\/bill\/domains"><strong>1<\/strong>Domains/);
    expect(page.body).toMatch(/href="\/accounts\/bill\/virtual-accounts"><strong>1<\/strong>Virtual accounts/);
    expect(page.body).toContain('href="/accounts/bill/pop"');
    expect(page.body).toContain('href="/accounts/bill/storage"');
    expect(page.body).toContain('href="/accounts/bcsales1"');
    expect(page.body).not.toContain('/accounts/bill/plan');
  });

  it("answers a parent opening another parent's account with 404, and changes nothing", async () => {
    const client = await loggedIn('bill');
    expect((await client.get('/accounts/carol')).statusCode).toBe(404);
    await client.get('/accounts/bill');
    expect((await client.post('/accounts/carol/disable', {})).statusCode).toBe(404);
    expect((await client.post('/accounts/carol/delete', {})).statusCode).toBe(404);
    expect(runtime.services.accounts.get('carol').disabled).toBe(false);
  });

  it("answers a child opening its parent's or a sibling's account with 404", async () => {
    await makeAccount(runtime.services, 'bcsales2', { parent: 'bill' });
    const client = await loggedIn('bcsales1');
    expect((await client.get('/accounts/bill')).statusCode).toBe(404);
    expect((await client.get('/accounts/bcsales2')).statusCode).toBe(404);
    expect((await client.get('/accounts/bcsales1')).statusCode).toBe(200);
  });
});
