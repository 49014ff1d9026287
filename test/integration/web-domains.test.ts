import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

describe('domain pages', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const domainNames = () => runtime.services.domains.list().map((domain) => domain.name);

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  const loggedIn = async (username: string) => {
    const client = panelClient(app);
    await client.login(username, PASSWORD);
    return client;
  };

  it("lists an account's domains with links to their alias manager, map file and route tester", async () => {
    const page = await (await loggedIn('bill')).get('/accounts/bill/domains');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('bill.test');
    expect(page.body).toContain('href="/accounts/bill/domains/bill.test/aliases"');
    expect(page.body).toContain('href="/accounts/bill/domains/bill.test/mapfile"');
    expect(page.body).toContain('href="/accounts/bill/domains/bill.test/route"');
  });

  it('says so when an account hosts no domain yet', async () => {
    await makeAccount(runtime.services, 'empty');
    const page = await (await loggedIn('empty')).get('/accounts/empty/domains');
    expect(page.body).toContain('No domains hosted yet');
  });

  it('adds a domain for the logged-in account', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/domains');
    const response = await client.post('/accounts/bill/domains', { name: 'Shop.Bill.test' });
    expect(response.statusCode).toBe(303);
    expect(runtime.services.domains.get('shop.bill.test').accountUsername).toBe('bill');
    expect((await client.get('/accounts/bill/domains')).body).toContain('shop.bill.test is now hosted on bill.');
  });

  it('refuses a domain hosted elsewhere on the server, keeping the entered name beside the message', async () => {
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/domains');
    const response = await client.post('/accounts/bill/domains', { name: 'other.test' });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('is already hosted on this server');
    expect(response.body).toContain('value="other.test"');
    expect(runtime.services.domains.get('other.test').accountUsername).toBe('other');
  });

  it('refuses a malformed domain name with a message beside the field', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/domains');
    const response = await client.post('/accounts/bill/domains', { name: 'not a domain' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('f-name-error');
    expect(domainNames()).toEqual(['bill.test']);
  });

  it('lets a parent add a domain to its child and the admin add one to any account', async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    const parent = await loggedIn('bill');
    await parent.get('/accounts/bcsales1/domains');
    expect((await parent.post('/accounts/bcsales1/domains', { name: 'sales.test' })).statusCode).toBe(303);
    await runtime.services.admins.ensureAdmin(PASSWORD);
    const admin = await loggedIn('admin');
    await admin.get('/accounts/bill/domains');
    expect((await admin.post('/accounts/bill/domains', { name: 'admin-made.test' })).statusCode).toBe(303);
    expect(runtime.services.domains.get('sales.test').accountUsername).toBe('bcsales1');
    expect(runtime.services.domains.get('admin-made.test').accountUsername).toBe('bill');
  });

  it("answers 404 to a child opening its parent's domains and adds nothing", async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    const child = await loggedIn('bcsales1');
    expect((await child.get('/accounts/bill/domains')).statusCode).toBe(404);
    await child.get('/accounts/bcsales1/domains');
    expect((await child.post('/accounts/bill/domains', { name: 'sneaky.test' })).statusCode).toBe(404);
    expect(domainNames()).toEqual(['bill.test']);
  });

  it("answers 404 to another account's domain in the URL and leaves it in place", async () => {
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    const client = await loggedIn('bill');
    expect((await client.get('/accounts/other/domains')).statusCode).toBe(404);
    expect((await client.get('/accounts/bill/domains/other.test/delete')).statusCode).toBe(404);
    await client.get('/accounts/bill/domains');
    expect((await client.post('/accounts/bill/domains/other.test/delete', {})).statusCode).toBe(404);
    expect(domainNames()).toContain('other.test');
  });

  it('refuses a mailbox user with 403', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    const response = await (await loggedIn('info@bill.test')).get('/accounts/bill/domains');
    expect(response.statusCode).toBe(403);
  });

  it('confirms a removal by listing the virtual accounts and POP default aliases that go with the domain', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    await runtime.services.mailboxes.createPopMailbox({ username: 'bob', account: 'bill', domain: 'bill.test', password: PASSWORD });
    const client = await loggedIn('bill');
    const confirm = await client.get('/accounts/bill/domains/bill.test/delete');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('the virtual account info@bill.test and all its mail');
    expect(confirm.body).toContain('the default alias bob@bill.test of POP mailbox bob');
    const removed = await client.post('/accounts/bill/domains/bill.test/delete', {});
    expect(removed.statusCode).toBe(303);
    expect(domainNames()).toEqual([]);
    expect(runtime.services.mailboxes.find('info@bill.test')).toBeNull();
    expect(runtime.services.mailboxes.find('bob')?.domainName).toBeNull();
  });

  it('keeps the domain when the removal is posted without its CSRF token', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/domains/bill.test/delete');
    const response = await client.post('/accounts/bill/domains/bill.test/delete', {}, { withCsrf: false });
    expect(response.statusCode).toBe(403);
    expect(domainNames()).toEqual(['bill.test']);
  });
});
