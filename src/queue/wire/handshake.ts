import type { Socket } from 'node:net';
import { ProtocolError } from './protocol-error.js';
import { reportRefusal } from '../../internal/refusals.js';
import { transportSettings } from '../../internal/transport-settings.js';

// Python's `deliver_challenge` / `answer_challenge`, both ways, on the tree's authkey:
//   server → client  MAGIC | server nonce
//   client → server  MAGIC | HMAC(key, CLIENT | server nonce) | client nonce
//   server → client  HMAC(key, SERVER | client nonce)
// The server reads nothing past the client's fixed-size answer until it checks out, so a peer
// without the key never gets a byte parsed, let alone deserialised. The labels keep one side's
// answer from being replayed as the other's.

/**
 * Challenges a client that just connected; `onAuthenticated` gets the bytes it sent after its answer.
 * A wrong answer, anything else than an answer, or none within HANDSHAKE_TIMEOUT_MS closes the socket
 * and calls `onRefused` with the reason; a socket closed meanwhile calls it with none. One of the two
 * is called, once.
 */
export function acceptAuthenticated(socket: Socket, onAuthenticated: (rest: Buffer) => void, onRefused: (reason: string | undefined) => void): void {
  const { createHmac, randomBytes, timingSafeEqual } = crypto();
  const key = transportSettings().authkey;
  const nonce = randomBytes(NONCE_BYTES);
  socket.write(Buffer.concat([MAGIC, nonce]));
  let received: Buffer = EMPTY;
  const settle = (): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
  };
  const refuse = (reason: string): void => {
    settle();
    socket.destroy();
    onRefused(reason);
  };
  const onClose = (): void => {
    settle();
    onRefused(undefined);
  };
  socket.once('close', onClose);
  const timer = setTimeout(() => refuse(`no answer to the challenge within ${HANDSHAKE_TIMEOUT_MS} ms`), HANDSHAKE_TIMEOUT_MS);
  timer.unref();
  const onData = (chunk: Buffer): void => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    if (received.length < ANSWER_BYTES) {
      if (!MAGIC.subarray(0, received.length).equals(received.subarray(0, MAGIC.length))) refuse('not a queue client');
      return;
    }
    if (!received.subarray(0, MAGIC.length).equals(MAGIC)) return refuse('not a queue client');
    const expected = createHmac('sha256', key).update(CLIENT_LABEL).update(nonce).digest();
    const answer = received.subarray(MAGIC.length, MAGIC.length + MAC_BYTES);
    if (!timingSafeEqual(answer, expected)) return refuse('wrong answer to the challenge (it does not know the authkey)');
    settle();
    const clientNonce = received.subarray(MAGIC.length + MAC_BYTES, ANSWER_BYTES);
    socket.write(createHmac('sha256', key).update(SERVER_LABEL).update(clientNonce).digest());
    onAuthenticated(received.subarray(ANSWER_BYTES));
  };
  socket.on('data', onData);
}

/**
 * The connections a listening socket has accepted and not yet authenticated: at most MAX_HANDSHAKING
 * at once (more is someone probing, and is closed at once), each refusal reported as `where`'s.
 */
export class HandshakeGate {
  readonly #pending = new Set<Socket>();
  readonly #where: string;

  constructor(where: string) {
    this.#where = where;
  }

  /** Challenges `socket`; `onAuthenticated` gets the bytes it sent after its answer. */
  accept(socket: Socket, onAuthenticated: (rest: Buffer) => void): void {
    socket.on('error', () => socket.destroy());
    if (this.#pending.size >= MAX_HANDSHAKING) {
      socket.destroy();
      return;
    }
    this.#pending.add(socket);
    acceptAuthenticated(
      socket,
      (rest) => {
        this.#pending.delete(socket);
        onAuthenticated(rest);
      },
      (reason) => {
        this.#pending.delete(socket);
        if (reason) reportRefusal(this.#where, reason);
      },
    );
  }

  /** Ends every connection still mid-handshake: they must not keep a closing process alive. */
  closeAll(): void {
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
  }
}

/**
 * The client's side, fed every byte it reads until it returns what follows the handshake. `write`
 * sends its answer; frames the client writes after that reach a server that will read them.
 * Throws ProtocolError when the server is not one of this tree's processes.
 */
export class ClientHandshake {
  #received: Buffer = EMPTY;
  #nonce: Buffer | undefined;
  readonly #write: (answer: Buffer) => void;

  constructor(write: (answer: Buffer) => void) {
    this.#write = write;
  }

  /** The bytes past the handshake once it is complete (possibly none), or undefined before. */
  receive(chunk: Buffer): Buffer | undefined {
    this.#received = this.#received.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#received, chunk]);
    const { createHmac, randomBytes, timingSafeEqual } = crypto();
    const key = transportSettings().authkey;
    if (!this.#nonce) {
      if (this.#received.length < CHALLENGE_BYTES) return undefined;
      if (!this.#received.subarray(0, MAGIC.length).equals(MAGIC)) throw new ProtocolError('the socket is not a queue server');
      const serverNonce = this.#received.subarray(MAGIC.length, CHALLENGE_BYTES);
      this.#nonce = randomBytes(NONCE_BYTES);
      this.#write(Buffer.concat([MAGIC, createHmac('sha256', key).update(CLIENT_LABEL).update(serverNonce).digest(), this.#nonce]));
      this.#received = this.#received.subarray(CHALLENGE_BYTES);
    }
    if (this.#received.length < MAC_BYTES) return undefined;
    const expected = createHmac('sha256', key).update(SERVER_LABEL).update(this.#nonce).digest();
    if (!timingSafeEqual(this.#received.subarray(0, MAC_BYTES), expected)) throw new ProtocolError('the server could not prove it knows the authkey');
    const rest = this.#received.subarray(MAC_BYTES);
    this.#received = EMPTY;
    return rest;
  }
}

function crypto(): typeof import('node:crypto') {
  return process.getBuiltinModule('node:crypto');
}

const MAGIC = Buffer.from('rxmp');
const CLIENT_LABEL = 'rxmp client';
const SERVER_LABEL = 'rxmp server';
const NONCE_BYTES = 32;
const MAC_BYTES = 32;
const CHALLENGE_BYTES = MAGIC.length + NONCE_BYTES;
const ANSWER_BYTES = MAGIC.length + MAC_BYTES + NONCE_BYTES;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const MAX_HANDSHAKING = 64;
const EMPTY = Buffer.alloc(0);
