import type { RedisSecret } from '../../internal/protocol.js';

// Redis credentials reach a child over its private IPC channel, beside the args, never inside a queue
// descriptor (which a child may print, log, or hand on): a descriptor names its secret by a random id.

/**
 * Runs `describe` (which turns queues into descriptors) and returns what it produced with the
 * secrets those descriptors name, for the child's boot payload.
 */
export function collectSecrets<V>(describe: () => V): [V, Record<string, RedisSecret> | undefined] {
  const outer = collecting;
  const found: Record<string, RedisSecret> = {};
  collecting = found;
  try {
    const value = describe();
    return [value, Object.keys(found).length > 0 ? found : undefined];
  } finally {
    collecting = outer;
  }
}

/** A Redis queue being described names its secret: it goes to the child being started. */
export function noteSecret(id: string, secret: RedisSecret): void {
  if (collecting) collecting[id] = secret;
}

/** In a child: the secrets its parent sent, for the Redis queues in its args. */
export function adoptSecrets(secrets: Readonly<Record<string, RedisSecret>> | undefined): void {
  if (secrets) for (const [id, secret] of Object.entries(secrets)) received.set(id, secret);
}

/** The secret a descriptor names, if this process received it. */
export function secretOf(id: string): RedisSecret | undefined {
  return received.get(id);
}

let collecting: Record<string, RedisSecret> | undefined;
const received = new Map<string, RedisSecret>();
