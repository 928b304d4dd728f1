import { MultiprocessingError } from './multiprocessing-error.js';

/**
 * An operation that the process's current state forbids: starting twice, joining before start,
 * using a closed process, setting `daemon` after start, a daemon starting children, or starting a
 * process while a child is still importing its target module (a missing `isMainModule` guard).
 *
 * @example
 * p.start(); p.start(); // ProcessStateError: cannot start a process twice
 */
export class ProcessStateError extends MultiprocessingError {}
