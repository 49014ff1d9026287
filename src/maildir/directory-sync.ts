import { open } from 'node:fs/promises';

/**
 * fsyncs a directory so that a rename into it survives a crash. Callers that arrive while a sync of the same folder
 * is running share the next one: concurrent deliveries to one folder cost one directory fsync, not one each.
 */
export function createDirectorySync() {
  const running = new Map<string, Promise<void>>();
  const queued = new Map<string, Promise<void>>();

  const syncNow = async (folder: string) => {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };

  const start = (folder: string): Promise<void> => {
    const run = syncNow(folder).finally(() => running.delete(folder));
    running.set(folder, run);
    return run;
  };

  return function syncDirectory(folder: string): Promise<void> {
    const current = running.get(folder);
    if (!current) return start(folder);
    // A sync already running may have started before our rename: wait for it, then share one more.
    let next = queued.get(folder);
    if (!next) {
      next = current.catch(() => undefined).then(() => {
        queued.delete(folder);
        return start(folder);
      });
      queued.set(folder, next);
    }
    return next;
  };
}
