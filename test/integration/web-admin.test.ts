import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/web/app.js';
import { TEST_HOSTNAME, createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const ADMIN_PASSWORD = 'admin-pass1';

describe('admin pages: the relay allow list and the server status', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    await runtime.services.admins.ensureAdmin(ADMIN_PASSWORD);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  const asAdmin = async () => {
    const client = panelClient(app);
    await client.login('admin', ADMIN_PASSWORD);
    return client;
  };

  it('says when nobody may relay, and adds a range that the relay check honours at once', async () => {
    const client = await asAdmin();
    expect((await client.get('/relay')).body).toContain('Nobody may relay without logging in.');
    expect(runtime.services.relay.allows('192.0.2.55')).toBe(false);
    const added = await client.post('/relay', { address: '192.0.2.9/24' });
    expect(added.statusCode).toBe(303);
    const page = await client.get('/relay');
    expect(page.body).toContain('Allowed 192.0.2.0/24 to relay');
    expect(page.body).toContain('href="/relay/remove?cidr=192.0.2.0%2F24"');
    expect(runtime.services.relay.allows('192.0.2.55')).toBe(true);
  });

  it('shows a malformed address beside the field with the entered text kept, and adds nothing', async () => {
    const client = await asAdmin();
    await client.get('/relay');
    const response = await client.post('/relay', { address: '<b>10.0.0.300</b>' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/value="&lt;b&gt;10.0.0.300&lt;\/b&gt;"[\s\S]*is not an IP address or CIDR range/);
    expect(response.body).not.toContain('<b>10.0.0.300</b>');
    expect(runtime.services.relay.list()).toEqual([]);
  });

  it('removes an entry only after its confirmation page', async () => {
    runtime.services.relay.allow('198.51.100.7');
    const client = await asAdmin();
    const confirm = await client.get('/relay/remove?cidr=198.51.100.7%2F32');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Stop allowing 198.51.100.7/32 to relay?');
    expect(runtime.services.relay.list()).toEqual(['198.51.100.7/32']);
    const removed = await client.post('/relay/remove?cidr=198.51.100.7%2F32', {});
    expect(removed.statusCode).toBe(303);
    expect(runtime.services.relay.allows('198.51.100.7')).toBe(false);
  });

  it('answers the removal of an entry that is not on the list with 404', async () => {
    runtime.services.relay.allow('198.51.100.7');
    const client = await asAdmin();
    expect((await client.get('/relay/remove?cidr=10.0.0.0%2F8')).statusCode).toBe(404);
    await client.get('/relay');
    expect((await client.post('/relay/remove?cidr=10.0.0.0%2F8', {})).statusCode).toBe(404);
    expect(runtime.services.relay.list()).toEqual(['198.51.100.7/32']);
  });

  it('refuses the relay list and the server page to accounts and mailbox users, and changes nothing', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    for (const username of ['bill', 'info@bill.test']) {
      const client = panelClient(app);
      await client.login(username, PASSWORD);
      expect((await client.get('/relay')).statusCode).toBe(403);
      expect((await client.get('/server')).statusCode).toBe(403);
      expect((await client.post('/relay', { address: '0.0.0.0/0' })).statusCode).toBe(403);
    }
    expect(runtime.services.relay.list()).toEqual([]);
  });

  it('shows the listeners as not listening, the queue, the disk, the counts and the version', async () => {
    await makeAccount(runtime.services, 'bcsales1', { parent: 'bill' });
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    const page = await (await asAdmin()).get('/server');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<td>smtp<\/td><td>incoming mail<\/td><td><code>not listening<\/code>/);
    expect(page.body).toContain('<strong>0</strong> queued to send');
    expect(page.body).toMatch(/<strong>[\d.]+ [KMGT]iB<\/strong> free of [\d.]+ [KMGT]iB/);
    expect(page.body).toContain('<strong>1</strong> child accounts');
    expect(page.body).toContain('<strong>1</strong> virtual accounts');
    expect(page.body).toContain('Postyard 0.1.0');
  });

  it('shows where the running server listens', async () => {
    const listeners = [{ name: 'smtp', purpose: 'incoming mail', address: '0.0.0.0:2525' }];
    const running = await buildApp({ services: runtime.services, log: pino({ level: 'silent' }), hostname: TEST_HOSTNAME, dataDir: runtime.dataDir, serverInfo: () => ({ listeners }) });
    const client = panelClient(running);
    await client.login('admin', ADMIN_PASSWORD);
    expect((await client.get('/server')).body).toContain('<code>0.0.0.0:2525</code>');
    await running.close();
  });
});
