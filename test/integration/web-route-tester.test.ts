import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestRuntime } from '../helpers/runtime.js';
import { buildTestApp, panelClient } from '../helpers/panel.js';
import { PASSWORD, makeAccount, makeHostedDomain, makeVirtualAccount } from '../helpers/factories.js';

const ROUTE = '/accounts/bill/domains/bill.test/route';
const check = (address: string, extra: Record<string, string> = {}) => `${ROUTE}?${new URLSearchParams({ address, ...extra })}`;

describe('panel: the route tester', () => {
  let runtime: ReturnType<typeof createTestRuntime>;
  let app: FastifyInstance;
  let bill: ReturnType<typeof panelClient>;

  beforeEach(async () => {
    runtime = createTestRuntime();
    app = await buildTestApp(runtime.services, runtime.dataDir);
    const { services } = runtime;
    await makeHostedDomain(services, 'bill', 'bill.test');
    await makeAccount(services, 'bcsales1', { parent: 'bill' });
    await makeVirtualAccount(services, 'info@bill.test');
    services.aliases.set('sales@bill.test', 'bcsales1');
    await makeHostedDomain(services, 'eve', 'eve.test');
    await makeVirtualAccount(services, 'secret@eve.test');
    bill = panelClient(app);
    await bill.login('bill', PASSWORD);
  });
  afterEach(async () => {
    await app.close();
    runtime.dispose();
  });

  it('shows the form with no verdict until an address is given', async () => {
    const page = await bill.get(ROUTE);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="address"');
    expect(page.body).not.toContain('class="card route-result"');
  });

  it('shows that a virtual account decides, and the folder its mail lands in', async () => {
    const page = await bill.get(check('info@bill.test'));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('info@bill.test: <strong>virtual account</strong>');
    expect(page.body).toContain('<code>homes/bill/.mailboxes/info@bill.test</code> <small>(virtual account info@bill.test, in the data folder)</small>');
  });

  it('shows the line of the named rule that decides, reached from the rule\'s own "Test" link', async () => {
    const aliases = await bill.get('/accounts/bill/domains/bill.test/aliases');
    expect(aliases.body).toContain(`href="${ROUTE}?address=sales%40bill.test"`);
    const page = await bill.get(`${ROUTE}?address=sales%40bill.test`);
    expect(page.body).toContain('sales@bill.test: <strong>named rule</strong> <span class="rule">rule <code>sales: bcsales1</code></span>');
    expect(page.body).toContain('<code>homes/bcsales1/Maildir</code> <small>(mailbox of account bcsales1, in the data folder)</small>');
  });

  it('shows the * rule of a closed domain and the reply the sender gets', async () => {
    runtime.services.aliases.set('*@bill.test', 'fail: No such email address');
    const page = await bill.get(check('nobody@bill.test'));
    expect(page.body).toContain('nobody@bill.test: <strong>* rule</strong> <span class="rule">rule <code>*: fail: No such email address</code></span>');
    expect(page.body).toContain('<strong>Refused</strong> at RCPT with <code>550 5.1.1 &lt;nobody@bill.test&gt;: No such email address</code>');
  });

  it('refuses a domain that is not hosted with 550 5.7.1, but relays for a logged-in sender or an allowed client', async () => {
    const refused = await bill.get(check('x@nothosted.test'));
    expect(refused.body).toContain('<code>550 5.7.1 &lt;x@nothosted.test&gt;: relaying denied, the domain is not hosted here</code>');
    const loggedIn = await bill.get(check('x@nothosted.test', { authenticated: 'on' }));
    expect(loggedIn.body).toContain('the outbound relay queue, for <code>x@nothosted.test</code>');
    runtime.services.relay.allow('192.0.2.0/24');
    const allowed = await bill.get(check('x@nothosted.test', { ip: '192.0.2.9' }));
    expect(allowed.body).toContain('x@nothosted.test: <strong>relay</strong>');
  });

  it('refuses a client address that is not an IP address beside its field', async () => {
    const page = await bill.get(check('x@nothosted.test', { ip: 'nonsense' }));
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('id="f-ip-error">must be an IP address like 192.0.2.7 or 2001:db8::7');
    expect(page.body).toContain('value="nonsense"');
  });

  it("hides another customer's rules and folders, showing only what any sender learns over SMTP", async () => {
    runtime.services.aliases.set('fwd@bill.test', 'secret@eve.test');
    const forwarded = await bill.get(check('fwd@bill.test'));
    expect(forwarded.body).toContain('fwd@bill.test: <strong>named rule</strong>');
    expect(forwarded.body).toContain('secret@eve.test: <strong>another account&#39;s address</strong>');
    expect(forwarded.body).toContain('a mailbox of another account');
    const direct = await bill.get(check('secret@eve.test'));
    expect(direct.body).toContain('secret@eve.test: <strong>another account&#39;s address</strong>');
    expect(direct.body).not.toContain('<strong>virtual account</strong>');
    expect(direct.body).not.toContain('homes/eve');
  });

  it('shows an address holding markup as text in the refusal', async () => {
    const page = await bill.get(check('<script>@bill.test'));
    expect(page.body).toContain('553 5.1.3 &lt;&lt;script&gt;@bill.test&gt;: malformed address');
    expect(page.body).not.toContain('<script>');
  });

  it("answers 404 for another customer's domain, and keeps a mailbox user out", async () => {
    expect((await bill.get('/accounts/eve/domains/eve.test/route')).statusCode).toBe(404);
    expect((await bill.get('/accounts/bill/domains/eve.test/route')).statusCode).toBe(404);
    const mailbox = panelClient(app);
    await mailbox.login('info@bill.test', PASSWORD);
    expect((await mailbox.get(ROUTE)).statusCode).toBe(403);
  });
});
