#!/usr/bin/env node
// bench/smtp-bench.mjs - how fast the real Postyard server takes mail over SMTP and delivers it durably into Maildir.
//
//   npm run bench                     # builds, then runs this with the defaults below (a few minutes)
//   BENCH_MESSAGES=2000 BENCH_ACCOUNTS=10 node bench/smtp-bench.mjs
//
// For each scenario (a number of virtual accounts in the database) it makes a fresh data folder under os.tmpdir(),
// seeds it (bench/seed.mjs: one bcrypt hash for all), starts `node dist/main.js serve` as a child process on free
// loopback ports, waits for its 220, and drives it with parallel SMTP sessions (raw sockets, one command at a time,
// no PIPELINING). A message counts as delivered on the 250 after DATA, which Postyard sends only after the file and
// its rename into new/ are fsynced. After each mode it checks that every recipient's new/ folder grew by exactly the
// number of 250s it got (nothing lost, nothing doubled, nothing misrouted) and that tmp/ is empty.
//
// Modes:
//   conn          one SMTP connection per message (connect, 220, EHLO, MAIL, RCPT, DATA, QUIT)
//   reuse         each session keeps its connection for all its messages
//   conn-pregreet like conn, against a server started with POSTYARD_SMTP_GREETING_DELAY=100 (a pre-greet test, as
//                 smtp-server does by default): what that pause costs
//
// Environment (defaults in brackets):
//   BENCH_MESSAGES [5000]   messages per mode        BENCH_SESSIONS [20]   parallel SMTP sessions
//   BENCH_ACCOUNTS [10,100000]  scenarios: virtual accounts in the database, comma separated
//   BENCH_RECIPIENTS [100]  distinct recipients used (evenly spread over the accounts; all of them if fewer)
//   BENCH_SIZE [4096]       payload bytes per message (headers come on top)
//   BENCH_MODES [conn,reuse,conn-pregreet]
//   BENCH_REPS [1]          measured runs per scenario and mode, interleaved; the table shows the median
//   BENCH_WARMUP [1]        unrecorded messages per used recipient before measuring (JIT, Maildir creation)
//   BENCH_TIMEOUT [300]     seconds per mode; sessions stop taking messages after it
//   BENCH_REPLY_TIMEOUT [60] seconds the client waits for any one SMTP reply
//   BENCH_DISK_QUOTA []     the bench account's disk quota, e.g. 100G (default none: no usage counting at all)
//   BENCH_MAILBOX_QUOTA []  the account's default mailbox quota, e.g. 10G (default none)
//   BENCH_CPU_PROF [0]      1 = run the server with --cpu-prof and print where its CPU time went (profiles are kept)
//   BENCH_KEEP [0]          1 = keep the data folders
//   BENCH_JSON []           append one JSON line per measured mode to this file
//   BENCH_SEED [1]          seed of the recipient choice
//
// Everything it starts it stops (SIGTERM, then SIGKILL after 15 s), by PID. Loopback only, bounded loops.
// Note on this machine's journal-less ext4: right after many files were deleted (e.g. by the previous run's clean-up)
// creating files is slow for about a minute; wait a minute between runs (see /work/shared/bench/README.md).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, appendFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchAddress, seed } from './seed.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'main.js');
const HOST = '127.0.0.1';
const DOMAIN = 'bench.test';
const ACCOUNT = 'bench';

// ---- configuration -------------------------------------------------------------------------------------------------
function intEnv(name, fallback, lo, hi) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < lo || value > hi) die(`${name} must be an integer in [${lo}, ${hi}], got "${raw}"`);
  return value;
}
function die(message) {
  console.error(`smtp-bench: ${message}`);
  process.exit(2);
}
const MESSAGES = intEnv('BENCH_MESSAGES', 5000, 1, 1_000_000);
const SESSIONS = intEnv('BENCH_SESSIONS', 20, 1, 1000);
const RECIPIENTS = intEnv('BENCH_RECIPIENTS', 100, 1, 100_000);
const SIZE = intEnv('BENCH_SIZE', 4096, 0, 50_000_000);
const WARMUP = intEnv('BENCH_WARMUP', 1, 0, 1000);
const REPS = intEnv('BENCH_REPS', 1, 1, 100);
const TIMEOUT_S = intEnv('BENCH_TIMEOUT', 300, 1, 3600);
const REPLY_TIMEOUT_S = intEnv('BENCH_REPLY_TIMEOUT', 60, 1, 3600);
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const KEEP = process.env.BENCH_KEEP === '1';
const JSON_OUT = process.env.BENCH_JSON || '';
const SEED = intEnv('BENCH_SEED', 1, 0, 2 ** 31);
const DISK_QUOTA = process.env.BENCH_DISK_QUOTA || null;
const MAILBOX_QUOTA = process.env.BENCH_MAILBOX_QUOTA || null;
const SCENARIOS = (process.env.BENCH_ACCOUNTS || '10,100000').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) die(`BENCH_ACCOUNTS: "${s}" is not a number of accounts in [1, 1000000]`);
  return n;
});
const MODES = (process.env.BENCH_MODES || 'conn,reuse,conn-pregreet').split(',').map((s) => s.trim()).filter(Boolean);
for (const mode of MODES) if (!['conn', 'reuse', 'conn-pregreet'].includes(mode)) die(`BENCH_MODES: unknown mode "${mode}"`);
if (!existsSync(MAIN)) die(`${MAIN} not found: run "npm run build" first (npm run bench does)`);

// ---- small helpers -------------------------------------------------------------------------------------------------
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function procStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number((new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text) || [])[1] || NaN);
    return { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
  } catch {
    return { hwmKb: NaN, rssKb: NaN };
  }
}
function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return NaN;
  }
}
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], idle: f[3], iowait: f[4] };
}
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');

// ---- the message ---------------------------------------------------------------------------------------------------
/** SIZE bytes of 78-character lines (no line starts with a dot, so no dot-stuffing), CRLF line ends. */
const PAYLOAD = (() => {
  const line = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-abcdefghijklmnop\r\n';
  let text = line.repeat(Math.ceil(SIZE / line.length) + 1).slice(0, SIZE);
  if (SIZE >= 2) text = text.slice(0, SIZE - 2) + '\r\n';
  return Buffer.from(text, 'latin1');
})();
const RUN_ID = `${Date.now().toString(36)}.${process.pid}`;
let messageCounter = 0;
function messageBytes(rcpt) {
  const n = ++messageCounter;
  const header =
    `From: <loadgen@client.invalid>\r\nTo: <${rcpt}>\r\nSubject: postyard bench ${n}\r\n` +
    `Message-ID: <${RUN_ID}.${n}@client.invalid>\r\nDate: ${new Date().toUTCString()}\r\n\r\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), PAYLOAD, Buffer.from('.\r\n', 'latin1')]);
}

// ---- a minimal SMTP client: one command, one reply ------------------------------------------------------------------
class SmtpError extends Error {
  constructor(step, reply) {
    super(`${step}: ${reply ? `${reply.code} ${reply.text}` : 'no reply'}`);
    this.reply = reply;
  }
}
class Session {
  constructor(socket) {
    this.socket = socket;
    this.buffer = '';
    this.lines = [];
    this.waiters = [];
    this.failure = null;
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.setTimeout(REPLY_TIMEOUT_S * 1000, () => socket.destroy(new Error(`SMTP reply timeout (${REPLY_TIMEOUT_S} s)`)));
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }
  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port });
      const onError = (error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(new Session(socket));
      });
    });
  }
  onData(chunk) {
    this.buffer += chunk;
    let end;
    while ((end = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.lines.push(line);
      if (line.length >= 4 && line[3] === '-') continue; // multi-line reply goes on
      const reply = { code: Number(line.slice(0, 3)), text: this.lines.join(' | ') };
      this.lines = [];
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(reply);
    }
  }
  fail(error) {
    if (!this.failure) this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
  reply() {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
  async command(data, expect, step) {
    const pending = this.reply();
    this.socket.write(data);
    const reply = await pending;
    if (reply.code !== expect) throw new SmtpError(step, reply);
    return reply;
  }
  async greeting() {
    const reply = await this.reply();
    if (reply.code !== 220) throw new SmtpError('greeting', reply);
  }
  ehlo() {
    return this.command('EHLO client.invalid\r\n', 250, 'EHLO');
  }
  async send(rcpt) {
    await this.command('MAIL FROM:<loadgen@client.invalid>\r\n', 250, 'MAIL');
    await this.command(`RCPT TO:<${rcpt}>\r\n`, 250, 'RCPT');
    await this.command('DATA\r\n', 354, 'DATA');
    await this.command(messageBytes(rcpt), 250, 'end of DATA');
  }
  async quit() {
    try {
      await this.command('QUIT\r\n', 221, 'QUIT');
    } catch {
      // the message is already counted; a lost 221 is not the server's delivery problem
    }
    this.socket.end();
  }
  destroy() {
    this.socket.destroy();
  }
}

// ---- load ----------------------------------------------------------------------------------------------------------
/**
 * Sends `messages` messages over `sessions` parallel sessions, each to a random recipient of `rcpts`. Returns the
 * rate (messages / first connect -> last 250), latencies, and the 250s per recipient for the check.
 */
async function drive({ port, rcpts, messages, sessions, reuse, random, timeoutMs, roundRobin = false }) {
  const delivered = new Map(rcpts.map((r) => [r, 0]));
  const latencies = []; // per message: connect (conn) or MAIL (reuse) -> 250 after DATA, ms
  const greetings = []; // connect -> 220, ms
  const errors = [];
  let next = 0;
  let ok = 0;
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  const take = () => (next < messages && performance.now() < deadline && errors.length < 50 ? next++ : -1);

  async function openReady() {
    const started = performance.now();
    const session = await Session.open(port);
    await session.greeting();
    greetings.push(performance.now() - started);
    await session.ehlo();
    return { session, started };
  }

  async function worker() {
    let open = null;
    for (let n = take(); n >= 0; n = take()) {
      const rcpt = roundRobin ? rcpts[n % rcpts.length] : rcpts[Math.floor(random() * rcpts.length)];
      let started = performance.now();
      try {
        if (!open) {
          open = await openReady();
          started = open.started;
        }
        await open.session.send(rcpt);
        latencies.push(performance.now() - started);
        delivered.set(rcpt, delivered.get(rcpt) + 1);
        ok++;
        if (!reuse) {
          await open.session.quit();
          open = null;
        }
      } catch (error) {
        errors.push(`${rcpt}: ${error.message}`);
        if (open) open.session.destroy();
        open = null;
      }
    }
    if (open) await open.session.quit();
  }

  await Promise.all(Array.from({ length: sessions }, worker));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  greetings.sort((a, b) => a - b);
  return {
    sent: next,
    ok,
    errors,
    seconds,
    rate: ok / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    greetP50: percentile(greetings, 50),
    connections: greetings.length,
    delivered,
    timedOut: next < messages,
  };
}

// ---- Maildir check -------------------------------------------------------------------------------------------------
function countFiles(dir) {
  try {
    return readdirSync(dir).length;
  } catch (error) {
    if (error.code === 'ENOENT') return 0;
    throw error;
  }
}
function snapshot(mailboxRoot, rcpts) {
  return new Map(rcpts.map((r) => [r, { fresh: countFiles(path.join(mailboxRoot, r, 'new')), tmp: countFiles(path.join(mailboxRoot, r, 'tmp')) }]));
}
/** Every recipient's new/ grew by exactly its 250s, and no tmp/ file is left behind. */
function verify(before, after, delivered) {
  const problems = [];
  let files = 0;
  for (const [rcpt, count] of delivered) {
    const grown = after.get(rcpt).fresh - before.get(rcpt).fresh;
    files += grown;
    if (grown !== count) problems.push(`${rcpt}: ${count} x 250 but ${grown} new files`);
    if (after.get(rcpt).tmp !== 0) problems.push(`${rcpt}: ${after.get(rcpt).tmp} files left in tmp/`);
  }
  return { files, problems };
}

// ---- the server ----------------------------------------------------------------------------------------------------
async function startServer(dataDir, { greetingDelay = 0, profileDir = null } = {}) {
  const [smtp, submission, http] = [await freePort(), await freePort(), await freePort()];
  const nodeArgs = [];
  if (profileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const env = {
    ...process.env,
    POSTYARD_DATA_DIR: dataDir,
    POSTYARD_SMTP_HOST: HOST,
    POSTYARD_HTTP_HOST: HOST,
    POSTYARD_SMTP_PORT: String(smtp),
    POSTYARD_SMTP_GREETING_DELAY: String(greetingDelay),
    POSTYARD_SUBMISSION_PORT: String(submission),
    POSTYARD_HTTP_PORT: String(http),
    POSTYARD_ADMIN_PASSWORD: 'bench-admin-1',
    POSTYARD_HOSTNAME: 'postyard-bench.invalid',
    POSTYARD_LOG_LEVEL: 'warn',
  };
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, MAIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    if (output.length < 20_000) output += chunk;
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const server = { child, port: smtp, exited, output: () => output, startMs: NaN };
  // wait for the 220 (bounded: 60 s)
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited during start-up (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    try {
      const session = await Session.open(smtp);
      await session.greeting();
      await session.quit();
      break;
    } catch (error) {
      if (i >= 600) {
        await stopServer(server);
        throw new Error(`no 220 on ${HOST}:${smtp} within 60 s (${error.message}):\n${output}`);
      }
      await sleep(100);
    }
  }
  server.startMs = performance.now() - t0;
  return server;
}

async function stopServer(server) {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return server.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) {
      console.error(`smtp-bench: server pid ${child.pid} still running 15 s after SIGTERM, sending SIGKILL`);
      child.kill('SIGKILL');
    }
  }, 15_000);
  const result = await server.exited;
  clearTimeout(timer);
  return result;
}

// ---- CPU profile summary -------------------------------------------------------------------------------------------
function summarizeProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const total = profile.samples.length;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) || 0) + 1);
  const byFunction = new Map();
  const byArea = new Map();
  let idle = 0;
  for (const [id, hits] of counts) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const where = url.replace(/^file:\/\//, '').replace(ROOT, '');
    const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) || 0) + hits);
    const area = functionName.startsWith('(')
      ? functionName
      : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? (where.startsWith('dist/') ? where : where.startsWith('node:') ? 'node: internals' : where || '(native)');
    byArea.set(area, (byArea.get(area) || 0) + hits);
  }
  const busy = total - idle;
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
  return [
    `  profile ${file}: ${total} samples, ${((100 * idle) / total).toFixed(0)}% idle; shares below are of the busy samples`,
    '  by area (self time):',
    ...top(byArea, 14),
    '  by function (self time):',
    ...top(byFunction, 20),
  ].join('\n');
}

// ---- one scenario --------------------------------------------------------------------------------------------------
const loadavg1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

async function measure({ label, accounts, mode, rep, server, mailboxRoot, rcpts, random }) {
  const cpu0 = machineCpu();
  const serverCpu0 = procCpuSeconds(server.child.pid);
  const clientCpu0 = process.cpuUsage();
  const load0 = loadavg1();
  const before = snapshot(mailboxRoot, rcpts);
  const result = await drive({
    port: server.port,
    rcpts,
    messages: MESSAGES,
    sessions: SESSIONS,
    reuse: mode === 'reuse',
    random,
    timeoutMs: TIMEOUT_S * 1000,
  });
  const serverCpu = procCpuSeconds(server.child.pid) - serverCpu0;
  const clientCpuUs = process.cpuUsage(clientCpu0);
  const cpu1 = machineCpu();
  await sleep(50); // nothing should come after the last 250; give a stray write a moment to show up in the check
  const after = snapshot(mailboxRoot, rcpts);
  const check = verify(before, after, result.delivered);
  const dc = cpu1.busy + cpu1.idle + cpu1.iowait - (cpu0.busy + cpu0.idle + cpu0.iowait);
  const mem = procStatus(server.child.pid);
  const row = {
    label,
    accounts,
    mode,
    rep,
    date: new Date().toISOString(),
    messages: MESSAGES,
    sessions: SESSIONS,
    size: SIZE,
    recipients: rcpts.length,
    disk_quota: DISK_QUOTA,
    mailbox_quota: MAILBOX_QUOTA,
    ok: result.ok === MESSAGES && result.errors.length === 0 && check.problems.length === 0,
    delivered: result.ok,
    files: check.files,
    errors: result.errors.length,
    msgs_per_s: +result.rate.toFixed(1),
    seconds: +result.seconds.toFixed(2),
    p50_ms: +result.p50.toFixed(1),
    p99_ms: +result.p99.toFixed(1),
    max_ms: +result.max.toFixed(1),
    greeting_p50_ms: +result.greetP50.toFixed(1),
    connections: result.connections,
    server_cpu_ms_per_msg: +((1000 * serverCpu) / Math.max(result.ok, 1)).toFixed(2),
    server_cpu_pct: +((100 * serverCpu) / result.seconds).toFixed(0),
    machine_busy_pct: dc > 0 ? +((100 * (cpu1.busy - cpu0.busy)) / dc).toFixed(0) : NaN,
    machine_iowait_pct: dc > 0 ? +((100 * (cpu1.iowait - cpu0.iowait)) / dc).toFixed(0) : NaN,
    client_cpu_ms_per_msg: +((clientCpuUs.user + clientCpuUs.system) / 1000 / Math.max(result.ok, 1)).toFixed(2),
    loadavg1_before: load0,
    loadavg1_after: loadavg1(),
    server_rss_mb: +(mem.rssKb / 1024).toFixed(1),
    server_hwm_mb: +(mem.hwmKb / 1024).toFixed(1),
  };
  if (result.errors.length) console.error(`  ${result.errors.length} SMTP errors, first: ${result.errors.slice(0, 3).join(' ; ')}`);
  if (result.timedOut) console.error(`  stopped at the ${TIMEOUT_S}s bound: ${result.sent}/${MESSAGES} messages sent`);
  for (const problem of check.problems.slice(0, 10)) console.error(`  CHECK FAILED: ${problem}`);
  console.log(
    `  ${label.padEnd(16)} ${mode.padEnd(13)}${REPS > 1 ? ` rep ${rep}` : ''} ${row.msgs_per_s.toFixed(0).padStart(6)} msgs/s  ` +
      `p50 ${row.p50_ms} ms  p99 ${row.p99_ms} ms  max ${row.max_ms} ms  server CPU ${row.server_cpu_ms_per_msg} ms/msg (${row.server_cpu_pct}% of a core), ` +
      `client ${row.client_cpu_ms_per_msg} ms/msg, machine ${row.machine_busy_pct}% busy, load ${row.loadavg1_before}  ` +
      `${row.delivered} x 250 = ${row.files} files ${row.ok ? 'OK' : 'FAILED'}`,
  );
  if (JSON_OUT) {
    mkdirSync(path.dirname(path.resolve(JSON_OUT)), { recursive: true });
    appendFileSync(JSON_OUT, JSON.stringify(row) + '\n');
  }
  return row;
}

async function warmUp(server, rcpts) {
  if (WARMUP === 0) return;
  // every used recipient WARMUP times, so each Maildir is created before the measured runs
  const result = await drive({
    port: server.port,
    rcpts,
    messages: WARMUP * rcpts.length,
    sessions: Math.min(SESSIONS, rcpts.length),
    reuse: true,
    roundRobin: true,
    timeoutMs: 120_000,
  });
  if (result.errors.length) throw new Error(`warm-up failed: ${result.errors[0]}`);
}

/** Recipients used: all accounts if there are few, else `RECIPIENTS` of them spread evenly over the whole range. */
function pickRecipients(accounts) {
  const n = Math.min(RECIPIENTS, accounts);
  return Array.from({ length: n }, (_, i) => benchAddress(1 + Math.floor((i * accounts) / n), { domain: DOMAIN }));
}

async function scenario(accounts, dataDirs, running, profiles) {
  const label = `${accounts} accounts`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `postyard-bench-${accounts}-`));
  dataDirs.push(dataDir);
  const seeded = await seed({ dataDir, users: accounts, account: ACCOUNT, domain: DOMAIN, diskQuota: DISK_QUOTA, mailboxQuota: MAILBOX_QUOTA });
  const rcpts = pickRecipients(accounts);
  console.log(
    `- ${label}: seeded in ${((seeded.setupMs + seeded.insertMs) / 1000).toFixed(1)} s ` +
      `(${(seeded.insertMs / 1000).toFixed(1)} s for the inserts), ${rcpts.length} recipients used, data ${dataDir}`,
  );
  const rows = [];
  const servers = [];
  const profileDir = CPU_PROF ? mkdtempSync(path.join(os.tmpdir(), `postyard-bench-prof-${accounts}-`)) : null;

  const plain = MODES.filter((m) => m !== 'conn-pregreet');
  const groups = [];
  if (plain.length) groups.push({ greetingDelay: 0, modes: plain });
  if (MODES.includes('conn-pregreet')) groups.push({ greetingDelay: 100, modes: ['conn-pregreet'] });

  for (const group of groups) {
    const server = await startServer(dataDir, { greetingDelay: group.greetingDelay, profileDir });
    running.add(server);
    const memStart = procStatus(server.child.pid);
    console.log(
      `  server pid ${server.child.pid}${group.greetingDelay ? ` (POSTYARD_SMTP_GREETING_DELAY=${group.greetingDelay})` : ''}: ` +
        `220 after ${(server.startMs / 1000).toFixed(2)} s, RSS ${mb(memStart.rssKb)}`,
    );
    await warmUp(server, rcpts);
    for (let rep = 1; rep <= REPS; rep++) {
      for (const mode of group.modes) {
        const random = mulberry32(SEED + rows.length);
        rows.push(await measure({ label, accounts, mode, rep, server, mailboxRoot: seeded.mailboxRoot, rcpts, random }));
      }
    }
    const mem = procStatus(server.child.pid);
    servers.push({ label, greetingDelay: group.greetingDelay, startMs: server.startMs, hwmKb: mem.hwmKb, rssKb: mem.rssKb, startRssKb: memStart.rssKb });
    const { code, signal } = await stopServer(server);
    running.delete(server);
    if (code !== 0) console.error(`  server exited with ${code ?? signal} after SIGTERM; output:\n${server.output().slice(-2000)}`);
  }
  if (profileDir) {
    for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) profiles.push({ label, file: path.join(profileDir, file) });
  }
  return { rows, servers, seeded };
}

// ---- main ----------------------------------------------------------------------------------------------------------
async function main() {
  const cpuModel = os.cpus()[0]?.model ?? '?';
  console.log(
    `Postyard SMTP -> Maildir benchmark, ${new Date().toISOString()}\n` +
      `machine: ${os.cpus().length} x ${cpuModel}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, kernel ${os.release()}, node ${process.version}\n` +
      `load: ${MESSAGES} msgs x ${SIZE} B payload per mode, ${SESSIONS} parallel sessions, modes ${MODES.join(' ')}, ` +
      `scenarios ${SCENARIOS.join(', ')} virtual accounts, data under ${os.tmpdir()}` +
      (DISK_QUOTA || MAILBOX_QUOTA ? `\nquotas: account disk ${DISK_QUOTA ?? 'none'}, mailbox default ${MAILBOX_QUOTA ?? 'none'}` : ''),
  );
  const dataDirs = [];
  const running = new Set();
  const profiles = [];
  const results = [];
  const onSignal = () => {
    for (const server of running) server.child.kill('SIGTERM');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const accounts of SCENARIOS) results.push(await scenario(accounts, dataDirs, running, profiles));
  } finally {
    for (const server of running) await stopServer(server);
    if (KEEP) console.log(`kept data folders: ${dataDirs.join(' ')}`);
    // deleted only at the end, never between measured runs (journal-less ext4: see the note at the top)
    else for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }

  // ---- table ----
  const rows = results.flatMap((r) => r.rows);
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const line = (cells, widths) => cells.map((c, i) => String(c)[i < 2 ? 'padEnd' : 'padStart'](widths[i])).join('  ');
  const widths = [16, 13, 7, 11, 7, 7, 9, 11, 11, 9, 12];
  console.log(
    `\nSummary (${MESSAGES} msgs x ${SIZE} B, ${SESSIONS} sessions, ${REPS} run(s) each, medians; ` +
      'rate = 250s / (first connect -> last 250); ms/msg = CPU time per message)',
  );
  console.log(line(['scenario', 'mode', 'msgs/s', 'range', 'p50 ms', 'p99 ms', 'greet ms', 'server ms', 'client ms', 'machine%', 'check'], widths));
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.accounts}|${r.mode}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  for (const rs of groups.values()) {
    const m = (key) => median(rs.map((r) => r[key]));
    const rates = rs.map((r) => r.msgs_per_s);
    const files = rs.reduce((sum, r) => sum + r.files, 0);
    const sent = rs.reduce((sum, r) => sum + r.delivered, 0);
    console.log(
      line(
        [rs[0].label, rs[0].mode, m('msgs_per_s').toFixed(0), `${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}`,
          m('p50_ms').toFixed(1), m('p99_ms').toFixed(1), rs[0].mode === 'reuse' ? '-' : m('greeting_p50_ms').toFixed(1),
          m('server_cpu_ms_per_msg').toFixed(2), m('client_cpu_ms_per_msg').toFixed(2), `${m('machine_busy_pct')}%`,
          rs.every((r) => r.ok) ? `ok ${files}` : `FAILED ${files}/${sent}`],
        widths,
      ),
    );
  }
  console.log('\nServer processes (peak memory = VmHWM of the server at its end):');
  for (const { label, greetingDelay, startMs, hwmKb, startRssKb } of results.flatMap((r) => r.servers)) {
    console.log(`  ${label.padEnd(16)} ${greetingDelay ? `pregreet ${greetingDelay} ms` : 'greet at once  '}  220 after ${(startMs / 1000).toFixed(2)} s, RSS at start ${mb(startRssKb)}, peak ${mb(hwmKb)}`);
  }
  for (const { label, file } of profiles) console.log(`\nCPU profile, ${label}:\n${summarizeProfile(file)}`);
  const failed = rows.filter((r) => !r.ok);
  if (failed.length) {
    console.error(`\n${failed.length} run(s) FAILED the check`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`smtp-bench: ${error.stack || error}`);
  process.exitCode = 2;
});
