import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain } from '../helpers/factories.js';

const popForm = (extra: Record<string, string> = {}) => ({ username: 'bob', domain: 'bill.test', displayName: 'Bob Smith', password: 'bobs-secret', confirm: 'bobs-secret', ...extra });

describe('POP mailbox pages', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const popNames = () => runtime.services.mailboxes.listPopMailboxes().map((mailbox) => mailbox.name);
  const makePop = (username: string, domain?: string) =>
    runtime.services.mailboxes.createPopMailbox({ username, account: 'bill', domain, password: PASSWORD });

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

  it('lists POP mailboxes with their real name, default alias and the packs of ten used', async () => {
    await runtime.services.mailboxes.createPopMailbox({ username: 'bob', account: 'bill', domain: 'bill.test', displayName: 'Bob Smith', password: PASSWORD });
    const page = await (await loggedIn('bill')).get('/accounts/bill/pop');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bob Smith');
    expect(page.body).toMatch(/bob@bill\.test <span class="tag">default<\/span>/);
    expect(page.body).toContain('1 of 10 used');
  });

  it('says so when there is no POP mailbox yet', async () => {
    expect((await (await loggedIn('bill')).get('/accounts/bill/pop')).body).toContain('No POP mailboxes yet');
  });

  it('creates a POP mailbox with its default alias on a domain of the account', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/pop/new');
    const response = await client.post('/accounts/bill/pop', popForm());
    expect(response.statusCode).toBe(303);
    expect(runtime.services.mailboxes.get('bob')).toMatchObject({ displayName: 'Bob Smith', domainName: 'bill.test', accountUsername: 'bill' });
    expect(runtime.services.aliases.list('bill.test').map((rule) => rule.lockedBy)).toEqual(['bob']);
  });

  it("offers a child's domains for the default alias to its parent", async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    runtime.services.domains.add({ name: 'sales.test', account: 'bcsales1' });
    const client = await loggedIn('bill');
    expect((await client.get('/accounts/bill/pop/new')).body).toContain('<option value="sales.test"');
    expect((await client.post('/accounts/bill/pop', popForm({ domain: 'sales.test' }))).statusCode).toBe(303);
    expect(runtime.services.mailboxes.get('bob').domainName).toBe('sales.test');
  });

  it('refuses a username used anywhere on the server, beside the username field', async () => {
    await makeAccount(runtime.services, 'carol');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/pop/new');
    const response = await client.post('/accounts/bill/pop', popForm({ username: 'carol' }));
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatch(/id="f-username-error">is already in use on this server/);
    expect(response.body).toContain('value="Bob Smith"');
    expect(popNames()).toEqual([]);
  });

  it('shows the plan limit on the form once the packs of ten are used up, and creates nothing', async () => {
    for (let n = 0; n < 10; n++) await makePop(`pop${n}`);
    const client = await loggedIn('bill');
    expect((await client.get('/accounts/bill/pop')).body).toContain('10 of 10 used');
    await client.get('/accounts/bill/pop/new');
    const response = await client.post('/accounts/bill/pop', popForm({ username: 'eleventh' }));
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('plan allows 10 POP mailboxes');
    expect(response.body).toContain('value="eleventh"');
    expect(popNames()).toHaveLength(10);
  });

  it("answers 404 to a domain out of the user's reach in the form and creates nothing", async () => {
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/pop/new');
    expect((await client.post('/accounts/bill/pop', popForm({ domain: 'other.test' }))).statusCode).toBe(404);
    expect(popNames()).toEqual([]);
  });

  it('edits the real name and quota, and resets the password', async () => {
    await makePop('bob');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/pop/bob/edit');
    expect((await client.post('/accounts/bill/pop/bob/edit', { displayName: 'Robert', quota: '1G' })).statusCode).toBe(303);
    expect(runtime.services.mailboxes.get('bob')).toMatchObject({ displayName: 'Robert', quotaBytes: 1024 ** 3 });
    await client.get('/accounts/bill/pop/bob/password');
    expect((await client.post('/accounts/bill/pop/bob/password', { password: 'robert-new1', confirm: 'robert-new1' })).statusCode).toBe(303);
    expect(await runtime.services.auth.authenticate('bob', 'robert-new1', 'panel')).not.toBeNull();
  });

  it('deletes a POP mailbox after listing the aliases that go with it', async () => {
    await makePop('bob', 'bill.test');
    runtime.services.aliases.set('sales@bill.test', 'bob');
    const client = await loggedIn('bill');
    const confirm = await client.get('/accounts/bill/pop/bob/delete');
    expect(confirm.body).toContain('its default alias bob@bill.test');
    expect(confirm.body).toContain('the alias sales@bill.test, which delivers to it');
    expect((await client.post('/accounts/bill/pop/bob/delete', {})).statusCode).toBe(303);
    expect(popNames()).toEqual([]);
    expect(runtime.services.aliases.list('bill.test')).toEqual([]);
  });

  it('keeps the POP mailbox when the delete is posted without its CSRF token', async () => {
    await makePop('bob');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/pop/bob/delete');
    expect((await client.post('/accounts/bill/pop/bob/delete', {}, { withCsrf: false })).statusCode).toBe(403);
    expect(popNames()).toEqual(['bob']);
  });

  it('lets the admin manage any account\'s POP mailboxes and refuses a mailbox user with 403', async () => {
    await runtime.services.admins.ensureAdmin(PASSWORD);
    const admin = await loggedIn('admin');
    await admin.get('/accounts/bill/pop/new');
    expect((await admin.post('/accounts/bill/pop', popForm({ password: PASSWORD, confirm: PASSWORD }))).statusCode).toBe(303);
    expect((await (await loggedIn('bob')).get('/accounts/bill/pop')).statusCode).toBe(403);
    expect(popNames()).toEqual(['bob']);
  });

  it("answers 404 to another account's POP mailbox and to a child opening its parent's, changing nothing", async () => {
    await makeAccount(runtime.services, 'other');
    await runtime.services.mailboxes.createPopMailbox({ username: 'otherpop', account: 'other', password: PASSWORD });
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/pop');
    expect((await client.get('/accounts/bill/pop/otherpop/edit')).statusCode).toBe(404);
    expect((await client.post('/accounts/bill/pop/otherpop/delete', {})).statusCode).toBe(404);
    expect((await client.get('/accounts/other/pop')).statusCode).toBe(404);
    expect((await (await loggedIn('bcsales1')).get('/accounts/bill/pop')).statusCode).toBe(404);
    expect(popNames()).toEqual(['otherpop']);
  });
});
