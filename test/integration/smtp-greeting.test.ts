import { createConnection } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SMTPServer } from 'smtp-server';
import { createSmtpListener } from '../../src/smtp/listener.js';
import { createTestRuntime, TEST_HOSTNAME } from '../helpers/runtime.js';

/** The first line the server sends on a connection where the client may speak before reading anything. */
async function firstReply(port: number, speakFirst: boolean): Promise<string> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  if (speakFirst) socket.write('EHLO early.example\r\n');
  const [chunk] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return chunk.toString('latin1');
}

describe('incoming SMTP: the greeting', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let server: SMTPServer;

  const start = async (greetingDelay?: number) => {
    runtime = createTestRuntime();
    server = createSmtpListener({
      mode: 'incoming',
      hostname: TEST_HOSTNAME,
      maxMessageSize: 1024 * 1024,
      maxRecipients: 100,
      delivery: runtime.services.delivery,
      log: pino({ level: 'silent' }),
      ...(greetingDelay === undefined ? {} : { greetingDelay }),
    });
    server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    return (server.server.address() as { port: number }).port;
  };

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    runtime.dispose();
  });

  // How soon the greeting comes is measured by `npm run bench` (with and without a delay), not here.
  it('greets a client that waits for the greeting, with no pre-greet delay by default', async () => {
    const port = await start();
    expect(await firstReply(port, false)).toMatch(/^220 mx\.test\.example ESMTP Postyard ESMTP/);
  });

  it('refuses a client that talks before the greeting when a pre-greet delay is set', async () => {
    const port = await start(10_000);
    expect(await firstReply(port, true)).toMatch(/^421 .*You talk too soon/);
  });
});
