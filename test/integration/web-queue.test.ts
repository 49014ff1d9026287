import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PASSWORD, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { enqueueThroughCore, sinkRelayClient, sinkWorker, startRelaySink, type RelaySink } from '../helpers/relay-sink.js';
import { createTestRuntime } from '../helpers/runtime.js';

const ADMIN_PASSWORD = 'admin-pass1';
const MESSAGE = 'From: alice@bill.test\nTo: bob@remote.test\nSubject: Queued\n\nWaiting.\n';

describe('panel: the outbound queue page', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  let sink: RelaySink;

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    sink = await startRelaySink();
    await runtime.services.admins.ensureAdmin(ADMIN_PASSWORD);
    await makeHostedDomain(runtime.services, 'bill', 'bill.test');
    await enqueueThroughCore(runtime, 'alice@bill.test', ['bob@remote.test', 'carol@remote.test'], MESSAGE);
  });
  afterEach(async () => {
    await app.close();
    await sink.close();
    runtime.dispose();
  });

  const asAdmin = async () => {
    const client = panelClient(app);
    await client.login('admin', ADMIN_PASSWORD);
    return client;
  };

  it('lists each queued recipient with its sender, attempts, next attempt, last error and size', async () => {
    sink.behave({ stage: 'rcpt', code: 450, text: '4.2.1 <carol@remote.test> Mailbox busy', recipients: ['carol@remote.test'] });
    await sinkWorker(runtime, sinkRelayClient(sink)).runDue();
    await enqueueThroughCore(runtime, 'alice@bill.test', ['dave@remote.test'], MESSAGE);
    const client = await asAdmin();

    const page = await client.get('/queue');

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Outbound queue');
    expect(page.body).not.toContain('bob@remote.test'); // delivered
    expect(page.body).toContain('carol@remote.test');
    expect(page.body).toContain('dave@remote.test');
    expect(page.body).toContain('alice@bill.test');
    expect(page.body).toContain('450 4.2.1 &lt;carol@remote.test&gt; Mailbox busy (in reply to RCPT TO)');
    expect(page.body).toMatch(/<td data-label="Next attempt">\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC<\/td>/);
    expect(page.body).toMatch(/<td data-label="Size" class="nowrap">\d+ B<\/td>/);
    expect(page.body).toContain('action="/queue/2/retry"');
    expect(page.body).toContain('href="/queue/2/delete"');
  });

  it('makes a recipient due now with "retry now", and all of them with "retry all"', async () => {
    sink.behave({ stage: 'rcpt', code: 450, text: '4.2.1 busy' });
    await sinkWorker(runtime, sinkRelayClient(sink)).runDue();
    const client = await asAdmin();
    await client.get('/queue');

    const one = await client.post('/queue/1/retry', {});
    expect(one.statusCode).toBe(303);
    expect(one.headers.location).toBe('/queue');
    const after = await client.get('/queue');
    expect(after.body).toContain('#1 is due now');
    expect(runtime.services.queue.find(1).nextAttemptAt <= new Date().toISOString()).toBe(true);
    expect(runtime.services.queue.find(2).nextAttemptAt > new Date().toISOString()).toBe(true);

    await client.post('/queue/retry', {});
    expect((await client.get('/queue')).body).toContain('1 recipient is due now.');
    expect(runtime.services.queue.find(2).nextAttemptAt <= new Date().toISOString()).toBe(true);
  });

  it('deletes a recipient after a confirm page, and keeps the others', async () => {
    const client = await asAdmin();
    const confirm = await client.get('/queue/1/delete');
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete the message to bob@remote.test?');
    expect(confirm.body).toContain('the sender gets no bounce');
    expect(confirm.body).toContain('action="/queue/1/delete"');

    const deleted = await client.post('/queue/1/delete', {});
    expect(deleted.statusCode).toBe(303);
    expect((await client.get('/queue')).body).toContain('Deleted #1, the message to bob@remote.test.');
    expect(runtime.services.queue.list().map((row) => row.recipient)).toEqual(['carol@remote.test']);
  });

  it('answers 404 for a queue id that does not exist or is not a number', async () => {
    const client = await asAdmin();
    expect((await client.get('/queue/99/delete')).statusCode).toBe(404);
    await client.get('/queue');
    expect((await client.post('/queue/99/delete', {})).statusCode).toBe(404);
    expect((await client.get('/queue/abc/delete')).statusCode).toBe(404);
  });

  it('refuses a change posted without the CSRF token', async () => {
    const client = await asAdmin();
    await client.get('/queue');
    expect((await client.post('/queue/1/delete', {}, { withCsrf: false })).statusCode).toBe(403);
    expect(runtime.services.queue.list()).toHaveLength(2);
  });

  it('is for the admin only: an account and a mailbox user get 403, a visitor the login page', async () => {
    await makeVirtualAccount(runtime.services, 'info@bill.test');
    for (const user of ['bill', 'info@bill.test']) {
      const client = panelClient(app);
      await client.login(user, PASSWORD);
      expect((await client.get('/queue')).statusCode).toBe(403);
      expect((await client.get('/queue/1/delete')).statusCode).toBe(403);
      expect((await client.post('/queue/1/delete', {})).statusCode).toBe(403);
    }
    expect(runtime.services.queue.list()).toHaveLength(2);
    const visitor = await panelClient(app).get('/queue');
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe('/login?next=%2Fqueue');
  });

  it('says when the queue is empty', async () => {
    runtime.services.queue.remove(1);
    runtime.services.queue.remove(2);
    const client = await asAdmin();
    expect((await client.get('/queue')).body).toContain('The queue is empty');
  });
});
