import { userInfo } from 'node:os';
import { openRuntime, type Runtime } from '../runtime.js';
import { runAs } from '../services/actor.js';
import { mailOwnerFor } from '../system-user.js';
import type { CliIo } from './io.js';

/** What every verb shares: the streams, the exit code it leaves behind, and one way to reach the services. */
export interface CliContext {
  io: CliIo;
  /** Exit code of the verb that ran; a verb sets it through the value its task returns. */
  exitCode: number;
  say(line: string): void;
  warn(line: string): void;
  /** Loads the configuration, opens the runtime, runs the task and always closes the runtime again. */
  run(task: (runtime: Runtime) => Promise<number | void>): Promise<void>;
}

/** Ends a verb with a message and an exit code that are neither a refusal of the services nor a bug (Ctrl-C at a prompt). */
export class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

export function createCliContext(io: CliIo): CliContext {
  const context: CliContext = {
    io,
    exitCode: 0,
    say: (line) => io.stdout.write(`${line}\n`),
    warn: (line) => {
      io.stderr.write(`${line}\n`);
    },
    async run(task) {
      const config = io.loadConfig();
      const mailOwner = mailOwnerFor(config.POSTYARD_MAIL_USER);
      const runtime = openRuntime({ dataDir: config.POSTYARD_DATA_DIR, hostname: config.POSTYARD_HOSTNAME, mailOwner });
      try {
        // The audit log records command-line changes under the system user who ran them.
        context.exitCode = (await runAs({ name: userInfo().username, source: 'cli' }, () => task(runtime))) ?? 0;
      } finally {
        runtime.close();
      }
    },
  };
  return context;
}
