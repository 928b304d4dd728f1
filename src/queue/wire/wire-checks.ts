import { ProtocolError } from './protocol-error.js';
import type { InboxWireMessage, QueueWireMessage } from '../../internal/protocol.js';

// Every header a peer sends is checked field by field before it is acted on: a peer is another
// process, and a type it got wrong must cost its own connection, not this process.

/** A queue message a proxy may send an owner, or ProtocolError. */
export function checkProxyMessage(header: Record<string, unknown>): QueueWireMessage {
  const t = header['t'];
  if (typeof header['q'] !== 'string' || (header['q'] as string).length > MAX_ID_LENGTH) throw new ProtocolError(`a ${String(t)} message without a queue id`);
  switch (t) {
    case 'put':
    case 'want-credit':
    case 'release':
    case 'request':
    case 'unrequest':
    case 'give-back':
    case 'took':
    case 'done':
      checkCount(header, 'n');
      return header as unknown as QueueWireMessage;
    case 'join':
    case 'unjoin':
      checkCount(header, 'id');
      return header as unknown as QueueWireMessage;
    default:
      throw new ProtocolError(`a message of unknown type ${JSON.stringify(t)?.slice(0, 40)}`);
  }
}

/** A queue message an owner may send a proxy, or ProtocolError. */
export function checkOwnerMessage(header: Record<string, unknown>): QueueWireMessage {
  const t = header['t'];
  if (typeof header['q'] !== 'string') throw new ProtocolError(`a ${String(t)} message without a queue id`);
  switch (t) {
    case 'credit':
    case 'items':
      checkCount(header, 'n');
      checkCount(header, 'size', 0);
      return header as unknown as QueueWireMessage;
    case 'joined':
      checkCount(header, 'id');
      return header as unknown as QueueWireMessage;
    case 'fail':
      if (typeof header['name'] !== 'string' || typeof header['message'] !== 'string') throw new ProtocolError('a fail message without its error');
      return header as unknown as QueueWireMessage;
    default:
      throw new ProtocolError(`a message of unknown type ${JSON.stringify(t)?.slice(0, 40)}`);
  }
}

/** An inbox message, or ProtocolError: `batch` from a producer, `credit` from a consumer. */
export function checkInboxMessage<K extends InboxWireMessage['t']>(header: Record<string, unknown>, expected: K): Extract<InboxWireMessage, { t: K }> {
  if (header['t'] !== expected) throw new ProtocolError(`a message of type ${JSON.stringify(header['t'])?.slice(0, 40)} where ${expected} was expected`);
  if (expected === 'credit') checkCount(header, 'n');
  else {
    checkCount(header, 'p', 0);
    checkCount(header, 'seq', 0);
  }
  return header as unknown as Extract<InboxWireMessage, { t: K }>;
}

function checkCount(header: Record<string, unknown>, field: string, min = 1): void {
  const value = header[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > MAX_COUNT) {
    throw new ProtocolError(`${field} of a ${String(header['t'])} message is ${JSON.stringify(value)?.slice(0, 40)}, not an integer from ${min} to ${MAX_COUNT}`);
  }
}

const MAX_COUNT = 2 ** 31;
const MAX_ID_LENGTH = 256;
