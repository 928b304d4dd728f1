/**
 * The base of every error this library throws, so one `instanceof` check catches them all.
 *
 * @example
 * ```ts
 * try {
 *   new Process({ target: () => 1 }).start();
 * } catch (err) {
 *   if (err instanceof MultiprocessingError) console.error(err.message); // TargetResolutionError: …
 * }
 * ```
 */
export class MultiprocessingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
