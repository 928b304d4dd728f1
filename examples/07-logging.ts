// Seed part 7 — logging. `log_to_stderr(level)` is logToStderr(level), called before starting
// processes: the library's logger then writes to stderr in Python's shape,
// `[INFO/Process-1] child process calling self.run()`, and the children started afterwards inherit
// the level. `get_logger()` is getLogger(); Python's `logger.setLevel(logging.INFO)` is
// `logger.level = 'info'`. Why it differs: the logger is pino, with Python's level names.
import { Process, getLogger, isMainModule, logToStderr } from 'rx-multiprocessing';

export function worker(): void {
  getLogger().info('worker says hello'); // [INFO/Process-1] worker says hello
  console.log('Doing some work');
}

async function main(): Promise<void> {
  logToStderr('info');
  const logger = getLogger();
  logger.level = 'info'; // logger.setLevel(logging.INFO); 'debug' would also show each fork and exit
  logger.info('starting the worker'); // [INFO/MainProcess] starting the worker
  const p = new Process({ target: worker });
  p.start();
  await p.join();
}

if (isMainModule(import.meta.url)) await main();
