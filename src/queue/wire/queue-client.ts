import type { Body } from './frame-codec.js';
import { QueueConnection } from './queue-connection.js';
import { registerFlushable } from '../../internal/flush-registry.js';
import { checkOwnerMessage } from './wire-checks.js';
import type { QueueWireMessage } from '../../internal/protocol.js';

/** What a QueueClient needs from each queue proxy on its connection. */
export interface ConnectedProxy {
  /** `body` is valid only during the call (the read buffer is reused): decode it, do not keep it. */
  handle(message: QueueWireMessage, body: Body | undefined): void;
  /** Writes batched data now (end of turn, or before exit). */
  flush(): void;
  /** True while data waits to be written (puts waiting for credit included). */
  hasUnsent(): boolean;
  /** Settles once every put made so far has been accepted (it may wait for credit) or has failed. */
  whenPutsSettled(): Promise<void>;
  /** True while user code waits on the owner (a blocked get, put or join): the process must stay alive. */
  isWaiting(): boolean;
  ownerGone(reason: string): void;
}

/**
 * This process's connection to one queue owner, shared by every proxy of that owner's queues. The
 * socket is unref'd except while some proxy waits, so an idle queue handle never keeps a process alive.
 */
export class QueueClient {
  readonly connection: QueueConnection;
  readonly #proxies = new Map<string, ConnectedProxy>();
  #flushScheduled = false;
  #gone: string | undefined;

  private constructor(address: string) {
    this.connection = QueueConnection.connect(address, ({ header, body }) => {
      const message = checkOwnerMessage(header as unknown as Record<string, unknown>);
      this.#proxies.get(message.q)?.handle(message, body);
    });
    const socket = this.connection.socket;
    socket.unref();
    socket.on('error', (error) => this.#lose(`its owner cannot be reached (${error.message})`));
    socket.on('close', () => this.#lose('the process that created it has exited'));
    registerFlushable({
      pending: () => [...this.#proxies.values()].some((proxy) => proxy.hasUnsent()),
      // Runs only when this process exits. Puts still waiting for credit are data the user handed
      // over: wait for them to be accepted (as CPython's exit waits for its queue feeder), write
      // everything, then end the connection gracefully so the owner reads it all.
      flush: async () => {
        await Promise.all([...this.#proxies.values()].map((proxy) => proxy.whenPutsSettled()));
        this.flushNow();
        await this.connection.flushed();
        this.#lose('this process is exiting');
        await this.connection.endGracefully(GRACEFUL_END_MS);
      },
    });
  }

  static for(address: string): QueueClient {
    const holder = globalThis as { [CLIENTS_KEY]?: Map<string, QueueClient> };
    const clients = (holder[CLIENTS_KEY] ??= new Map());
    let client = clients.get(address);
    if (!client) {
      client = new QueueClient(address);
      clients.set(address, client);
    }
    return client;
  }

  attach(id: string, proxy: ConnectedProxy): void {
    this.#proxies.set(id, proxy);
    if (this.#gone) proxy.ownerGone(this.#gone);
  }

  /** Batches what proxies queued in this turn into one write at its end. */
  scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.flushNow();
    });
  }

  /** Writes everything batched so far now (at a turn's end, at exit, or for QueueProxy's prompt flush). */
  flushNow(): void {
    for (const proxy of this.#proxies.values()) proxy.flush();
    this.connection.writeNow();
  }

  /** Keeps the process alive exactly while some proxy waits on the owner. */
  updateRef(): void {
    if (this.#gone) return;
    const waiting = [...this.#proxies.values()].some((proxy) => proxy.isWaiting());
    if (waiting) this.connection.socket.ref();
    else this.connection.socket.unref();
  }

  #lose(reason: string): void {
    if (this.#gone) return;
    this.#gone = reason;
    for (const proxy of this.#proxies.values()) proxy.ownerGone(reason);
  }
}

const CLIENTS_KEY = Symbol.for('rx-multiprocessing.queueClients');
const GRACEFUL_END_MS = 2_000;
