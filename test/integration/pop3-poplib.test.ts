import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD } from '../helpers/factories.js';
import { runPython, startPop3Fixture, type Pop3Fixture } from '../helpers/pop3.js';
import { testMessage } from '../helpers/smtp.js';

/** A body of `count` lines of 76 characters, as mail encoders write them (poplib refuses lines over 2048 octets). */
const lines = (count: number) => Array.from({ length: count }, (_, index) => `${String(index).padStart(6, '0')} ${'y'.repeat(69)}`).join('\n');

/**
 * Python's poplib, a POP3 client no one here wrote, against the real listener: STLS with a non-verifying context (the
 * test certificate is self-signed), then what a mail client does.
 */
const PRELUDE = `
import hashlib, json, os, poplib, ssl
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
PORT = int(os.environ['POP_PORT'])
USER = os.environ['POP_USER']
PASSWORD = os.environ['POP_PASS']

def login():
    box = poplib.POP3('127.0.0.1', PORT, timeout=10)
    box.stls(context=context)
    box.user(USER)
    box.pass_(PASSWORD)
    return box

def text(lines):
    return [line.decode('latin1') for line in lines]
`;

const READ_DELETE_QUIT = `${PRELUDE}
out = {}
box = poplib.POP3('127.0.0.1', PORT, timeout=10)
out['welcome'] = box.getwelcome().decode()
out['capa_before'] = sorted(box.capa().keys())
box.stls(context=context)
out['capa_after'] = box.capa()
out['capa_after'] = {key: value for key, value in out['capa_after'].items()}
box.user(USER)
box.pass_(PASSWORD)
out['stat'] = list(box.stat())
out['list'] = text(box.list()[1])
out['uidl'] = text(box.uidl()[1])
out['messages'] = []
for number in range(1, out['stat'][0] + 1):
    response, lines, octets = box.retr(number)
    out['messages'].append({'response': response.decode(), 'lines': text(lines), 'octets': octets})
out['top'] = text(box.top(2, 1)[1])
box.dele(1)
out['quit'] = box.quit().decode()
box = login()
out['stat_after'] = list(box.stat())
out['uidl_after'] = text(box.uidl()[1])
box.quit()
print(json.dumps(out))
`;

let fixture: Pop3Fixture | null = null;

afterEach(async () => {
  await fixture?.close();
  fixture = null;
});

const env = (user: string, password = PASSWORD) => ({ POP_PORT: String(fixture!.pop3Port), POP_USER: user, POP_PASS: password });

function storedFiles(folder: string): string[] {
  return readdirSync(join(fixture!.dataDir, folder, 'cur')).sort();
}

describe('Python poplib', () => {
  it('lists, retrieves, deletes and quits over STLS, and the deletion is on disk afterwards', async () => {
    fixture = await startPop3Fixture();
    await fixture.deliver('alice@example.test', testMessage({ subject: 'first', body: 'plain body' }));
    await fixture.deliver('alice@example.test', testMessage({ subject: 'second', body: 'line one\n.starts with a dot\nline three' }));
    await fixture.deliver('alice@example.test', testMessage({ subject: 'third', body: lines(70) }));
    // What the core wrote, by file name (the UIDL is the name up to its Maildir info).
    const folder = fixture.scenario.folders.alice;
    const delivered = new Map(readdirSync(join(fixture.dataDir, folder, 'new')).map((name) => [name, readFileSync(join(fixture!.dataDir, folder, 'new', name), 'latin1')]));
    expect(delivered.size).toBe(3);
    const out = (await runPython(READ_DELETE_QUIT, env('alice@example.test'))) as {
      welcome: string;
      capa_before: string[];
      capa_after: Record<string, string[]>;
      stat: [number, number];
      list: string[];
      uidl: string[];
      messages: Array<{ response: string; lines: string[]; octets: number }>;
      top: string[];
      quit: string;
      stat_after: [number, number];
      uidl_after: string[];
    };

    expect(out.welcome).toBe('+OK Postyard POP3 server ready');
    expect(out.capa_before).toEqual(expect.arrayContaining(['STLS', 'USER', 'TOP', 'UIDL']));
    expect(out.capa_after.SASL).toEqual(['PLAIN']);
    expect(out.capa_after).not.toHaveProperty('STLS');
    expect(out.stat[0]).toBe(3);
    const sizes = out.list.map((line) => Number(line.split(' ')[1]));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(out.stat[1]);

    const uids = out.uidl.map((line) => line.split(' ')[1]!);
    expect(new Set(uids)).toEqual(new Set(delivered.keys()));
    out.messages.forEach((message, index) => {
      expect(message.response).toBe(`+OK ${sizes[index]} octets`);
      expect(message.octets).toBe(sizes[index]);
      expect(message.lines.join('\n') + '\n').toBe(delivered.get(uids[index]!));
    });
    expect(out.messages.map((message) => message.lines.find((line) => line.startsWith('Subject:')))).toEqual([
      'Subject: first',
      'Subject: second',
      'Subject: third',
    ]);
    expect(out.messages[1]!.lines).toContain('.starts with a dot');
    expect(out.top).toContain('Subject: second');
    expect(out.top.slice(out.top.indexOf(''))).toEqual(['', 'line one']);
    expect(out.quit).toBe('+OK Postyard POP3 server signing off (2 messages left)');

    expect(out.stat_after[0]).toBe(2);
    expect(out.uidl_after.map((line) => line.split(' ')[1])).toEqual(out.uidl.slice(1).map((line) => line.split(' ')[1]));
    const left = storedFiles(folder);
    expect(left).toHaveLength(2);
    expect(left.every((name) => name.endsWith(':2,S'))).toBe(true);
    expect(left.map((name) => name.slice(0, name.indexOf(':')))).toEqual(uids.slice(1).sort());
  });

  it('gets [AUTH] for a wrong password and [IN-USE] for a mailbox another session holds', async () => {
    fixture = await startPop3Fixture();
    const script = `${PRELUDE}
out = {}
try:
    box = poplib.POP3('127.0.0.1', PORT, timeout=10)
    box.stls(context=context)
    box.user(USER)
    box.pass_('wrong-password')
except poplib.error_proto as error:
    out['wrong'] = error.args[0].decode()
holder = login()
try:
    login()
except poplib.error_proto as error:
    out['second'] = error.args[0].decode()
holder.quit()
login().quit()
out['after_quit'] = 'ok'
print(json.dumps(out))
`;
    const out = await runPython(script, env('popbox'));
    expect(out).toEqual({
      wrong: '-ERR [AUTH] Authentication failed',
      second: '-ERR [IN-USE] Mailbox is in use by another session',
      after_quit: 'ok',
    });
  });

  it('streams a large message whole, with the octet count LIST announced', async () => {
    fixture = await startPop3Fixture();
    await fixture.deliver('popbox@example.test', testMessage({ subject: 'large', body: lines(11_500) }));
    const script = `${PRELUDE}
box = login()
size = int(box.list(1).split()[2])
response, lines, octets = box.retr(1)
box.quit()
print(json.dumps({'size': size, 'octets': octets, 'sha256': hashlib.sha256(b'\\n'.join(lines) + b'\\n').hexdigest()}))
`;
    const out = await runPython(script, env('popbox'));
    const [name] = storedFiles(fixture.scenario.folders.popbox);
    const stored = readFileSync(join(fixture.dataDir, fixture.scenario.folders.popbox, 'cur', name!));
    expect(out.octets).toBe(out.size);
    expect(out.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
  });

  it('logs in with AUTH PLAIN over POP3_SSL on an implicit-TLS listener', async () => {
    fixture = await startPop3Fixture({ implicitTls: true });
    await fixture.deliver('sales@example.test'); // the alias rule delivers to the child account kid
    const script = `${PRELUDE}
import base64
box = poplib.POP3_SSL('127.0.0.1', PORT, context=context, timeout=10)
credentials = base64.b64encode(b'\\0' + USER.encode() + b'\\0' + PASSWORD.encode()).decode()
reply = box._shortcmd('AUTH PLAIN ' + credentials).decode()
count = box.stat()[0]
box.quit()
print(json.dumps({'reply': reply, 'count': count}))
`;
    const out = await runPython(script, env('kid'));
    expect(out.reply).toMatch(/^\+OK Logged in/);
    expect(out.count).toBe(1);
  });
});
