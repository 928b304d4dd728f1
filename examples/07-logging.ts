// Seed part 7 — logging. logToStderr(level) sends the library's pino logger to stderr in Python's
// shape, `[INFO/Process-1] child process calling self.run()`, and children inherit the level.
// getLogger() returns the same logger; `logger.level = 'info'` is Python's logger.setLevel(INFO).
import { Process, getLogger, isMainModule, logToStderr } from 'rx-multiprocessing';

export function worker(): void {
  getLogger().info('doing some work');
  console.log('Doing some work');
}

if (isMainModule(import.meta.url)) {
  logToStderr('debug');
  const logger = getLogger();
  logger.level = 'info';
  const p = new Process({ target: worker });
  p.start();
  await p.join();
}
