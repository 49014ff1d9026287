import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServedPostyard {
  dataDir: string;
  panelUrl: string;
  smtpPort: number;
  adminPassword: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Runs the real `postyard serve` on free ports in a fresh data folder and reads what it prints, as a new user would. */
export async function servePostyard(env: Record<string, string> = {}): Promise<ServedPostyard> {
  const dataDir = mkdtempSync(join(tmpdir(), 'postyard-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/postyard', 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      POSTYARD_DATA_DIR: dataDir,
      POSTYARD_HTTP_PORT: '0',
      POSTYARD_SMTP_HOST: '127.0.0.1',
      POSTYARD_SMTP_PORT: '0',
      POSTYARD_SUBMISSION_PORT: '0',
      POSTYARD_POP3_PORT: '0',
      POSTYARD_HOSTNAME: 'mx.e2e.test',
      POSTYARD_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const ready = /shown only this once:\n\s+(\S+)/;
  while (!ready.test(output)) {
    const [chunk] = await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => [null])]);
    if (chunk === null) throw new Error(`postyard serve exited early:\n${output}`);
  }
  const panel = /panel\s+(http:\/\/\S+)/.exec(output)![1]!;
  const smtp = /smtp\s+\S+:(\d+)/.exec(output)![1]!;
  return {
    dataDir,
    panelUrl: panel,
    smtpPort: Number(smtp),
    adminPassword: ready.exec(output)![1]!,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
