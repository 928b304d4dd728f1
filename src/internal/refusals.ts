import { logEvent } from '../process/logger.js';

/**
 * Says that a socket of this process refused or closed a connection. The first time it is a Node
 * warning (stderr), since logging is off by default and a probe should not go unseen; after that it
 * is logged at warning level only, so a flood of attempts cannot flood stderr.
 */
export function reportRefusal(where: string, reason: string): void {
  const message = `${where} of process ${process.pid} refused a connection: ${reason}`;
  if (!warned) {
    warned = true;
    process.emitWarning(`${message}. Further refusals are logged at warning level (logToStderr('warning')).`, 'RxMultiprocessingWarning');
    return;
  }
  logEvent('warning', message);
}

let warned = false;
