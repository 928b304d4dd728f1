import { RedisBackendError } from './redis-backend-error.js';

/**
 * A `rediss://` (TLS) connection failed its handshake: the server's certificate is not signed by a
 * CA this process trusts, or does not name the host of the URL. `redisCode` is Node's TLS code
 * (`SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`, …).
 *
 * @example
 * ```ts
 * const q = new Queue<string>(0, { backend: redis('rediss://:secret@127.0.0.1:6380', { name: 'jobs' }) });
 * await q.get().catch((err) => {
 *   if (err instanceof RedisTlsError) console.error(err.redisCode); // e.g. SELF_SIGNED_CERT_IN_CHAIN
 * });
 * q.close();
 * ```
 */
export class RedisTlsError extends RedisBackendError {
  /** Stable across releases, as Node's own `err.code`: match on it rather than on the message. */
  override readonly code = 'ERR_REDIS_TLS' as const;

  constructor(server: string, code: string, reason: string, options?: ErrorOptions) {
    const fix =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'Connect by a host name or IP address the certificate lists (its subjectAltName), or reissue the certificate for this host.'
        : 'Give the CA that signed it: redis(url, { name, tls: { ca: readFileSync("ca.pem") } }), or start Node with NODE_EXTRA_CA_CERTS=ca.pem.';
    super(server, code, `Redis at ${server} presented a TLS certificate this process does not accept (${code}: ${reason}). ${fix}`, options);
  }
}
