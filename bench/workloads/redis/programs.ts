// Whole programs on Redis timed from outside, as e2e.ts times the local ones: spawn to exit, Node's
// start, the library's import, the children and the teardown included. Reported as items/s over that
// time, so that they read beside the steady-state figures (and as ms in the JSON).
import { fileURLToPath } from 'node:url';
import { e2eProgram, runProgram } from '../e2e.js';

/** Our seed-shaped programs: the Rx pipeline (bench/e2e/redis-rx.mjs) or JoinableQueue + Process (redis-joinable.mjs). */
export type OurProgram = 'redis-rx.mjs' | 'redis-joinable.mjs';

/** One of our programs: n items/s over its wall time. */
export async function runOurProgram(program: OurProgram, url: string, n: number): Promise<number> {
  // The URL carries the password: in the environment, not on the command line.
  return timed(process.execPath, [e2eProgram(program), String(n)], { ...process.env, RXMP_BENCH_REDIS_URL: url }, n, String(n));
}

/** Python's BaseManager program (bench/py/managers.py), 3 producers -> 2 consumers, over its wall time. */
export async function runPythonProgram(python: string, n: number): Promise<number> {
  const script = fileURLToPath(new URL('../../../py/managers.py', import.meta.url));
  return timed(python, [script, '--producers', '3', '--n', String(n), '--maxsize', '1000'], process.env, n, undefined);
}

async function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv, n: number, expected: string | undefined): Promise<number> {
  const run = await runProgram(command, args, env);
  const printed = run.stdout.trim().split('\n').pop() ?? '';
  if (run.code !== 0 || (expected !== undefined && printed !== expected)) {
    throw new Error(`${args[0] ?? command} failed (exit ${run.code ?? run.signal}, printed ${JSON.stringify(printed)}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
  return n / (run.ms / 1000);
}
