import type { Subscriber } from 'rxjs';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import type { Process } from '../process/process.js';
import { reportedError } from './reported-error.js';

/** A consumer child and what tells it to end. */
export interface FinishingConsumer {
  readonly process: Process;
  readonly link: { end(): void; readonly drained: Promise<void> };
}

/**
 * Every item is done: daemon consumers are terminated at once (the design card's rule) and the
 * output completes; non-daemon consumers are told to end, and it completes once they have exited.
 */
export function finishConsumers(consumers: Iterable<FinishingConsumer>, daemon: boolean, subscriber: Subscriber<unknown>): void {
  const all = [...consumers];
  if (daemon) {
    for (const { process } of all) if (process.exitCode === null) process.terminate();
    subscriber.complete();
    return;
  }
  for (const { link } of all) link.end();
  void Promise.all(all.map(({ process }) => process.join())).then(async () => {
    const failed = all.find(({ process }) => process.exitCode !== 0);
    if (!failed) return subscriber.complete();
    // Its channel may still carry why it failed (code its module scheduled, run after its last item).
    await failed.link.drained;
    subscriber.error(
      reportedError(failed.process) ??
        new ConsumerExitedError({ processName: failed.process.name, pid: failed.process.pid, exitCode: failed.process.exitCode, lostItems: 0, reason: 'it failed after its last item.' }),
    );
  });
}
