import type { Observable } from 'rxjs';
import { createObservable } from './rx.js';
import { abortError } from '../internal/abort.js';

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
