import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { servePostyard, type ServedPostyard } from '../helpers/serve-process.js';
import { sendRaw } from '../helpers/smtp.js';
import { startRelaySink, type RelaySink } from '../helpers/relay-sink.js';

/** Runs a command of the built binary on the served data folder, as an administrator would next to the server. */
function postyard(served: ServedPostyard, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '', POSTYARD_DATA_DIR: served.dataDir, POSTYARD_HOSTNAME: 'mx.e2e.test', POSTYARD_LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, ['bin/postyard', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`postyard ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

describe('postyard serve: the queue worker runs with the listeners', () => {
  let sink: RelaySink;
  let served: ServedPostyard | null = null;

  beforeEach(async () => {
    sink = await startRelaySink();
  });
  afterEach(async () => {
    await served?.stop();
    served = null;
    await sink.close();
  });

  it('relays a forward to a remote address through the configured relay host, and stops cleanly', async () => {
    served = await servePostyard({ POSTYARD_RELAY_HOST: '127.0.0.1', POSTYARD_RELAY_PORT: String(sink.port), POSTYARD_RELAY_TLS: 'none' });
    await postyard(served, ['account', 'add', 'bill', '--password', 'secret-pass1']);
    await postyard(served, ['domain', 'add', 'bill.test', '--account', 'bill']);
    await postyard(served, ['alias', 'set', 'out@bill.test', 'friend@remote.test']);

    const reply = await sendRaw(served.smtpPort, 'sender@remote.test', ['out@bill.test'], 'Subject: forwarded\n\nto the relay\n');
    expect(reply.code).toBe(250);

    const [message] = await sink.waitForMessages(1);
    expect(message).toMatchObject({ from: 'sender@remote.test', to: ['friend@remote.test'] });
    expect(message!.raw.toString('utf8')).toContain('to the relay');

    const code = await served.stop();
    served = null;
    expect(code).toBe(0);
    expect(sink.messages).toHaveLength(1);
  });
});
