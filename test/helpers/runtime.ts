import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime, type Runtime } from '../../src/runtime.js';

export const TEST_HOSTNAME = 'mx.test.example';

/** A fresh data folder with a migrated database and the real services; dispose() closes and deletes it. */
export function createTestRuntime(): Runtime & { dispose(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), 'postyard-test-'));
  const runtime = openRuntime({ dataDir, hostname: TEST_HOSTNAME });
  return {
    ...runtime,
    dispose() {
      runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
