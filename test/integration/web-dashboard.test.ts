import { afterEach, beforeEach, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

let runtime: ReturnType<typeof createTestRuntime>;
let app: FastifyInstance;

beforeEach(async () => {
  runtime = createTestRuntime();
  app = await buildTestApp(runtime.services, runtime.dataDir);
  await makeHostedDomain(runtime.services, 'bill', 'bill.test');
  await makeVirtualAccount(runtime.services, 'info@bill.test', { quota: 2000 });
  // One real delivery of about 1,900 bytes takes the 2,000-byte mailbox past 90 %.
  const verdict = await runtime.services.delivery.checkRecipient('info@bill.test', {});
  if (!verdict.accepted) throw new Error('the test mailbox refused mail');
  const envelope = { sender: 'a@remote.test', helo: 'remote.test', clientHostname: 'remote.test', clientAddress: '192.0.2.1', protocol: 'ESMTP', id: 'dash1' };
  await runtime.services.delivery.deliver(envelope, [verdict], Buffer.from(`Subject: big\r\n\r\n${'x'.repeat(1600)}\r\n`));
});

afterEach(async () => {
  await app.close();
  runtime.dispose();
});

it('warns a mailbox user whose mailbox is over 90 % full on the dashboard', async () => {
  const client = panelClient(app);
  await client.login('info@bill.test', PASSWORD);
  const page = await client.get('/');
  expect(page.body).toContain('Your mailbox is nearly full');
  expect(page.body).toMatch(/class="usage warn"/);
});

it("shows the owner that mailbox's usage bar as a warning, beside the account's own usage", async () => {
  const client = panelClient(app);
  await client.login('bill', PASSWORD);
  const page = await client.get('/');
  expect(page.body).toMatch(/info@bill\.test<\/td><td>virtual account<\/td><td><div class="usage warn">/);
  expect(page.body).toMatch(/of no limit/);
});
