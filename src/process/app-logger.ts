import type { LogFn, Logger, LogLevel, LogLevelSetting } from './logger.js';

/**
 * An app's own logger as {@link setLogger} takes it: a pino logger (any pino version), or anything
 * with pino's standard level methods, a `level` and `child(bindings)`.
 *
 * @example
 * import pino from 'pino';
 * const app: AppLogger = pino({ level: 'info' });
 * setLogger(app);
 */
export interface AppLogger {
  /** pino's level name (`'info'`, …); the library's child logger follows it. */
  level: string;
  /** pino's child(): the library calls it once, with `{ processName }`. */
  child(bindings: Record<string, unknown>): AppLogger;
  /** pino's isLevelEnabled(), used when present. */
  isLevelEnabled?(level: string): boolean;
  /** Logs at pino's trace level (Python's subdebug). */
  trace: LogFn;
  /** Logs at debug level. */
  debug: LogFn;
  /** Logs at info level (also Python's subwarning). */
  info: LogFn;
  /** Logs at warn level (Python's warning). */
  warn: LogFn;
  /** Logs at error level. */
  error: LogFn;
  /** Logs at fatal level (Python's critical). */
  fatal: LogFn;
}

/**
 * `app.child(bindings)` with Python's level names too: `warning(…)` logs at warn, and `level =
 * 'warning'` sets warn. Without a level of its own the child follows the app logger's level, as pino
 * children do, so the app keeps control of what the library logs.
 */
export function adaptAppLogger(app: AppLogger, bindings: Record<string, unknown>): Logger {
  const child = app.child(bindings) as AppLogger & Record<string, unknown>;
  const level = findAccessor(child, 'level');
  let plainLevel = child.level;
  for (const [python, pino] of ALIASES) {
    Object.defineProperty(child, python, { value: (...args: unknown[]) => (child[pino] as (...a: unknown[]) => void)(...args), configurable: true });
  }
  Object.defineProperty(child, 'level', {
    get: () => (level?.get ? (level.get.call(child) as string) : plainLevel),
    set: (value: LogLevelSetting) => (level?.set ? level.set.call(child, toPinoLevel(value)) : (plainLevel = toPinoLevel(value))),
    configurable: true,
  });
  const isLevelEnabled = child.isLevelEnabled;
  Object.defineProperty(child, 'isLevelEnabled', {
    value: (name: LogLevel) => (isLevelEnabled ? isLevelEnabled.call(child, toPinoLevel(name)) : true),
    configurable: true,
  });
  Object.defineProperty(child, 'child', { value: (more: Record<string, unknown>) => adaptAppLogger(app, { ...bindings, ...more }), configurable: true });
  // The adapted child has every method Logger names: pino's from the app, Python's defined above.
  return child as unknown as Logger;
}

function toPinoLevel(level: string): string {
  return PINO_NAMES.get(level) ?? level;
}

// pino keeps `level` as an accessor on its prototype; an own accessor on the child wraps it.
function findAccessor(object: object, key: string): PropertyDescriptor | undefined {
  for (let at: object | null = object; at !== null; at = Object.getPrototypeOf(at) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(at, key);
    if (descriptor) return descriptor;
  }
  return undefined;
}

// Python's levels on pino's standard scale: SUBWARNING has no pino level between info and warn.
const ALIASES = [
  ['subdebug', 'trace'],
  ['subwarning', 'info'],
  ['warning', 'warn'],
  ['critical', 'fatal'],
] as const;
const PINO_NAMES = new Map<string, string>(ALIASES);
