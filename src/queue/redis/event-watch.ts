import type { RedisLink } from './redis-link.js';

/**
 * Waits for wake-up events (`space`, `joined`) on a queue's `ev` stream without polling Redis: one
 * blocking XREAD, on a connection of its own, serves every waiter of this process. A waiter wakes on
 * any event after the id it gave, and at least every MAX_BLOCK_MS: it then re-checks the state it
 * waits for, so a lost event (a reconnect, a trimmed stream) costs at most that long, never a hang.
 */
export class EventWatch {
  readonly #link: PromiseLike<RedisLink>;
  readonly #key: string;
  #waiters: Waiter[] = [];
  #running = false;
  #closed = false;
  #opened = false;

  constructor(link: PromiseLike<RedisLink>, key: string) {
    this.#link = link;
    this.#key = key;
  }

  /** Resolves after an event newer than `afterId`, after MAX_BLOCK_MS, or at `deadline` (ms since epoch). */
  wait(afterId: string, deadline = Infinity): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push({ afterId, deadline, resolve });
      if (!this.#running) void this.#loop();
    });
  }

  close(): void {
    this.#closed = true;
    this.#wakeAll();
    // Only a link a waiter opened is closed: closing must not open one.
    if (this.#opened) void Promise.resolve(this.#link).then((link) => link.close(), () => {});
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiters.length > 0 && !this.#closed) {
        this.#opened = true;
        const waiting = this.#waiters;
        this.#waiters = [];
        const cursor = waiting.map((w) => w.afterId).reduce(earliest);
        const soonest = Math.min(...waiting.map((w) => w.deadline));
        const block = Math.max(1, Math.min(MAX_BLOCK_MS, Math.ceil(soonest - Date.now())));
        try {
          const link = await this.#link;
          await link.call(['XREAD', 'BLOCK', String(block), 'STREAMS', this.#key, cursor]);
        } catch {
          // No connection for events, or it failed: the waiters look again after a pause (their own
          // calls report a closed queue), rather than at once, which would spin on Redis.
          await new Promise((resolve) => setTimeout(resolve, Math.min(block, FAILURE_PAUSE_MS)));
        }
        // Every waiter re-checks its state now: an event, a timeout and an error all mean "look again".
        for (const w of waiting) w.resolve();
      }
    } finally {
      this.#running = false;
    }
  }

  #wakeAll(): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const w of waiting) w.resolve();
  }
}

interface Waiter {
  readonly afterId: string;
  readonly deadline: number;
  readonly resolve: () => void;
}

// The earlier of two stream ids (`<ms>-<seq>`).
function earliest(a: string, b: string): string {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am < bm || (am === bm && as <= bs) ? a : b;
}

const MAX_BLOCK_MS = 1000;
const FAILURE_PAUSE_MS = 200;
