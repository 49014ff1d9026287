import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain } from '../helpers/factories.js';

const ALIASES = '/accounts/bill/domains/bill.test/aliases';

describe('panel: the Email Alias Manager', () => {
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
    await makeHostedDomain(services, 'eve', 'eve.test');
    bill = panelClient(app);
    await bill.login('bill', PASSWORD);
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  it('lists the rules with the POP default alias marked locked and offered for neither editing nor deleting', async () => {
    runtime.services.aliases.set('sales@bill.test', 'bcsales1');
    const page = await bill.get(ALIASES);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Deliver to account');
    expect(page.body).toContain(`${ALIASES}/sales/edit`);
    expect(page.body).toContain('default alias of POP mailbox carol');
    expect(page.body).not.toContain(`${ALIASES}/carol/edit`);
    expect(page.body).not.toContain(`${ALIASES}/carol/delete`);
  });

  it('offers exactly the owner, its child accounts and their POP mailboxes as delivery targets', async () => {
    const form = await bill.get(`${ALIASES}/new`);
    const options = [...form.body.matchAll(/<option value="([^"]+)"/g)].map((match) => match[1]);
    expect(options).toEqual(['bill', 'bcsales1', 'carol']);
  });

  it('adds a rule for each action of the form', async () => {
    await bill.get(`${ALIASES}/new`);
    const added = await bill.post(ALIASES, { localPart: 'Sales', kind: 'deliver', target: 'bcsales1' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(ALIASES);
    expect((await bill.get(ALIASES)).body).toContain('Saved the rule sales@bill.test.');
    await bill.post(ALIASES, { localPart: 'team', kind: 'forward', forward: 'info@bill.test\r\nboss@elsewhere.example' });
    await bill.post(ALIASES, { localPart: 'old', kind: 'fail', message: 'No longer in use' });
    await bill.post(ALIASES, { localPart: 'spam', kind: 'discard', message: 'ignored' });
    expect(mapFile()).toContain(
      ['sales: bcsales1', 'team: info@bill.test, boss@elsewhere.example', 'old: fail: No longer in use', 'spam: discard'].join('\n'),
    );
  });

  it('refuses a delivery target of another customer beside its field, keeping the entered values and saving nothing', async () => {
    await bill.get(`${ALIASES}/new`);
    const before = mapFile();
    const refused = await bill.post(ALIASES, { localPart: 'sales', kind: 'deliver', target: 'eve' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/id="f-target-error">eve is not bill, one of its child accounts/);
    expect(refused.body).toContain('value="sales"');
    expect(refused.body).toContain('<option value="eve" selected>');
    expect(mapFile()).toBe(before);
  });

  it('refuses a bad local part and a second rule for the same local part, changing nothing', async () => {
    runtime.services.aliases.set('sales@bill.test', 'bcsales1');
    await bill.get(`${ALIASES}/new`);
    const before = mapFile();
    const bad = await bill.post(ALIASES, { localPart: 'a b', kind: 'discard' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="f-localPart-error">&quot;a b&quot; is not a valid local part');
    const twice = await bill.post(ALIASES, { localPart: 'sales', kind: 'discard' });
    expect(twice.statusCode).toBe(409);
    expect(twice.body).toContain('already has a rule; edit that rule instead');
    expect(mapFile()).toBe(before);
  });

  it('edits a rule, then deletes it after a confirm page', async () => {
    runtime.services.aliases.set('sales@bill.test', 'bcsales1');
    const form = await bill.get(`${ALIASES}/sales/edit`);
    expect(form.body).toContain('<option value="bcsales1" selected>');
    expect((await bill.post(`${ALIASES}/sales/edit`, { localPart: 'other', kind: 'forward', forward: 'x@remote.example' })).statusCode).toBe(303);
    expect(mapFile()).toContain('sales: x@remote.example');
    expect(mapFile()).not.toContain('other');
    const confirm = await bill.get(`${ALIASES}/sales/delete`);
    expect(confirm.body).toContain('Delete the rule for sales@bill.test?');
    expect((await bill.post(`${ALIASES}/sales/delete`, {})).statusCode).toBe(303);
    expect(mapFile()).not.toContain('sales');
  });

  it('refuses to edit or delete the locked default alias of a POP mailbox and leaves it as it was', async () => {
    const before = mapFile();
    const edit = await bill.get(`${ALIASES}/carol/edit`);
    expect(edit.statusCode).toBe(409);
    expect(edit.body).toContain('is the default alias of POP mailbox');
    const posted = await bill.post(`${ALIASES}/carol/edit`, { kind: 'discard' });
    expect(posted.statusCode).toBe(409);
    expect(posted.body).toContain('carol is the default alias of POP mailbox carol');
    expect((await bill.get(`${ALIASES}/carol/delete`)).statusCode).toBe(409);
    expect((await bill.post(`${ALIASES}/carol/delete`, {})).statusCode).toBe(409);
    expect(mapFile()).toBe(before);
  });

  it('closes the domain with a * rule that fails with the given message, and says how to reopen it', async () => {
    const open = await bill.get(ALIASES);
    expect(open.body).toContain('only its virtual accounts');
    const closed = await bill.post(`${ALIASES}/close`, { how: 'fail', message: 'No such email address' });
    expect(closed.statusCode).toBe(303);
    expect(mapFile()).toContain('*: fail: No such email address');
    const page = await bill.get(ALIASES);
    expect(page.body).toContain('This domain is closed');
    expect(page.body).toContain(`${ALIASES}/*/delete`);
    const editWildcard = await bill.get(`${ALIASES}/*/edit`);
    expect(editWildcard.statusCode).toBe(200);
    expect(editWildcard.body).toContain('value="No such email address"');
  });

  it('closes the domain by discarding, and refuses a fail message that cannot be an SMTP reply', async () => {
    await bill.get(ALIASES);
    const refused = await bill.post(`${ALIASES}/close`, { how: 'fail', message: 'Adresse unbekannt – bitte' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('id="f-message-error">the fail message must be printable ASCII text');
    expect(mapFile()).not.toContain('*:');
    await bill.post(`${ALIASES}/close`, { how: 'discard', message: '' });
    expect(mapFile()).toContain('*: discard');
  });

  it('shows a fail message holding markup as text', async () => {
    await bill.get(`${ALIASES}/new`);
    await bill.post(ALIASES, { localPart: 'x', kind: 'fail', message: '<script>alert(1)</script>' });
    const page = await bill.get(ALIASES);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
  });

  it('answers 404 for a rule of another customer\'s domain and changes nothing there', async () => {
    runtime.services.aliases.set('x@eve.test', 'discard');
    await bill.get(ALIASES);
    const elsewhere = runtime.services.aliases.getMapFile('eve.test');
    expect((await bill.get('/accounts/eve/domains/eve.test/aliases')).statusCode).toBe(404);
    expect((await bill.post('/accounts/eve/domains/eve.test/aliases/x/edit', { kind: 'forward', forward: 'thief@bill.test' })).statusCode).toBe(404);
    expect((await bill.post('/accounts/bill/domains/eve.test/aliases/x/edit', { kind: 'forward', forward: 'thief@bill.test' })).statusCode).toBe(404);
    expect((await bill.post('/accounts/bill/domains/eve.test/aliases/close', { how: 'discard' })).statusCode).toBe(404);
    expect(runtime.services.aliases.getMapFile('eve.test')).toBe(elsewhere);
  });

  it('refuses a form posted without its CSRF token and changes nothing', async () => {
    await bill.get(`${ALIASES}/new`);
    const before = mapFile();
    const response = await bill.post(ALIASES, { localPart: 'sales', kind: 'discard' }, { withCsrf: false });
    expect(response.statusCode).toBe(403);
    expect(mapFile()).toBe(before);
  });

  it('lets a parent manage its child\'s domain and the admin any domain, but not a child its parent\'s', async () => {
    runtime.services.domains.add({ name: 'sales.test', account: 'bcsales1' });
    expect((await bill.get('/accounts/bcsales1/domains/sales.test/aliases')).statusCode).toBe(200);
    const child = panelClient(app);
    await child.login('bcsales1', PASSWORD);
    expect((await child.get('/accounts/bcsales1/domains/sales.test/aliases')).statusCode).toBe(200);
    expect((await child.get(ALIASES)).statusCode).toBe(404);
    expect((await child.get('/accounts/bcsales1/domains/bill.test/aliases')).statusCode).toBe(404);
    await runtime.services.admins.ensureAdmin(PASSWORD);
    const admin = panelClient(app);
    await admin.login('admin', PASSWORD);
    expect((await admin.get('/accounts/eve/domains/eve.test/aliases')).statusCode).toBe(200);
  });

  it('keeps a mailbox user out of the alias pages', async () => {
    const carol = panelClient(app);
    await carol.login('carol', PASSWORD);
    const response = await carol.get(ALIASES);
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('default alias of POP mailbox');
  });
});
