import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { PASSWORD } from '../helpers/factories.js';
import { TEST_HOSTNAME } from '../helpers/runtime.js';
import { enqueueThroughCore, sinkRelayClient, sinkWorker, startRelaySink, type RelaySink } from '../helpers/relay-sink.js';

const MESSAGE = 'From: alice@example.test\nTo: bob@remote.test\nSubject: Durable\n\nStill here after a restart.\n';

describe('outbound queue: restarts, crashes and two workers', () => {
  let dataDir: string;
  let sink: RelaySink;
  const runtimes: Runtime[] = [];
  const open = () => {
    const runtime = openRuntime({ dataDir, hostname: TEST_HOSTNAME });
    runtimes.push(runtime);
    return runtime;
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'postyard-outbound-'));
    sink = await startRelaySink();
    const runtime = open();
    await runtime.services.accounts.create({ username: 'acme', password: PASSWORD });
    runtime.services.domains.add({ name: 'example.test', account: 'acme' });
  });
  afterEach(async () => {
    await sink.close();
    for (const runtime of runtimes.splice(0)) if (runtime.db.open) runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps queued mail across a restart and delivers it once when the new process starts its worker', async () => {
    const first = runtimes[0]!;
    await enqueueThroughCore(first, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    first.close(); // the process stops before any attempt

    const second = open();
    expect(second.services.queue.list()).toMatchObject([{ recipient: 'bob@remote.test', attempts: 0 }]);
    const worker = sinkWorker(second, sinkRelayClient(sink));
    worker.start();
    await sink.waitForMessages(1);
    await worker.stop();

    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]!.raw.toString('utf8')).toContain('Still here after a restart.');
    expect(second.services.queue.list()).toEqual([]);
  });

  it('delivers each recipient once when two workers on two connections run at the same time', async () => {
    const [first] = runtimes;
    for (let index = 0; index < 6; index++) {
      await enqueueThroughCore(first!, 'alice@example.test', [`r${index}@remote.test`], MESSAGE);
    }
    const other = open();
    const now = new Date();

    const reports = await Promise.all([sinkWorker(first!, sinkRelayClient(sink)).runDue(now), sinkWorker(other, sinkRelayClient(sink)).runDue(now)]);

    expect(reports[0]!.delivered + reports[1]!.delivered).toBe(6);
    expect(sink.rcptSeen.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5'].map((name) => `${name}@remote.test`));
    expect(sink.messages).toHaveLength(6);
    expect(first!.services.queue.list()).toEqual([]);
  });

  it('leaves rows claimed by a worker that crashed alone until its lease ends, then delivers them once', async () => {
    const runtime = runtimes[0]!;
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    const now = new Date();
    const leaseMs = 30 * 60_000;
    // A worker claimed the row and died before it settled anything.
    expect(runtime.services.queue.claimNext('crashed-worker', now, new Date(now.getTime() + leaseMs), true)).toHaveLength(1);
    const worker = sinkWorker(runtime, sinkRelayClient(sink), { leaseMs });

    await worker.runDue(new Date(now.getTime() + leaseMs - 1000));
    expect(sink.rcptSeen).toEqual([]);

    await worker.runDue(new Date(now.getTime() + leaseMs));
    expect(sink.messages).toHaveLength(1);
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('lets an attempt in progress finish when it stops, and starts no other', async () => {
    const runtime = runtimes[0]!;
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    await enqueueThroughCore(runtime, 'alice@example.test', ['carol@remote.test'], MESSAGE);
    const held = sink.holdNextData();
    const worker = sinkWorker(runtime, sinkRelayClient(sink), { concurrency: 1 });
    worker.start();
    await held.reached;

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    held.release();
    await stopping;

    expect(sink.messages.map((message) => message.to)).toEqual([['bob@remote.test']]);
    expect(runtime.services.queue.list().map((row) => row.recipient)).toEqual(['carol@remote.test']);
  });

  it('wakes at once for new mail instead of waiting for its next scheduled run', async () => {
    const runtime = runtimes[0]!;
    const worker = sinkWorker(runtime, sinkRelayClient(sink), { pollMs: 60 * 60_000 });
    worker.start();
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);

    await sink.waitForMessages(1);
    await worker.stop();
    expect(runtime.services.queue.list()).toEqual([]);
  });
});
