import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const ADMIN_PASSWORD = 'admin-pass1';
const GIB = 1024 ** 3;

describe('accounts pages: plan, status, password and removal', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const account = (username: string) => runtime.services.accounts.get(username);
  const usernames = () => runtime.services.accounts.list().map((each) => each.username);

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await runtime.services.admins.ensureAdmin(ADMIN_PASSWORD);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await runtime.services.accounts.setPlan('bill', { diskQuota: '10G' });
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill', diskQuota: '1G' });
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

  it("lets the admin change every field of a plan, starting from the exact current values", async () => {
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    const form = await client.get('/accounts/bill/plan');
    expect(form.body).toContain('value="10G"');
    const response = await client.post('/accounts/bill/plan', { diskQuota: '20G', mailboxQuota: '200M', maxChildren: '5', popPacks: '3' });
    expect(response.statusCode).toBe(303);
    expect(account('bill')).toMatchObject({ diskQuotaBytes: 20 * GIB, mailboxQuotaBytes: 200 * 1024 ** 2, maxChildren: 5, popPacks: 3 });
  });

  it('shows a malformed quota beside its field with the entered value kept, and saves nothing', async () => {
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    await client.get('/accounts/bill/plan');
    const response = await client.post('/accounts/bill/plan', { diskQuota: 'lots', mailboxQuota: '', maxChildren: '5', popPacks: '1' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/value="lots"[\s\S]*must be a size in bytes/);
    expect(account('bill').diskQuotaBytes).toBe(10 * GIB);
  });

  it("lets a parent set its child's disk quota, within its own", async () => {
    const client = await loggedIn('bill');
    const form = await client.get('/accounts/bcsales1/plan');
    expect(form.body).not.toContain('name="popPacks"');
    expect((await client.post('/accounts/bcsales1/plan', { diskQuota: '2G' })).statusCode).toBe(303);
    expect(account('bcsales1').diskQuotaBytes).toBe(2 * GIB);
    const tooMuch = await client.post('/accounts/bcsales1/plan', { diskQuota: '11G' });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.body).toContain('at most 10 GiB (your own disk quota)');
    expect(account('bcsales1').diskQuotaBytes).toBe(2 * GIB);
  });

  it("refuses a parent the plan fields of its child that only the admin sets", async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bcsales1/plan');
    const response = await client.post('/accounts/bcsales1/plan', { diskQuota: '1G', popPacks: '50' });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Only your provider changes the POP mailbox packs of bcsales1.');
    expect(account('bcsales1').popPacks).toBe(1);
  });

  it('refuses a parent its own plan', async () => {
    const client = await loggedIn('bill');
    expect((await client.get('/accounts/bill/plan')).statusCode).toBe(403);
    await client.get('/accounts/bill');
    const response = await client.post('/accounts/bill/plan', { diskQuota: '1T' });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Your provider sets your own plan.');
    expect(account('bill').diskQuotaBytes).toBe(10 * GIB);
  });

  it('lets a parent disable a child, which ends its logins, and enable it again', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bcsales1');
    expect((await client.post('/accounts/bcsales1/disable', {})).statusCode).toBe(303);
    expect(await runtime.services.auth.authenticate('bcsales1', PASSWORD, 'panel')).toBeNull();
    const overview = await client.get('/accounts/bcsales1');
    expect(overview.body).toContain('Disabled bcsales1: its logins are refused, and its mail still arrives.');
    expect(overview.body).toContain('Enable logins');
    expect((await client.post('/accounts/bcsales1/enable', {})).statusCode).toBe(303);
    expect(await runtime.services.auth.authenticate('bcsales1', PASSWORD, 'panel')).not.toBeNull();
  });

  it("sets a child's new password without ever showing it, after a mismatch is refused", async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bcsales1/password');
    const mismatch = await client.post('/accounts/bcsales1/password', { password: 'fresh-pass1', confirm: 'other-pass1' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('does not match the new password');
    expect(await runtime.services.auth.authenticate('bcsales1', PASSWORD, 'panel')).not.toBeNull();
    const changed = await client.post('/accounts/bcsales1/password', { password: 'fresh-pass1', confirm: 'fresh-pass1' });
    expect(changed.statusCode).toBe(303);
    expect((await client.get(changed.headers.location as string)).body).not.toContain('fresh-pass1');
    expect(await runtime.services.auth.authenticate('bcsales1', 'fresh-pass1', 'panel')).not.toBeNull();
  });

  it('lists on the confirm page everything that goes with an account, and removes it all on confirmation', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    await runtime.services.mailboxes.createPopMailbox({ username: 'sales', account: 'bill', password: PASSWORD });
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    const confirm = await client.get('/accounts/bill/delete');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('1 child account(s): bcsales1');
    expect(confirm.body).toContain('1 domain(s) and their alias rules: bill.test');
    expect(confirm.body).toContain('1 virtual account(s): info@bill.test');
    expect(confirm.body).toContain('1 POP mailbox(es): sales');
    expect(usernames()).toContain('bill');
    const removed = await client.post('/accounts/bill/delete', {});
    expect(removed.statusCode).toBe(303);
    expect(usernames()).toEqual([]);
    expect(runtime.services.domains.list()).toEqual([]);
  });

  it('refuses a removal posted without its CSRF token, and keeps the account', async () => {
    const client = await loggedIn('admin', ADMIN_PASSWORD);
    await client.get('/accounts/bcsales1/delete');
    const response = await client.post('/accounts/bcsales1/delete', {}, { withCsrf: false });
    expect(response.statusCode).toBe(403);
    expect(usernames()).toContain('bcsales1');
  });

  it('refuses a parent the removal of itself, and a child every change to itself', async () => {
    const parent = await loggedIn('bill');
    expect((await parent.get('/accounts/bill/delete')).statusCode).toBe(403);
    const child = await loggedIn('bcsales1');
    await child.get('/accounts/bcsales1');
    expect((await child.post('/accounts/bcsales1/delete', {})).statusCode).toBe(403);
    expect((await child.post('/accounts/bcsales1/plan', { diskQuota: '9G' })).statusCode).toBe(403);
    expect((await child.post('/accounts/bcsales1/password', { password: 'fresh-pass1', confirm: 'fresh-pass1' })).statusCode).toBe(403);
    expect(account('bcsales1').diskQuotaBytes).toBe(GIB);
    expect(usernames()).toEqual(['bill', 'bcsales1']);
  });
});
