import type { Services } from '../../src/services/index.js';

/** Builders for the objects most tests need; each call makes new, independent objects. */
export const PASSWORD = 'secret-pass1';

export async function makeAccount(services: Services, username: string, extra: { parent?: string; diskQuota?: string | number; mailboxQuota?: string | number } = {}) {
  return services.accounts.create({ username, password: PASSWORD, ...extra });
}

/** A parent account hosting one domain. */
export async function makeHostedDomain(services: Services, username: string, domain: string) {
  const account = await makeAccount(services, username);
  services.domains.add({ name: domain, account: username });
  return account;
}

export async function makeVirtualAccount(services: Services, address: string, extra: { quota?: string | number } = {}) {
  return services.mailboxes.createVirtualAccount({ address, password: PASSWORD, ...extra });
}
