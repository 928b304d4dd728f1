#!/usr/bin/env node
// `npx rx-multiprocessing …`: the commands that let other machines join a pipeline on Redis.
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { redis, type RedisBackend } from '../queue/redis/redis.js';
import { REDIS_URL_VARIABLE } from '../queue/select-backend.js';
import { runWorker } from './worker.js';

const USAGE = `Usage:
  rx-multiprocessing worker --redis URL --name NAME --module ./handlers.js [--processes N] [--once] [--verbose]

  Runs consumer processes on this machine for the pipeline named NAME on the Redis server at URL
  (queue({ backend: redis(URL, { name: NAME }) }) in the program that runs it). The pipeline says
  which export to run; it is taken from --module, the only code this command imports.

  --redis URL       redis://[user[:password]@]host[:port][/db] or rediss://… (TLS). Default: $${REDIS_URL_VARIABLE}.
                    Prefer the variable for a URL with a password: a command line is visible to
                    every user of the machine (this command hides it from ps once started).
  --name NAME       The pipeline's name.
  --module PATH     The module that exports the pipeline's handler (and initializer).
  --processes N     Consumer processes (default: the number of CPUs).
  --once            Serve one run of the pipeline, then exit (default: wait for the next run).
  --verbose         Say what it does on stderr even when it is not a terminal.
  The authkey, if the pipeline uses one, comes from $RXMP_AUTHKEY.
  Ctrl-C (SIGINT) or SIGTERM stops it gracefully: unfinished items go back at once. A second one stops it at once.`;

/** The command line's outcome: the exit status, or a usage error's message. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'worker') return usageError(`unknown command '${command}'`);
  let values: { redis?: string | undefined; name?: string | undefined; module?: string | undefined; processes?: string | undefined; once?: boolean | undefined; verbose?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: { redis: { type: 'string' }, name: { type: 'string' }, module: { type: 'string' }, processes: { type: 'string' }, once: { type: 'boolean' }, verbose: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  // The URL may hold a password: keep it out of `ps` for the rest of the run.
  process.title = `rx-multiprocessing ${command}`;
  const url = values.redis ?? process.env[REDIS_URL_VARIABLE];
  if (!url) return usageError(`give the Redis URL with --redis URL or $${REDIS_URL_VARIABLE}`);
  if (!values.name) return usageError('give the pipeline\'s name with --name NAME');
  if (!values.module) return usageError('give the module of the handlers with --module PATH');
  const processes = values.processes === undefined ? cpus().length : Number(values.processes);
  if (!Number.isInteger(processes) || processes < 1) return usageError(`--processes must be a positive integer, got '${values.processes}'`);
  let backend: RedisBackend;
  try {
    const authkey = process.env.RXMP_AUTHKEY;
    backend = redis(url, authkey ? { name: values.name, authkey } : { name: values.name });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const talk = values.verbose === true || process.stderr.isTTY === true;
  return runWorker({
    backend,
    module: values.module,
    processes,
    once: values.once === true,
    progress: process.stderr,
    log: (line) => talk && process.stderr.write(`rx-multiprocessing: ${line}\n`),
  });
}

function usageError(message: string): number {
  process.stderr.write(`rx-multiprocessing: ${message}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`rx-multiprocessing: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
