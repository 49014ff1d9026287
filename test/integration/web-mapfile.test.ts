import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain } from '../helpers/factories.js';

const MAPFILE = '/accounts/bill/domains/bill.test/mapfile';

describe('panel: the map file editor', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  let bill: ReturnType<typeof panelClient>;
  const mapFile = () => runtime.services.aliases.getMapFile('bill.test');

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    const { services } = runtime;
    await makeHostedDomain(services, 'bill', 'bill.test');
    await makeAccount(services, 'bcsales1', { parent: 'bill' });
    await services.mailboxes.createPopMailbox({ username: 'carol', account: 'bill', domain: 'bill.test', password: PASSWORD });
    services.aliases.set('info@bill.test', 'bcsales1');
    await makeHostedDomain(services, 'eve', 'eve.test');
    bill = panelClient(app);
    await bill.login('bill', PASSWORD);
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  it('shows the rules as text, the locked default alias marked, beside an explanation of the syntax', async () => {
    const page = await bill.get(MAPFILE);
    expect(page.statusCode).toBe(200);
    // Browsers drop one newline right after <textarea>: the page writes one, so a text starting with a blank line survives.
    expect(page.body).toContain('name="mapfile" rows="16" spellcheck="false" autocapitalize="off" wrap="off">\n# locked: default alias of POP mailbox carol\ncarol: carol\ninfo: bcsales1\n</textarea>');
    expect(page.body).toContain('<code>local-part: action</code>');
    expect(page.body).toContain('<code>*: fail</code>');
  });

  it('saves a whole file and replaces the rules with it, keeping the locked default alias', async () => {
    await bill.get(MAPFILE);
    const text = '# staff\r\ninfo: bcsales1\r\nsales: bcsales1\r\nteam: info@bill.test, boss@elsewhere.example\r\n*: fail: No such email address\r\n';
    const saved = await bill.post(MAPFILE, { mapfile: text });
    expect(saved.statusCode).toBe(303);
    expect((await bill.get(MAPFILE)).body).toContain('Saved the map file of bill.test: 5 rule(s).');
    expect(mapFile()).toBe(
      '# locked: default alias of POP mailbox carol\ncarol: carol\ninfo: bcsales1\nsales: bcsales1\nteam: info@bill.test, boss@elsewhere.example\n*: fail: No such email address\n',
    );
  });

  it('refuses a file with two bad lines whole: keeps the text, lists both lines with their reasons, changes no rule', async () => {
    // One line does not parse and the other delivers to another customer: both show in one round, not one after the other.
    await bill.get(MAPFILE);
    const before = mapFile();
    const text = 'sales: bcsales1\nthis line has no colon\nteam: info@bill.test\nstolen: eve\n';
    const refused = await bill.post(MAPFILE, { mapfile: text });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The map file was not saved');
    expect(refused.body).toMatch(/<li><strong>Line 2<\/strong> <code>this line has no colon<\/code>: expected &quot;local-part: action&quot;<\/li>/);
    expect(refused.body).toContain('<li><strong>Line 4</strong> <code>stolen: eve</code>: eve is not bill, one of its child accounts');
    expect(refused.body).toContain(`wrap="off" aria-invalid="true">\n${text}</textarea>`);
    expect(mapFile()).toBe(before);
  });

  it('refuses a change to the locked default alias by its line number', async () => {
    await bill.get(MAPFILE);
    const before = mapFile();
    const refused = await bill.post(MAPFILE, { mapfile: 'info: bcsales1\ncarol: discard\nold info: fail\n' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<strong>Line 2</strong> <code>carol: discard</code>: carol is the default alias of POP mailbox carol');
    expect(refused.body).toContain('<strong>Line 3</strong> <code>old info: fail</code>: &quot;old info&quot; is not a valid local part');
    expect(mapFile()).toBe(before);
  });

  it('shows a line holding markup as text', async () => {
    await bill.get(MAPFILE);
    const refused = await bill.post(MAPFILE, { mapfile: '<script>alert(1)</script>\n' });
    expect(refused.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(refused.body).not.toContain('<script>');
  });

  it('refuses a file posted without its CSRF token and changes nothing', async () => {
    await bill.get(MAPFILE);
    const before = mapFile();
    expect((await bill.post(MAPFILE, { mapfile: '' }, { withCsrf: false })).statusCode).toBe(403);
    expect(mapFile()).toBe(before);
  });

  it("answers 404 for another customer's map file and changes nothing there", async () => {
    runtime.services.aliases.set('x@eve.test', 'discard');
    await bill.get(MAPFILE);
    expect((await bill.get('/accounts/eve/domains/eve.test/mapfile')).statusCode).toBe(404);
    expect((await bill.post('/accounts/bill/domains/eve.test/mapfile', { mapfile: '' })).statusCode).toBe(404);
    expect((await bill.post('/accounts/eve/domains/eve.test/mapfile', { mapfile: '' })).statusCode).toBe(404);
    expect(runtime.services.aliases.getMapFile('eve.test')).toBe('x: discard\n');
  });

  it("keeps a child account out of its parent's map file and a mailbox user out of every map file", async () => {
    const child = panelClient(app);
    await child.login('bcsales1', PASSWORD);
    expect((await child.get(MAPFILE)).statusCode).toBe(404);
    const carol = panelClient(app);
    await carol.login('carol', PASSWORD);
    expect((await carol.get(MAPFILE)).statusCode).toBe(403);
  });
});
