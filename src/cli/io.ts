import type { Readable, Writable } from 'node:stream';
import type { Config } from '../config.js';

/** What a command needs from the outside world, passed in by src/main.ts (tests pass their own). */
export interface CliIo {
  loadConfig(): Config;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}
