import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

/** A free loopback port, found by letting the kernel choose one. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Runs Debian's Dovecot in the foreground with a configuration file. Dovecot's master binds its listeners before it
 * logs "starting up", so that line means the port is ready.
 */
export async function startDovecot(configFile: string, port: number, runDir: string) {
  mkdirSync(runDir, { recursive: true });
  const child = spawn('dovecot', ['-F', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('starting up')) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', () => reject(new Error(`dovecot exited:\n${output}`)));
  });
  await started;
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => socket.end(resolve));
    socket.once('error', (error) => reject(new Error(`dovecot is not listening on ${port}: ${error.message}\n${output}`)));
  });
  return {
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
