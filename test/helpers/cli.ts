import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'postyard');

export const CLI_HOSTNAME = 'mx.cli.test';
export const CLI_PASSWORD = 'secret-pass1';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliSandbox {
  dataDir: string;
  /** Runs the built binary on this sandbox's data folder; standard input is `stdin`, or closed at once. */
  run(args: string[], stdin?: string, extraEnv?: Record<string, string>): Promise<CliResult>;
  /** Runs and expects exit 0, returning stdout; a failure shows stderr in the test output. */
  ok(args: string[], stdin?: string): Promise<string>;
  /** A new sandbox starting from a copy of this one's data folder: set up once, then one independent copy a test. */
  clone(): CliSandbox;
  dispose(): void;
}

/** A fresh data folder and a way to run `node bin/postyard` on it, as a script or an administrator would. */
export function createCliSandbox(copyOf?: string): CliSandbox {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run "npm run build" first');
  const dataDir = mkdtempSync(join(tmpdir(), 'postyard-cli-'));
  // Every command has closed the database when it exits, so the folder copies as a consistent whole.
  if (copyOf) cpSync(copyOf, dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('POSTYARD_')));
  Object.assign(env, { POSTYARD_DATA_DIR: dataDir, POSTYARD_HOSTNAME: CLI_HOSTNAME, POSTYARD_LOG_LEVEL: 'silent' });

  const run = (args: string[], stdin?: string, extraEnv: Record<string, string> = {}) =>
    new Promise<CliResult>((resolve, reject) => {
      const options = { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: 'pipe' as const };
      const child = spawn(process.execPath, [BIN, ...args], options);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.stdin.end(stdin);
    });

  return {
    dataDir,
    run,
    async ok(args, stdin) {
      const result = await run(args, stdin);
      if (result.code !== 0) throw new Error(`postyard ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
      return result.stdout;
    },
    clone: () => createCliSandbox(dataDir),
    dispose: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
