import { exitAfterFlush } from './exit.js';
import { servePool, type PoolInit } from './pool-runner.js';

/**
 * A Pool's worker process (its Process target). Once its pool lets it go (close(), maxtasksperchild)
 * it exits as soon as its last answer is written, as Python's pool workers do, whatever timers or
 * sockets its tasks left open: they were the pool's to run, not the program's.
 */
export async function runPoolWorker(init: PoolInit): Promise<void> {
  await servePool(init);
  exitAfterFlush(0);
}
