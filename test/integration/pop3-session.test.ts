import { readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFlags } from '../../src/domain/mailbox-flags.js';
import { PASSWORD } from '../helpers/factories.js';
import { RawPop3Client, startPop3Fixture, type Pop3Fixture } from '../helpers/pop3.js';
import { testMessage } from '../helpers/smtp.js';

let fixture: Pop3Fixture;
const open: RawPop3Client[] = [];

beforeEach(async () => {
  fixture = await startPop3Fixture();
});

afterEach(async () => {
  for (const client of open.splice(0)) client.socket.destroy();
  await fixture.close();
});

async function connect(): Promise<RawPop3Client> {
  const client = await fixture.connect();
  open.push(client);
  return client;
}

async function loggedIn(user: string): Promise<RawPop3Client> {
  const client = await connect();
  const reply = await client.login(user, PASSWORD);
  expect(reply).toMatch(/^\+OK/);
  return client;
}

const files = (folder: string, sub: 'new' | 'cur') => readdirSync(join(fixture.dataDir, folder, sub)).sort();

describe('before login', () => {
  it('refuses every mailbox command until a login succeeds', async () => {
    const client = await connect();
    for (const command of ['STAT', 'LIST', 'RETR 1', 'DELE 1', 'UIDL', 'TOP 1 0', 'RSET', 'NOOP']) {
      expect(await client.command(command)).toBe('-ERR Log in first');
    }
    expect(await client.command('XYZZY')).toBe('-ERR Unknown command');
    expect(await client.command('PASS secret-pass1')).toBe('-ERR Send USER first');
    expect(await client.quit()).toMatch(/^\+OK/);
  });

  it('answers a wrong password and an unknown user with the same [AUTH] reply, and starts the login over', async () => {
    const client = await connect();
    expect(await client.login('alice@example.test', 'wrong-password')).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.login('nobody@example.test', PASSWORD)).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.command(`PASS ${PASSWORD}`)).toBe('-ERR Send USER first');
    expect(await client.login('alice@example.test', PASSWORD)).toMatch(/^\+OK Logged in: 0 messages \(0 octets\)$/);
  });

  it('throttles a user after five failed logins, even with the right password', async () => {
    const client = await connect();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(await client.login('popbox', 'wrong-password')).toBe('-ERR [AUTH] Authentication failed');
    }
    expect(await client.login('popbox', PASSWORD)).toMatch(/^-ERR \[AUTH\] Too many failed logins/);
    expect(await client.login('alice@example.test', PASSWORD)).toMatch(/^\+OK/);
  });

  it('refuses the admin, who has no mailbox to read', async () => {
    await fixture.services.admins.ensureAdmin('admin-secret-1');
    const client = await connect();
    expect(await client.login('admin', 'admin-secret-1')).toBe('-ERR [AUTH] Authentication failed');
  });
});

describe('refused logins', () => {
  it('refuses a mailbox with the no-POP flag with [AUTH]', async () => {
    await fixture.services.mailboxes.updateSettings('alice@example.test', { flags: withFlags(0, ['noPop']) });
    const client = await connect();
    expect(await client.login('alice@example.test', PASSWORD)).toBe('-ERR [AUTH] Authentication failed');
  });

  it('refuses a disabled mailbox and a disabled account with [AUTH], while their mail still arrives', async () => {
    await fixture.services.mailboxes.updateSettings('popbox', { disabled: true });
    await fixture.services.accounts.setPlan('kid', { disabled: true });
    await fixture.deliver('popbox@example.test');
    const client = await connect();
    expect(await client.login('popbox', PASSWORD)).toBe('-ERR [AUTH] Authentication failed');
    expect(await client.login('kid', PASSWORD)).toBe('-ERR [AUTH] Authentication failed');
    expect(files(fixture.scenario.folders.popbox, 'new')).toHaveLength(1);
  });
});

describe('reading mail', () => {
  it('logs in with the full address, a POP mailbox username and an account username, each into its own Maildir', async () => {
    await fixture.deliver('alice@example.test', testMessage({ subject: 'for alice' }));
    await fixture.deliver('popbox@example.test', testMessage({ subject: 'for popbox' }));
    await fixture.deliver('unknown@example.test', testMessage({ subject: 'for the parent mailbox' }));
    for (const [user, subject] of [['alice@example.test', 'for alice'], ['popbox', 'for popbox'], ['acme', 'for the parent mailbox']] as const) {
      const client = await loggedIn(user);
      expect(await client.command('STAT')).toMatch(/^\+OK 1 \d+$/);
      const message = await client.multiLine('RETR 1');
      expect(message.lines).toContain(`Subject: ${subject}`);
      await client.quit();
    }
  });

  it('reports sizes in octets as sent, with CRLF line ends, and RETR sends exactly that many', async () => {
    await fixture.deliver('alice@example.test', testMessage({ subject: 'one', bodyBytes: 3000 }));
    await fixture.deliver('alice@example.test', testMessage({ subject: 'two' }));
    const client = await loggedIn('alice@example.test');
    const list = await client.multiLine('LIST');
    const sizes = list.lines.map((line) => Number(line.split(' ')[1]));
    expect(list.lines.map((line) => line.split(' ')[0])).toEqual(['1', '2']);
    expect(list.status).toBe(`+OK 2 messages (${sizes[0]! + sizes[1]!} octets)`);
    expect(await client.command('STAT')).toBe(`+OK 2 ${sizes[0]! + sizes[1]!}`);
    expect(await client.command('LIST 2')).toBe(`+OK 2 ${sizes[1]}`);
    const uids = (await client.multiLine('UIDL')).lines.map((line) => line.split(' ')[1]!);
    for (const number of [1, 2]) {
      const message = await client.multiLine(`RETR ${number}`);
      expect(message.status).toBe(`+OK ${sizes[number - 1]} octets`);
      expect(Buffer.byteLength(message.raw, 'latin1') - 3).toBe(sizes[number - 1]);
      const stored = files(fixture.scenario.folders.alice, 'cur').find((name) => name.startsWith(`${uids[number - 1]}:`))!;
      const fileSize = statSync(join(fixture.dataDir, fixture.scenario.folders.alice, 'cur', stored)).size;
      expect(sizes[number - 1]).toBe(fileSize + message.lines.length);
    }
  });

  it('byte-stuffs a line that starts with a dot, and the client gets the line back as it was', async () => {
    await fixture.deliver('alice@example.test', testMessage({ body: 'first line\n.hidden dot line\n..two dots\n.' }));
    const client = await loggedIn('alice@example.test');
    const message = await client.multiLine('RETR 1');
    expect(message.raw).toContain('\r\n..hidden dot line\r\n...two dots\r\n..\r\n.\r\n');
    expect(message.lines.slice(-3)).toEqual(['.hidden dot line', '..two dots', '.']);
    const size = Number((await client.command('LIST 1')).split(' ')[2]);
    expect(Buffer.byteLength(message.raw, 'latin1') - 3 - 3).toBe(size); // three stuffed dots are not counted
  });

  it('sends the header, the blank line and n body lines for TOP, and marks nothing seen', async () => {
    await fixture.deliver('alice@example.test', testMessage({ subject: 'top test', body: 'line 1\nline 2\n.line 3\nline 4' }));
    const client = await loggedIn('alice@example.test');
    const top2 = await client.multiLine('TOP 1 2');
    const blank = top2.lines.indexOf('');
    expect(top2.lines).toContain('Subject: top test');
    expect(top2.lines.slice(blank)).toEqual(['', 'line 1', 'line 2']);
    const top0 = await client.multiLine('TOP 1 0');
    expect(top0.lines[top0.lines.length - 1]).toBe('');
    expect(top0.lines).toHaveLength(blank + 1);
    const top9 = await client.multiLine('TOP 1 9');
    expect(top9.lines.slice(blank)).toEqual(['', 'line 1', 'line 2', '.line 3', 'line 4']);
    expect(await client.command('TOP 1')).toBe('-ERR Wrong arguments for this command');
    expect(await client.command('TOP 1 x')).toBe('-ERR Wrong arguments for this command');
    await client.quit();
    expect(files(fixture.scenario.folders.alice, 'cur')[0]).toMatch(/:2,$/);
  });

  it('moves new mail into cur/ with ":2," at login and adds the S flag after RETR', async () => {
    await fixture.deliver('alice@example.test');
    await fixture.deliver('alice@example.test');
    const delivered = files(fixture.scenario.folders.alice, 'new');
    const client = await loggedIn('alice@example.test');
    expect(files(fixture.scenario.folders.alice, 'new')).toEqual([]);
    expect(files(fixture.scenario.folders.alice, 'cur')).toEqual(delivered.map((name) => `${name}:2,`));
    const first = (await client.command('UIDL 1')).split(' ')[2]!;
    await client.multiLine('RETR 1');
    expect(files(fixture.scenario.folders.alice, 'cur')).toContain(`${first}:2,S`);
    const again = await client.multiLine('RETR 1');
    expect(again.status).toMatch(/^\+OK/);
    await client.quit();
  });

  it('keeps UIDLs stable across sessions, also after the S flag and new mail', async () => {
    await fixture.deliver('popbox@example.test', testMessage({ subject: 'a' }));
    await fixture.deliver('popbox@example.test', testMessage({ subject: 'b' }));
    const first = await loggedIn('popbox');
    const before = await first.multiLine('UIDL');
    expect(before.lines).toHaveLength(2);
    expect(await first.command('UIDL 2')).toBe(`+OK ${before.lines[1]}`);
    await first.multiLine('RETR 1');
    await first.quit();
    await fixture.deliver('popbox@example.test', testMessage({ subject: 'c' }));
    const second = await loggedIn('popbox');
    const after = await second.multiLine('UIDL');
    expect(after.lines.slice(0, 2)).toEqual(before.lines);
    expect(after.lines).toHaveLength(3);
    const uids = after.lines.map((line) => line.split(' ')[1]!);
    expect(new Set(uids).size).toBe(3);
    for (const uid of uids) expect(uid).toMatch(/^[\x21-\x7e]{1,70}$/);
  });
});

describe('a mailbox with many messages', () => {
  it('lists, identifies and deletes 400 messages delivered by the delivery service', async () => {
    const verdict = await fixture.services.delivery.checkRecipient('info@example.test', { clientAddress: '192.0.2.1' });
    if (!verdict.accepted) throw new Error('info@example.test was refused');
    const envelope = { sender: 'bulk@remote.test', helo: 'remote.test', clientHostname: 'remote.test', clientAddress: '192.0.2.1', protocol: 'ESMTP', id: 'bulk' };
    for (let index = 0; index < 400; index++) {
      await fixture.services.delivery.deliver(envelope, [verdict], Buffer.from(testMessage({ subject: `bulk ${index}` }).replace(/\n/g, '\r\n')));
    }
    const client = await loggedIn('info@example.test');
    expect(await client.command('STAT')).toMatch(/^\+OK 400 \d+$/);
    const uids = (await client.multiLine('UIDL')).lines.map((line) => line.split(' ')[1]);
    expect(new Set(uids).size).toBe(400);
    expect((await client.multiLine('TOP 400 0')).lines).toContain('Subject: bulk 399');
    for (let number = 1; number <= 400; number++) client.write(`DELE ${number}\r\n`);
    for (let number = 1; number <= 400; number++) expect(await client.readLine()).toBe(`+OK Message ${number} deleted`);
    expect(await client.quit()).toBe('+OK Postyard POP3 server signing off (0 messages left)');
    expect(files(fixture.scenario.folders.info, 'cur')).toEqual([]);
  });
});

describe('deleting', () => {
  beforeEach(async () => {
    for (const subject of ['one', 'two', 'three']) await fixture.deliver('alice@example.test', testMessage({ subject }));
  });

  it('refuses DELE and RETR of a message that does not exist or is already deleted', async () => {
    const client = await loggedIn('alice@example.test');
    expect(await client.command('DELE 4')).toBe('-ERR No such message: 4');
    expect(await client.command('DELE 0')).toBe('-ERR Invalid message number');
    expect(await client.command('DELE x')).toBe('-ERR Invalid message number');
    expect(await client.command('DELE')).toBe('-ERR Invalid message number');
    expect(await client.command('DELE 2')).toBe('+OK Message 2 deleted');
    expect(await client.command('DELE 2')).toBe('-ERR Message 2 is deleted');
    expect((await client.multiLine('RETR 2')).status).toBe('-ERR Message 2 is deleted');
    expect((await client.multiLine('TOP 2 0')).status).toBe('-ERR Message 2 is deleted');
    expect(await client.command('LIST 2')).toBe('-ERR Message 2 is deleted');
    expect(await client.command('UIDL 2')).toBe('-ERR Message 2 is deleted');
    expect((await client.multiLine('LIST')).lines.map((line) => line.split(' ')[0])).toEqual(['1', '3']);
    expect(await client.command('STAT')).toMatch(/^\+OK 2 \d+$/);
  });

  it('removes deleted messages from disk at QUIT, and only those', async () => {
    const client = await loggedIn('alice@example.test');
    const uids = (await client.multiLine('UIDL')).lines.map((line) => line.split(' ')[1]!);
    await client.command('DELE 1');
    await client.command('DELE 3');
    expect(files(fixture.scenario.folders.alice, 'cur')).toHaveLength(3);
    expect(await client.quit()).toBe('+OK Postyard POP3 server signing off (1 messages left)');
    const left = files(fixture.scenario.folders.alice, 'cur');
    expect(left).toHaveLength(1);
    expect(left[0]!.startsWith(uids[1]!)).toBe(true);
    const next = await loggedIn('alice@example.test');
    expect((await next.multiLine('UIDL')).lines).toEqual([`1 ${uids[1]}`]);
  });

  it('RSET undoes every deletion', async () => {
    const client = await loggedIn('alice@example.test');
    const stat = await client.command('STAT');
    await client.command('DELE 1');
    await client.command('DELE 2');
    expect(await client.command('RSET')).toBe(`+OK Maildrop has 3 messages (${stat.split(' ')[2]} octets)`);
    expect((await client.multiLine('RETR 1')).status).toMatch(/^\+OK/);
    await client.quit();
    expect(files(fixture.scenario.folders.alice, 'cur')).toHaveLength(3);
  });

  it('deletes nothing when the connection drops without QUIT', async () => {
    const client = await loggedIn('alice@example.test');
    await client.command('DELE 1');
    await client.command('DELE 2');
    await client.drop();
    const next = await loggedIn('alice@example.test');
    expect(await next.command('STAT')).toMatch(/^\+OK 3 /);
    expect(files(fixture.scenario.folders.alice, 'cur')).toHaveLength(3);
  });
});

describe('another program changing the mailbox during a session (Dovecot, mutt)', () => {
  it('still finds a message whose flags were changed, and answers -ERR for one that was removed', async () => {
    await fixture.deliver('alice@example.test', testMessage({ subject: 'renamed' }));
    await fixture.deliver('alice@example.test', testMessage({ subject: 'removed' }));
    const client = await loggedIn('alice@example.test');
    const cur = join(fixture.dataDir, fixture.scenario.folders.alice, 'cur');
    const [uid1, uid2] = (await client.multiLine('UIDL')).lines.map((line) => line.split(' ')[1]!);
    const first = `${uid1}:2,`;
    const second = `${uid2}:2,`;
    renameSync(join(cur, first!), join(cur, `${first!.replace(/:2,$/, '')}:2,F`));
    unlinkSync(join(cur, second!));
    expect((await client.multiLine('RETR 1')).lines).toContain('Subject: renamed');
    expect(files(fixture.scenario.folders.alice, 'cur')).toEqual([`${uid1}:2,FS`]);
    expect((await client.multiLine('RETR 2')).status).toBe('-ERR Message 2 was removed by another program');
    await client.command('DELE 1');
    await client.command('DELE 2');
    expect(await client.quit()).toBe('+OK Postyard POP3 server signing off (0 messages left)');
    expect(files(fixture.scenario.folders.alice, 'cur')).toEqual([]);
  });
});

describe('the mailbox lock', () => {
  it('refuses a second session with [IN-USE] until the first one quits', async () => {
    const first = await loggedIn('popbox');
    const second = await connect();
    expect(await second.login('popbox', PASSWORD)).toBe('-ERR [IN-USE] Mailbox is in use by another session');
    const other = await loggedIn('alice@example.test'); // another mailbox is not affected
    await other.quit();
    await first.quit();
    expect(await second.login('popbox', PASSWORD)).toMatch(/^\+OK Logged in/);
  });

  it('is released when the holder disconnects', async () => {
    const first = await loggedIn('popbox');
    await first.drop();
    const second = await connect();
    // The server notices the close a moment after the client: retry briefly.
    let reply = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      reply = await second.login('popbox', PASSWORD);
      if (!reply.includes('IN-USE')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(reply).toMatch(/^\+OK Logged in/);
  });
});

describe('the protocol', () => {
  it('answers pipelined commands in order', async () => {
    await fixture.deliver('alice@example.test');
    const client = await connect();
    client.write(`USER alice@example.test\r\nPASS ${PASSWORD}\r\nSTAT\r\nNOOP\r\nDELE 1\r\nRSET\r\nQUIT\r\n`);
    const replies: string[] = [];
    for (let index = 0; index < 7; index++) replies.push(await client.readLine());
    expect(replies[0]).toBe('+OK Send your password');
    expect(replies[1]).toMatch(/^\+OK Logged in: 1 messages/);
    expect(replies[2]).toMatch(/^\+OK 1 \d+$/);
    expect(replies.slice(3)).toEqual(['+OK', '+OK Message 1 deleted', expect.stringMatching(/^\+OK Maildrop has 1 messages/), '+OK Postyard POP3 server signing off (1 messages left)']);
  });

  it('closes the connection on a line longer than the limit', async () => {
    const client = await connect();
    client.write(`USER ${'x'.repeat(5000)}`);
    expect(await client.readLine()).toBe('-ERR Line too long');
    await client.closed;
  });

  it('refuses USER and PASS once logged in, and QUIT without a login deletes nothing', async () => {
    const client = await loggedIn('alice@example.test');
    expect(await client.command('USER popbox')).toBe('-ERR Not valid once logged in');
    expect(await client.command('STLS')).toBe('-ERR Not valid once logged in');
    const fresh = await connect();
    expect(await fresh.quit()).toBe('+OK Postyard POP3 server signing off');
  });

  it('closes an idle session without a reply when its timer runs out, deleting nothing and releasing the lock', async () => {
    await fixture.close();
    fixture = await startPop3Fixture({ idleTimeoutMs: 300 });
    await fixture.deliver('alice@example.test');
    const client = await loggedIn('alice@example.test');
    await client.command('DELE 1');
    await client.closed;
    expect(client.unread()).toBe('');
    expect(files(fixture.scenario.folders.alice, 'cur')).toHaveLength(1);
    const next = await loggedIn('alice@example.test');
    expect(await next.command('STAT')).toMatch(/^\+OK 1 /);
  });

  it('says goodbye to open sessions when the server closes, and deletes nothing', async () => {
    await fixture.deliver('alice@example.test');
    const client = await loggedIn('alice@example.test');
    await client.command('DELE 1');
    await fixture.pop3.close();
    expect(await client.readLine()).toBe('-ERR [SYS/TEMP] Server shutting down');
    await client.closed;
    expect(files(fixture.scenario.folders.alice, 'cur')).toHaveLength(1);
  });
});
