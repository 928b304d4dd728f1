/** Whether `value` is a thenable: a handler's result is awaited only then, since an await costs a microtask turn. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
