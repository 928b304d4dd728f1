import { isMainThread } from 'node:worker_threads';

/**
 * While a Redis queue is open in this process, SIGTERM and SIGINT hand its unfinished items back to
 * the stream at once (other consumers take them now, not after `deadAfter`), then end the process as
 * the signal would have: the listener is removed and the signal raised again, so the exit status is
 * the signal's. A process with listeners of its own for that signal is not ended: the items are
 * handed back and its listeners decide. A second signal during the hand-back ends it at once (the
 * heartbeat reaper covers what was not handed back yet).
 *
 * `owner` is the engine queue; `shutDown` closes it, told the signal and whether this process will
 * end by it (a backend may give a fuller close, writing its unconfirmed puts first, for the same
 * engine: the last one given is used). Returns a function that forgets it, for the queue's own close.
 */
export function handBackOnSignals(owner: object, shutDown: ShutDown): () => void {
  // Signals reach only the main thread; a worker thread's queues are closed with the process.
  if (!isMainThread) return () => {};
  OPEN.set(owner, shutDown);
  if (!listening) {
    listening = true;
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  return () => forget(owner);
}

function forget(owner: object): void {
  OPEN.delete(owner);
  // No listener is left behind once no queue is open: the signals keep their default meaning.
  if (OPEN.size === 0 && !handing) stopListening();
}

function stopListening(): void {
  listening = false;
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  // Counted now: the user's listeners run after this one, and they decide whether the process ends.
  const theirs = process.listenerCount(signal) > 1;
  if (handing) {
    if (!theirs) raise(signal);
    return;
  }
  handing = true;
  const closes = [...OPEN.values()].map((shutDown) => shutDown(signal, !theirs));
  OPEN.clear();
  // Redis unreachable must not keep a terminated process alive past a grace period (Kubernetes gives 30 s).
  let timer: NodeJS.Timeout | undefined;
  const bounded = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, HAND_BACK_TIMEOUT_MS);
  });
  void Promise.race([Promise.allSettled(closes), bounded]).then(() => {
    clearTimeout(timer);
    handing = false;
    if (!theirs) raise(signal);
    else if (OPEN.size === 0) stopListening();
  });
}

// Ends this process by `signal` itself, with no listener of ours left to catch it.
function raise(signal: NodeJS.Signals): void {
  stopListening();
  process.kill(process.pid, signal);
}

let listening = false;
let handing = false;
type ShutDown = (signal: NodeJS.Signals, exiting: boolean) => Promise<void>;

const OPEN = new Map<object, ShutDown>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
const HAND_BACK_TIMEOUT_MS = 10_000;
