/**
 * The Redis keys of queue `name`: all under one hash tag, so every script touches one Cluster slot.
 * `q` is the stream of item batches (consumer group `g`), `alive` the unfinished count (put, not yet
 * done), `ev` the wake-up stream (`space`, `joined`), `hw` each partly-done entry's done prefix,
 * `nodes` consumer name -> last heartbeat (Redis ms), `meta` who waits for what, `pseq` each
 * producer's last entry sequence number (resends are skipped), `dead` the dead-letter stream (items
 * that were in hand each time consumers died), `out` a pipeline's outcome stream (read by one process,
 * without a group).
 */
export interface QueueKeys {
  readonly q: string;
  readonly alive: string;
  readonly ev: string;
  readonly hw: string;
  readonly nodes: string;
  readonly meta: string;
  readonly pseq: string;
  readonly dead: string;
  readonly out: string;
  /** Every key, for TTL refreshes and cleanup. */
  readonly all: readonly string[];
}

export function queueKeys(name: string): QueueKeys {
  if (name.length === 0 || /[{}\s]/.test(name)) {
    throw new TypeError(`Expected a queue name without braces or whitespace, got \`${name}\``);
  }
  const key = (suffix: string) => `${KEY_PREFIX}{${name}}:${suffix}`;
  const keys = { q: key('q'), alive: key('alive'), ev: key('ev'), hw: key('hw'), nodes: key('nodes'), meta: key('meta'), pseq: key('pseq'), dead: key('dead'), out: key('out') };
  return { ...keys, all: Object.values(keys) };
}

/** Every key of the library starts with it: the ACL recipe grants `~rxmp:*`. */
export const KEY_PREFIX = 'rxmp:';
/** The consumer group every reader of a queue belongs to. */
export const GROUP = 'g';
