import type { QueueDescriptor } from './protocol.js';

/**
 * What a Queue does, wherever its buffer lives: in this process (LocalQueue, the owner) or in
 * another (QueueProxy). Arguments arrive validated; timeouts are normalised milliseconds.
 */
export interface QueueBackend<T> {
  readonly maxsize: number;
  put(item: T, block: boolean, timeout: number | null): Promise<void>;
  putNowait(item: T): void;
  /** Accepts `item` if it can without waiting, as put() would; false (nothing asked, nothing thrown) otherwise. */
  offer(item: T): boolean;
  get(block: boolean, timeout: number | null): Promise<T>;
  getNowait(): T;
  qsize(): number;
  full(): boolean;
  taskDone(): void;
  join(): Promise<void>;
  /** Lets go of what serves the queue to other processes (its owner registration). */
  dispose?(): void;
  /** How to reach this queue from another process. */
  describe(joinable: boolean): QueueDescriptor;
}
