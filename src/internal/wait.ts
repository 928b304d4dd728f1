import { MAX_TIMER_MS } from './timeout.js';

/** A pending put or get: settles once, either by delivery or by its timeout. */
export interface Waiter<V> {
  /** False once settled (delivered, timed out or failed): a late delivery must be declined. */
  readonly active: boolean;
  settle(value: V): boolean;
  fail(error: Error): void;
}

// Creates a waiter and its promise; after `timeout` ms it fails with `onTimeout()` and calls `onGiveUp`.
export function createWaiter<V>(timeout: number | null, onTimeout: () => Error, onGiveUp?: () => void): [Waiter<V>, Promise<V>] {
  let resolve!: (value: V) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<V>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let timer: NodeJS.Timeout | undefined;
  const waiter = {
    active: true,
    settle(value: V): boolean {
      if (!waiter.active) return false;
      waiter.active = false;
      if (timer) clearTimeout(timer);
      resolve(value);
      return true;
    },
    fail(error: Error): void {
      if (!waiter.active) return;
      waiter.active = false;
      if (timer) clearTimeout(timer);
      reject(error);
    },
  };
  if (timeout !== null && timeout < MAX_TIMER_MS) {
    timer = setTimeout(() => {
      waiter.fail(onTimeout());
      onGiveUp?.();
    }, timeout);
  }
  return [waiter, promise];
}
