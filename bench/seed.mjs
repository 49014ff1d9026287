#!/usr/bin/env node
// bench/seed.mjs - fills a Postyard data folder with benchmark mailboxes, fast.
//
//   node bench/seed.mjs --data-dir /tmp/py-bench --users 100
//     -> account "bench", domain bench.test, virtual accounts user001..user100@bench.test
//
// One account and one domain go through the services (one bcrypt hash each); the virtual accounts are inserted
// through the repositories in ONE transaction, all with the same precomputed bcrypt hash, so 100,000 of them take
// seconds instead of the ~100 minutes that 100,000 bcrypt hashes (about 60 ms each) would take. Their Maildir
// folders are not created here: the first delivery creates them.
// Idempotent: an existing account, domain or address is kept. Needs a built dist/ (npm run build).
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dist = (file) => import(pathToFileURL(path.join(ROOT, 'dist', file)).href);

/** The address of user number i (1-based), the same scheme as the shared harness: user001, ..., user100000. */
export function benchAddress(i, { prefix = 'user', domain = 'bench.test' } = {}) {
  return `${prefix}${String(i).padStart(3, '0')}@${domain}`;
}

/**
 * Seeds `users` virtual accounts on `domain`, owned by `account`. Returns timings and the mailbox root of the account
 * (<data>/homes/<account>/.mailboxes, where each address gets its own Maildir).
 */
export async function seed({
  dataDir,
  users,
  account = 'bench',
  domain = 'bench.test',
  prefix = 'user',
  password = 'bench-secret-1',
  diskQuota = null,
  mailboxQuota = null,
}) {
  const t0 = performance.now();
  const [{ openRuntime }, { createRepositories }, { hashPassword }] = await Promise.all([
    dist('runtime.js'),
    dist('services/context.js'),
    dist('services/passwords.js'),
  ]);
  const runtime = openRuntime({ dataDir, hostname: 'postyard-bench.invalid' });
  try {
    const { services, db } = runtime;
    const repos = createRepositories(db);
    const owner = repos.accounts.findByUsername(account) ?? (await services.accounts.create({ username: account, password }));
    const hosted = repos.domains.findByName(domain) ?? services.domains.add({ name: domain, account });
    if (hosted.accountId !== owner.id) throw new Error(`${domain} is hosted by another account than ${account}`);
    // the account's plan: disk quota and default mailbox quota (sizes like "100G"; null = none)
    await services.accounts.setPlan(account, { diskQuota, mailboxQuota });
    const passwordHash = await hashPassword(password); // one hash for all of them
    const t1 = performance.now();
    const insertAll = db.transaction(() => {
      let added = 0;
      for (let i = 1; i <= users; i++) {
        const address = benchAddress(i, { prefix, domain });
        if (repos.mailboxes.findByAddress(address)) continue;
        repos.mailboxes.insert({
          kind: 'virtual',
          accountId: owner.id,
          address,
          username: null,
          domainId: hosted.id,
          passwordHash,
          displayName: '',
          quotaBytes: null,
          flags: 0,
          ftpEnabled: false,
          ftpHome: null,
        });
        added++;
      }
      return added;
    });
    const added = insertAll();
    const t2 = performance.now();
    return {
      added,
      users,
      setupMs: t1 - t0,
      insertMs: t2 - t1,
      mailboxRoot: path.join(runtime.dataDir, 'homes', account, '.mailboxes'),
    };
  } finally {
    runtime.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: opt } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      users: { type: 'string', default: '100' },
      account: { type: 'string', default: 'bench' },
      domain: { type: 'string', default: 'bench.test' },
      prefix: { type: 'string', default: 'user' },
      password: { type: 'string', default: 'bench-secret-1' },
      'disk-quota': { type: 'string' },
      'mailbox-quota': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (opt.help || !opt['data-dir']) {
    console.log(
      'usage: node bench/seed.mjs --data-dir DIR [--users 100] [--account bench] [--domain bench.test] [--prefix user]\n' +
        '         [--disk-quota SIZE] [--mailbox-quota SIZE]   (the account\'s plan, e.g. 100G; default none)',
    );
    process.exit(opt.help ? 0 : 2);
  }
  const users = Number(opt.users);
  if (!Number.isInteger(users) || users < 1 || users > 1_000_000) {
    console.error('seed: --users must be an integer in [1, 1000000]');
    process.exit(2);
  }
  const result = await seed({
    ...opt,
    dataDir: path.resolve(opt['data-dir']),
    users,
    diskQuota: opt['disk-quota'] ?? null,
    mailboxQuota: opt['mailbox-quota'] ?? null,
  });
  console.log(
    `seed: ${result.added} of ${users} virtual accounts added (${benchAddress(1, opt)} .. ${benchAddress(users, opt)}) ` +
      `on account ${opt.account} in ${(result.setupMs + result.insertMs).toFixed(0)} ms; mailboxes under ${result.mailboxRoot}`,
  );
}
