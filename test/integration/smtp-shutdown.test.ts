import { once } from 'node:events';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { SMTPServer } from 'smtp-server';
import { createSmtpListener } from '../../src/smtp/listener.js';
import { makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';
import { createTestRuntime, TEST_HOSTNAME } from '../helpers/runtime.js';
import { RawSmtpClient, maildirFiles } from '../helpers/smtp.js';

let runtime: ReturnType<typeof createTestRuntime>;

afterEach(() => runtime.dispose());

// postyard serve closes the listeners on SIGTERM (src/server.ts): a message being sent then must still be delivered.
it('lets a message in the middle of DATA finish with 250 and land on disk when the listener closes', async () => {
  runtime = createTestRuntime();
  await makeHostedDomain(runtime.services, 'acme', 'example.test');
  await makeVirtualAccount(runtime.services, 'info@example.test');
  const server: SMTPServer = createSmtpListener({
    mode: 'incoming',
    hostname: TEST_HOSTNAME,
    maxMessageSize: 1024 * 1024,
    maxRecipients: 100,
    delivery: runtime.services.delivery,
    log: pino({ level: 'silent' }),
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const client = await RawSmtpClient.connect((server.server.address() as { port: number }).port);

  await client.envelope('sender@remote.test', ['info@example.test']);
  await client.expect('DATA', 354);
  client.write('Subject: in flight\r\n\r\nThe first half,\r\n');
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  client.write('and the second half.\r\n.\r\n');

  expect((await client.readReply()).code).toBe(250);
  const files = maildirFiles(runtime.dataDir, 'homes/acme/.mailboxes/info@example.test');
  expect(files).toHaveLength(1);
  expect(files[0]!.text).toContain('The first half,\nand the second half.');
  await client.quit();
  await closed;
  expect(server.server.listening).toBe(false);
});
