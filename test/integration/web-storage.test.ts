import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const MiB = 1024 ** 2;

describe('storage management', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const mailbox = (name: string) => runtime.services.mailboxes.get(name);
  const folder = (name: string) => join(runtime.dataDir, 'homes', 'bill', '.mailboxes', name);

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await runtime.services.accounts.setPlan('bill', { diskQuota: '100M' });
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    await runtime.services.mailboxes.createPopMailbox({ username: 'bob', account: 'bill', password: PASSWORD });
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

  it("shows the account's total against its disk quota and each mailbox's usage", async () => {
    // A message of 5 MiB, as Maildir++ names it: usage is read from the ",S=" tag.
    mkdirSync(join(folder('info@bill.test'), 'cur'), { recursive: true });
    writeFileSync(join(folder('info@bill.test'), 'new', `1.M1P1.test,S=${5 * MiB}`), 'x');
    const page = await (await loggedIn('bill')).get('/accounts/bill/storage');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('disk quota of <strong>100 MiB</strong>');
    expect(page.body).toContain('5.0 MiB of 100 MiB (5%)');
    expect(page.body).toContain('info@bill.test');
    expect(page.body).toContain('bob');
    expect(page.body).toContain('The disk quota is set by your provider.');
  });

  it('sets the default limit for all mailboxes, and refuses a bad one beside its field', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/storage');
    expect((await client.post('/accounts/bill/storage/default', { mailboxQuota: '25M' })).statusCode).toBe(303);
    expect(runtime.services.accounts.get('bill').mailboxQuotaBytes).toBe(25 * MiB);
    const refused = await client.post('/accounts/bill/storage/default', { mailboxQuota: 'plenty', diskQuota: '1G' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('id="f-mailboxQuota-error"');
    expect(runtime.services.accounts.get('bill')).toMatchObject({ mailboxQuotaBytes: 25 * MiB, diskQuotaBytes: 100 * MiB });
  });

  it('saves every individual limit and notify setting of the form together', async () => {
    const client = await loggedIn('bill');
    const page = await client.get('/accounts/bill/storage');
    expect(page.body).toContain('name="mailbox-1" value="info@bill.test"');
    const response = await client.post('/accounts/bill/storage/mailboxes', { 'mailbox-0': 'bob', 'quota-0': '10M', 'mailbox-1': 'info@bill.test', 'quota-1': '', 'notify-1': 'on' });
    expect(response.statusCode).toBe(303);
    expect(mailbox('bob')).toMatchObject({ quotaBytes: 10 * MiB, notifyAt90: false });
    expect(mailbox('info@bill.test')).toMatchObject({ quotaBytes: null, notifyAt90: true });
    expect(readFileSync(join(folder('bob'), '.quota'), 'utf8').trim()).toBe(String(10 * MiB));
  });

  it('refuses a bad value on one row beside that row and changes no row', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/storage');
    const response = await client.post('/accounts/bill/storage/mailboxes', { 'mailbox-0': 'bob', 'quota-0': '10M', 'notify-0': 'on', 'mailbox-1': 'info@bill.test', 'quota-1': 'huge', 'notify-1': 'on' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/name="quota-1" value="huge"[^>]*aria-invalid="true"/);
    expect(response.body).toContain('id="quota-1-error"');
    expect(response.body).not.toContain('id="quota-0-error"');
    expect(mailbox('bob').quotaBytes).toBeNull();
  });

  it("answers 404 to another account's mailbox slipped into the form, and changes nothing", async () => {
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    await makeVirtualAccount(runtime.services, 'boss@other.test');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/storage');
    const response = await client.post('/accounts/bill/storage/mailboxes', { 'mailbox-0': 'bob', 'quota-0': '10M', 'notify-0': 'on', 'mailbox-1': 'boss@other.test', 'quota-1': '1K' });
    expect(response.statusCode).toBe(404);
    expect(mailbox('boss@other.test').quotaBytes).toBeNull();
    expect(mailbox('bob').quotaBytes).toBeNull();
  });

  it("answers 404 to a child opening its parent's storage and 403 to a mailbox user, and lets the admin in", async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    expect((await (await loggedIn('bcsales1')).get('/accounts/bill/storage')).statusCode).toBe(404);
    expect((await (await loggedIn('info@bill.test')).get('/accounts/bill/storage')).statusCode).toBe(403);
    await runtime.services.admins.ensureAdmin(PASSWORD);
    const admin = await (await loggedIn('admin')).get('/accounts/bill/storage');
    expect(admin.statusCode).toBe(200);
    expect(admin.body).toContain('href="/accounts/bill/plan"');
  });
});
