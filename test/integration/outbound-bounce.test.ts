import { simpleParser, type ParsedMail } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_LIFETIME_MS } from '../../src/domain/retry-schedule.js';
import { PASSWORD } from '../helpers/factories.js';
import { createTestRuntime } from '../helpers/runtime.js';
import { allMailFiles, maildirFiles } from '../helpers/smtp.js';
import { enqueueThroughCore, sinkRelayClient, sinkWorker, startRelaySink, type RelaySink } from '../helpers/relay-sink.js';

const ALICE = 'homes/acme/.mailboxes/alice@example.test';
const MESSAGE = 'From: alice@example.test\nTo: bob@remote.test\nSubject: Will bounce\nMessage-ID: <will-bounce@example.test>\n\nThe body.\n';

/** mailparser folds a message/delivery-status part into the text unless told to keep it as a part of its own. */
const parseReport = (raw: Buffer) => simpleParser(raw, { keepDeliveryStatus: true });

/** The report's parts as mailparser sees them: the message/delivery-status part and the rfc822-headers part. */
function reportParts(parsed: ParsedMail) {
  const status = parsed.attachments.find((part) => part.contentType === 'message/delivery-status');
  const headers = parsed.attachments.find((part) => part.contentType === 'text/rfc822-headers');
  return { status: status?.content.toString('utf8') ?? '', headers: headers?.content.toString('utf8') ?? '' };
}

describe('outbound queue: bounces', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let sink: RelaySink;

  beforeEach(async () => {
    runtime = createTestRuntime();
    sink = await startRelaySink();
    const { services } = runtime;
    await services.accounts.create({ username: 'acme', password: PASSWORD });
    services.domains.add({ name: 'example.test', account: 'acme' });
    await services.mailboxes.createVirtualAccount({ address: 'alice@example.test', password: PASSWORD });
  });
  afterEach(async () => {
    await sink.close();
    runtime.dispose();
  });

  const worker = () => sinkWorker(runtime, sinkRelayClient(sink));
  const reportsTo = async (folder: string) => Promise.all(maildirFiles(runtime.dataDir, folder).map((file) => parseReport(file.content)));

  it('returns a 5xx to the local sender as one RFC 3464 report in her mailbox, and empties the queue', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'rcpt', code: 550, text: '5.1.1 <bob@remote.test>: Recipient address rejected: User unknown' });

    expect(await worker().runDue()).toMatchObject({ bounced: 1, delivered: 0, retried: 0 });

    const reports = await reportsTo(ALICE);
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    expect(report.headers.get('content-type')).toMatchObject({ value: 'multipart/report', params: { 'report-type': 'delivery-status' } });
    expect(report.from?.value[0]?.address).toBe('MAILER-DAEMON@mx.test.example');
    expect(report.headers.get('auto-submitted')).toBe('auto-replied');
    expect(report.subject).toBe('Undelivered Mail Returned to Sender');
    expect(report.text).toContain('<bob@remote.test>: 550 5.1.1');
    const { status, headers } = reportParts(report);
    expect(status).toContain('Reporting-MTA: dns; mx.test.example');
    expect(status).toMatch(/Arrival-Date: \w{3}, \d{2} \w{3} \d{4}/);
    expect(status).toContain('Final-Recipient: rfc822; bob@remote.test');
    expect(status).toContain('Action: failed');
    expect(status).toContain('Status: 5.1.1');
    expect(status).toContain('Diagnostic-Code: smtp; 550 5.1.1 <bob@remote.test>: Recipient address rejected: User unknown');
    expect(headers).toContain('Message-ID: <will-bounce@example.test>');
    expect(headers).not.toContain('The body.');
    // A bounce has a null envelope sender (RFC 5321 4.5.5), which the delivered copy's Return-Path shows.
    expect(maildirFiles(runtime.dataDir, ALICE)[0]!.text.startsWith('Return-Path: <>\n')).toBe(true);
    expect(runtime.services.queue.list()).toEqual([]);
    expect(sink.messages).toEqual([]);
  });

  it('bounces several failed recipients of one message together, in one report, and delivers the rest', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test', 'carol@remote.test', 'dave@remote.test'], MESSAGE);
    sink.behave(
      { stage: 'rcpt', code: 550, text: '5.1.1 no such user', recipients: ['bob@remote.test'] },
      { stage: 'rcpt', code: 553, text: '5.1.3 bad address', recipients: ['dave@remote.test'] },
    );

    expect(await worker().runDue()).toMatchObject({ bounced: 2, delivered: 1 });

    const reports = await reportsTo(ALICE);
    expect(reports).toHaveLength(1);
    const { status } = reportParts(reports[0]!);
    expect(status.match(/^Final-Recipient: rfc822; .*$/gm)).toEqual(['Final-Recipient: rfc822; bob@remote.test', 'Final-Recipient: rfc822; dave@remote.test']);
    expect(status).toContain('Status: 5.1.1');
    expect(status).toContain('Status: 5.1.3');
    expect(sink.messages.map((message) => message.to)).toEqual([['carol@remote.test']]);
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('bounces a message refused at the end of DATA', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'data', code: 554, text: '5.7.1 Message rejected as spam' });

    await worker().runDue();

    const { status } = reportParts((await reportsTo(ALICE))[0]!);
    expect(status).toContain('Status: 5.7.1');
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('bounces a message whose retry period has ended, reporting the last error', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'rcpt', code: 451, text: '4.4.3 Greylisted, come back later' });
    const w = worker();
    const start = new Date();
    await w.runDue(start);
    expect(await reportsTo(ALICE)).toEqual([]);

    expect(await w.runDue(new Date(start.getTime() + DEFAULT_QUEUE_LIFETIME_MS + 60_000))).toMatchObject({ bounced: 1 });

    const reports = await reportsTo(ALICE);
    expect(reports).toHaveLength(1);
    const { status } = reportParts(reports[0]!);
    expect(status).toContain('Status: 4.4.7');
    expect(status).toContain('Diagnostic-Code: smtp; 451 4.4.3 Greylisted, come back later');
    expect(reports[0]!.text).toContain('retry period');
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('drops a failed message that has a null sender, without a bounce', async () => {
    await enqueueThroughCore(runtime, '', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'rcpt', code: 550, text: '5.1.1 no such user' });

    expect(await worker().runDue()).toMatchObject({ dropped: 1, bounced: 0 });

    expect(allMailFiles(runtime.dataDir)).toEqual([]);
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('queues the report for a remote sender with a null sender, and relays it like any mail', async () => {
    await enqueueThroughCore(runtime, 'zoe@elsewhere.test', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'rcpt', code: 550, text: '5.1.1 no such user', recipients: ['bob@remote.test'] });

    const w = worker();
    const report = await w.runDue();

    expect(report).toMatchObject({ bounced: 1 });
    expect(runtime.services.queue.list()).toMatchObject([{ sender: '', recipient: 'zoe@elsewhere.test', state: 'queued', attempts: 0 }]);
    expect(allMailFiles(runtime.dataDir)).toEqual([]);

    await w.runDue();
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ from: '', to: ['zoe@elsewhere.test'] });
    const parsed = await parseReport(sink.messages[0]!.raw);
    expect(reportParts(parsed).status).toContain('Final-Recipient: rfc822; bob@remote.test');
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('gives the report to the postmaster when the local sender refuses it', async () => {
    runtime.services.aliases.set('gone@example.test', 'fail: left');
    await enqueueThroughCore(runtime, 'gone@example.test', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'rcpt', code: 550, text: '5.1.1 no such user' });

    expect(await worker().runDue()).toMatchObject({ bounced: 1 });

    expect(maildirFiles(runtime.dataDir, 'postmaster/Maildir')).toHaveLength(1);
    expect(runtime.services.queue.list()).toEqual([]);
  });

  it('keeps the failed recipient and bounces later when the report cannot be written yet', async () => {
    await enqueueThroughCore(runtime, 'alice@example.test', ['bob@remote.test'], MESSAGE);
    sink.behave({ stage: 'rcpt', code: 550, text: '5.1.1 no such user' });
    const deliver = runtime.services.delivery.deliver;
    runtime.services.delivery.deliver = async () => {
      throw new Error('disk full');
    };
    const w = worker();
    const now = new Date();

    await w.runDue(now);
    expect(runtime.services.queue.list()).toMatchObject([{ recipient: 'bob@remote.test', state: 'failed' }]);
    expect(runtime.services.queue.list()[0]!.lastError).toContain('disk full');

    runtime.services.delivery.deliver = deliver;
    expect(await w.runDue(new Date(now.getTime() + 5 * 60_000))).toMatchObject({ bounced: 1 });
    expect(await reportsTo(ALICE)).toHaveLength(1);
    expect(sink.rcptSeen).toEqual(['bob@remote.test']); // failed for good: never sent again
    expect(runtime.services.queue.list()).toEqual([]);
  });
});
