// Children's crash reports (`Process Process-1:` and a stack, printed as CPython's children print
// them) are behaviour the tests check, not output for whoever runs them: these helpers read them
// instead of letting them interleave with the reporter's ✔ lines.
import { CAPTURE_STDERR, STDERR_TAIL } from '../src/internal/symbols.js';
import type { Process } from '../src/index.js';
import { runScript, type RunResult } from './helpers.js';

/**
 * For the tests of the calling describe block: what this process writes to stderr — the stderr of
 * children that pipe it (the reactive layer's, and {@link withPipedStderr}'s), which Process forwards
 * here — is kept for `text()` instead of printed. A failing test's capture is printed after all, to
 * explain the failure. Late chunks (a child's stderr can end after the test's error) stay captured
 * until the block ends.
 */
export function captureStderr(): { text(): string } {
  const write = process.stderr.write;
  let captured = '';
  const capture = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (callback) process.nextTick(callback);
    return true;
  };
  before(() => {
    process.stderr.write = capture as typeof process.stderr.write;
  });
  beforeEach(() => {
    captured = '';
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && captured) write.call(process.stderr, `--- stderr captured during the test ---\n${captured}`);
  });
  after(() => {
    process.stderr.write = write;
  });
  return { text: () => captured };
}

/** Process options whose child pipes its stderr to this process (forwarded through process.stderr) instead of sharing its fd. */
export function withPipedStderr<const T extends object>(options: T): T {
  return { ...options, [CAPTURE_STDERR]: true };
}

/** All a child started {@link withPipedStderr} wrote to stderr, once its stderr has ended (the last 4 KiB). */
export function stderrOf(p: Process): Promise<string> {
  return (p as unknown as { [STDERR_TAIL]: Promise<string> })[STDERR_TAIL];
}

/** How a pipeline whose consumers all fail failed (see drivers/consumers-fail.ts), and the stderr its children shared. */
export interface ConsumersFailed {
  readonly name: string;
  readonly exitCode: number | undefined;
  readonly cause: { readonly name: string; readonly message: string; readonly stack: string } | undefined;
  readonly stderr: string;
}

/**
 * Runs a pipeline whose consumers fail in a script of its own: consumers share their parent's
 * stderr, so their crash reports (behaviour: CPython's children print them) are read here, not
 * printed between the test runner's lines.
 */
export async function consumersFail(scenario: 'init-general' | 'init-direct' | 'init-broker-free' | 'unimportable' | 'uncaught-error'): Promise<ConsumersFailed> {
  const result: RunResult = await runScript('test/fixtures/drivers/consumers-fail.ts', [scenario], { timeoutMs: 90_000 });
  if (result.code !== 0) throw new Error(`consumers-fail.ts ${scenario} exited with ${result.code}:\n${result.stderr}`);
  return { ...(JSON.parse(result.stdout) as Omit<ConsumersFailed, 'stderr'>), stderr: result.stderr };
}
