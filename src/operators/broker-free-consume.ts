import type { Observable } from 'rxjs';
import type { ConsumerResult } from '../child/consumer-input.js';
import { ConsumerExitedError } from '../errors/consumer-exited-error.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { isProtocolMessage, type ProtocolMessage } from '../internal/protocol.js';
import { CAPTURE_STDERR, HANDLE } from '../internal/symbols.js';
import { Process, type ProcessOptions } from '../process/process.js';
import { IpcConsumerLink } from './consumer-link.js';
import { adaptiveWindowCap, consumerName, type ConsumeSettings } from './consume-settings.js';
import type { ProducerSpec } from './direct-source.js';
import { finishConsumers, terminatePipeline } from './finish-consumers.js';
import { OutcomeLedger } from './outcome-ledger.js';
import { watchProducerExit } from './producer-exit.js';
import { createObservable } from './rx.js';

/**
 * consume() of a source that is only producer() children (see mergeProducers), with no process in
 * the middle of the data path: each consumer child serves an inbox, and the producer children write
 * their batches straight to the inboxes that have credit. This process keeps the ledger only. Each
 * batch is tagged (producer, seq) and consumers report every outcome with its item's place; the first
 * outcome of an item is emitted, a later one (the item was sent again) dropped. A producer keeps each
 * batch until it is told here that the batch is done, and sends the batches of a consumer whose inbox
 * closed to the others, so a dead consumer's items are handled elsewhere, and reported once. The
 * output completes once every producer has exited with 0, which it does once all its batches are done.
 */
export function brokerFreeConsume<R>(producers: readonly ProducerSpec[], handler: ModuleExportRef, settings: ConsumeSettings, maxsize: number): Observable<R> {
  return createObservable<R>((subscriber) => {
    const { batchSize, maxWindow, maxKept } = brokerFreeSizes(settings, maxsize, producers.length);
    const consumers = new Map<number, { process: Process; link: IpcConsumerLink }>();
    const addresses: (string | undefined)[] = Array.from({ length: settings.processes }, () => undefined);
    // A producer listens for its routes once it reported ready (they would be lost before).
    const routed = new Set<number>();
    const readyProducers = new Set<number>();
    const producerProcesses: Process[] = [];
    const releases = producers.map((): number[] => []);
    let releaseScheduled = false;
    // Producers that said they sent everything, and how many items each has sent so far.
    const produced = new Set<number>();
    const sent = producers.map(() => 0);
    const accepted = producers.map(() => 0);
    const timers: NodeJS.Timeout[] = [];
    let exitedProducers = 0;
    let finished = false;

    const fail = (error: unknown): void => {
      if (finished) return;
      finished = true;
      subscriber.error(error);
    };

    const maybeComplete = (): void => {
      if (finished || exitedProducers < producers.length || produced.size < producers.length) return;
      // A producer exits once all it sent is handled; one that exited otherwise (process.exit() in
      // its target while it waited) left items without an outcome, and the output must not complete.
      const short = producers.findIndex((_, p) => (accepted[p] as number) < (sent[p] as number));
      const child = producerProcesses[short];
      if (child) {
        const missing = (sent[short] as number) - (accepted[short] as number);
        const stderrTail = `exited with 0 before ${missing} of its ${sent[short] as number} items were handled`;
        return fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail }));
      }
      finished = true;
      finishConsumers(consumers.values(), settings.daemon, subscriber);
    };

    const sendTo = (process: Process | undefined, message: ProtocolMessage): void => {
      const child = process?.[HANDLE];
      if (child?.connected) child.send(message);
    };

    const sendReleases = (): void => {
      releaseScheduled = false;
      releases.forEach((seqs, p) => {
        if (seqs.length === 0) return;
        sendTo(producerProcesses[p], { rxmp: 'release', seqs });
        releases[p] = [];
      });
    };

    const ledger = new OutcomeLedger(producers.length, (p, seq) => {
      releases[p]?.push(seq);
      if (releaseScheduled) return;
      releaseScheduled = true;
      setImmediate(sendReleases);
    });

    const handleResult = (result: ConsumerResult): void => {
      if (finished || 'yielded' in result) return;
      let k = 0;
      for (const [p, seq, n, from, count] of result.spans ?? []) {
        for (let index = from; index < from + count; index++, k++) {
          if (!ledger.accept(p, seq, n, index)) continue;
          accepted[p] = (accepted[p] ?? 0) + 1;
          if (k < result.values.length) subscriber.next(result.values[k] as R);
          else if (result.error && settings.onError === 'fail') {
            const processName = consumers.get(result.worker)?.process.name ?? `consumer ${result.worker}`;
            return fail(new TaskError({ processName, seq: -1, ...result.error }));
          }
        }
      }
    };

    // Items sent whose outcome never came (a producer's count may lag by a turn: then those of the
    // batches some consumer reported on, at least).
    const lostItems = (): number => Math.max(ledger.missing(), sum(sent) - sum(accepted));

    const sendRoutes = (): void => {
      if (addresses.some((address) => address === undefined)) return;
      for (const index of readyProducers) {
        if (routed.has(index)) continue;
        routed.add(index);
        sendTo(producerProcesses[index], { rxmp: 'routes', addresses: addresses.map((address) => address ?? '') });
      }
    };

    const startConsumer = (id: number): void => {
      const process = new Process({ target: BROKER_FREE_CONSUMER_TARGET, args: [maxWindow, handler, settings.args, id], daemon: settings.daemon, ...consumerName(settings, id) });
      process.start();
      const link = new IpcConsumerLink(process[HANDLE], handleResult, fail);
      consumers.set(id, { process, link });
      process[HANDLE]?.on('message', (message: unknown) => {
        if (!isProtocolMessage(message) || message.rxmp !== 'inbox') return;
        addresses[id] = message.address;
        sendRoutes();
      });
      void Promise.all([process.join(), link.drained]).then(() => {
        if (finished) return;
        consumers.delete(id);
        // One that died before it listened gets no items; the producers resend what one that died later held.
        if (addresses[id] === undefined) addresses[id] = '';
        sendRoutes();
        if (consumers.size === 0) {
          fail(new ConsumerExitedError({ processName: process.name, pid: process.pid, exitCode: process.exitCode, lostItems: lostItems(), reason: 'no consumer is left to take them.' }));
        }
      });
    };

    const countExit = (): void => {
      exitedProducers++;
      maybeComplete();
    };

    const startProducer = (spec: ProducerSpec, index: number): void => {
      const child = new Process({ target: BROKER_FREE_PRODUCER_TARGET, args: [index, batchSize, maxKept, spec.ref, spec.args], name: spec.name, [CAPTURE_STDERR]: true } as ProcessOptions);
      child.start();
      producerProcesses.push(child);
      child[HANDLE]?.on('message', (message: unknown) => {
        if (!isProtocolMessage(message)) return;
        if (message.rxmp === 'ready') {
          readyProducers.add(index);
          sendRoutes();
        } else if (message.rxmp === 'produced') {
          sent[index] = Math.max(sent[index] ?? 0, message.total);
          if (message.done) produced.add(index);
          maybeComplete();
        }
      });
      watchProducerExit(child, { finished: () => finished, ended: () => produced.has(index), exited: countExit, fail, timers });
    };

    const teardown = (): void => {
      finished = true;
      for (const timer of timers) clearTimeout(timer);
      const links = [...consumers.values()].map(({ link }) => link);
      terminatePipeline([...producerProcesses, ...[...consumers.values()].map(({ process }) => process)], () => {
        for (const link of links) link.dispose();
      });
    };

    try {
      for (let id = 0; id < settings.processes; id++) startConsumer(id);
      producers.forEach(startProducer);
    } catch (error) {
      teardown();
      subscriber.error(error);
      return;
    }
    maybeComplete();
    return teardown;
  });
}

/**
 * Whether a pipeline may take the broker-free path: every producer's items are its target's values
 * (a target given the queue keeps the queue), the consumers' windows are the library's to size, and
 * maxsize leaves every producer-consumer pair two batches of at least one item.
 */
export function canGoBrokerFree(producers: readonly ProducerSpec[], settings: ConsumeSettings, maxsize: number): boolean {
  return settings.adaptive && producers.every((spec) => !spec.passQueue) && maxsize >= 2 * Math.max(1, producers.length) * settings.processes;
}

// What the queue path holds at most — maxsize items, and each consumer's largest window (see
// adaptiveWindowCap) — bounds a consumer's window here (its share of it), and what a producer keeps
// unreleased (its share, twice over: batches the parent has not yet heard the end of stay kept).
function brokerFreeSizes(settings: ConsumeSettings, maxsize: number, producers: number): { batchSize: number; maxWindow: number; maxKept: number } {
  const budget = maxsize + settings.processes * adaptiveWindowCap(settings, maxsize, producers);
  const maxWindow = Math.max(1, Math.floor(budget / settings.processes));
  const maxKept = Math.max(1, Math.ceil((2 * budget) / Math.max(1, producers)));
  return { batchSize: Math.min(MAX_BATCH, maxWindow), maxWindow, maxKept };
}

function sum(counts: readonly number[]): number {
  return counts.reduce((total, count) => total + count, 0);
}

const MAX_BATCH = 512;
const BROKER_FREE_PRODUCER_TARGET = bootstrapExport('runBrokerFreeProducer');
const BROKER_FREE_CONSUMER_TARGET = bootstrapExport('runBrokerFreeConsumer');
