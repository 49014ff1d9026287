import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { CLI_HOSTNAME, createCliSandbox, type CliSandbox } from '../helpers/cli.js';
import { PASSWORD } from '../helpers/factories.js';
import { enqueueThroughCore, sinkRelayClient, sinkWorker, startRelaySink, type RelaySink } from '../helpers/relay-sink.js';

const MESSAGE = 'From: alice@example.test\nTo: bob@remote.test\nSubject: Queued\n\nWaiting for the relay.\n';

describe('postyard queue: list, retry and rm', () => {
  let cli: CliSandbox;
  let sink: RelaySink;

  /** Works on the sandbox's data folder in this process, as the running server would, and closes it again. */
  async function withRuntime<T>(task: (runtime: Runtime) => Promise<T>): Promise<T> {
    const runtime = openRuntime({ dataDir: cli.dataDir, hostname: CLI_HOSTNAME });
    try {
      return await task(runtime);
    } finally {
      runtime.close();
    }
  }

  beforeEach(async () => {
    cli = createCliSandbox();
    sink = await startRelaySink();
    await withRuntime(async (runtime) => {
      await runtime.services.accounts.create({ username: 'acme', password: PASSWORD });
      runtime.services.domains.add({ name: 'example.test', account: 'acme' });
      await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test', 'carol@remote.test'], MESSAGE);
      await enqueueThroughCore(runtime, '', ['dave@remote.test'], MESSAGE);
    });
  });
  afterEach(async () => {
    await sink.close();
    cli.dispose();
  });

  it('lists one line per queued recipient, and says on stderr that no relay host is configured', async () => {
    const result = await cli.run(['queue', 'list']);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('no relay host is configured (POSTYARD_RELAY_HOST)');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SENDER\s+RECIPIENT\s+ATTEMPTS\s+NEXT ATTEMPT\s+SIZE\s+LAST ERROR$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['1', 'alice@example.test', 'bob@remote.test', '0', 'now', expect.stringMatching(/^\d+ B$/), '-'],
      ['2', 'alice@example.test', 'carol@remote.test', '0', 'now', expect.stringMatching(/^\d+ B$/), '-'],
      ['3', '<>', 'dave@remote.test', '0', 'now', expect.stringMatching(/^\d+ B$/), '-'],
    ]);
  });

  it('says the queue is empty on stderr, keeping stdout empty for scripts', async () => {
    await cli.ok(['queue', 'rm', '1']);
    await cli.ok(['queue', 'rm', '2']);
    await cli.ok(['queue', 'rm', '3']);
    const result = await cli.run(['queue', 'list'], undefined, { POSTYARD_RELAY_HOST: 'relay.example.net' });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: 'the queue is empty\n' });
  });

  it('shows the last error and next attempt after a failed attempt, and makes rows due again with retry', async () => {
    sink.behave({ stage: 'rcpt', code: 450, text: '4.2.1 Mailbox busy' });
    await withRuntime((runtime) => sinkWorker(runtime, sinkRelayClient(sink)).runDue());

    const listed = await cli.ok(['queue', 'list']);
    const bob = listed.split('\n').find((line) => line.startsWith('1 '))!;
    expect(bob).toMatch(/ 1 +\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC +\d+ B +450 4\.2\.1 Mailbox busy \(in reply to RCPT TO\)$/);

    expect(await cli.ok(['queue', 'retry', '1'])).toBe('#1 is due now\n');
    expect((await cli.ok(['queue', 'list'])).split('\n').find((line) => line.startsWith('1 '))).toMatch(/ 1 +now +/);

    expect(await cli.ok(['queue', 'retry'])).toBe('2 recipients are due now\n');
    expect(await cli.ok(['queue', 'retry'])).toBe('nothing to retry: every queued recipient is already due\n');

    sink.accept();
    await withRuntime((runtime) => sinkWorker(runtime, sinkRelayClient(sink)).runDue());
    expect(sink.rcptSeen.filter((address) => address === 'bob@remote.test')).toHaveLength(2);
    expect((await cli.run(['queue', 'list'])).stderr).toContain('the queue is empty');
  });

  it('removes one recipient, and the message with its last one, without a bounce', async () => {
    expect(await cli.ok(['queue', 'rm', '1'])).toBe('removed #1: alice@example.test -> bob@remote.test\n');
    await withRuntime(async (runtime) => {
      expect(runtime.services.queue.list().map((row) => row.recipient)).toEqual(['carol@remote.test', 'dave@remote.test']);
      expect(runtime.services.queue.message(1)).not.toBeNull();
    });

    expect(await cli.ok(['queue', 'rm', '#2'])).toBe('removed #2: alice@example.test -> carol@remote.test\n');
    await withRuntime(async (runtime) => {
      expect(runtime.services.queue.message(1)).toBeNull();
      expect(runtime.services.audit.list(null).map((entry) => entry.action)).toContain('queue.remove');
    });
    expect(sink.messages).toEqual([]);
  });

  it('refuses an unknown id with exit 1 and a bad one with exit 64', async () => {
    for (const args of [['queue', 'rm', '99'], ['queue', 'retry', '99']]) {
      const result = await cli.run(args);
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'postyard: queued recipient #99 does not exist\n' });
    }
    const bad = await cli.run(['queue', 'rm', 'bob@remote.test']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('must be a queue id');
    expect((await cli.run(['queue', 'rm'])).code).toBe(64);
  });

  it('lists the queue verbs in postyard --help', async () => {
    const help = await cli.ok(['--help']);
    expect(help).toContain('postyard queue list');
    expect(help).toContain('postyard queue retry [id]');
    expect(help).toContain('postyard queue rm <id>');
  });
});
