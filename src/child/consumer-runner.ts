// Runs inside a consumer child: takes its items, runs the user's handler on each, and reports the
// outcomes (values or an error) in the order the items came. On the general path the parent sends
// the items over the IPC channel and the outcomes go back the same way: its dispatcher bounds what a
// consumer holds and re-queues a dead consumer's items, so the channel needs no flow control of its
// own, one message per batch each way. On the direct path (mergeProducers) the items come from the
// queue the producers put into, and the outcomes go with the acknowledgement of their items.
import { registerFlushable } from '../internal/flush-registry.js';
import type { ModuleExportRef } from '../internal/function-locator.js';
import { toRemoteError, type ProtocolMessage, type RemoteError } from '../internal/protocol.js';
import { PROMPT_FLUSH_MS } from '../queue/wire/queue-proxy.js';
import { assertCloneable } from '../internal/serialize.js';
import type { Queue } from '../process/queue.js';
import { EMPTY } from '../queue/local/queue-core.js';
import { ConsumeInbox } from './consume-inbox.js';
import type { ConsumerInit, ConsumerInput, ConsumerResult, NumberedItem } from './consumer-input.js';
import type { JoinableQueue } from '../process/joinable-queue.js';
import { RedisInput } from './redis-input.js';
import { InboxInput } from './inbox-input.js';
import { QueueInput } from './queue-input.js';
import { ExitRequest } from './exit.js';
import { importTarget } from './import-target.js';
import { isPromiseLike } from '../internal/promise-like.js';
import { sendToParent, whenFlushed } from './parent-channel.js';
import { describeItem } from '../internal/describe-item.js';


export async function runConsumer(ref: ModuleExportRef, args: unknown[], worker: number, init: ConsumerInit | null): Promise<void> {
  const inbox = new ConsumeInbox(); // before the first await: see ConsumeInbox
  await serveItems(inbox, ref, args, worker, init);
}

/**
 * A direct pipeline's consumer (see mergeProducers): items come from the queue the producer children
 * put into, and each is acknowledged to the queue's owner once its outcome is on its way, so the
 * items of a consumer that dies go to the others.
 */
export async function runDirectConsumer(jobs: Queue<unknown>, ref: ModuleExportRef, args: unknown[], worker: number, init: ConsumerInit | null): Promise<void> {
  const input = new QueueInput(jobs); // before the first await, as the inbox
  await serveItems(input, ref, args, worker, init);
}

/**
 * A broker-free pipeline's consumer (see brokerFreeConsume): producers write its items to its own
 * inbox, and it reports their outcomes, with their origin, to the parent.
 */
export async function runBrokerFreeConsumer(
  sizes: { readonly maxWindow: number; readonly maxKept: number },
  ref: ModuleExportRef,
  args: unknown[],
  worker: number,
  init: ConsumerInit | null,
): Promise<void> {
  const input = new InboxInput(sizes.maxWindow, sizes.maxKept); // before the first await, as the inbox
  try {
    await serveItems(input, ref, args, worker, init);
  } finally {
    // A handler that cannot be imported, or an initializer that throws, fails this child: its
    // listening inbox must not keep it alive.
    input.close();
  }
}

/**
 * A Redis pipeline's consumer (see redisConsume), started by the pipeline's process or by a worker
 * on another machine: items come from the pipeline's queue in Redis, outcomes go to its outcome stream.
 */
export async function runRedisConsumer(
  items: JoinableQueue<NumberedItem>,
  ref: ModuleExportRef,
  args: unknown[],
  worker: number,
  init: ConsumerInit | null,
  progress = false,
): Promise<void> {
  const input = new RedisInput(items, progress); // before the first await, as the inbox
  try {
    await serveItems(input, ref, args, worker, init);
  } finally {
    input.close();
  }
}

async function serveItems(input: ConsumerInput, ref: ModuleExportRef, args: unknown[], worker: number, init: ConsumerInit | null): Promise<void> {
  const handler = (await importTarget(ref)) as (item: unknown, ...rest: unknown[]) => unknown;
  await runInitializer(init);
  const outcomes = new Outcomes(input, worker);
  // Results held for batching leave on every way out of the process too: process.exit() in a
  // handler, an uncaught error. Otherwise their items would run again elsewhere, or count as lost.
  registerFlushable({
    pending: () => outcomes.pending(),
    flush: () => {
      outcomes.sendPending(true);
      return whenFlushed();
    },
  });
  // The handler may end this process on an item (process.exit(), an uncaught error): the parent
  // hears which, on the way out, to find a poison item. Nothing is sent when none was in progress.
  registerFlushable({
    pending: () => inProgress !== NONE,
    flush: () => {
      if (inProgress !== NONE) sendToParent({ rxmp: 'dying-on', item: describeItem(undefined, inProgress) } satisfies ProtocolMessage);
      inProgress = NONE;
      return whenFlushed();
    },
  });
  while (!input.done) {
    const returned = serveReady(input, handler, args, outcomes);
    if (returned === undefined) {
      if (input.done) break;
      // Nothing more here yet: what is done leaves before this consumer waits.
      outcomes.sendPending(false);
      await input.arrival();
      continue;
    }
    try {
      outcomes.add(await returned, true);
    } catch (error) {
      outcomes.fail(error);
    }
    inProgress = NONE;
  }
  outcomes.sendPending(true);
  input.close();
}

/**
 * Runs the handler on the items already here, for as long as it returns plain values, and returns
 * the promise of the first that does not (undefined once no item is left). A synchronous loop of its
 * own, not the async one above: a fresh consumer has V8 optimise this for its first few thousand
 * items, and an async function's loop, with its awaits, cost about twice as long to compile.
 */
function serveReady(input: ConsumerInput, handler: (item: unknown, ...rest: unknown[]) => unknown, args: unknown[], outcomes: Outcomes): PromiseLike<unknown> | undefined {
  while (!input.done) {
    const item = input.take();
    if (item === EMPTY) return undefined;
    outcomes.startRun();
    inProgress = item;
    try {
      const returned = args.length === 0 ? handler(item) : handler(item, ...args);
      if (isPromiseLike(returned)) return returned;
      outcomes.add(returned, false);
    } catch (error) {
      outcomes.fail(error);
    }
    inProgress = NONE;
  }
  return undefined;
}

/**
 * The values of items handled since the last report; each was checked to clone when it was produced,
 * so a value that cannot travel fails its own item, not the batch it would have joined. Reports are
 * written before the process exits (the IPC channel and the queue connection both wait for theirs).
 */
class Outcomes {
  readonly #input: ConsumerInput;
  readonly #worker: number;
  #values: unknown[] = [];
  #sentAt = -Infinity;
  #runStartedAt = 0;

  constructor(input: ConsumerInput, worker: number) {
    this.#input = input;
    this.#worker = worker;
  }

  pending(): boolean {
    return this.#values.length > 0;
  }

  /** An item is about to be handled: the first since the last report starts the run it is timed by. */
  startRun(): void {
    if (this.#values.length === 0) this.#runStartedAt = Date.now();
  }

  add(value: unknown, isAsync: boolean): void {
    assertCloneable(value, "the handler's result");
    this.#values.push(value);
    // A handler that awaited let the event loop turn anyway: its value leaves at once, as it would
    // alone. Values of synchronous handlers batch while they come fast; the first after a pause of
    // PROMPT_FLUSH_MS (a slow item, or a lull) leaves at once with those before it. A value can
    // still wait for the one slow item after it, as a put batched by a queue does.
    // elapsedMs() written out, as in QueueProxy's puts: this runs for every item.
    // (An awaiting handler's value is sent, but not written `now`: its loop lets the turn end.)
    const sinceSent = Date.now() - this.#sentAt;
    const prompt = sinceSent >= PROMPT_FLUSH_MS || sinceSent < 0;
    if (isAsync || prompt || this.#values.length >= MAX_BATCH) this.#send(prompt);
  }

  /** The handler failed on an item: its error leaves at once, with the values before it. */
  fail(error: unknown): void {
    // process.exit() in a handler: the exit guard's request to end, not the item's failure.
    if (error instanceof ExitRequest) throw error;
    this.#send(true, toRemoteError(error));
  }

  // `now`: written at once rather than with the rest of the turn's messages. Outcomes sent as the
  // loop runs dry need not be (it lets the turn end); those sent in the middle of a synchronous run
  // of items (a slow one's, a failure's) must, or they would wait for the run to end.
  sendPending(now: boolean): void {
    if (this.#values.length > 0) this.#send(now);
  }

  #send(now: boolean, error?: RemoteError): void {
    this.#sentAt = Date.now();
    const busyMs = Math.max(0, this.#sentAt - this.#runStartedAt);
    const values = this.#values;
    const result: ConsumerResult = error ? { worker: this.#worker, values, error, busyMs } : { worker: this.#worker, values, busyMs };
    const handled = values.length + (error ? 1 : 0);
    this.#values = [];
    this.#input.report(result, handled, now);
  }
}

/**
 * The seed's consumer style: the user's target gets the consumer's JoinableQueue and loops on get()
 * and taskDone() itself. Values it yields (an async generator) are emitted; each is accepted into
 * the results queue before the generator resumes, so it always reaches the parent before the
 * taskDone that follows it (the results queue's connection is flushed first).
 */
export async function runLoopConsumer(results: Queue<ConsumerResult>, jobs: Queue<unknown>, ref: ModuleExportRef, args: unknown[], worker: number, init: ConsumerInit | null): Promise<void> {
  const target = (await importTarget(ref)) as (q: unknown, ...rest: unknown[]) => unknown;
  await runInitializer(init);
  const produced = await target(jobs, ...args);
  if (produced && typeof produced === 'object' && Symbol.asyncIterator in produced) {
    for await (const value of produced as AsyncIterable<unknown>) await results.put({ worker, yielded: value });
  }
}

// consume()'s initializer runs once, before the first item: an error in it ends this consumer (exit 1),
// and the parent gives its items to the others, as when the handler cannot be imported.
async function runInitializer(init: ConsumerInit | null): Promise<void> {
  if (!init) return;
  const initializer = (await importTarget(init.ref)) as (...args: readonly unknown[]) => unknown;
  await initializer(...init.args);
}

// Outcomes of a synchronous handler travel together, up to this many (and only while they come fast,
// by the queues' prompt-flush rule, so results of a CPU-bound handler still stream).
const MAX_BATCH = 512;
// The item the handler is running, if any (see serveItems).
const NONE = Symbol('none');
let inProgress: unknown = NONE;
