import type { Subscriber } from 'rxjs';
import type { ConsumerResult } from '../child/consumer-input.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { isProtocolMessage, type ProtocolMessage } from '../internal/protocol.js';
import { CAPTURE_STDERR, DYING_ON, HANDLE } from '../internal/symbols.js';
import { contextOptions } from './context.js';
import { Process, type ProcessOptions, type TargetReference } from '../process/process.js';
import { IpcConsumerLink } from './consumer-link.js';
import { consumerOptions, type ConsumeSettings } from './consume-settings.js';
import type { ProducerSpec } from './direct-source.js';
import { finishConsumers } from './finish-consumers.js';
import { DRAIN_AFTER_EXIT_MS, exitError, whenExitingWith0 } from './producer-exit.js';
import { reportedError } from './reported-error.js';
import { RestartBudget } from './restart-budget.js';

/** What one direct path (through the parent's queue, or broker-free) adds to the shared lifecycle. */
export interface DirectPipelineHooks {
  readonly onResult: (result: ConsumerResult) => void;
  /** Whether producer `index` said it sent its last item. */
  readonly ended: (index: number) => boolean;
  /** Once every producer has ended and exited 0: true if every item is done (it may also fail the output). */
  readonly allDone: () => boolean;
  /** Items without an outcome, when no consumer is left. */
  readonly lostItems: () => number;
  /** Consumer `id` is gone; `replaced` if a new consumer was started in its place (same id). */
  readonly onConsumerGone?: (id: number, replaced: boolean) => void;
  /** The library's messages a consumer or producer child sends the parent beyond those of the link. */
  readonly onConsumerMessage?: (id: number, message: ProtocolMessage) => void;
  readonly onProducerMessage?: (index: number, message: ProtocolMessage) => void;
  /** Releases what the path set up, once every child has exited after a teardown. */
  readonly dispose?: () => void;
}

/**
 * The lifecycle both direct paths share: consumer and producer children started and watched, the
 * output failed at the first error or when no consumer is left, completed once every producer has
 * ended and exited 0 and every item is done, and every child terminated on teardown.
 */
export class DirectPipeline {
  readonly consumers = new Map<number, { readonly process: Process; readonly link: IpcConsumerLink }>();
  readonly producers: Process[] = [];
  #finished = false;
  readonly #timers: NodeJS.Timeout[] = [];
  // Producers that exited with 0, or said they are exiting with 0.
  readonly #exitedWith0 = new Set<Process>();
  readonly #producerCount: number;
  readonly #subscriber: Subscriber<unknown>;
  readonly #settings: ConsumeSettings;
  readonly #hooks: DirectPipelineHooks;
  readonly #budget: RestartBudget;

  constructor(subscriber: Subscriber<unknown>, settings: ConsumeSettings, producerCount: number, hooks: DirectPipelineHooks) {
    this.#subscriber = subscriber;
    this.#settings = settings;
    this.#producerCount = producerCount;
    this.#hooks = hooks;
    this.#budget = new RestartBudget(settings.maxRestarts, settings.processes);
  }

  get finished(): boolean {
    return this.#finished;
  }

  readonly fail = (error: unknown): void => {
    if (this.#finished) return;
    this.#finished = true;
    this.#subscriber.error(error);
  };

  readonly maybeComplete = (): void => {
    if (this.#finished || this.#exitedWith0.size < this.#producerCount) return;
    for (let index = 0; index < this.#producerCount; index++) if (!this.#hooks.ended(index)) return;
    if (!this.#hooks.allDone() || this.#finished) return;
    this.#finished = true;
    finishConsumers(this.consumers.values(), this.#settings.daemon, this.#subscriber);
  };

  /** The name of consumer `worker`, for a TaskError. */
  consumerName(worker: number): string {
    return this.consumers.get(worker)?.process.name ?? `consumer ${worker}`;
  }

  /** Starts every consumer, then every producer; a start that throws tears down what started. Returns the teardown. */
  start(consumerTarget: TargetReference, consumerArgs: (id: number) => unknown[], producerTarget: TargetReference, producerArgs: (spec: ProducerSpec, index: number) => unknown[], specs: readonly ProducerSpec[]): (() => void) | undefined {
    try {
      for (let id = 0; id < this.#settings.processes; id++) this.#startConsumer(id, consumerTarget, consumerArgs(id));
      specs.forEach((spec, index) => this.#startProducer(spec, index, producerTarget, producerArgs(spec, index)));
    } catch (error) {
      // A producer's arguments that cannot be sent, say: what started must not outlive the error.
      this.teardown();
      this.#subscriber.error(error);
      return undefined;
    }
    // With no producer at all, nothing else would ever check.
    this.maybeComplete();
    return this.teardown;
  }

  readonly teardown = (): void => {
    this.#finished = true;
    for (const timer of this.#timers) clearTimeout(timer);
    const links = [...this.consumers.values()].map(({ link }) => link);
    const processes = [...this.producers, ...[...this.consumers.values()].map(({ process }) => process)];
    // One that said it is exiting with 0 is left to: a signal now would only change its exit code.
    for (const process of processes) if (process.exitCode === null && !this.#exitedWith0.has(process)) process.terminate();
    void Promise.all(processes.map((process) => process.join())).then(() => {
      this.#hooks.dispose?.();
      for (const link of links) link.dispose();
    });
  };

  #startConsumer(id: number, target: TargetReference, args: unknown[]): void {
    const process = new Process({ target, args, daemon: this.#settings.daemon, ...consumerOptions(this.#settings, id) });
    process.start();
    // The link tells it to end and sees its channel close (and carries the broker-free path's outcomes).
    const link = new IpcConsumerLink(process[HANDLE], this.#hooks.onResult, this.fail);
    this.consumers.set(id, { process, link });
    this.#listen(process, (message) => this.#hooks.onConsumerMessage?.(id, message));
    // Gone once its channel has ended too: every outcome it wrote before has been read by then.
    void Promise.all([process.join(), link.drained]).then(() => {
      if (this.#finished) return;
      const reported = reportedError(process);
      if (reported) return this.fail(reported);
      this.consumers.delete(id);
      link.dispose();
      // Its items went back to the queue, or to its producers, for the others. Its handler ended it
      // on an item if it said so on the way out (by its value: the items are not seen here).
      const dyingOn = process[DYING_ON];
      const verdict = this.#budget.onConsumerDied(dyingOn === undefined ? undefined : { key: dyingOn, describe: () => dyingOn });
      if (verdict?.poison) {
        return this.fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: this.#hooks.lostItems(), ...verdict }));
      }
      if (!verdict) {
        try {
          this.#startConsumer(id, target, args);
        } catch (error) {
          return this.fail(error);
        }
      }
      this.#hooks.onConsumerGone?.(id, !verdict);
      if (this.consumers.size === 0 && verdict) {
        this.fail(
          new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: this.#hooks.lostItems(), ...verdict, reason: `no consumer is left to take them: ${verdict.reason}` }),
        );
      }
    });
  }

  #startProducer(spec: ProducerSpec, index: number, target: TargetReference, args: unknown[]): void {
    const child = new Process({ target, args, name: spec.name, [CAPTURE_STDERR]: true, ...contextOptions(spec.context) } as ProcessOptions);
    child.start();
    this.producers.push(child);
    // As on the general path, a producer is done when it exited with 0 after its last item, which it
    // says before it exits (the two may be seen in either order). Its word that it is exiting with 0
    // counts as the exit: the kernel's comes a few ms later.
    const onExitedWith0 = (): void => {
      if (this.#exitedWith0.has(child)) return;
      this.#exitedWith0.add(child);
      this.maybeComplete();
      if (this.#finished || this.#hooks.ended(index)) return;
      const timer = setTimeout(() => {
        if (!this.#hooks.ended(index)) this.fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail: 'exited with 0 before its output was complete' }));
      }, DRAIN_AFTER_EXIT_MS);
      this.#timers.push(timer.unref());
    };
    this.#listen(child, (message) => this.#hooks.onProducerMessage?.(index, message));
    whenExitingWith0(child, onExitedWith0);
    void child.join().then(async () => {
      if (child.exitCode !== 0) return this.fail(await exitError(child));
      onExitedWith0();
    });
  }

  #listen(child: Process, onMessage: (message: ProtocolMessage) => void): void {
    child[HANDLE]?.on('message', (message: unknown) => {
      if (isProtocolMessage(message)) onMessage(message);
    });
  }
}
