/** Something holding data on its way to another process. */
export interface Flushable {
  /** True while some data is not yet written. */
  pending(): boolean;
  /** Writes what is pending and settles once it has left this process. */
  flush(): Promise<void>;
}

/**
 * Everything in this process that holds data on its way to another process (the IPC channel, queue
 * connections) registers here; a child flushes them all before it exits, because Node drops
 * unwritten data at exit.
 */
export function registerFlushable(flushable: Flushable): void {
  getFlushables().add(flushable);
}

export function hasPendingData(): boolean {
  for (const flushable of getFlushables()) if (flushable.pending()) return true;
  return false;
}

export async function flushAll(): Promise<void> {
  await Promise.all([...getFlushables()].map((flushable) => flushable.flush()));
}

function getFlushables(): Set<Flushable> {
  const holder = globalThis as { [FLUSHABLES_KEY]?: Set<Flushable> };
  holder[FLUSHABLES_KEY] ??= new Set();
  return holder[FLUSHABLES_KEY];
}

const FLUSHABLES_KEY = Symbol.for('rx-multiprocessing.flushables');
