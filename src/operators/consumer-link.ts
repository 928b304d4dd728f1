import type { ChildHandle } from '../internal/child-handle.js';
import type { ConsumerResult } from '../child/consumer-input.js';
import { isProtocolMessage, type ProtocolMessage } from '../internal/protocol.js';
import { DISPOSE_QUEUE } from '../internal/symbols.js';
import type { Queue } from '../process/queue.js';
import { channelEnd } from './channel-end.js';

/** How consume() hands one consumer the items the dispatcher assigned it, and tells it to finish. */
export interface ConsumerLink {
  /** Takes `items` over: the caller must not change the array afterwards. */
  send(items: unknown[]): void;
  /** No more items: a non-daemon consumer returns once it has handled those it has. */
  end(): void;
  /** The consumer has exited: release what the link holds. */
  dispose(): void;
  /**
   * Settles when nothing more can arrive from the consumer. Its exit alone does not say so: results
   * it wrote just before may still be unread in the channel, and handled after the exit they would
   * find their items re-queued (run twice, reported as lost).
   */
  readonly drained: Promise<void>;
}

/** A manual consumer's items go into the JoinableQueue its target loops on. */
export function queueLink(jobs: Queue<unknown>, child: ChildHandle): ConsumerLink {
  return {
    send: (items) => {
      for (const item of items) jobs.putNowait(item);
    },
    // Manual consumers are daemons (validated): they are terminated, never told to end.
    end: () => {},
    dispose: () => jobs[DISPOSE_QUEUE](),
    // What a manual consumer yields reaches the parent through the results queue, read on its own;
    // its channel carries only why it failed, if it says so (see reportedError).
    drained: channelEnd(child),
  };
}

/**
 * A per-item consumer's items and outcomes travel over its IPC channel, a message per batch each way.
 * The dispatcher bounds what each consumer holds and re-queues the items of one that exits, so the
 * channel needs none of a queue's flow control; a queue added credit, request and took messages to
 * every batch, and in the pool benchmark they cost both sides ~150 µs of CPU per result. Items
 * assigned in one event-loop turn leave as one message at its end (the dispatcher may hand a consumer
 * several batches in a turn: one per producer batch, one per result that freed room). Items assigned
 * before the child reported ready wait here: until then it does not listen for them.
 */
export class IpcConsumerLink implements ConsumerLink {
  readonly #child: ChildHandle;
  readonly #onError: (error: unknown) => void;
  readonly #onMessage: (message: unknown) => void;
  #ready = false;
  #waiting: unknown[] = [];
  #flush: NodeJS.Immediate | undefined;
  #ended = false;
  // Node emits 'disconnect' at the channel's end, after every message the child wrote before it.
  readonly drained: Promise<void>;

  /** `onResult` and sending failures report through `onError`, so neither throws from an event handler. */
  constructor(child: ChildHandle, onResult: (result: ConsumerResult) => void, onError: (error: unknown) => void) {
    this.#child = child;
    this.#onError = onError;
    this.drained = channelEnd(child);
    this.#onMessage = (message: unknown): void => {
      if (!isProtocolMessage(message)) return;
      try {
        if (message.rxmp === 'consume-results') onResult(message.result);
        else if (message.rxmp === 'ready') this.#onReady();
      } catch (error) {
        onError(error);
      }
    };
    child.on('message', this.#onMessage);
  }

  /** `items` were checked to clone when consume() accepted them. */
  send(items: unknown[]): void {
    // Usually the only batch before the flush: kept as it is rather than copied.
    if (this.#waiting.length === 0) this.#waiting = items;
    else for (const item of items) this.#waiting.push(item);
    if (this.#ready && !this.#flush) this.#flush = setImmediate(this.#sendWaiting);
  }

  end(): void {
    this.#ended = true;
    if (this.#ready && !this.#flush) this.#sendWaiting();
  }

  dispose(): void {
    this.#child.off('message', this.#onMessage);
    if (this.#flush) clearImmediate(this.#flush);
    this.#flush = undefined;
    this.#ready = false;
    this.#waiting = [];
  }

  #onReady(): void {
    this.#ready = true;
    this.#sendWaiting();
  }

  // Everything assigned so far, then the end if it was asked for.
  readonly #sendWaiting = (): void => {
    this.#flush = undefined;
    if (this.#waiting.length > 0) this.#write({ rxmp: 'consume-jobs', items: this.#waiting });
    this.#waiting = [];
    if (this.#ended) this.#write({ rxmp: 'consume-end' });
  };

  // To a child that is gone the message is lost, and consume() re-queues its items when it sees the
  // exit. An item changed after consume() checked it may no longer clone: that fails the output.
  #write(message: ProtocolMessage): void {
    if (!this.#child.connected) return;
    try {
      this.#child.send(message);
    } catch (error) {
      this.#onError(error);
    }
  }
}
