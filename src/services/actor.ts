import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is making a change, for the audit log: the panel sets it per request, the command line per command. */
export interface Actor {
  name: string;
  source: 'panel' | 'cli' | 'system';
}

const storage = new AsyncLocalStorage<Actor>();
const SYSTEM: Actor = { name: 'postyard', source: 'system' };

export function runAs<T>(actor: Actor, task: () => T): T {
  return storage.run(actor, task);
}

export function currentActor(): Actor {
  return storage.getStore() ?? SYSTEM;
}
