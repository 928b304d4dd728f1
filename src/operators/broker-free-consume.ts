import type { Observable } from 'rxjs';
import type { ConsumerInit, ConsumerResult } from '../child/consumer-input.js';
import { ProcessExitError } from '../errors/process-exit-error.js';
import { TaskError } from '../errors/task-error.js';
import { bootstrapExport } from '../internal/child-launcher.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import type { ProtocolMessage } from '../internal/protocol.js';
import { HANDLE } from '../internal/symbols.js';
import type { Process } from '../process/process.js';
import { adaptiveWindowCap, type ConsumeSettings } from './consume-settings.js';
import { DirectPipeline } from './direct-pipeline.js';
import type { ProducerSpec } from './direct-source.js';
import { OutcomeLedger } from './outcome-ledger.js';
import { createObservable } from './rx.js';
import { removeSocketOf } from '../internal/socket-address.js';

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
export function brokerFreeConsume<R>(producers: readonly ProducerSpec[], handler: ModuleExportRef, init: ConsumerInit | null, settings: ConsumeSettings, maxsize: number): Observable<R> {
  return createObservable<R>((subscriber) => {
    const { batchSize, maxWindow, maxKept } = brokerFreeSizes(settings, maxsize, producers.length);
    const addresses: (string | undefined)[] = Array.from({ length: settings.processes }, () => undefined);
    // Whose inbox each address is: its file is removed once that consumer is gone.
    const inboxPids: (number | undefined)[] = [];
    // A producer listens for its routes once it reported ready (they would be lost before).
    const routed = new Set<number>();
    const readyProducers = new Set<number>();
    const releases = producers.map((): number[] => []);
    let releaseScheduled = false;
    // Producers that said they sent everything, and how many items each has sent so far.
    const produced = new Set<number>();
    const sent = producers.map(() => 0);
    const accepted = producers.map(() => 0);

    const sendTo = (process: Process | undefined, message: ProtocolMessage): void => {
      const child = process?.[HANDLE];
      if (child?.connected) child.send(message);
    };

    const sendReleases = (): void => {
      releaseScheduled = false;
      releases.forEach((seqs, p) => {
        if (seqs.length === 0) return;
        sendTo(pipeline.producers[p], { rxmp: 'release', seqs });
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
      if (pipeline.finished || 'yielded' in result) return;
      let k = 0;
      for (const [p, seq, n, from, count] of result.spans ?? []) {
        for (let index = from; index < from + count; index++, k++) {
          if (!ledger.accept(p, seq, n, index)) continue;
          accepted[p] = (accepted[p] ?? 0) + 1;
          if (k < result.values.length) subscriber.next(result.values[k] as R);
          else if (result.error && settings.onError === 'fail') {
            return pipeline.fail(new TaskError({ processName: pipeline.consumerName(result.worker), seq: -1, ...result.error }));
          }
        }
      }
    };

    // A producer exits once all it sent is handled; one that exited otherwise (process.exit() in its
    // target while it waited) left items without an outcome, and the output must not complete.
    const allDone = (): boolean => {
      const short = producers.findIndex((_, p) => (accepted[p] as number) < (sent[p] as number));
      const child = pipeline.producers[short];
      if (!child) return true;
      const missing = (sent[short] as number) - (accepted[short] as number);
      const stderrTail = `exited with 0 before ${missing} of its ${sent[short] as number} items were handled`;
      pipeline.fail(new ProcessExitError({ processName: child.name, pid: child.pid, exitCode: 0, signal: null, stderrTail }));
      return false;
    };

    const sendRoutes = (): void => {
      if (addresses.some((address) => address === undefined)) return;
      for (const index of readyProducers) {
        if (routed.has(index)) continue;
        routed.add(index);
        sendTo(pipeline.producers[index], { rxmp: 'routes', addresses: addresses.map((address) => address ?? '') });
      }
    };

    const pipeline = new DirectPipeline(subscriber, settings, producers.length, {
      onResult: handleResult,
      ended: (index) => produced.has(index),
      allDone,
      // Items sent whose outcome never came (a producer's count may lag by a turn: then those of the
      // batches some consumer reported on, at least).
      lostItems: () => Math.max(ledger.missing(), sum(sent) - sum(accepted)),
      // One that died before it listened gets no items; the producers resend what one that died later held.
      // A replacement takes the slot: producers not routed yet wait for its inbox.
      onConsumerGone: (id, replaced) => {
        if (addresses[id]) removeSocketOf(addresses[id] as string, inboxPids[id]);
        addresses[id] = replaced ? undefined : '';
        sendRoutes();
      },
      onConsumerMessage: (id, message) => {
        if (message.rxmp !== 'inbox') return;
        addresses[id] = message.address;
        inboxPids[id] = pipeline.consumers.get(id)?.process.pid;
        // Producers that have their routes learn of a replacement's inbox alone.
        for (const index of routed) sendTo(pipeline.producers[index], { rxmp: 'route', consumer: id, address: message.address });
        sendRoutes();
      },
      dispose: () => addresses.forEach((address, id) => address && removeSocketOf(address, inboxPids[id])),
      onProducerMessage: (index, message) => {
        if (message.rxmp === 'ready') {
          readyProducers.add(index);
          sendRoutes();
        } else if (message.rxmp === 'produced') {
          sent[index] = Math.max(sent[index] ?? 0, message.total);
          if (message.done) produced.add(index);
          pipeline.maybeComplete();
        }
      },
    });

    return pipeline.start(
      BROKER_FREE_CONSUMER_TARGET,
      (id) => [{ maxWindow, maxKept }, handler, settings.args, id, init],
      BROKER_FREE_PRODUCER_TARGET,
      (spec, index) => [index, batchSize, maxKept, spec.ref, spec.args],
      producers,
    );
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
