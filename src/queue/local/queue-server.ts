import { createServer, type Server, type Socket } from 'node:net';
import { reportRefusal } from '../../internal/refusals.js';
import { HandshakeGate } from '../wire/handshake.js';
import { ProtocolError } from '../wire/protocol-error.js';
import { checkProxyMessage } from '../wire/wire-checks.js';
import { QueueConnection } from '../wire/queue-connection.js';
import { newSocketAddress } from '../../internal/socket-address.js';
import { getRuntime } from '../../internal/runtime.js';
import { HOLD_PARENT } from '../../internal/symbols.js';
import type { QueueOwner } from './queue-owner.js';
import { QueueLease } from './queue-lease.js';

/** A queue served here, and who still uses it. */
interface Served {
  readonly owner: QueueOwner<unknown>;
  readonly lease: QueueLease;
}

/**
 * The Unix socket on which this process serves the queues it owns. Proxies in any descendant connect
 * here directly (a grandchild too), so no item is relayed through intermediate processes. Created on
 * the first queue handed to a child; it never keeps this process alive by itself.
 */
export class QueueServer {
  readonly address: string;
  readonly #server: Server;
  readonly #owners = new Map<string, Served>();
  readonly #sockets = new Set<Socket>();
  readonly #handshakes = new HandshakeGate('queue server');

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

  /** Queues served here now, for tests and diagnostics (0 when no server was started). */
  static ownerCount(): number {
    const server = (globalThis as { [SERVER_KEY]?: QueueServer })[SERVER_KEY];
    return server ? server.#owners.size : 0;
  }

  /**
   * Serves `owner` until the returned lease ends: its holders are added by the caller, and each
   * connection that reaches the queue holds it until it closes. Then the queue is forgotten (proxies
   * asking for it later are told it is gone) and `onFreed` runs.
   */
  register(owner: QueueOwner<unknown>, onFreed: () => void): QueueLease {
    const lease = new QueueLease(() => {
      this.#owners.delete(owner.id);
      onFreed();
    });
    this.#owners.set(owner.id, { owner, lease });
    return lease;
  }

  #applyRef(): void {
    const hold = getRuntime().ownerWaits > 0;
    for (const socket of this.#sockets) {
      if (hold) socket.ref();
      else socket.unref();
    }
  }

  #accept(socket: Socket): void {
    if (getRuntime().ownerWaits === 0) socket.unref();
    this.#handshakes.accept(socket, (rest) => this.#serve(socket, rest));
  }

  #serve(socket: Socket, rest: Buffer): void {
    this.#sockets.add(socket);
    const touched = new Set<Served>();
    const connection = new QueueConnection(
      socket,
      ({ header, body }) => {
        const message = checkProxyMessage(header as unknown as Record<string, unknown>);
        const served = this.#owners.get(message.q);
        if (!served) {
          connection.send({ t: 'fail', q: message.q, name: 'QueueClosedError', message: `No queue ${message.q} in process ${process.pid}.` });
          return;
        }
        if (!touched.has(served)) {
          touched.add(served);
          served.lease.hold();
        }
        served.owner.handle(connection, message, body);
      },
    );
    socket.on('close', () => {
      this.#sockets.delete(socket);
      for (const { owner, lease } of touched) {
        owner.disconnect(connection);
        lease.release();
      }
    });
    socket.once('error', (error) => {
      if (error instanceof ProtocolError) reportRefusal('queue server', error.message);
    });
    connection.receiveEarly(rest);
  }
}

const SERVER_KEY = Symbol.for('rx-multiprocessing.queueServer');
