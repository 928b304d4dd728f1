import type { Observable } from 'rxjs';
import { createObservable } from './rx.js';
import { kindOf, show } from './option-checks.js';

/** The `signal` option: an AbortSignal, or undefined for none. */
export function validateSignal(signal: unknown, call: string): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal;
  throw new TypeError(
    `Expected \`signal\` of ${call} to be an AbortSignal, got \`${show(signal)}\` (${kindOf(signal)}). Pass controller.signal (const controller = new AbortController()), or AbortSignal.timeout(ms).`,
  );
}

/** What aborting rejects or errors with, as Node's own APIs do: a DOMException named AbortError, the signal's reason as its cause. */
export function abortError(signal: AbortSignal, message: string): DOMException {
  return new DOMException(message, { name: 'AbortError', cause: signal.reason });
}

/**
 * `observable`, erroring with an AbortError once `signal` aborts: it is unsubscribed first, so its
 * teardown ends the children it started before the error is seen. An already aborted signal errors
 * at subscription, before anything starts.
 */
export function abortable<T>(observable: Observable<T>, signal: AbortSignal | undefined, what: string): Observable<T> {
  if (!signal) return observable;
  return createObservable<T>((subscriber) => {
    if (signal.aborted) {
      subscriber.error(abortError(signal, `${what} was aborted before it started.`));
      return undefined;
    }
    // A plain observer, not the subscriber itself: RxJS would adopt a Subscriber, and unsubscribing
    // the inner subscription would then close our subscriber before it could error.
    const subscription = observable.subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    const onAbort = (): void => {
      subscription.unsubscribe();
      subscriber.error(abortError(signal, `${what} was aborted.`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      signal.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
    };
  });
}
