import { createReadStream, type ReadStream } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { baseName, compareDeliveryOrder, curName } from '../domain/pop3-maildir.js';
import { countChunk, finishCounting, startCounting } from '../domain/pop3-transfer.js';
import { createDirectorySync } from './directory-sync.js';

/**
 * Reading a Maildir as a mail client's server does: new/ messages are moved to cur/ (they are no longer new once a
 * reader has seen them), cur/ is listed by name only, messages are streamed, never read whole into memory. Every
 * folder argument is the absolute path of a mailbox folder (the one holding new/ and cur/).
 */
const syncDirectory = createDirectorySync();

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function messageNames(folder: string, sub: 'new' | 'cur'): Promise<string[]> {
  try {
    const entries = await readdir(join(folder, sub), { withFileTypes: true });
    return entries.filter((entry) => entry.isFile() && !entry.name.startsWith('.')).map((entry) => entry.name);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** Moves every message of new/ into cur/ with empty info (":2,"); one that another reader moved first is skipped. */
export async function claimNewMessages(folder: string): Promise<number> {
  let moved = 0;
  for (const name of await messageNames(folder, 'new')) {
    try {
      await rename(join(folder, 'new', name), join(folder, 'cur', curName(name)));
      moved += 1;
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return moved;
}

/** The file names in cur/, in delivery order. */
export async function listCurrentMessages(folder: string): Promise<string[]> {
  return (await messageNames(folder, 'cur')).sort(compareDeliveryOrder);
}

/** Finds a message again by its base name, after another program (Dovecot, mutt) renamed it to change its flags. */
export async function findMessage(folder: string, base: string): Promise<{ sub: 'new' | 'cur'; name: string } | null> {
  for (const sub of ['cur', 'new'] as const) {
    const name = (await messageNames(folder, sub)).find((each) => baseName(each) === base);
    if (name) return { sub, name };
  }
  return null;
}

/** The size a POP3 client receives for the message (CRLF line ends), counted by streaming the file. */
export async function measureWireSize(path: string): Promise<number> {
  let state = startCounting();
  for await (const chunk of createReadStream(path)) state = countChunk(state, chunk as Buffer);
  return finishCounting(state);
}

/** Opens a message for streaming; rejects with ENOENT before anything is read if it is gone. */
export async function openMessage(path: string): Promise<ReadStream> {
  const handle = await open(path, 'r');
  return handle.createReadStream({ highWaterMark: 64 * 1024 });
}

export async function renameMessage(folder: string, from: string, to: string): Promise<void> {
  await rename(join(folder, 'cur', from), join(folder, 'cur', to));
}

/**
 * Removes messages from cur/, then flushes the folder so the removal survives a crash. A file renamed since it was
 * listed (another program changed its flags) is found again by its base name; one that is gone altogether counts as
 * removed, since another client deleted it first. Returns the names that could not be removed.
 */
export async function removeMessages(folder: string, names: readonly string[]): Promise<Array<{ name: string; error: unknown }>> {
  const failed: Array<{ name: string; error: unknown }> = [];
  for (const name of names) {
    try {
      await unlinkFound(folder, name);
    } catch (error) {
      failed.push({ name, error });
    }
  }
  if (names.length > failed.length) await syncDirectory(join(folder, 'cur'));
  return failed;
}

async function unlinkFound(folder: string, name: string): Promise<void> {
  try {
    await unlink(join(folder, 'cur', name));
  } catch (error) {
    if (!isMissing(error)) throw error;
    const moved = await findMessage(folder, baseName(name));
    if (moved) await unlink(join(folder, moved.sub, moved.name)).catch((again: unknown) => (isMissing(again) ? undefined : Promise.reject(again)));
  }
}
