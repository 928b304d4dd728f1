import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * A consumer process ended while it held items, and they could not be redelivered (redelivery is
 * off, or no consumer is left). Counts what was lost, so the loss is reported, never silent.
 *
 * @example
 * source$.pipe(consume(work, { onConsumerExit: 'error' })).subscribe({ error: (e) => console.log(e.lostItems) });
 */
export class ConsumerExitedError extends MultiprocessingError {
  readonly processName: string;
  readonly pid: number | undefined;
  readonly exitCode: number | null;
  readonly lostItems: number;

  constructor(details: { processName: string; pid: number | undefined; exitCode: number | null; lostItems: number; reason: string }) {
    super(
      `Consumer ${details.processName} (pid ${details.pid ?? '?'}) exited with code ${details.exitCode} holding ` +
        `${details.lostItems} unfinished item(s); ${details.reason}`,
    );
    this.processName = details.processName;
    this.pid = details.pid;
    this.exitCode = details.exitCode;
    this.lostItems = details.lostItems;
  }
}
