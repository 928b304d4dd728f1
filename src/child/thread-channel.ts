// Entry of a reactive-layer child that runs in a worker thread (context: 'thread'). It gives this
// thread the IPC surface of a forked child over `parentPort` — process.send, 'message' events,
// process.connected, process.channel — so the bootstrap and the runners run unchanged: the parent's
// boot message arrives next, as it does in a child process.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { packMessage, unpackMessage } from '../internal/thread-message.js';

export function runThreadChild(): void {
  const port = parentPort as MessagePort;
  // A message posted before the thread ends is delivered (Node drains the port before 'exit'): it is
  // written once posted, as a child process's message once its send callback ran.
  process.send = (message: unknown, _handle?: unknown, _options?: unknown, callback?: (error: Error | null) => void): boolean => {
    const { bytes, transfer } = packMessage(message);
    port.postMessage(bytes, transfer);
    callback?.(null);
    return true;
  };
  // The parent's end never goes away before this thread's: a parent that dies takes its threads with it.
  Object.defineProperty(process, 'connected', { value: true, configurable: true });
  // The bootstrap unrefs the channel once the target returned, so that the port alone does not keep
  // the thread alive (see exitWhenIdle).
  Object.defineProperty(process, 'channel', { value: { ref: () => port.ref(), unref: () => port.unref() }, configurable: true });
  port.on('message', (data: unknown) => process.emit('message', unpackMessage(data) as never, undefined));
}
