import type { ModuleExportRef } from '../internal/function-locator.js';
import type { PoolDoneMessage, RedisSecret } from '../internal/protocol.js';

/** What a worker answered for a task, and which worker it was. */
export interface TaskOutcome {
  readonly done: PoolDoneMessage;
  readonly worker: string;
}

/** A task waiting for a worker or running on one. */
export interface PoolTask {
  readonly id: number;
  readonly ref: ModuleExportRef;
  readonly calls: unknown[][];
  readonly settle: boolean;
  /** The credentials of the Redis queues in `calls`, by their descriptors' `secret`. */
  readonly redisSecrets: Readonly<Record<string, RedisSecret>> | undefined;
  resolve: (outcome: TaskOutcome) => void;
  reject: (error: unknown) => void;
  /** Aborted: it is skipped if still waiting. */
  cancelled: boolean;
}

/**
 * The tasks waiting for a worker, oldest first. An array read from a moving head: imap() over a long
 * iterable submits one task per item, and Array.shift() would copy the rest every time.
 */
export class TaskList {
  #tasks: (PoolTask | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#tasks.length - this.#head;
  }

  push(task: PoolTask): void {
    this.#tasks.push(task);
  }

  /** The oldest task not aborted, or undefined. */
  shift(): PoolTask | undefined {
    while (this.#head < this.#tasks.length) {
      const task = this.#tasks[this.#head];
      this.#tasks[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#tasks.length) {
        this.#tasks = this.#tasks.slice(this.#head);
        this.#head = 0;
      }
      if (task && !task.cancelled) return task;
    }
    return undefined;
  }

  /** Removes and returns every waiting task. */
  drain(): PoolTask[] {
    const waiting = this.#tasks.slice(this.#head).filter((task): task is PoolTask => task !== undefined && !task.cancelled);
    this.#tasks = [];
    this.#head = 0;
    return waiting;
  }
}
