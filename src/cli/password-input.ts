import type { CliIo } from './io.js';
import { CliExit } from './context.js';

type TtyInput = CliIo['stdin'] & { setRawMode?: (raw: boolean) => unknown };

/**
 * A password that was not given as an argument: one line of standard input, so that `echo pw | postyard ...` works.
 * At a terminal it prompts on stderr and reads with echo off; the password is never printed anywhere.
 */
export async function readPassword(io: CliIo, prompt = 'Password: '): Promise<string> {
  const stdin = io.stdin as TtyInput;
  const setRawMode = stdin.setRawMode?.bind(stdin);
  if (stdin.isTTY && setRawMode) {
    io.stderr.write(prompt);
    try {
      return await readHidden(stdin, setRawMode);
    } finally {
      io.stderr.write('\n');
    }
  }
  return readFirstLine(stdin);
}

/** Everything on standard input, as text (a map file piped in). */
export async function readAll(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(toBuffer(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function readFirstLine(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  // Leaving the loop early closes the stream, so a writer that keeps its end open cannot hold the command.
  for await (const chunk of stdin) {
    const bytes = toBuffer(chunk);
    chunks.push(bytes);
    if (bytes.includes(0x0a)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
}

const toBuffer = (chunk: unknown): Buffer => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));

function readHidden(stdin: TtyInput, setRawMode: (raw: boolean) => unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | null) => {
      stdin.off('data', onData);
      setRawMode(false);
      stdin.pause();
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        if (char === '\u0003') return finish(new CliExit('postyard: cancelled', 130));
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(null);
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
