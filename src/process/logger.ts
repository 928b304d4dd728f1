import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { pino as Pino } from 'pino';
import { getRuntime, type LogSettings } from '../internal/runtime.js';

/**
 * Python's logging levels, by Python's numbers; pino prints them under these names. pino's own
 * `trace`, `warn` and `fatal` are accepted too, as the nearest Python level (subdebug, warning, critical).
 *
 * @example
 * ```ts
 * const level: LogLevel = process.env.DEBUG ? 'debug' : 'info';
 * logToStderr(level);
 * ```
 */
export type LogLevel = 'subdebug' | 'debug' | 'info' | 'subwarning' | 'warning' | 'error' | 'critical' | 'trace' | 'warn' | 'fatal';

/**
 * The library's pino logger, with Python's levels (`logger.warning(…)`, `logger.critical(…)`).
 *
 * @example
 * ```ts
 * const logger: Logger = getLogger();
 * logger.info('starting %d workers', cpuCount());
 * ```
 */
export type Logger = Pino.Logger<LogLevel, true>;

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
 * {@link logToStderr} is called. Every record carries `processName` and `pid`.
 *
 * @example
 * ```ts
 * const logger = getLogger();
 * logger.level = 'info';
 * logger.info('hello from %s', currentProcess().name);
 * ```
 */
export function getLogger(): Logger {
  const holder = globalThis as { [LOGGER_KEY]?: Logger };
  holder[LOGGER_KEY] ??= createLogger(getRuntime().log);
  return holder[LOGGER_KEY];
}

/**
 * Python's `multiprocessing.log_to_stderr(level)`: sends the library's logger to stderr and makes
 * processes started from now on do the same, at the same level. Returns the logger.
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
export function logToStderr(level?: LogLevel | Uppercase<LogLevel> | number, options: LogToStderrOptions = {}): Logger {
  const settings = getRuntime().log;
  const format = options.format ?? settings.format;
  if (format !== 'text' && format !== 'json') {
    throw new TypeError(`Expected \`format\` to be 'text' or 'json', got \`${String(format)}\`.`);
  }
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
  const holder = globalThis as { [LOGGER_KEY]?: Logger };
  if (!holder[LOGGER_KEY] && getRuntime().log.level === 'silent') return;
  (getLogger()[level] as (message: string, ...args: unknown[]) => void)(message, ...args);
}

/** Applies settings a parent handed down (children inherit the level and the format). */
export function configureLogging(settings: LogSettings): void {
  Object.assign(getRuntime().log, settings);
  if (settings.level !== 'silent') replaceLogger(settings);
}

/** The settings to hand down to a child now: the logger's current level, not the one at start. */
export function currentLogSettings(): LogSettings {
  const settings = getRuntime().log;
  const logger = (globalThis as { [LOGGER_KEY]?: Logger })[LOGGER_KEY];
  return { ...settings, level: logger ? logger.level : settings.level };
}

function replaceLogger(settings: LogSettings): Logger {
  const logger = createLogger(settings);
  (globalThis as { [LOGGER_KEY]?: Logger })[LOGGER_KEY] = logger;
  return logger;
}

function createLogger(settings: LogSettings): Logger {
  const pino = require('pino') as typeof Pino;
  return pino<LogLevel, true>(
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
}

function toLevelName(level: string | number): LogLevel {
  if (typeof level === 'number') {
    const name = (Object.keys(LEVELS) as LogLevel[]).reverse().find((key) => LEVELS[key] === level);
    if (name) return name;
  } else if (typeof level === 'string' && Object.hasOwn(LEVELS, level.toLowerCase())) {
    return level.toLowerCase() as LogLevel;
  }
  throw new TypeError(
    `Expected \`level\` to be one of ${Object.keys(LEVELS).join(', ')} (or Python's number for one), got \`${String(level)}\`.`,
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
const require = createRequire(import.meta.url);
