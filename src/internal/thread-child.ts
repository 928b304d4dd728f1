import { EventEmitter } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { ChildHandle } from './child-handle.js';
import { launchThread } from './thread-launcher.js';
import { packMessage, unpackMessage } from './thread-message.js';

/**
 * A child that runs the bootstrap in a worker thread of this process, with the handle shape of a
 * forked one (see ChildHandle), so a Process and the reactive layer above it drive both alike. The
 * thread side speaks over `parentPort` as a child process over its IPC channel (see
 * child/thread-channel.ts); messages travel as the V8 serializer's bytes, as over a process's
 * `advanced` IPC channel (see packMessage).
 *
 * What cannot be the same: kill() cannot signal a thread. Any signal terminates it at once (V8 stops
 * the thread wherever it is: no handler runs, as with SIGKILL), and its exit reports that signal, so
 * the exit code reads as the process's would (-15 for terminate(), -9 for kill()).
 */
export class ThreadChild extends EventEmitter implements ChildHandle {
  readonly pid = process.pid;
  readonly threadId: number;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly channel = undefined;
  #worker: Worker;
  #connected = true;
  #killedBy: NodeJS.Signals | null = null;
  #signalCode: NodeJS.Signals | null = null;

  constructor(name: string, options: { readonly captureStderr?: boolean } = {}) {
    super();
    const worker = launchThread('runThreadChild', null, name, { stderr: options.captureStderr === true });
    this.#worker = worker;
    this.threadId = worker.threadId;
    this.stderr = options.captureStderr ? worker.stderr : null;
    worker.on('message', (data: unknown) => this.emit('message', unpackMessage(data)));
    // Only what escapes the bootstrap's own guards comes here (its loader or entry failing to import):
    // say it as a child process would on its stderr; the thread's exit follows with 1.
    worker.on('error', (error: Error) => {
      process.stderr.write(`Process ${name}:\n${error.stack ?? `${error.name}: ${error.message}`}\n`);
    });
    // A Worker emits 'exit' after every message the thread posted: the channel ends with it.
    worker.once('exit', (code: number) => {
      this.#connected = false;
      this.#signalCode = this.#killedBy;
      this.emit('disconnect');
      this.emit('exit', this.#killedBy ? null : code, this.#killedBy);
    });
  }

  get connected(): boolean {
    return this.#connected;
  }

  get signalCode(): NodeJS.Signals | null {
    return this.#signalCode;
  }

  send(message: unknown): boolean {
    if (!this.#connected) return false;
    const { bytes, transfer } = packMessage(message);
    this.#worker.postMessage(bytes, transfer);
    return true;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (!this.#connected || this.#killedBy) return false;
    this.#killedBy = signal;
    void this.#worker.terminate();
    return true;
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }
}
