import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { pino as Pino } from 'pino';
import { MissingDependencyError } from '../errors/missing-dependency-error.js';
import { getRuntime, type LogSettings } from '../internal/runtime.js';
import { adaptAppLogger, type AppLogger } from './app-logger.js';

/**
 * A level name: Python's (`subdebug`, `debug`, `info`, `subwarning`, `warning`, `error`, `critical`)
 * or pino's (`trace`, `debug`, `info`, `warn`, `error`, `fatal`), in one ordering:
 * trace = subdebug < debug < info < subwarning < warn = warning < error < fatal = critical.
 * docs/logging.md has the table with both numbering schemes.
 *
 * @example
 * ```ts
 * const level: LogLevel = 'warning'; // or 'warn': the same rank
 * logToStderr(level);
 * ```
 */
export type LogLevel = 'subdebug' | 'debug' | 'info' | 'subwarning' | 'warning' | 'error' | 'critical' | 'trace' | 'warn' | 'fatal';

/**
 * What a logger's `level` may be set to: a {@link LogLevel}, or `'silent'` (nothing is logged).
 *
 * @example
 * getLogger().level = 'silent';
 */
export type LogLevelSetting = LogLevel | 'silent';

/**
 * A logging method, as pino's: a message with printf-style arguments, or an object merged into the record.
 *
 * @example
 * getLogger().info('started %s', currentProcess().name);
 * getLogger().warning({ items: 3 }, 'queue is filling up');
 */
export interface LogFn {
  (message: string, ...args: unknown[]): void;
  (object: object, message?: string, ...args: unknown[]): void;
}

/**
 * The library's logger: a pino logger with both Python's and pino's level methods
 * (`logger.warning(…)` and `logger.warn(…)` alike), or the app's own pino logger given to
 * {@link setLogger}, with the same methods. Typed here rather than as pino's `Logger`, so that an app
 * that never logs does not need pino (an optional peer dependency) to type-check.
 *
 * @example
 * const logger: Logger = logToStderr('info');
 * logger.child({ job: 42 }).warning('slow item');
 */
export interface Logger {
  /** The current level; set it to any {@link LogLevelSetting}. Reads back Python's name where two share a rank. */
  level: LogLevelSetting;
  /** Whether a record at `level` would be logged now. */
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger that adds `bindings` to every record, with the same levels. */
  child(bindings: Record<string, unknown>): Logger;
  /** Logs at trace level (the rank of Python's subdebug). */
  readonly trace: LogFn;
  /** Logs at Python's subdebug level (pino's trace). */
  readonly subdebug: LogFn;
  /** Logs at debug level. */
  readonly debug: LogFn;
  /** Logs at info level. */
  readonly info: LogFn;
  /** Logs at Python's subwarning level, between info and warning. */
  readonly subwarning: LogFn;
  /** Logs at warn level (the rank of Python's warning). */
  readonly warn: LogFn;
  /** Logs at Python's warning level (pino's warn). */
  readonly warning: LogFn;
  /** Logs at error level. */
  readonly error: LogFn;
  /** Logs at fatal level (the rank of Python's critical). */
  readonly fatal: LogFn;
  /** Logs at Python's critical level (pino's fatal). */
  readonly critical: LogFn;
}

export type { AppLogger } from './app-logger.js';

/**
 * Options of {@link logToStderr}.
 *
 * @example
 * ```ts
 * const options: LogToStderrOptions = { format: 'json' }; // {"level":30,"processName":"MainProcess",…}
 * logToStderr('info', options);
 * ```
 */
export interface LogToStderrOptions {
  /** `'text'` (default) prints Python's `[INFO/Process-1] message`; `'json'` prints pino's JSON lines. */
  readonly format?: 'text' | 'json';
}

/**
 * The logger the library itself logs to (Python's `multiprocessing.get_logger()`): lifecycle events
 * such as a child starting, `run()` being entered and the exit code. Silent until a level is set or
 * {@link logToStderr} is called. Every record carries `processName` and `pid`. After
 * {@link setLogger}, it is the app's logger's child with the `processName` binding. Needs the
 * optional peer dependency pino (`npm install pino`); throws MissingDependencyError without it.
 *
 * @example
 * ```ts
 * const logger = getLogger();
 * logger.level = 'info';
 * logger.info('hello from %s', currentProcess().name);
 * ```
 */
export function getLogger(): Logger {
  const holder = globalThis as LoggerHolder;
  const app = holder[APP_LOGGER_KEY];
  if (app) {
    const name = getRuntime().name;
    if (app.name !== name) Object.assign(app, { name, logger: adaptAppLogger(app.source, { processName: name }) });
    return app.logger;
  }
  holder[LOGGER_KEY] ??= createLogger(getRuntime().log);
  return holder[LOGGER_KEY];
}

/**
 * Hands the library the app's own pino logger: the library then logs through
 * `logger.child({ processName })` (Python's level names mapped to pino's: subdebug → trace,
 * subwarning → info, warning → warn, critical → fatal), and {@link getLogger} returns that child.
 * A logger cannot cross to another process: children started later keep logging to stderr (see
 * {@link logToStderr}) at this logger's level. `setLogger(null)` goes back to the library's own
 * logger; {@link logToStderr} does too. Returns the logger the library now uses.
 *
 * @example
 * import pino from 'pino';
 * const app = pino({ level: 'debug' });
 * setLogger(app); // {"level":20,"processName":"MainProcess","msg":"started Process-1 (pid 4242)",…}
 */
export function setLogger(logger: AppLogger | null): Logger {
  const holder = globalThis as LoggerHolder;
  if (logger === null) {
    delete holder[APP_LOGGER_KEY];
    return getLogger();
  }
  if (typeof logger !== 'object' || typeof (logger as Partial<AppLogger>).child !== 'function') {
    throw new TypeError(`Expected \`logger\` to be a pino logger (with child() and pino's level methods) or null, got \`${String(logger)}\` (${typeof logger}).`);
  }
  const name = getRuntime().name;
  const adapted = adaptAppLogger(logger, { processName: name });
  holder[APP_LOGGER_KEY] = { source: logger, name, logger: adapted };
  return adapted;
}

/**
 * Python's `multiprocessing.log_to_stderr(level)`: sends the library's logger to stderr and makes
 * processes started from now on do the same, at the same level. Returns the logger. Replaces a
 * logger given to {@link setLogger}.
 *
 * @example
 * ```ts
 * export function work(): void {}
 * if (isMainModule(import.meta.url)) {
 *   logToStderr('info');            // [INFO/Process-1] child process calling self.run() …
 *   const p = new Process({ target: work });
 *   p.start();
 *   await p.join();
 * }
 * ```
 */
export function logToStderr(level?: LogLevelSetting | Uppercase<LogLevelSetting> | number, options: LogToStderrOptions = {}): Logger {
  const settings = getRuntime().log;
  const format = options.format ?? settings.format;
  if (format !== 'text' && format !== 'json') {
    throw new TypeError(`Expected \`format\` to be 'text' or 'json', got \`${String(format)}\`.`);
  }
  delete (globalThis as LoggerHolder)[APP_LOGGER_KEY];
  settings.toStderr = true;
  let logger = getLogger();
  if (format !== settings.format) {
    settings.format = format;
    logger = replaceLogger({ ...settings, level: logger.level });
  }
  // Python applies the level only when it is given (and truthy).
  if (level !== undefined && level !== 0) logger.level = toLevelName(level);
  return logger;
}

/**
 * Logs a library event. Loads pino only once logging is on: most children never log, and loading
 * pino costs about a fifth of a child's start-up.
 */
export function logEvent(level: LogLevel, message: string, ...args: unknown[]): void {
  const holder = globalThis as LoggerHolder;
  if (!holder[LOGGER_KEY] && !holder[APP_LOGGER_KEY] && getRuntime().log.level === 'silent') return;
  getLogger()[level](message, ...args);
}

/** True when `level` would be logged now, without loading pino while logging is off. */
export function isLogging(level: LogLevel): boolean {
  const holder = globalThis as LoggerHolder;
  if (!holder[LOGGER_KEY] && !holder[APP_LOGGER_KEY] && getRuntime().log.level === 'silent') return false;
  return getLogger().isLevelEnabled(level);
}

/** Applies settings a parent handed down (children inherit the level and the format). */
export function configureLogging(settings: LogSettings): void {
  Object.assign(getRuntime().log, settings);
  if (settings.level !== 'silent') replaceLogger(settings);
}

/** The settings to hand down to a child now: the logger's current level, not the one at start. */
export function currentLogSettings(): LogSettings {
  const holder = globalThis as LoggerHolder;
  const settings = getRuntime().log;
  const logger = holder[APP_LOGGER_KEY] ? getLogger() : holder[LOGGER_KEY];
  return { ...settings, level: logger ? logger.level : settings.level };
}

function replaceLogger(settings: LogSettings): Logger {
  const logger = createLogger(settings);
  (globalThis as LoggerHolder)[LOGGER_KEY] = logger;
  return logger;
}

function createLogger(settings: LogSettings): Logger {
  const pino = loadPino();
  const logger = pino<LogLevel, true>(
    {
      name: 'multiprocessing',
      level: settings.level,
      customLevels: LEVELS,
      useOnlyCustomLevels: true,
      base: { pid: process.pid },
      mixin: () => ({ processName: getRuntime().name }),
    },
    settings.format === 'json' ? pino.destination({ fd: 2, sync: true }) : TEXT_DESTINATION,
  );
  // pino's Logger is wider than ours (its level is any string): ours is the part the library promises.
  return logger as unknown as Logger;
}

// pino is an optional peer dependency: an app that never logs need not install it.
function loadPino(): typeof Pino {
  try {
    return require('pino') as typeof Pino;
  } catch (cause) {
    // Only pino itself missing: a broken pino install keeps its own error.
    if ((cause as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /'pino'/.test((cause as Error).message)) throw new MissingDependencyError('pino', 'Logging', cause);
    throw cause;
  }
}

function toLevelName(level: string | number): LogLevelSetting {
  if (typeof level === 'number') {
    const name = (Object.keys(LEVELS) as LogLevel[]).reverse().find((key) => LEVELS[key] === level);
    if (name) return name;
  } else if (typeof level === 'string' && (Object.hasOwn(LEVELS, level.toLowerCase()) || level.toLowerCase() === 'silent')) {
    return level.toLowerCase() as LogLevelSetting;
  }
  throw new TypeError(
    `Expected \`level\` to be one of ${Object.keys(LEVELS).join(', ')}, silent (or Python's number for one), got \`${String(level)}\`.`,
  );
}

// Python's `[LEVEL/processName] message`, written synchronously so lines survive a crash or exit.
const TEXT_DESTINATION = {
  write(line: string): void {
    const record = JSON.parse(line) as { level: number; processName: string; msg?: string; err?: { stack?: string } };
    const text = record.msg ?? record.err?.stack ?? '';
    writeSync(2, `[${LEVEL_LABELS.get(record.level) ?? `Level ${record.level}`}/${record.processName}] ${text}\n`);
  },
};

interface LoggerHolder {
  [LOGGER_KEY]?: Logger;
  /** The app's logger (setLogger), and its child for the process name it was made for. */
  [APP_LOGGER_KEY]?: { source: AppLogger; name: string; logger: Logger };
}

// pino's names first: where two names share a number, `logger.level` reads back the later, Python's.
const LEVELS: Record<LogLevel, number> = {
  trace: 5,
  warn: 30,
  fatal: 50,
  subdebug: 5,
  debug: 10,
  info: 20,
  subwarning: 25,
  warning: 30,
  error: 40,
  critical: 50,
};
// SUBDEBUG and SUBWARNING have no registered names in Python, so they print as `Level 5` / `Level 25`.
const LEVEL_LABELS = new Map<number, string>([
  [10, 'DEBUG'],
  [20, 'INFO'],
  [30, 'WARNING'],
  [40, 'ERROR'],
  [50, 'CRITICAL'],
]);
const LOGGER_KEY = Symbol.for('rx-multiprocessing.logger');
const APP_LOGGER_KEY = Symbol.for('rx-multiprocessing.app-logger');
const require = createRequire(import.meta.url);
