import { createServer, type Server } from 'node:net';
import { QueueConnection } from './queue-connection.js';
import { newSocketAddress } from './socket-address.js';
import { getRuntime } from './runtime.js';
import { HOLD_PARENT } from './symbols.js';
import type { QueueOwner } from './queue-owner.js';

/**
 * The Unix socket on which this process serves the queues it owns. Proxies in any descendant connect
 * here directly (a grandchild too), so no item is relayed through intermediate processes. Created on
 * the first queue handed to a child; it never keeps this process alive by itself.
 */
export class QueueServer {
  readonly address: string;
  readonly #server: Server;
  readonly #owners = new Map<string, QueueOwner<unknown>>();
  readonly #sockets = new Set<import('node:net').Socket>();

  private constructor() {
    this.address = newSocketAddress('queues');
    this.#server = createServer((socket) => this.#accept(socket));
    this.#server.listen(this.address);
    this.#server.unref();
  }

  /**
   * Counts owner-side waits (a get, put or join pending in this process). While there is one, the
   * connections of other processes are ref'd, and so are this process's children (a daemon that has
   * not connected yet included), since one of them will settle it.
   */
  static holdOpen(delta: number): void {
    const runtime = getRuntime();
    const before = runtime.ownerWaits;
    runtime.ownerWaits = before + delta;
    if ((before === 0) === (runtime.ownerWaits === 0)) return;
    for (const child of runtime.children) child[HOLD_PARENT](runtime.ownerWaits > 0);
    const server = (globalThis as { [SERVER_KEY]?: QueueServer })[SERVER_KEY];
    if (server) server.#applyRef();
  }

  /** This process's server, started on first use. */
  static get(): QueueServer {
    const holder = globalThis as { [SERVER_KEY]?: QueueServer };
    holder[SERVER_KEY] ??= new QueueServer();
    return holder[SERVER_KEY];
  }

  register(owner: QueueOwner<unknown>): void {
    this.#owners.set(owner.id, owner);
  }

  /** Forgets a queue nobody will use again; proxies asking for it later are told it is gone. */
  unregister(id: string): void {
    this.#owners.delete(id);
  }

  #applyRef(): void {
    const hold = getRuntime().ownerWaits > 0;
    for (const socket of this.#sockets) {
      if (hold) socket.ref();
      else socket.unref();
    }
  }

  #accept(socket: import('node:net').Socket): void {
    this.#sockets.add(socket);
    if (getRuntime().ownerWaits === 0) socket.unref();
    const touched = new Set<QueueOwner<unknown>>();
    const connection = new QueueConnection(socket, ({ header, body }) => {
      const owner = this.#owners.get(header.q);
      if (!owner) {
        connection.send({ t: 'fail', q: header.q, name: 'QueueClosedError', message: `No queue ${header.q} in process ${process.pid}.` });
        return;
      }
      touched.add(owner);
      owner.handle(connection, header, body);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#sockets.delete(socket);
      for (const owner of touched) owner.disconnect(connection);
    });
  }
}

const SERVER_KEY = Symbol.for('rx-multiprocessing.queueServer');
