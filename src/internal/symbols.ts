// Registered symbols (Symbol.for) so that two loaded copies of the library recognise each other's objects.

/** Marks the library's own Process class. */
export const PROCESS_BRAND = Symbol.for('rx-multiprocessing.Process');
/** Constructor option the child bootstrap uses to rebuild a process without consuming a name. */
export const RESTORE = Symbol.for('rx-multiprocessing.restore');
/** A started Process's ChildHandle (a ChildProcess, or a ThreadChild), for the library's own layers. */
export const HANDLE = Symbol.for('rx-multiprocessing.handle');
/** Why a child could not import its target, as it reported. */
export const INIT_ERROR = Symbol.for('rx-multiprocessing.initError');
export const DYING_ON = Symbol.for('rx-multiprocessing.dyingOn');
export const REDELIVERED = Symbol.for('rx-multiprocessing.redelivered');
/** Queue's static method building, in a child, the proxy of a queue another process owns. */
export const ADOPT_QUEUE = Symbol.for('rx-multiprocessing.adoptQueue');
/** A Queue's method returning how another process reaches it. */
export const DESCRIBE_QUEUE = Symbol.for('rx-multiprocessing.describeQueue');
/** Process option: pipe the child's stderr through this process and keep its tail. */
export const CAPTURE_STDERR = Symbol.for('rx-multiprocessing.captureStderr');
/** Process option: run the child in a worker thread of this process (the reactive layer's `context: 'thread'`). */
export const IN_THREAD = Symbol.for('rx-multiprocessing.inThread');
/** A started Process's captured stderr tail (a Promise: it settles once the stream has ended). */
export const STDERR_TAIL = Symbol.for('rx-multiprocessing.stderrTail');
/** A JoinableQueue's owner-side hook, called with the count of every taskDone. */
export const ON_TASK_DONE = Symbol.for('rx-multiprocessing.onTaskDone');
/** A Queue's method that stops serving it to other processes (the library's own queues, on teardown). */
export const DISPOSE_QUEUE = Symbol.for('rx-multiprocessing.disposeQueue');
/** A Queue's method fixing its proxies' prefetch window (the reactive layer's job queues). */
export const FIX_PREFETCH = Symbol.for('rx-multiprocessing.fixPrefetch');
/** A Queue's method capping its proxies' adaptive prefetch window (a direct pipeline's queue). */
export const CAP_PREFETCH = Symbol.for('rx-multiprocessing.capPrefetch');
/** A Queue's method letting its one remote producer hold credit for the whole queue (a producer()'s channel). */
export const SOLE_PRODUCER = Symbol.for('rx-multiprocessing.soleProducer');
/** A Queue's method putting an item only if it can go without waiting (a producer child's loop). */
export const TRY_PUT = Symbol.for('rx-multiprocessing.tryPut');
/** A Queue's method taking an item only if one is here now, or returning EMPTY (a consumer child's loop). */
export const TRY_GET = Symbol.for('rx-multiprocessing.tryGet');
/** A Queue's method settling once every put made here was accepted and written out (before a signal on another queue). */
export const FLUSH_PUTS = Symbol.for('rx-multiprocessing.flushPuts');
/** A Queue's method: items taken here stay the owner's to redeliver until acknowledged (a direct consumer). */
export const DEFER_TOOK = Symbol.for('rx-multiprocessing.deferTook');
/** A JoinableQueue's owner-side hook, called with the outcomes consumers report as they acknowledge items (a direct pipeline). */
export const ON_OUTCOMES = Symbol.for('rx-multiprocessing.onOutcomes');
/** A JoinableQueue's method returning its unfinished count (creating process only). */
export const UNFINISHED = Symbol.for('rx-multiprocessing.unfinished');
/** A child's method: while held, it keeps this process alive (see TrackedChild). */
export const HOLD_PARENT = Symbol.for('rx-multiprocessing.holdParent');
/** A Queue's method: every item reaches it from another process, already a copy, so get() in the owner need not copy again (a producer()'s channel). */
export const REMOTE_ITEMS = Symbol.for('rx-multiprocessing.remoteItems');
/** Pool's submission for consume({ pool }): calls of one function, each settled on its own. */
export const SUBMIT_SETTLED = Symbol.for('rx-multiprocessing.submitSettled');
/** A Queue's getter: true when no process of this tree serves it (Redis), so its descriptor alone reaches it, from a Pool task's args too. */
export const OWNERLESS = Symbol.for('rx-multiprocessing.ownerless');
/** A Queue's hook, called when a `for await` loop over it is finished with an item (JoinableQueue: taskDone). */
export const ITERATED = Symbol.for('rx-multiprocessing.iterated');
/** A Queue's getter: true once this handle was closed (a pool worker then adopts its queue afresh for the next task). */
export const HANDLE_CLOSED = Symbol.for('rx-multiprocessing.handleClosed');
/** A Queue's method: a listener for the items this process moves to the dead-letter stream (Redis; a pipeline's consumer reports their outcome). */
export const ON_DEAD_LETTER = Symbol.for('rx-multiprocessing.onDeadLetter');
/** A Queue's method: what this process saw of it (Redis: entries reclaimed, dead-lettered…), or undefined. */
export const QUEUE_STATS = Symbol.for('rx-multiprocessing.queueStats');
/** A Queue's method: its outcome stream (a Redis pipeline's items queue), or undefined for other queues. */
export const OUTCOME_STREAM = Symbol.for('rx-multiprocessing.outcomeStream');
