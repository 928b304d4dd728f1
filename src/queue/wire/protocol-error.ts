/**
 * A peer broke the wire protocol: a bad frame, a failed handshake, a field out of range or a count
 * its connection does not back. Internal: the connection it came on is closed, nothing else.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}
