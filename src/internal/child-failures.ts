import { toCauseError } from '../errors/remote-cause.js';
import type { RemoteError } from './protocol.js';

// The errors children reported before they exited with 1 (a target that threw, an uncaught error),
// by child: the errors that say a child failed (ProcessExitError, ConsumerExitedError) look them
// up to attach them as `cause`, wherever they are made. Bounded: only recent failures matter.

/** Keeps what child `name` (pid `pid`) reported as its failure. */
export function recordChildFailure(name: string, pid: number | undefined, error: RemoteError): void {
  const key = `${pid ?? '?'}/${name}`;
  FAILURES.delete(key);
  FAILURES.set(key, error);
  if (FAILURES.size > MAX_FAILURES) FAILURES.delete(FAILURES.keys().next().value as string);
}

/** The failure child `name` (pid `pid`) reported, as an Error carrying its name, message and stack; undefined if none. */
export function childFailureOf(name: string, pid: number | undefined): Error | undefined {
  const remote = FAILURES.get(`${pid ?? '?'}/${name}`);
  return remote && toCauseError(remote);
}

const FAILURES = new Map<string, RemoteError>();
const MAX_FAILURES = 256;
