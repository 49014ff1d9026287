import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

describe('panel login and sessions', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  it('sends a visitor who is not logged in to the login page', async () => {
    const response = await panelClient(app).get('/');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2F');
  });

  it('logs an account in and shows its dashboard with its domains', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    const client = panelClient(app);
    const login = await client.login('bill', PASSWORD);
    expect(login.statusCode).toBe(303);
    const page = await client.get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('bill.test');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('logs a virtual account in by its full address and shows only its own mailbox', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    const client = panelClient(app);
    await client.login('INFO@bill.test', PASSWORD);
    const page = await client.get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('info@bill.test');
    expect(page.body).not.toContain('bill.test</li>');
  });

  it('answers a wrong password and an unknown user with the same message', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    const wrongPassword = await panelClient(app).login('bill', 'not-the-password');
    const unknownUser = await panelClient(app).login('nobody', 'not-the-password');
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownUser.statusCode).toBe(401);
    expect(wrongPassword.body).toContain('Wrong username or password.');
    expect(unknownUser.body).toContain('Wrong username or password.');
    expect(wrongPassword.headers['set-cookie'] ?? '').not.toContain('postyard_session');
  });

  it('refuses a form posted without its CSRF token and logs nobody in', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    const client = panelClient(app);
    await client.get('/login');
    const response = await client.post('/login', { username: 'bill', password: PASSWORD }, { withCsrf: false });
    expect(response.statusCode).toBe(403);
    expect((await client.get('/')).statusCode).toBe(303);
  });

  it('throttles a user after five failed logins, even with the right password', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    const client = panelClient(app);
    for (let attempt = 0; attempt < 5; attempt++) expect((await client.login('bill', 'wrong-pass')).statusCode).toBe(401);
    const blocked = await client.login('bill', PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect((await client.get('/')).statusCode).toBe(303);
  });

  it('makes the admin change the first-start password before anything else', async () => {
    const created = await runtime.services.admins.ensureAdmin();
    const client = panelClient(app);
    await client.login('admin', created!.generatedPassword!);
    expect((await client.get('/')).headers.location).toBe('/password');
    await client.get('/password');
    const mismatch = await client.post('/password', { current: created!.generatedPassword!, password: 'new-secret-1', confirm: 'other' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('does not match');
    const changed = await client.post('/password', { current: created!.generatedPassword!, password: 'new-secret-1', confirm: 'new-secret-1' });
    expect(changed.statusCode).toBe(303);
    const dashboard = await client.get('/');
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Accounts');
    expect(await runtime.services.auth.authenticate('admin', 'new-secret-1', 'panel')).not.toBeNull();
  });

  it('shows a display name holding markup as text', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await runtime.services.mailboxes.createVirtualAccount({ address: 'x@bill.test', password: PASSWORD, displayName: '<script>alert(1)</script>' });
    const client = panelClient(app);
    await client.login('x@bill.test', PASSWORD);
    const page = await client.get('/');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)</script>');
  });

  it('never sends a login back to another site', async () => {
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    const client = panelClient(app);
    await client.get('/login');
    const response = await client.post('/login', { username: 'bill', password: PASSWORD, next: '//evil.example/' });
    expect(response.headers.location).toBe('/');
  });
});
