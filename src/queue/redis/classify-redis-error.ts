import { redact, type RedisAddress } from './redis-url.js';
import { RedisAuthError } from './errors/redis-auth-error.js';
import { RedisBackendError } from './errors/redis-backend-error.js';
import { RedisOutOfMemoryError } from './errors/redis-out-of-memory-error.js';
import { RedisPermissionError } from './errors/redis-permission-error.js';
import { RedisTlsError } from './errors/redis-tls-error.js';
import { RedisUnreachableError } from './errors/redis-unreachable-error.js';

/**
 * The typed error for what the Redis client threw: a server reply (`NOPERM …`, `OOM …`,
 * `WRONGPASS …`) or a socket failure (`ECONNREFUSED`). Every message is scrubbed of the password,
 * and so is the kept cause: a client may quote its options in what it throws.
 */
export function classifyRedisError(error: unknown, address: RedisAddress): RedisBackendError {
  if (error instanceof RedisBackendError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = redact(raw, address.secrets);
  const cause = scrubbed(error, message);
  const server = address.redacted;
  const prefix = /^([A-Z][A-Z_]+)\b/.exec(message)?.[1];
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (prefix === 'WRONGPASS' || prefix === 'NOAUTH') return new RedisAuthError(server, prefix, { cause });
  if (prefix === 'NOPERM') return new RedisPermissionError(server, message.replace(/^NOPERM\s*/, ''), { cause });
  if (prefix === 'OOM') return new RedisOutOfMemoryError(server, { cause });
  // A certificate is refused before any reply: retrying cannot help, the user must give the CA.
  if (typeof errno === 'string' && (TLS_REFUSED.has(errno) || errno.startsWith('ERR_TLS_'))) return new RedisTlsError(server, errno, message, { cause });
  if (typeof errno === 'string' && UNREACHABLE.has(errno)) {
    // A TLS-only port resets a plain client at once: the likeliest fix is the scheme, not the server.
    const hint = errno === 'ECONNRESET' && !address.tls ? '; if the server speaks TLS, the URL must be rediss://' : '';
    return new RedisUnreachableError(server, errno, `${message}${hint}`, { cause });
  }
  // The server closed the connection before it was ready: it went away or is restarting.
  if (error instanceof Error && error.constructor.name === 'SocketClosedUnexpectedlyError') {
    return new RedisUnreachableError(server, 'ECONNRESET', 'the server closed the connection before it was ready', { cause });
  }
  if (error instanceof Error && error.constructor.name === 'ConnectionTimeoutError') {
    // A plain server never answers a TLS handshake: the client times out.
    const reason = address.tls ? 'the connection or its TLS handshake timed out; if the server does not speak TLS, use redis://' : 'the connection timed out';
    return new RedisUnreachableError(server, 'ETIMEDOUT', reason, { cause });
  }
  // Inside a script, a refused command comes back as ERR: "The user executing the script can't run
  // this command…", or wrapped: "ERR … script: …, on @user_script:…: NOPERM …".
  if (/user executing the script can't run/.test(message)) return new RedisPermissionError(server, message.replace(/^ERR\s*/, ''), { cause });
  const inScript = /\b(NOPERM|OOM)\b/.exec(message)?.[1];
  if (inScript === 'NOPERM') return new RedisPermissionError(server, message, { cause });
  if (inScript === 'OOM') return new RedisOutOfMemoryError(server, { cause });
  return new RedisBackendError(server, prefix ?? errno ?? 'ERR', `Redis at ${server} failed a queue command: ${message}`, { cause });
}

/** True for a failure of the connection, not a reply: the command may be retried once it is back. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (CONNECTION_ERRORS.has(error.constructor.name)) return true;
  const errno = (error as NodeJS.ErrnoException).code;
  return typeof errno === 'string' && (UNREACHABLE.has(errno) || errno === 'EPIPE');
}

/**
 * True for Redis's `LOADING` reply: a restarted server still reading its AOF or RDB refuses every
 * command, before running it, until the data is in memory. Sending the command again is safe.
 */
export function isLoadingReply(error: unknown): boolean {
  return error instanceof Error && /^LOADING\b/.test(error.message);
}

// A copy of the client's error whose message no longer carries the password.
function scrubbed(error: unknown, message: string): Error {
  if (error instanceof Error && error.message === message) return error;
  const copy = new Error(message);
  copy.name = error instanceof Error ? error.name : 'Error';
  return copy;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);
const TLS_REFUSED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
]);
const CONNECTION_ERRORS = new Set(['SocketClosedUnexpectedlyError', 'ClientOfflineError', 'ConnectionTimeoutError', 'SocketTimeoutError']);
