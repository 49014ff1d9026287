import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_RELAY_REASON } from '../../src/services/outbound-queue.js';
import { PASSWORD } from '../helpers/factories.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { enqueueThroughCore, sinkRelayClient, sinkWorker, startRelaySink, type RelaySink } from '../helpers/relay-sink.js';

const MINUTE = 60_000;
const MESSAGE = [
  'From: Alice <alice@example.test>',
  'To: Bob <bob@remote.test>',
  'Subject: Outbound check',
  'Message-ID: <outbound-check@example.test>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Grüße, first line.',
  '.A line that starts with a dot.',
  '..And one with two.',
  '',
].join('\n');

/** The SMTP wire form of a stored message: the same bytes, each LF line end sent as CRLF (RFC 5321 2.3.8). */
const onTheWire = (stored: Buffer) => Buffer.from(stored.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

describe('outbound queue: delivery through the relay host', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let sink: RelaySink;

  beforeEach(async () => {
    runtime = createTestRuntime();
    sink = await startRelaySink();
    await runtime.services.accounts.create({ username: 'acme', password: PASSWORD });
    runtime.services.domains.add({ name: 'example.test', account: 'acme' });
  });
  afterEach(async () => {
    await sink.close();
    runtime.dispose();
  });

  const queue = () => runtime.services.queue.list();
  const storedContent = (messageId: number) => runtime.services.queue.message(messageId)!.content;

  it('delivers a queued message to the relay once, as stored, with its envelope, and empties the queue', async () => {
    const [id] = await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test', 'carol@remote.test'], MESSAGE);
    const { messageId } = runtime.services.queue.find(id!);
    const stored = storedContent(messageId);
    const worker = sinkWorker(runtime, sinkRelayClient(sink));

    const report = await worker.runDue();

    expect(report).toMatchObject({ delivered: 2, retried: 0, bounced: 0 });
    expect(sink.messages).toHaveLength(1);
    const [received] = sink.messages;
    expect(received!.from).toBe('alice@example.test');
    expect(received!.to).toEqual(['bob@remote.test', 'carol@remote.test']);
    // Nothing added, nothing re-encoded: the stored bytes, in SMTP's CRLF line ends (8-bit text and dots intact).
    expect(received!.raw.equals(onTheWire(stored))).toBe(true);
    expect(received!.raw.toString('utf8')).toContain('Grüße, first line.\r\n.A line that starts with a dot.\r\n..And one with two.');
    expect(queue()).toEqual([]);
    expect(runtime.services.queue.message(messageId)).toBeNull();

    await worker.runDue(new Date(Date.now() + 24 * 60 * MINUTE));
    expect(sink.messages).toHaveLength(1);
  });

  it.each([
    { case: 'a 450 to RCPT', behaviour: { stage: 'rcpt' as const, code: 450, text: '4.2.1 Mailbox busy, try later' }, error: '450 4.2.1 Mailbox busy, try later (in reply to RCPT TO)' },
    { case: 'a 451 at the end of DATA', behaviour: { stage: 'data' as const, code: 451, text: '4.3.0 Local problem' }, error: '451 4.3.0 Local problem (in reply to DATA)' },
    { case: 'a 421 to MAIL FROM', behaviour: { stage: 'mail' as const, code: 421, text: '4.7.0 Too busy' }, error: '421 4.7.0 Too busy (in reply to MAIL FROM)' },
    { case: 'a connection dropped at RCPT', behaviour: { stage: 'rcpt' as const, drop: true as const }, error: /./ },
  ])('keeps the message after $case, counts the attempt, and delivers it at a later attempt', async ({ behaviour, error }) => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    const worker = sinkWorker(runtime, sinkRelayClient(sink));
    sink.behave(behaviour);
    const now = new Date();

    expect(await worker.runDue(now)).toMatchObject({ delivered: 0, retried: 1, bounced: 0 });

    const [row] = queue();
    expect(row).toMatchObject({ recipient: 'bob@remote.test', state: 'queued', attempts: 1, lastAttemptAt: now.toISOString() });
    expect(row!.nextAttemptAt).toBe(new Date(now.getTime() + 5 * MINUTE).toISOString());
    expect(row!.lastError).toMatch(error);
    expect(sink.messages).toEqual([]);

    // Not due yet: nothing is attempted.
    const seen = sink.rcptSeen.length;
    await worker.runDue(new Date(now.getTime() + 4 * MINUTE));
    expect(sink.rcptSeen).toHaveLength(seen);

    sink.accept();
    expect(await worker.runDue(new Date(now.getTime() + 5 * MINUTE))).toMatchObject({ delivered: 1 });
    expect(sink.messages).toHaveLength(1);
    expect(queue()).toEqual([]);
  });

  it('retries when the relay host does not answer at all, saying why', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    await sink.close();
    const worker = sinkWorker(runtime, sinkRelayClient(sink));

    await worker.runDue();

    expect(queue()[0]).toMatchObject({ attempts: 1, state: 'queued' });
    expect(queue()[0]!.lastError).toContain('ECONNREFUSED');
    sink = await startRelaySink(); // for afterEach
  });

  it('backs off on the schedule: 5, 15 and 30 minutes after the first three failures', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    const worker = sinkWorker(runtime, sinkRelayClient(sink));
    sink.behave({ stage: 'rcpt', code: 450, text: '4.2.1 later' });
    let now = new Date();
    const waits: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      await worker.runDue(now);
      const next = new Date(queue()[0]!.nextAttemptAt);
      waits.push((next.getTime() - now.getTime()) / MINUTE);
      now = next;
    }
    expect(waits).toEqual([5, 15, 30]);
    expect(queue()[0]!.attempts).toBe(3);
  });

  it('delivers the recipients the relay accepts and keeps only the one it defers', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test', 'carol@remote.test'], MESSAGE);
    const worker = sinkWorker(runtime, sinkRelayClient(sink));
    sink.behave({ stage: 'rcpt', code: 452, text: '4.2.2 Mailbox full', recipients: ['carol@remote.test'] });

    await worker.runDue();

    expect(sink.messages.map((message) => message.to)).toEqual([['bob@remote.test']]);
    expect(queue().map((row) => [row.recipient, row.attempts])).toEqual([['carol@remote.test', 1]]);
  });

  it('holds mail when no relay host is configured, says why on each row, and never bounces it', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    const worker = sinkWorker(runtime, null);

    expect(await worker.runDue()).toMatchObject({ held: 1, delivered: 0, bounced: 0 });
    await worker.runDue(new Date(Date.now() + 30 * 24 * 60 * MINUTE));

    expect(queue()).toHaveLength(1);
    expect(queue()[0]).toMatchObject({ attempts: 0, lastError: NO_RELAY_REASON, state: 'queued' });
    expect(sink.rcptSeen).toEqual([]);
  });

  it('logs in to the relay host with the configured credentials', async () => {
    await sink.close();
    sink = await startRelaySink({ auth: { user: 'postyard', pass: 'relay-secret' } });
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);

    await sinkWorker(runtime, sinkRelayClient(sink, { user: 'postyard', password: 'relay-secret', tls: 'none' })).runDue();

    expect(sink.messages.map((message) => message.user)).toEqual(['postyard']);
    expect(queue()).toEqual([]);
  });

  it('keeps the message, without bouncing it, when the relay refuses our login', async () => {
    await sink.close();
    sink = await startRelaySink({ auth: { user: 'postyard', pass: 'relay-secret' } });
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);

    const report = await sinkWorker(runtime, sinkRelayClient(sink, { user: 'postyard', password: 'wrong', tls: 'none' })).runDue();

    expect(report).toMatchObject({ retried: 1, bounced: 0 });
    expect(queue()[0]!.lastError).toContain('535');
    expect(queue()[0]!.lastError).not.toContain('wrong');
  });

  it('uses STARTTLS when the relay offers it and no TLS mode is set', async () => {
    await sink.close();
    sink = await startRelaySink({ starttls: true });
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);

    await sinkWorker(runtime, sinkRelayClient(sink, { tls: undefined })).runDue();

    expect(sink.messages.map((message) => message.secure)).toEqual([true]);
  });

  it('never sends a relay password over a connection without TLS unless told to (POSTYARD_RELAY_TLS=none)', async () => {
    await sink.close();
    sink = await startRelaySink({ auth: { user: 'postyard', pass: 'relay-secret' } }); // offers no STARTTLS
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);

    const report = await sinkWorker(runtime, sinkRelayClient(sink, { user: 'postyard', password: 'relay-secret', tls: undefined })).runDue();

    expect(report).toMatchObject({ retried: 1, delivered: 0 });
    expect(sink.messages).toEqual([]);
    expect(queue()[0]!.lastError).toMatch(/\(in reply to STARTTLS\)$/);
  });
});
