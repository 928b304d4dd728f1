import type { ChildProcess } from 'node:child_process';
import type { ConsumerResult } from '../child/consumer-runner.js';
import { isProtocolMessage, type ProtocolMessage } from '../internal/protocol.js';
import { DISPOSE_QUEUE } from '../internal/symbols.js';
import type { Queue } from '../process/queue.js';

/** How consume() hands one consumer the items the dispatcher assigned it, and tells it to finish. */
export interface ConsumerLink {
  send(items: unknown[]): void;
  /** No more items: a non-daemon consumer returns once it has handled those it has. */
  end(): void;
  /** The consumer has exited: release what the link holds. */
  dispose(): void;
}

/** A manual consumer's items go into the JoinableQueue its target loops on. */
export function queueLink(jobs: Queue<unknown>): ConsumerLink {
  return {
    send: (items) => {
      for (const item of items) jobs.putNowait(item);
    },
    // Manual consumers are daemons (validated): they are terminated, never told to end.
    end: () => {},
    dispose: () => jobs[DISPOSE_QUEUE](),
  };
}

/**
 * A per-item consumer's items and outcomes travel over its IPC channel, a message per batch each way.
 * The dispatcher bounds what each consumer holds and re-queues the items of one that exits, so the
 * channel needs none of a queue's flow control; a queue added credit, request and took messages to
 * every batch, and in the pool benchmark they cost both sides ~150 µs of CPU per result. Items
 * assigned in one event-loop turn leave as one message at its end (the dispatcher assigns as items
 * arrive, often one at a time). Items assigned before the child reported ready wait here: until then
 * it does not listen for them.
 */
export class IpcConsumerLink implements ConsumerLink {
  readonly #child: ChildProcess;
  #ready = false;
  #waiting: unknown[] = [];
  #flushScheduled = false;
  #ended = false;

  constructor(child: ChildProcess, onResult: (result: ConsumerResult) => void) {
    this.#child = child;
    child.on('message', (message: unknown) => {
      if (!isProtocolMessage(message)) return;
      if (message.rxmp === 'consume-results') onResult(message.result);
      else if (message.rxmp === 'ready') this.#onReady();
    });
  }

  /** `items` were checked to clone when consume() accepted them. */
  send(items: unknown[]): void {
    for (const item of items) this.#waiting.push(item);
    if (this.#ready && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
  }

  end(): void {
    this.#ended = true;
    if (this.#ready && !this.#flushScheduled) this.#flush();
  }

  dispose(): void {
    this.#waiting = [];
  }

  #onReady(): void {
    this.#ready = true;
    this.#flush();
  }

  // Everything assigned so far, then the end if it was asked for.
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#waiting.length > 0) this.#write({ rxmp: 'consume-jobs', items: this.#waiting });
    this.#waiting = [];
    if (this.#ended) this.#write({ rxmp: 'consume-end' });
  };

  // To a child that is gone the message is lost, and consume() re-queues its items when it sees the exit.
  #write(message: ProtocolMessage): void {
    if (this.#child.connected) this.#child.send(message);
  }
}
