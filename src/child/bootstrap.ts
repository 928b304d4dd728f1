// Entry point of every child process the library forks. It waits for the parent's boot message,
// becomes the process described there, imports the target, reports ready (or why not), runs it,
// and exits with Python's exit codes once everything it sent has been written.
import { getRuntime } from '../internal/runtime.js';
import { isProtocolMessage, type BootPayload, type ProtocolMessage } from '../internal/protocol.js';
import { adoptTransportSettings } from '../internal/transport-settings.js';
import { configureLogging, logEvent } from '../process/logger.js';
import { Process, type ProcessOptions } from '../process/process.js';
import { PROCESS_BRAND, RESTORE } from '../internal/symbols.js';
import { ExitRequest, exitWhenIdle, failChild, installExitGuards, reportFailure, reportOpenHandlesLater } from './exit.js';
import { importTarget } from './import-target.js';
import { sendToParent } from './parent-channel.js';
import { flushAll } from '../internal/flush-registry.js';
import { adoptQueuesIn } from './adopt-queue.js';

// The reactive layer's producer and consumer children run these (by module URL and export name).
export { runBrokerFreeProducer, runDirectProducer, runProducer, runRedisProducer } from './producer-runner.js';
export { runBrokerFreeConsumer, runConsumer, runDirectConsumer, runLoopConsumer, runRedisConsumer } from './consumer-runner.js';
// A Pool's workers (processes and threads alike) run this as their target.
export { runPoolWorker } from './pool-worker.js';
// The reactive layer's children in worker threads (context: 'thread') start here, then boot as above.
export { runThreadChild } from './thread-channel.js';

const runtime = getRuntime();

// No orphans: the IPC channel closes when the parent dies, however it dies (SIGKILL included).
// Ending by SIGTERM closes this process's own channels in turn, so grandchildren follow. User code
// may handle SIGTERM and stay alive: SIGKILL follows after a grace period, whatever it does (the
// timer is unref'd, so a child that does end sooner is not held up by it).
// (A thread's channel never ends before the thread: its parent's death ends it, with the process.)
process.on('disconnect', () => {
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), ORPHAN_GRACE_MS).unref();
});

process.on('message', function onBoot(message: unknown) {
  if (!isProtocolMessage(message) || message.rxmp !== 'boot') return;
  process.off('message', onBoot);
  void boot(message.boot);
});

async function boot(payload: BootPayload): Promise<void> {
  adoptTransportSettings(payload.transport);
  runtime.name = payload.name;
  runtime.identity = payload.identity;
  runtime.daemon = payload.daemon;
  runtime.parent = payload.parent;
  runtime.counter = 0;
  configureLogging(payload.log);
  installExitGuards(() => runtime.name);
  runtime.failChild = (error) => failChild(runtime.name, error);

  let instance: Process;
  try {
    instance = await rebuildProcess(payload);
  } catch (error) {
    return failChild(runtime.name, error);
  }
  sendToParent({ rxmp: 'ready' } satisfies ProtocolMessage);

  logEvent('info', 'child process calling self.run()');
  let code = 0;
  try {
    await instance.run();
  } catch (error) {
    if (error instanceof ExitRequest) return;
    reportFailure(runtime.name, error);
    code = 1;
  }
  logEvent('info', 'process exiting with exitcode %d', code);
  await flushAll();
  process.exitCode = code;
  // Let ref'd work the target left behind (timers, non-daemon children) finish, as CPython joins
  // non-daemon children; the channel alone must not keep this process alive, yet it still watches
  // for the parent's death.
  process.channel?.unref();
  exitWhenIdle();
  reportOpenHandlesLater();
}

async function rebuildProcess(payload: BootPayload): Promise<Process> {
  // Queues first: adopting one connects to its owner, and the handshake's round trips then overlap
  // the target's import instead of following it.
  const args = adoptQueuesIn(payload.args, payload.redisSecrets) as unknown[];
  const target = payload.target ? await importTarget(payload.target) : undefined;
  const options = {
    target: target as ((...args: never[]) => unknown) | undefined,
    args,
    [RESTORE]: { name: payload.name, daemon: payload.daemon },
  };
  if (!payload.subclass) return new Process(options as ProcessOptions<never[]>);
  const Subclass = await importTarget(payload.subclass.ref);
  // Rebuild like unpickling: the base constructor sets up the process, the subclass constructor is
  // skipped (it may need arguments), and the instance gets back the public fields it had at start().
  const instance = Reflect.construct(findProcessBase(Subclass), [options], Subclass) as Process;
  Object.assign(instance, adoptQueuesIn(payload.subclass.fields, payload.redisSecrets));
  return instance;
}

function findProcessBase(subclass: Function): Function {
  for (let c: unknown = subclass; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, PROCESS_BRAND)) return c;
  }
  throw new TypeError(`${subclass.name} does not extend Process.`);
}

// How long an orphan's own SIGTERM handler may run before SIGKILL.
const ORPHAN_GRACE_MS = 1_500;
