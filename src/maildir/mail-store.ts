import { chown, mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseQuotaFile } from '../domain/quota.js';
import { createDirectorySync } from './directory-sync.js';
import { sizeFromName, uniqueMaildirName } from './unique-name.js';

/** The system user that owns mail files when Postyard runs as root (so that Dovecot can serve them). */
export interface MailOwner {
  uid: number;
  gid: number;
}

export interface StoredMessage {
  /** Absolute path of the message in new/. */
  path: string;
  size: number;
}

const SUBFOLDERS = ['tmp', 'new', 'cur'] as const;

/**
 * Maildir folders under the data folder: durable delivery (tmp, fsync, rename into new, fsync new), usage from the
 * ",S=" tags, and the `.quota` file. Every folder argument is relative to the data folder and was built by
 * domain/layout.ts from validated names.
 */
export function createMailStore(dataDir: string, owner: MailOwner | null = null) {
  const syncDirectory = createDirectorySync();
  const known = new Set<string>();
  // Bytes per subfolder ("<folder>/new", "<folder>/cur") with the modification time they were counted at.
  const usageCache = new Map<string, { bytes: number; mtimeMs: number }>();

  const absolute = (folder: string) => join(dataDir, folder);

  const ensureOwned = async (path: string) => {
    if (owner) await chown(path, owner.uid, owner.gid);
  };

  async function ensureMaildir(folder: string): Promise<void> {
    if (known.has(folder)) return;
    const root = absolute(folder);
    const created = await mkdir(root, { recursive: true, mode: 0o700 });
    if (created) await ensureOwnedPath(created, root);
    for (const sub of SUBFOLDERS) {
      const path = join(root, sub);
      if (await mkdir(path, { mode: 0o700 }).then(() => true, ignoreExists)) await ensureOwned(path);
    }
    known.add(folder);
  }

  /** Owns every folder that mkdir -p created, from the first new one down to the mailbox itself. */
  async function ensureOwnedPath(firstCreated: string, root: string) {
    if (!owner) return;
    let path = root;
    const paths = [path];
    while (path !== firstCreated && path.length > firstCreated.length) {
      path = join(path, '..');
      paths.push(path);
    }
    for (const each of paths) await ensureOwned(each);
  }

  /** Writes one message durably; resolves only when the file and its rename are on disk. */
  async function deliver(folder: string, parts: readonly Buffer[]): Promise<StoredMessage> {
    await ensureMaildir(folder);
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    const name = uniqueMaildirName(size);
    const root = absolute(folder);
    const tmpPath = join(root, 'tmp', name);
    const newPath = join(root, 'new', name);
    const handle = await open(tmpPath, 'wx', 0o600);
    try {
      try {
        await handle.writev(parts as Buffer[]);
        if (owner) await handle.chown(owner.uid, owner.gid);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmpPath, newPath);
    } catch (error) {
      await unlink(tmpPath).catch(() => undefined);
      throw error;
    }
    await syncDirectory(join(root, 'new'));
    return { path: newPath, size };
  }

  /**
   * Bytes in new/ and cur/, from the size tags (a stat only for a name without one). Each subfolder is counted again
   * only when it changed since its last count (its modification time): a delivery makes new/ count again, not the
   * often much larger cur/, and an idle mailbox costs two stats.
   */
  async function usage(folder: string): Promise<number> {
    const [fresh, seen] = await Promise.all([subfolderUsage(folder, 'new'), subfolderUsage(folder, 'cur')]);
    return fresh + seen;
  }

  async function subfolderUsage(folder: string, sub: 'new' | 'cur'): Promise<number> {
    const key = `${folder}/${sub}`;
    const path = join(absolute(folder), sub);
    const mtimeMs = await stat(path).then((s) => s.mtimeMs, () => null);
    if (mtimeMs === null) return 0;
    const cached = usageCache.get(key);
    if (cached && cached.mtimeMs === mtimeMs) return cached.bytes;
    let bytes = 0;
    for (const name of await readdir(path).catch(() => [] as string[])) {
      if (name.startsWith('.')) continue;
      bytes += sizeFromName(name) ?? (await stat(join(path, name)).then((s) => s.size, () => 0));
    }
    // Recorded against the time taken before counting: a change while counting makes the next call count again.
    usageCache.set(key, { bytes, mtimeMs });
    return bytes;
  }

  async function readQuotaFile(folder: string): Promise<number | null> {
    const text = await readFile(join(absolute(folder), '.quota'), 'utf8').catch(() => null);
    return text === null ? null : parseQuotaFile(text);
  }

  async function writeQuotaFile(folder: string, bytes: number | null): Promise<void> {
    const path = join(absolute(folder), '.quota');
    if (bytes === null) {
      await rm(path, { force: true });
      return;
    }
    await ensureMaildir(folder);
    await writeFile(path, `${bytes}\n`, { mode: 0o600 });
    await ensureOwned(path);
  }

  /** Removes a mailbox folder and everything in it (vdeluser, pop rm, account rm). */
  async function removeFolder(folder: string): Promise<void> {
    for (const key of known) if (key === folder || key.startsWith(`${folder}/`)) known.delete(key);
    for (const key of usageCache.keys()) if (key === folder || key.startsWith(`${folder}/`)) usageCache.delete(key);
    await rm(absolute(folder), { recursive: true, force: true });
  }

  /** Removes a delivered copy again, when a later copy of the same message failed and the sender will retry. */
  async function withdraw(message: StoredMessage): Promise<void> {
    await unlink(message.path).catch(() => undefined);
  }

  return { absolute, ensureMaildir, deliver, usage, readQuotaFile, writeQuotaFile, removeFolder, withdraw };
}

function ignoreExists(error: NodeJS.ErrnoException): false {
  if (error.code === 'EEXIST') return false;
  throw error;
}

export type MailStore = ReturnType<typeof createMailStore>;
