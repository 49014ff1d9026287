import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const EDIT = '/accounts/bill/virtual-accounts/info@bill.test/edit';

describe('Virtual Account Manager: edit, password, disable, delete', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const info = () => runtime.services.mailboxes.get('info@bill.test');

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await makeVirtualAccount(runtime.services, 'info@bill.test');
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

  it('saves the settings and keeps the flags the form does not show', async () => {
    runtime.services.mailboxes.updateSettings('info@bill.test', { flags: MAILBOX_FLAGS.noDialup | MAILBOX_FLAGS.noPop });
    const client = await loggedIn('bill');
    const form = await client.get(EDIT);
    expect(form.body).toMatch(/name="noPop" checked/);
    const response = await client.post(EDIT, { displayName: 'Front desk', quota: '20M', bounceMail: 'on', hiddenFromAddressBook: 'on', ftpHome: '' });
    expect(response.statusCode).toBe(303);
    expect(info()).toMatchObject({ displayName: 'Front desk', quotaBytes: 20 * 1024 ** 2, notifyAt90: false, hiddenFromAddressBook: true, flags: MAILBOX_FLAGS.noDialup | MAILBOX_FLAGS.bounceMail });
  });

  it('disables a virtual account: logins are refused and its mail still arrives', async () => {
    const client = await loggedIn('bill');
    await client.get(EDIT);
    await client.post(EDIT, { disabled: 'on', notifyAt90: 'on' });
    expect(info().disabled).toBe(true);
    expect(await runtime.services.auth.authenticate('info@bill.test', PASSWORD, 'panel')).toBeNull();
    const resolution = runtime.services.routing.resolve('info@bill.test');
    expect(resolution.accepted && resolution.destinations[0]?.kind).toBe('mailbox');
  });

  it('refuses a bad quota beside its field and changes nothing', async () => {
    const client = await loggedIn('bill');
    await client.get(EDIT);
    const response = await client.post(EDIT, { displayName: 'Changed', quota: 'a lot' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('id="f-quota-error"');
    expect(response.body).toContain('value="Changed"');
    expect(info().displayName).toBe('');
  });

  it('sets a new password without ever showing one', async () => {
    const client = await loggedIn('bill');
    const form = await client.get('/accounts/bill/virtual-accounts/info@bill.test/password');
    expect(form.body).not.toContain(info().passwordHash);
    const response = await client.post('/accounts/bill/virtual-accounts/info@bill.test/password', { password: 'brand-new1', confirm: 'brand-new1' });
    expect(response.statusCode).toBe(303);
    expect(await runtime.services.auth.authenticate('info@bill.test', 'brand-new1', 'panel')).not.toBeNull();
    expect(await runtime.services.auth.authenticate('info@bill.test', PASSWORD, 'panel')).toBeNull();
  });

  it('refuses a new password with a space and keeps the old one', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/info@bill.test/password');
    const response = await client.post('/accounts/bill/virtual-accounts/info@bill.test/password', { password: 'has space', confirm: 'has space' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('must not contain spaces');
    expect(await runtime.services.auth.authenticate('info@bill.test', PASSWORD, 'panel')).not.toBeNull();
  });

  it('deletes a virtual account after a confirm page that says its mail goes too', async () => {
    const client = await loggedIn('bill');
    const confirm = await client.get('/accounts/bill/virtual-accounts/info@bill.test/delete');
    expect(confirm.body).toContain('its mailbox folder and all its mail');
    const response = await client.post('/accounts/bill/virtual-accounts/info@bill.test/delete', {});
    expect(response.statusCode).toBe(303);
    expect(runtime.services.mailboxes.find('info@bill.test')).toBeNull();
  });

  it('keeps the virtual account when the delete is posted without its CSRF token', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/info@bill.test/delete');
    const response = await client.post('/accounts/bill/virtual-accounts/info@bill.test/delete', {}, { withCsrf: false });
    expect(response.statusCode).toBe(403);
    expect(runtime.services.mailboxes.find('info@bill.test')).not.toBeNull();
  });

  it("answers 404 to another account's virtual account and changes nothing", async () => {
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    await makeVirtualAccount(runtime.services, 'boss@other.test');
    const client = await loggedIn('bill');
    await client.get(EDIT);
    expect((await client.get('/accounts/bill/virtual-accounts/boss@other.test/edit')).statusCode).toBe(404);
    expect((await client.get('/accounts/other/virtual-accounts/boss@other.test/edit')).statusCode).toBe(404);
    expect((await client.post('/accounts/bill/virtual-accounts/boss@other.test/edit', { displayName: 'Hijacked' })).statusCode).toBe(404);
    expect((await client.post('/accounts/bill/virtual-accounts/boss@other.test/delete', {})).statusCode).toBe(404);
    expect(runtime.services.mailboxes.get('boss@other.test').displayName).toBe('');
  });

  it("answers 404 to a child account opening its parent's virtual account", async () => {
    await runtime.services.accounts.create({ username: 'bcsales1', parent: 'bill', password: PASSWORD });
    const child = await loggedIn('bcsales1');
    expect((await child.get(EDIT)).statusCode).toBe(404);
    expect((await child.get('/accounts/bill/virtual-accounts/info@bill.test/delete')).statusCode).toBe(404);
  });
});
