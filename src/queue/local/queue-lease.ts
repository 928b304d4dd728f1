/**
 * Who still uses a queue this process serves to others: its handle here (until closed or garbage-
 * collected), each child it was passed to (until that child exits), each connection that reached
 * it (until that connection closes). When the last lets go, `onUnused` runs once and the queue, its
 * items included, is no longer kept: as in Python, where a Queue's pipe is released when neither
 * its object nor any child's copy of it is left.
 */
export class QueueLease {
  #holds = 0;
  #ended = false;
  readonly #onUnused: () => void;

  constructor(onUnused: () => void) {
    this.#onUnused = onUnused;
  }

  get ended(): boolean {
    return this.#ended;
  }

  hold(): void {
    if (!this.#ended) this.#holds++;
  }

  release(): void {
    if (this.#ended || this.#holds === 0) return;
    if (--this.#holds === 0) this.end();
  }

  /** Ends the lease now, whoever still holds it (the library's own queues, on teardown). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onUnused();
  }
}

/**
 * Runs `describe` (which turns a child's arguments into descriptors) and holds every queue it
 * described until the returned release is called, when that child has exited: the child may connect
 * late, or only after the handle here was dropped, and must still find its queue.
 */
export function holdHandoffs<V>(describe: () => V): [V, () => void] {
  const outer = collecting;
  const leases: QueueLease[] = [];
  collecting = leases;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    for (const lease of leases) lease.release();
  };
  try {
    return [describe(), release];
  } catch (error) {
    release();
    throw error;
  } finally {
    collecting = outer;
  }
}

/** A queue was just described: if a child is being prepared, it holds the queue. */
export function noteHandoff(lease: QueueLease): void {
  if (!collecting) return;
  lease.hold();
  collecting.push(lease);
}

let collecting: QueueLease[] | undefined;
