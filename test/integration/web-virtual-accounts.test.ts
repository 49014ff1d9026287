import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMailboxRepository } from '../../src/db/repositories/mailboxes.js';
import { MAILBOX_FLAGS } from '../../src/domain/mailbox-flags.js';
import { hashPassword } from '../../src/services/passwords.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const newAccountForm = (extra: Record<string, string> = {}) => ({ localPart: 'info', domain: 'bill.test', password: 'info-pass1', confirm: 'info-pass1', ...extra });

describe('Virtual Account Manager: list and create', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const addresses = () => runtime.services.mailboxes.listVirtualAccounts().map((mailbox) => mailbox.name);

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

  /** Many mailboxes at once, straight into the table with one hash: hashing 120 passwords would take seconds. */
  async function seedVirtualAccounts(count: number) {
    const repository = createMailboxRepository(runtime.db);
    const domain = runtime.services.domains.get('bill.test');
    const passwordHash = await hashPassword(PASSWORD);
    runtime.db.transaction(() => {
      for (let n = 1; n <= count; n++) {
        const address = `user${String(n).padStart(3, '0')}@bill.test`;
        repository.insert({ kind: 'virtual', accountId: domain.accountId, address, username: null, domainId: domain.id, passwordHash, displayName: `Staff member ${n}`, quotaBytes: null, flags: 0, ftpEnabled: false, ftpHome: null });
      }
    })();
  }

  it('pages through 120 virtual accounts fifty at a time', async () => {
    await seedVirtualAccounts(120);
    const client = await loggedIn('bill');
    const first = await client.get('/accounts/bill/virtual-accounts');
    expect(first.body).toContain('user050@bill.test');
    expect(first.body).not.toContain('user051@bill.test');
    expect(first.body).toContain('Page 1 of 3 (120)');
    const second = await client.get('/accounts/bill/virtual-accounts?page=2');
    expect(second.body).toContain('user051@bill.test');
    expect(second.body).toContain('user100@bill.test');
    expect(second.body).not.toContain('user050@bill.test');
    expect(second.body).not.toContain('user101@bill.test');
  });

  it('finds virtual accounts by part of the address or of the display name, and keeps the search across pages', async () => {
    await seedVirtualAccounts(120);
    const client = await loggedIn('bill');
    const byAddress = await client.get('/accounts/bill/virtual-accounts?q=user11');
    expect(byAddress.body).toContain('10 virtual accounts matching');
    expect(byAddress.body).toContain('user119@bill.test');
    expect(byAddress.body).not.toContain('user120@bill.test');
    const byName = await client.get('/accounts/bill/virtual-accounts?q=member%2012');
    expect(byName.body).toContain('user012@bill.test');
    expect(byName.body).toContain('user120@bill.test');
    expect(byName.body).not.toContain('user011@bill.test');
    const page = await client.get('/accounts/bill/virtual-accounts?q=user&page=2');
    expect(page.body).toContain('href="/accounts/bill/virtual-accounts?q=user&amp;page=3"');
  });

  it('says when there is nothing yet, and when nothing matches, taking % and _ in a search literally', async () => {
    const client = await loggedIn('bill');
    expect((await client.get('/accounts/bill/virtual-accounts')).body).toContain('No virtual accounts yet');
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    expect((await client.get('/accounts/bill/virtual-accounts?q=_')).body).toContain('No virtual account matches “_”');
    expect((await client.get('/accounts/bill/virtual-accounts?q=%25')).body).toContain('No virtual account matches “%”');
  });

  it('asks for a domain first when the account hosts none', async () => {
    await makeAccount(runtime.services, 'nodomain');
    const page = await (await loggedIn('nodomain')).get('/accounts/nodomain/virtual-accounts/new');
    expect(page.body).toContain('needs a domain hosted on this account first');
  });

  it('creates a virtual account with its quota, FTP folder and vpopmail flags', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/new');
    const response = await client.post('/accounts/bill/virtual-accounts', newAccountForm({ displayName: 'Info desk', quota: '50M', ftpEnabled: 'on', ftpHome: '/www/pdf/newcars/', noImap: 'on', noRelay: 'on' }));
    expect(response.statusCode).toBe(303);
    const created = runtime.services.mailboxes.get('info@bill.test');
    expect(created).toMatchObject({ displayName: 'Info desk', quotaBytes: 50 * 1024 ** 2, ftpEnabled: true, ftpHome: '/www/pdf/newcars/', flags: MAILBOX_FLAGS.noImap | MAILBOX_FLAGS.noRelay });
    expect(await runtime.services.auth.authenticate('info@bill.test', 'info-pass1', 'panel')).not.toBeNull();
  });

  it('leaves the quota to the account default when the field is blank', async () => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/new');
    await client.post('/accounts/bill/virtual-accounts', newAccountForm({ quota: '' }));
    expect(runtime.services.mailboxes.get('info@bill.test').quotaBytes).toBeNull();
  });

  it('refuses an address that exists, keeping what was typed and showing the message beside the local part', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/new');
    const response = await client.post('/accounts/bill/virtual-accounts', newAccountForm({ displayName: 'Second try' }));
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatch(/id="f-localPart-error">already exists/);
    expect(response.body).toContain('value="Second try"');
    expect(response.body).not.toContain('info-pass1');
    expect(runtime.services.mailboxes.get('info@bill.test').displayName).toBe('');
  });

  it.each([
    ['FTP access without a home folder', { ftpEnabled: 'on' }, 'f-ftpHome-error'],
    ['a home folder that climbs out of the account', { ftpEnabled: 'on', ftpHome: '/www/../..' }, 'f-ftpHome-error'],
    ['passwords that differ', { confirm: 'other-pass' }, 'f-confirm-error'],
    ['a quota that is not a size', { quota: 'lots' }, 'f-quota-error'],
  ])('refuses %s and creates nothing', async (_case, extra, errorId) => {
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/new');
    const response = await client.post('/accounts/bill/virtual-accounts', newAccountForm(extra));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(`id="${errorId}"`);
    expect(addresses()).toEqual([]);
  });

  it("answers 404 to a domain of another account in the form and creates nothing", async () => {
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    const client = await loggedIn('bill');
    await client.get('/accounts/bill/virtual-accounts/new');
    expect((await client.post('/accounts/bill/virtual-accounts', newAccountForm({ domain: 'other.test' }))).statusCode).toBe(404);
    expect(addresses()).toEqual([]);
  });

  it("lets the admin create one for any account and a parent one on its child's domain", async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    runtime.services.domains.add({ name: 'sales.test', account: 'bcsales1' });
    const parent = await loggedIn('bill');
    await parent.get('/accounts/bcsales1/virtual-accounts/new');
    expect((await parent.post('/accounts/bcsales1/virtual-accounts', newAccountForm({ domain: 'sales.test' }))).statusCode).toBe(303);
    await runtime.services.admins.ensureAdmin(PASSWORD);
    const admin = await loggedIn('admin');
    await admin.get('/accounts/bill/virtual-accounts/new');
    expect((await admin.post('/accounts/bill/virtual-accounts', newAccountForm())).statusCode).toBe(303);
    expect(runtime.services.mailboxes.get('info@sales.test').accountUsername).toBe('bcsales1');
    expect(runtime.services.mailboxes.get('info@bill.test').accountUsername).toBe('bill');
  });

  it('shows a display name holding markup as text', async () => {
    await runtime.services.mailboxes.createVirtualAccount({ address: 'x@bill.test', password: PASSWORD, displayName: '<script>alert(1)</script>' });
    const page = await (await loggedIn('bill')).get('/accounts/bill/virtual-accounts');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)</script>');
  });

  it("answers 404 to a child opening its parent's list and to another account's, and 403 to a mailbox user", async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    await makeHostedDomain(runtime.services, 'other', 'other.test');
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    expect((await (await loggedIn('bcsales1')).get('/accounts/bill/virtual-accounts')).statusCode).toBe(404);
    expect((await (await loggedIn('bill')).get('/accounts/other/virtual-accounts')).statusCode).toBe(404);
    expect((await (await loggedIn('info@bill.test')).get('/accounts/bill/virtual-accounts')).statusCode).toBe(403);
  });
});
