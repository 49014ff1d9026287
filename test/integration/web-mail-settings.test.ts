import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { createTestRuntime } from '../helpers/runtime.js';

describe('the mail settings page: forwarding, autoreply and display name', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  const OWN = '/accounts/bill/mail-settings/info%40bill.test';

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    const { services } = runtime;
    await makeHostedDomain(services, 'bill', 'bill.test');
    await makeVirtualAccount(services, 'info@bill.test');
    await services.mailboxes.createPopMailbox({ username: 'bob', account: 'bill', domain: 'bill.test', password: PASSWORD });
    await makeAccount(services, 'kid', { parent: 'bill' });
    services.domains.add({ name: 'kid.test', account: 'kid' });
    await makeVirtualAccount(services, 'yo@kid.test');
    await makeHostedDomain(services, 'carol', 'carol.test');
    await makeVirtualAccount(services, 'x@carol.test');
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  const loggedIn = async (name: string) => {
    const client = panelClient(app);
    expect((await client.login(name, PASSWORD)).statusCode).toBe(303);
    return client;
  };

  describe('for the mailbox user, at /mailbox', () => {
    it('shows its own settings with a CSRF token on every form and the password change link', async () => {
      const client = await loggedIn('info@bill.test');
      const page = await client.get('/mailbox');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('info@bill.test');
      expect(page.body.match(/<form method="post" action="\/mailbox\/[a-z]+">\s*<input type="hidden" name="_csrf" value="[^"]+">/g)).toHaveLength(3);
      expect(page.body).toContain('href="/password"');
      expect(page.body).toContain('The autoreply is off.');
    });

    it('saves forwarding with a copy, then turns it off with an empty address field', async () => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      const saved = await client.post('/mailbox/forwarding', { addresses: 'boss@elsewhere.example\nbob@bill.test', keepCopy: 'on' });
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe('/mailbox');
      expect(runtime.services.forwarding.get('info@bill.test')).toEqual({ addresses: ['boss@elsewhere.example', 'bob@bill.test'], keepCopy: true });
      const page = await client.get('/mailbox');
      expect(page.body).toContain('Forwarding saved.');
      expect(page.body).toContain('boss@elsewhere.example, bob@bill.test</textarea>');

      expect((await client.post('/mailbox/forwarding', { addresses: '  ' })).statusCode).toBe(303);
      expect(runtime.services.forwarding.get('info@bill.test')).toBeNull();
    });

    it('saves an autoreply with dates and shows whether it answers', async () => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      const saved = await client.post('/mailbox/autoreply', { enabled: 'on', subject: 'Away', text: 'Back on Monday.', from: '2000-01-01', until: '2999-12-31', days: '3' });
      expect(saved.statusCode).toBe(303);
      expect(runtime.services.autoreply.get('info@bill.test')).toMatchObject({
        enabled: true,
        subject: 'Away',
        text: 'Back on Monday.',
        startsOn: '2000-01-01',
        endsOn: '2999-12-31',
        periodDays: 3,
      });
      const page = await client.get('/mailbox');
      expect(page.body).toContain('The autoreply is answering mail now.');
      expect(page.body).toContain('value="2999-12-31"');
    });

    it('changes the display name', async () => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      expect((await client.post('/mailbox/profile', { displayName: 'Info Desk' })).statusCode).toBe(303);
      expect(runtime.services.mailboxes.get('info@bill.test').displayName).toBe('Info Desk');
    });

    it('shows a bad forward address beside the field, keeps what was typed, and changes nothing', async () => {
      runtime.services.forwarding.set('info@bill.test', { addresses: 'old@elsewhere.example' });
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      const response = await client.post('/mailbox/forwarding', { addresses: 'boss@elsewhere.example, not-an-address' });
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatch(/<span class="field-error" id="f-addresses-error">not-an-address: &quot;not-an-address&quot; is not an address of the form local@domain<\/span>/);
      expect(response.body).toContain('>boss@elsewhere.example, not-an-address</textarea>');
      expect(runtime.services.forwarding.get('info@bill.test')).toEqual({ addresses: ['old@elsewhere.example'], keepCopy: false });
    });

    it("shows a forward to the mailbox's own address beside the field", async () => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      const response = await client.post('/mailbox/forwarding', { addresses: 'info@bill.test' });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('id="f-addresses-error">info@bill.test is this mailbox&#39;s own address');
    });

    it('shows an end date before the start date beside the end date, and changes nothing', async () => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      const response = await client.post('/mailbox/autoreply', { enabled: 'on', text: 'Away', from: '2025-08-10', until: '2025-08-01' });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('id="f-until-error">must be on or after the start date (2025-08-10)</span>');
      expect(runtime.services.autoreply.get('info@bill.test')).toBeNull();
    });

    it('refuses a form without its CSRF token with 403 and changes nothing', async () => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      const response = await client.post('/mailbox/forwarding', { addresses: 'boss@elsewhere.example' }, { withCsrf: false });
      expect(response.statusCode).toBe(403);
      expect(runtime.services.forwarding.get('info@bill.test')).toBeNull();
    });

    it.each([
      ['a mailbox of its own account', '/accounts/bill/mail-settings/bob'],
      ['its own mailbox through the owner URL', OWN],
      ["another account's mailbox", '/accounts/carol/mail-settings/x%40carol.test'],
    ])('never reaches %s: 404, for the page and its forms', async (_case, url) => {
      const client = await loggedIn('info@bill.test');
      await client.get('/mailbox');
      expect((await client.get(url)).statusCode).toBe(404);
      expect((await client.post(`${url}/forwarding`, { addresses: 'thief@elsewhere.example' })).statusCode).toBe(404);
      expect(runtime.services.forwarding.get('bob')).toBeNull();
      expect(runtime.services.forwarding.get('x@carol.test')).toBeNull();
    });

    it('sends a visitor who is not logged in to the login page', async () => {
      const response = await panelClient(app).get('/mailbox');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/login?next=%2Fmailbox');
    });
  });

  describe('for the owner, at /accounts/:username/mail-settings/:mailbox', () => {
    it('shows the same page for a virtual account and saves its forwarding', async () => {
      const client = await loggedIn('bill');
      const page = await client.get(OWN);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`action="${OWN}/forwarding"`);
      expect(page.body).not.toContain('href="/password">Change your password');
      const saved = await client.post(`${OWN}/forwarding`, { addresses: 'boss@elsewhere.example' });
      expect(saved.statusCode).toBe(303);
      expect(saved.headers.location).toBe(OWN);
      expect(runtime.services.forwarding.get('info@bill.test')).toEqual({ addresses: ['boss@elsewhere.example'], keepCopy: false });
    });

    it("sets a POP mailbox's autoreply", async () => {
      const client = await loggedIn('bill');
      await client.get('/accounts/bill/mail-settings/bob');
      expect((await client.post('/accounts/bill/mail-settings/bob/autoreply', { enabled: 'on', text: 'Bob is out.' })).statusCode).toBe(303);
      expect(runtime.services.autoreply.get('bob')).toMatchObject({ enabled: true, text: 'Bob is out.' });
    });

    it("reaches a child account's mailbox under the child's URL only", async () => {
      const client = await loggedIn('bill');
      expect((await client.get('/accounts/kid/mail-settings/yo%40kid.test')).statusCode).toBe(200);
      expect((await client.get('/accounts/bill/mail-settings/yo%40kid.test')).statusCode).toBe(404);
    });

    it("never reaches another account's mailbox: 404, and its forms change nothing", async () => {
      const client = await loggedIn('bill');
      await client.get(OWN);
      expect((await client.get('/accounts/carol/mail-settings/x%40carol.test')).statusCode).toBe(404);
      expect((await client.get('/accounts/bill/mail-settings/x%40carol.test')).statusCode).toBe(404);
      expect((await client.post('/accounts/bill/mail-settings/x%40carol.test/forwarding', { addresses: 'thief@elsewhere.example' })).statusCode).toBe(404);
      expect(runtime.services.forwarding.get('x@carol.test')).toBeNull();
    });

    it('does not let a child account reach its parent\'s mailboxes', async () => {
      const client = await loggedIn('kid');
      expect((await client.get(OWN)).statusCode).toBe(404);
    });
  });
});
