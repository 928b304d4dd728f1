import { abortError } from './abort.js';
import { MAX_TIMER_MS } from './timeout.js';

/** A pending put or get: settles once, either by delivery or by its timeout or its signal. */
export interface Waiter<V> {
  /** False once settled (delivered, timed out, aborted or failed): a late delivery must be declined. */
  readonly active: boolean;
  settle(value: V): boolean;
  fail(error: Error): void;
}

/** An AbortSignal ending a wait, and what the wait is called in its AbortError (`get()`). */
export interface WaitAbort {
  readonly signal: AbortSignal;
  readonly what: string;
}

/**
 * Creates a waiter and its promise. After `timeout` ms it fails with `onTimeout()`; when
 * `abort.signal` aborts it fails with an AbortError; either way it then calls `onGiveUp`. The signal
 * must not be aborted yet (callers reject at once then, before waiting).
 */
export function createWaiter<V>(timeout: number | null, onTimeout: () => Error, onGiveUp?: () => void, abort?: WaitAbort): [Waiter<V>, Promise<V>] {
  let resolve!: (value: V) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  // Settling is synchronous and happens once: whichever of delivery, timeout and abort comes first
  // wins, and the others find the waiter inactive (a delivery then goes to the next waiter).
  const finish = (): void => {
    waiter.active = false;
    if (timer) clearTimeout(timer);
    if (onAbort) abort?.signal.removeEventListener('abort', onAbort);
  };
  const waiter = {
    active: true,
    settle(value: V): boolean {
      if (!waiter.active) return false;
      finish();
      resolve(value);
      return true;
    },
    fail(error: Error): void {
      if (!waiter.active) return;
      finish();
      reject(error);
    },
  };
  if (timeout !== null && timeout < MAX_TIMER_MS) {
    timer = setTimeout(() => {
      waiter.fail(onTimeout());
      onGiveUp?.();
    }, timeout);
  }
  if (abort) {
    onAbort = () => {
      waiter.fail(abortError(abort.signal, `${abort.what} was aborted.`));
      onGiveUp?.();
    };
    abort.signal.addEventListener('abort', onAbort, { once: true });
  }
  return [waiter, promise];
}
